"""Forms for requesting and deciding on a study."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doorstroom.core.forms import DateInput, Form
from doorstroom.programmes.models import Programme


class StudyRequestForm(Form):
    title = forms.CharField(label=_("Titel"), max_length=200)
    purpose = forms.CharField(
        label=_("Doel en vraag van het onderzoek"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("De privacyfunctionaris beoordeelt of de levering bij dit doel past."),
    )
    programmes: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Programma's"), queryset=Programme.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    period_from = forms.DateField(label=_("Aangemeld vanaf"), widget=DateInput())
    period_until = forms.DateField(label=_("Aangemeld tot en met"), widget=DateInput())

    def __init__(self, *args: Any, programmes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programmes"].queryset = programmes  # type: ignore[attr-defined]


class StudyDecisionForm(Form):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=[("goedkeuren", _("Goedkeuren")), ("afwijzen", _("Afwijzen"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Toelichting"), max_length=500, required=False, help_text=_("Verplicht bij afwijzen.")
    )
