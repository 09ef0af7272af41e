"""The plan form: the plan's own fields and two formsets, goals and agreements (four windows).
Validation of content lives in rules and services; these forms only shape the input."""

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from doorstroom.core.forms import DateInput, Form
from doorstroom.core.i18n import translated_choices

from . import rules
from .models import AgreementWay


class PlanForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    review_on = forms.DateField(
        label=_("Evaluatiedatum"),
        widget=DateInput(),
        required=False,
        help_text=_("Wanneer kijken jullie samen naar het hele plan?"),
    )
    agreed_on = forms.DateField(label=_("De deelnemer ging akkoord op"), widget=DateInput(), required=False)
    agreed_how = forms.ChoiceField(
        label=_("Hoe gaf de deelnemer akkoord?"),
        choices=[("", _("nog niet akkoord")), *AgreementWay.choices],
        required=False,
    )
    change_note = forms.CharField(label=_("Wat is er veranderd en waarom?"), max_length=300, required=False)


class PipForm(Form):
    """The PIP part of the plan (Wet inburgering); shown only for a participant with an integration duty."""

    pip_decided_on = forms.DateField(
        label=_("Datum van het PIP-besluit"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "Elke nieuwe versie van het PIP is een nieuw besluit met een eigen datum. "
            "De inburgeringstermijn van drie jaar begint de dag na het eerste besluit. "
            "Laat leeg zolang het PIP nog niet is vastgesteld."
        ),
    )
    learning_route = forms.ChoiceField(
        label=_("Leerroute"),
        choices=[("", _("nog niet gekozen")), *translated_choices(rules.LEARNING_ROUTES)],
        required=False,
    )
    map_intensity = forms.CharField(
        label=_("MAP (Module Arbeidsmarkt en Participatie): hoe intensief?"),
        max_length=rules.PIP_TEXT_LIMIT,
        required=False,
        help_text=_("Bijvoorbeeld het aantal uren praktijk per week. Niet in de onderwijsroute."),
    )
    pvt_intensity = forms.CharField(
        label=_("PVT (participatieverklaringstraject): hoe intensief?"),
        max_length=rules.PIP_TEXT_LIMIT,
        required=False,
        help_text=_("Bijvoorbeeld het aantal bijeenkomsten."),
    )
    ontzorgen_until = forms.DateField(
        label=_("Ontzorgen tot en met"),
        widget=DateInput(),
        required=False,
        help_text=_("Alleen voor statushouders met bijstand: de gemeente betaalt dan vaste lasten uit de uitkering."),
    )
    pip_change_reason = forms.ChoiceField(
        label=_("Reden van de wijziging"),
        choices=[("", _("geen (eerste PIP)")), *translated_choices(rules.PIP_CHANGE_REASONS)],
        required=False,
    )


def _domain_choices(domains: Any) -> list[tuple[str, Any]]:
    """The life domains the writer may use (the access layer says which); all of them by default."""
    choices = translated_choices(rules.LIFE_DOMAINS)
    return [(code, label) for code, label in choices if domains is None or code in domains]


class GoalForm(Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    # an empty first choice, so an untouched new row counts as unchanged and is skipped
    life_domain = forms.ChoiceField(label=_("Leefgebied"), choices=[("", "—"), *translated_choices(rules.LIFE_DOMAINS)])

    def __init__(self, *args: Any, domains: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        domain_field: forms.ChoiceField = self.fields["life_domain"]  # type: ignore[assignment]
        domain_field.choices = [("", "—"), *_domain_choices(domains)]

    description = forms.CharField(
        label=_("Doel"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=rules.TEXT_LIMIT,
        help_text=_("In de woorden van de deelnemer: wat wil hij of zij bereiken?"),
    )
    target_on = forms.DateField(label=_("Streefdatum"), widget=DateInput(), required=False)
    status = forms.ChoiceField(label=_("Stand"), choices=translated_choices(rules.GOAL_STATUSES), initial="open")


class AgreementForm(Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    life_domain = forms.ChoiceField(
        label=_("Leefgebied (als de afspraak daarover gaat)"),
        choices=[("", _("geen bepaald leefgebied")), *translated_choices(rules.LIFE_DOMAINS)],
        required=False,
        help_text=_("Een afspraak over geld, gezondheid of justitie ziet alleen wie die gegevens mag zien."),
    )
    what = forms.CharField(
        label=_("Wie doet wat?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=rules.TEXT_LIMIT
    )
    due_on = forms.DateField(label=_("Klaar op"), widget=DateInput())
    monitor = forms.CharField(label=_("Wie bewaakt de afspraak?"), max_length=rules.TEXT_LIMIT)
    if_not_kept = forms.CharField(
        label=_("Wat gebeurt er als het niet lukt?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=rules.TEXT_LIMIT,
    )
    look_back_on = forms.DateField(label=_("Wanneer kijken we terug?"), widget=DateInput())
    status = forms.ChoiceField(label=_("Stand"), choices=translated_choices(rules.AGREEMENT_STATUSES), initial="open")

    def __init__(self, *args: Any, domains: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        domain_field: forms.ChoiceField = self.fields["life_domain"]  # type: ignore[assignment]
        domain_field.choices = [("", _("geen bepaald leefgebied")), *_domain_choices(domains)]


class HouseholdGoalForm(GoalForm):
    """A goal in a household plan names the member it is for."""

    member = forms.ChoiceField(label=_("Voor wie"))

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member_field: forms.ChoiceField = self.fields["member"]  # type: ignore[assignment]
        member_field.choices = [("", "—"), *((str(m.uuid), m.full_name) for m in members)]
        self.order_fields(["key", "member"])


GoalFormSet = formset_factory(GoalForm, extra=1, can_delete=True)
HouseholdGoalFormSet = formset_factory(HouseholdGoalForm, extra=1, can_delete=True)
AgreementFormSet = formset_factory(AgreementForm, extra=1, can_delete=True)


def kept_rows(formset: Any) -> list[tuple[int, dict[str, Any]]]:
    """(form index, values) of the rows to save: every existing row unless marked to go, and the
    new rows that were filled in (an untouched new row is skipped)."""
    rows = []
    existing = formset.initial_form_count()
    for index, form in enumerate(formset.forms):
        if form.cleaned_data.get("DELETE") or (index >= existing and not form.has_changed()):
            continue
        values = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        values["key"] = values.get("key") or None
        rows.append((index, values))
    return rows
