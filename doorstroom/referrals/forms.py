"""Referral forms: making a referral, and the receiving organisation's answer."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doorstroom.core.forms import Form
from doorstroom.core.i18n import translated_choices
from doorstroom.organisations.models import Organisation

from . import rules


class ReferralForm(Form):
    to_organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Aanmelden bij"),
        queryset=Organisation.objects.none(),
        empty_label="—",
        help_text=_(
            "Alleen mogelijk als de deelnemer toestemming gaf om programma en fase met deze organisatie te delen."
        ),
    )
    reason = forms.CharField(
        label=_("Waarom meldt u aan, en wat vraagt u?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=rules.TEXT_LIMIT,
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField = self.fields["to_organisation"]  # type: ignore[assignment]
        field.queryset = organisations


class DecisionForm(Form):
    decision = forms.ChoiceField(
        label=_("Uw antwoord"),
        choices=[("accepteren", _("Accepteren")), ("afwijzen", _("Afwijzen"))],
        widget=forms.RadioSelect,
    )
    assigned_to = forms.TypedChoiceField(
        label=_("Wie gaat de deelnemer begeleiden?"), coerce=int, required=False, empty_value=None
    )
    decline_reason = forms.ChoiceField(
        label=_("Reden van afwijzen"), choices=[("", "—"), *translated_choices(rules.DECLINE_REASONS)], required=False
    )
    note = forms.CharField(
        label=_("Toelichting"), widget=forms.Textarea(attrs={"rows": 3}), max_length=rules.TEXT_LIMIT, required=False
    )

    def __init__(self, *args: Any, assignees: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.TypedChoiceField = self.fields["assigned_to"]  # type: ignore[assignment]
        field.choices = [("", _("ikzelf")), *((u.pk, u.get_full_name() or u.get_username()) for u in assignees)]
