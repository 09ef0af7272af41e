"""Input shape for participant pages; business rules live in services and rules."""

from typing import Any

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from doorstroom.core import clock, messages
from doorstroom.core.forms import DateInput, Form
from doorstroom.organisations.models import Organisation

from . import rules
from .models import BenefitStatus, DataCategory, Household, HouseholdRelation, LegalBasis, ResidenceStatus


def _language_choices() -> tuple[tuple[str, str], ...]:
    return rules.language_choices(get_language() or "nl")


class ParticipantForm(Form):
    given_name = forms.CharField(label=_("Voornaam"), max_length=100)
    family_name_prefix = forms.CharField(label=_("Tussenvoegsel"), max_length=20, required=False)
    family_name = forms.CharField(label=_("Achternaam"), max_length=100)
    date_of_birth = forms.DateField(
        label=_("Geboortedatum"), widget=DateInput(), help_text=_("Bijvoorbeeld 31-12-1990.")
    )
    bsn = forms.CharField(
        label=_("BSN"),
        max_length=11,
        required=False,
        help_text=_("Niet verplicht. Negen cijfers; we controleren het nummer met de elfproef."),
    )
    email = forms.EmailField(label=_("E-mailadres"), required=False)
    phone = forms.CharField(label=_("Telefoonnummer"), max_length=20, required=False)
    residence_status = forms.ChoiceField(
        label=_("Verblijfsstatus"), choices=ResidenceStatus.choices, initial=ResidenceStatus.UNKNOWN
    )
    benefit_status = forms.ChoiceField(
        label=_("Uitkering"), choices=BenefitStatus.choices, initial=BenefitStatus.UNKNOWN
    )
    civic_integration_duty = forms.BooleanField(label=_("Inburgeringsplichtig"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Talen die de deelnemer spreekt"),
        required=False,
        choices=_language_choices,
        widget=forms.SelectMultiple(attrs={"size": 8, "data-filter-label": _("Zoek een taal")}),
        help_text=_(
            "Kies een of meer talen. Typ in het zoekveld om de lijst korter te maken; "
            "houd Ctrl ingedrukt om er meer te kiezen."
        ),
        error_messages={"invalid_choice": _("‘%(value)s’ staat niet in de lijst met talen.")},
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        known = {code for code, _name in _language_choices()}
        kept = [code for code in (self.initial.get("languages") or []) if code not in known]
        if kept:  # a code stored before the list existed stays choosable
            self.fields["languages"].choices = [*_language_choices(), *((c, c) for c in kept)]  # type: ignore[attr-defined]

    # every field is checked on its own, so one submission shows every problem at once
    def clean_bsn(self) -> str:
        value = (self.cleaned_data.get("bsn") or "").strip()
        problem = rules.bsn_problem(value) if value else None
        if problem:
            raise forms.ValidationError(messages.shown(problem, gettext))
        return value

    def clean_date_of_birth(self):  # type: ignore[no-untyped-def]
        value = self.cleaned_data.get("date_of_birth")
        problem = rules.date_of_birth_problem(value, today=clock.today()) if value else None
        if problem:
            raise forms.ValidationError(messages.shown(problem, gettext))
        return value


class ParticipantCreateForm(ParticipantForm):
    municipality = forms.ModelChoiceField(
        label=_("Verantwoordelijke gemeente"), queryset=Organisation.objects.none(), empty_label=None
    )
    confirm_not_duplicate = forms.BooleanField(
        label=_("Ik heb gecontroleerd: dit is een andere persoon"), required=False
    )

    field_order = ["municipality"]

    def __init__(self, *args, municipalities=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]


class ParticipantEditForm(ParticipantForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reden van de wijziging"),
        max_length=300,
        required=False,
        help_text=_("Kort: waarom u dit wijzigt. Verplicht bij een correctie op verzoek van de deelnemer."),
    )
    is_rectification = forms.BooleanField(
        label=_("De deelnemer vroeg om deze correctie (rectificatie)"),
        required=False,
        help_text=_("De oude gegevens blijven bewaard in de wijzigingsgeschiedenis van het dossier."),
    )


class SearchForm(Form):
    q = forms.CharField(
        label=_("Naam of BSN"),
        max_length=100,
        min_length=2,
        help_text=_("Zoek op (een deel van) de naam, of op het volledige BSN."),
    )


class HouseholdMemberForm(Form):
    household = forms.ModelChoiceField(
        label=_("Bestaand huishouden"),
        queryset=Household.objects.none(),
        required=False,
        empty_label=_("Nieuw huishouden"),
        help_text=_("Kies het huishouden van een gezinslid, of begin een nieuw huishouden."),
    )
    relation = forms.ChoiceField(label=_("Relatie in het huishouden"), choices=HouseholdRelation.choices)
    household_name = forms.CharField(
        label=_("Naam van het nieuwe huishouden"),
        max_length=200,
        required=False,
        help_text=_("Alleen bij een nieuw huishouden. Laat leeg voor 'Huishouden' met de achternaam."),
    )

    def __init__(self, *args, households=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if households is not None:
            self.fields["household"].queryset = households  # type: ignore[attr-defined]


class SharingGrantForm(Form):
    organisation = forms.ModelChoiceField(label=_("Organisatie"), queryset=Organisation.objects.none())
    categories = forms.MultipleChoiceField(
        label=_("Soort gegevens"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Kies alles wat deze organisatie voor haar werk nodig heeft; het wordt in één keer vastgelegd."),
    )
    legal_basis = forms.ChoiceField(label=_("Grondslag"), choices=LegalBasis.choices)
    granted_on = forms.DateField(label=_("Vanaf"), widget=DateInput(), initial=clock.today)

    def __init__(self, *args, organisations=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class PeriodForm(Form):
    since = forms.DateField(label=_("Vanaf"), widget=DateInput(), required=False)
    until = forms.DateField(label=_("Tot en met"), widget=DateInput(), required=False)


class AuditTrailFilterForm(PeriodForm):
    organisation = forms.ChoiceField(label=_("Organisatie"), required=False)

    def __init__(self, *args, organisations=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("Alle organisaties")), *((o, o) for o in organisations)]  # type: ignore[attr-defined]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("Deze datum ligt voor de begindatum."))
        return data


class RestrictionForm(Form):
    reason = forms.CharField(
        label=_("Reden"),
        max_length=200,
        help_text=_("Bijvoorbeeld: de deelnemer betwist de juistheid van de gegevens."),
    )


class BreakGlassForm(Form):
    bsn = forms.CharField(label=_("BSN"), max_length=11, help_text=_("Het volledige BSN van de deelnemer."))
    municipality = forms.TypedChoiceField(
        label=_("Gemeente"), coerce=int, required=False, choices=[], widget=forms.HiddenInput
    )

    def offer_municipalities(self, municipalities: list[tuple[int, str]]) -> None:
        """Shown only when the BSN has files in several municipalities the user works for."""
        field: forms.TypedChoiceField = self.fields["municipality"]  # type: ignore[assignment]
        field.choices = [("", _("Kies de gemeente")), *municipalities]
        field.widget = forms.Select(choices=field.choices)
        self._link_descriptions()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = (self.data or {}).get("municipality")
        if chosen:  # a choice made on the previous answer stays valid
            field: forms.TypedChoiceField = self.fields["municipality"]  # type: ignore[assignment]
            field.choices = [(int(chosen), str(chosen))] if str(chosen).isdigit() else []

    reason = forms.CharField(
        label=_("Waarom is dit een noodsituatie?"),
        widget=forms.Textarea,
        max_length=1000,
        help_text=_(
            "De privacyfunctionaris leest dit. U kunt het dossier drie uur inzien, zonder gezondheid en justitie."
        ),
    )


class WrittenAccessRequestForm(Form):
    """The privacy officer answers a written access request (AVG art. 15) with the complete file."""

    bsn = forms.CharField(
        label=_("BSN van de aanvrager"),
        max_length=11,
        help_text=_("Het volledige BSN, zoals u het in het verzoek hebt gecontroleerd."),
    )
    reference = forms.CharField(
        label=_("Kenmerk van het schriftelijke verzoek"),
        max_length=60,
        help_text=_("Het nummer waaronder het verzoek is ingeboekt. Het komt in het logboek, het BSN niet."),
    )
    output = forms.ChoiceField(
        label=_("Als"), choices=[("pdf", _("PDF om op te sturen")), ("json", _("JSON-bestand"))], initial="pdf"
    )


class BreakGlassReviewForm(Form):
    note = forms.CharField(label=_("Beoordeling"), widget=forms.Textarea, max_length=1000)


class SchoolRegistrationForm(Form):
    school = forms.CharField(label=_("School"), max_length=200)
    starts_on = forms.DateField(label=_("Ingeschreven sinds"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Uitgeschreven op"),
        widget=DateInput(),
        required=False,
        help_text=_("Alleen invullen als het kind niet meer op deze school staat ingeschreven."),
    )
