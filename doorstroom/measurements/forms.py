"""The measurement form: one field per item of the instrument's current scale that the user may
record; the rules (scale, baseline before follow-up, the ladder's rung) live in services and rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from doorstroom.core import clock
from doorstroom.core.forms import DateInput, Form

from . import rules
from .models import InstrumentKind, LanguageSource, Moment, ScaleVersion, ScreeningInstrument, ScreeningOutcome


def score_field(name: str) -> str:
    return f"score_{name}"


class MeasurementForm(Form):
    moment = forms.ChoiceField(label=_("Moment"), choices=Moment.choices)
    measured_on = forms.DateField(label=_("Datum van de meting"), widget=DateInput())

    def __init__(
        self,
        *args: Any,
        scale: ScaleVersion,
        item_codes: set[str],
        all_optional: bool = False,
        notes_allowed: bool = True,
        **kwargs: Any,
    ) -> None:
        """Only the items in `item_codes` (the categories the writer may change); without
        `notes_allowed` no free text (a note, the reason for another rung: contacts and notes)."""
        kwargs.setdefault("initial", {}).setdefault("measured_on", clock.today())
        super().__init__(*args, **kwargs)
        self.scale = scale
        kind = scale.measurement_type.kind
        for item in scale.scale_items():
            if item.code not in item_codes or (kind == InstrumentKind.LADDER and item.code == "trede"):
                continue
            choices = [(str(v), scale.value_label(v, item.code)) for v in range(item.minimum, item.maximum + 1)]
            if kind == InstrumentKind.LADDER and item.code in rules.LADDER_QUESTIONS:
                self.fields[score_field(item.code)] = forms.ChoiceField(
                    label=item.label, choices=choices, widget=forms.RadioSelect, required=not all_optional
                )
            else:
                empty = _("niet vastgesteld")
                self.fields[score_field(item.code)] = forms.ChoiceField(
                    label=item.label, choices=[("", empty), *choices], required=False
                )
        if kind == InstrumentKind.LANGUAGE:
            self.fields["source"] = forms.ChoiceField(
                label=_("Bron"), choices=[("", _("onbekend")), *LanguageSource.choices], required=False
            )
        if kind == InstrumentKind.LADDER and notes_allowed:
            rungs = [(str(v), scale.value_label(v, "trede")) for v in range(1, 7)]
            self.fields["rung_override"] = forms.ChoiceField(
                label=_("Andere trede kiezen"),
                choices=[("", _("nee, de trede volgt uit de antwoorden")), *rungs],
                required=False,
                help_text=_("Alleen als de antwoorden de situatie niet goed weergeven."),
            )
            self.fields["override_reason"] = forms.CharField(
                label=_("Waarom past een andere trede beter?"), max_length=300, required=False
            )
        if notes_allowed:
            self.fields["note"] = forms.CharField(
                label=_("Toelichting"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
            )
        self._link_descriptions()

    def scores(self) -> dict[str, int | None]:
        prefix = score_field("")
        return {
            name[len(prefix) :]: (int(value) if value not in ("", None) else None)
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix)
        }

    def rung_override(self) -> int | None:
        value = self.cleaned_data.get("rung_override")
        return int(value) if value else None

    def add_domain_error(self, error: Exception) -> None:
        for one in getattr(error, "errors", None) or [error]:
            field = str(getattr(one, "field", "") or "")
            if field.startswith("scores."):
                one.field = score_field(field.removeprefix("scores."))  # type: ignore[attr-defined]
            super().add_domain_error(one)


class ScreeningForm(Form):
    instrument = forms.ChoiceField(label=_("Instrument"), choices=ScreeningInstrument.choices)
    screened_on = forms.DateField(label=_("Datum"), widget=DateInput())
    outcome = forms.ChoiceField(label=_("Uitkomst"), choices=ScreeningOutcome.choices, widget=forms.RadioSelect)
    referred_to = forms.CharField(
        label=_("Doorverwezen naar"),
        max_length=200,
        required=False,
        help_text=_("Bijvoorbeeld een taalhuis of een cursus. Een screening is geen taalniveau."),
    )


class IntakeDateForm(Form):
    measured_on = forms.DateField(label=_("Datum van de intake"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("measured_on", clock.today())
        super().__init__(*args, **kwargs)
