"""The upload form: a few small files (CSV per table, or one Excel workbook)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doorstroom.core.forms import Form

from .rules import MAX_BYTES_WEB


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern for `multiple`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,.txt,.xlsx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(one, initial) for one in data]
        return [single(data, initial)]


class UploadForm(Form):
    bestanden = MultipleFileField(
        label=_("Bestanden"),
        help_text=_(
            "Eén CSV-bestand per tabel (deelnemers, trajecten, gebeurtenissen, metingen, contacten) of één "
            "Excel-werkboek met een tabblad per tabel. Samen ten hoogste 5 MB; grotere bestanden leest de "
            "beheerder in via de opdrachtregel."
        ),
    )

    def clean_bestanden(self) -> Any:
        files = self.cleaned_data["bestanden"]
        if sum(f.size for f in files) > MAX_BYTES_WEB:
            raise forms.ValidationError(
                _("Samen zijn de bestanden groter dan 5 MB. Splits ze of gebruik de opdrachtregel.")
            )
        return files
