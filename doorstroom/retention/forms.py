"""Input shape for erasing a file; whether the law allows it is decided in rules.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from doorstroom.core.forms import Form

from .models import ErasureGround


class ErasureForm(Form):
    ground = forms.ChoiceField(
        label=_("Grond voor het wissen"), choices=ErasureGround.choices, widget=forms.RadioSelect
    )
    decision_reference = forms.CharField(
        label=_("Kenmerk van het besluit"),
        max_length=100,
        required=False,
        help_text=_("Bijvoorbeeld het zaaknummer van het verzoek. Geen namen of andere persoonsgegevens."),
    )
    confirm = forms.BooleanField(
        label=_("Ik begrijp dat het hele dossier verdwijnt en dat dit niet ongedaan kan worden"),
        required=True,
    )
