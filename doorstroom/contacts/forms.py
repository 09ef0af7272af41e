"""Recording a contact moment; the defaults make the common case (a held conversation today,
the participant came) two clicks from the caseload."""

from django import forms
from django.utils.translation import gettext_lazy as _

from doorstroom.core import clock
from doorstroom.core.forms import DateInput, Form

from .models import Attendance, ContactKind, ContactStatus


class ContactForm(Form):
    kind = forms.ChoiceField(label=_("Soort contact"), choices=ContactKind.choices, initial=ContactKind.CONVERSATION)
    status = forms.ChoiceField(
        label=_("Stand"), choices=ContactStatus.choices, initial=ContactStatus.HELD, widget=forms.RadioSelect
    )
    occurred_on = forms.DateField(label=_("Datum"), widget=DateInput())
    attendance = forms.ChoiceField(
        label=_("Was de deelnemer er?"),
        choices=[("", _("nog niet bekend (gepland contact)")), *Attendance.choices],
        initial=Attendance.ATTENDED,
        required=False,
        help_text=_("Alleen bij een gehouden afspraak. Bij een gepland contact vult u dit in als het is geweest."),
        widget=forms.Select(attrs={"data-show-if": "status=gehouden"}),
    )
    minutes = forms.IntegerField(label=_("Duur in minuten"), min_value=0, max_value=1440, initial=30, required=False)
    note = forms.CharField(
        label=_("Notitie"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000, required=False
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("initial", {}).setdefault("occurred_on", clock.today())
        super().__init__(*args, **kwargs)
