"""Forms for programme configuration: proposing and deciding on data needs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from doorstroom.core import categories
from doorstroom.core.forms import Form

from .models import NEED_TEAM_ROLES, NEVER_AUTOMATIC, Statute, TeamRole

#: the categories a programme can need: not identity and programme/phase (the assignment brings
#: those), never health or justice (always an explicit decision or consent)
NEEDABLE = [c for c in categories.ALL if c not in (categories.IDENTITY, categories.TRAJECTORY, *NEVER_AUTOMATIC)]


class DataNeedProposalForm(Form):
    team_role = forms.ChoiceField(
        label=_("Rol in het team"), choices=[(r.value, r.label) for r in TeamRole if r in NEED_TEAM_ROLES]
    )
    categories = forms.MultipleChoiceField(
        label=_("Soort gegevens die dit werk nodig heeft"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Identiteit en programma en fase krijgt elk teamlid al. Gezondheid en justitie staan er niet bij: "
            "die worden nooit automatisch gedeeld."
        ),
    )
    statute = forms.ChoiceField(label=_("Wettelijke taak"), choices=Statute.choices)
    reason = forms.CharField(
        label=_("Waarom heeft dit werk deze gegevens nodig?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, category_choices=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = category_choices or []  # type: ignore[attr-defined]


class DataNeedDecisionForm(Form):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=[("goedkeuren", _("Goedkeuren")), ("afwijzen", _("Afwijzen"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Toelichting"),
        max_length=300,
        required=False,
        help_text=_("Verplicht bij afwijzen."),
    )


class DataNeedWithdrawalForm(Form):
    note = forms.CharField(label=_("Waarom trekt u deze behoefte in?"), max_length=300)


class ListNarrowingForm(Form):
    """Search and narrow a board or signal list (every field optional)."""

    zoek = forms.CharField(label=_("Zoek op naam"), required=False, max_length=100)
    signaal = forms.ChoiceField(label=_("Signaal"), required=False)
    alleen_mijn = forms.BooleanField(label=_("Alleen mijn eigen deelnemers"), required=False)

    def __init__(self, *args, signal_rules=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["signaal"].choices = [("", _("Alle deelnemers")), *signal_rules]  # type: ignore[attr-defined]
