"""Measurement pages: progress from baseline to latest, the history, and recording a measurement."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from doorstroom.access import policy as access
from doorstroom.access import redaction
from doorstroom.core import charts
from doorstroom.core.errors import DomainError

from . import forms, selectors, services


def _refuse_fields_not_offered(
    request: access.AuthenticatedRequest, measurement_forms: list[forms.MeasurementForm]
) -> None:
    """Free text the form did not offer (the writer may not write notes) is refused, as in the API."""
    if request.method != "POST":
        return
    for form in measurement_forms:
        for name in ("note", "override_reason", "rung_override"):
            if name not in form.fields and request.POST.get(form.add_prefix(name)):
                raise PermissionDenied


def _progress_chart(instrument: selectors.InstrumentProgress) -> str:
    """The baseline and latest measurement per item as a picture (the table below has the figures)."""
    if not instrument.rows:
        return ""
    return charts.data_uri(
        charts.paired_bars(
            [row.label for row in instrument.rows],
            [row.baseline_share for row in instrument.rows],
            [row.latest_share for row in instrument.rows],
            (_("nulmeting"), _("laatste meting")),
            _("Deel van de schaal (%)"),
        )
    )


@login_required
def measurements_overview(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """Progress per instrument (chart with the same figures as a table) and every measurement."""
    participant = access.require_participant(
        request.user, participant_uuid, access.Action.VIEW, access.Category.MEASUREMENTS
    )
    reader = redaction.reader_for(request.user, participant)
    categories, changeable = reader.categories, reader.writable
    return TemplateResponse(
        request,
        "measurements/overview.html",
        {
            "participant": participant,
            "progress": [
                (instrument, _progress_chart(instrument))
                for instrument in selectors.progress_of(participant=participant, categories=categories)
            ],
            "history": [
                replace(entry, measurement=redaction.record_notes_shown(reader, entry.measurement))
                for entry in selectors.history_of(participant=participant, categories=categories)
            ],
            "screenings": participant.screenings.order_by("-screened_on", "-id"),
            "instruments": selectors.instruments_in_use(),
            "can_record": access.Category.MEASUREMENTS in changeable,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_create(request: access.AuthenticatedRequest, participant_uuid: str, code: str) -> HttpResponse:
    participant = access.require_participant(
        request.user, participant_uuid, access.Action.CHANGE, access.Category.MEASUREMENTS
    )
    instrument = selectors.instruments_in_use().filter(code=code).first()
    scale = instrument.current_scale() if instrument else None
    if instrument is None or scale is None:
        raise Http404
    changeable = access.categories_allowed(request.user, participant, access.Action.CHANGE)
    item_codes = {item.code for item in scale.scale_items() if item.category in changeable}
    has_baseline = services.standing_baseline(participant, instrument) is not None
    form = forms.MeasurementForm(
        request.POST or None,
        scale=scale,
        item_codes=item_codes,
        initial={"moment": "vervolgmeting" if has_baseline else "nulmeting"},
        notes_allowed=access.Category.NOTES in changeable,
    )
    _refuse_fields_not_offered(request, [form])
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_record(
                participant=participant,
                measurement_type=instrument,
                moment=form.cleaned_data["moment"],
                measured_on=form.cleaned_data["measured_on"],
                scores=form.scores(),
                actor=request.user,
                note=form.cleaned_data.get("note", ""),
                source=form.cleaned_data.get("source", ""),
                rung_override=form.rung_override(),
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("De meting is opgeslagen."))
            return redirect("measurements:overview", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "measurements/measurement_form.html",
        {
            "form": form,
            "participant": participant,
            "instrument": instrument,
            "scale": scale,
            "left_out": len(scale.items) - len(item_codes),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening_create(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    participant = access.require_participant(
        request.user, participant_uuid, access.Action.CHANGE, access.Category.MEASUREMENTS
    )
    form = forms.ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.screening_record(participant=participant, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, _("De screening is opgeslagen."))
            return redirect("measurements:overview", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "measurements/screening_form.html",
        {"form": form, "participant": participant},
        status=400 if form.errors else 200,
    )


INTAKE_INSTRUMENTS = ("taalniveau", "participatieladder", "zrm", "belemmeringen")


@login_required
@require_http_methods(["GET", "POST"])
def broad_intake(request: access.AuthenticatedRequest, participant_uuid: str) -> HttpResponse:
    """The broad intake: the baselines of several instruments on one page and one date, saved
    together or not at all. Instruments that already have a baseline are left out."""
    participant = access.require_participant(
        request.user, participant_uuid, access.Action.CHANGE, access.Category.MEASUREMENTS
    )
    changeable = access.categories_allowed(request.user, participant, access.Action.CHANGE)
    sections = []
    for instrument in selectors.instruments_in_use().filter(code__in=INTAKE_INSTRUMENTS):
        scale = instrument.current_scale()
        if scale is None or services.standing_baseline(participant, instrument) is not None:
            continue
        codes = {item.code for item in scale.scale_items() if item.category in changeable}
        form = forms.MeasurementForm(
            request.POST or None,
            scale=scale,
            item_codes=codes,
            prefix=instrument.code,
            initial={"moment": "nulmeting"},
            all_optional=True,
            notes_allowed=access.Category.NOTES in changeable,
        )
        for name in ("moment", "measured_on"):
            form.fields.pop(name)
        sections.append((instrument, form))
    _refuse_fields_not_offered(request, [form for _, form in sections])
    date_form = forms.IntakeDateForm(request.POST or None)
    if request.method == "POST" and date_form.is_valid() and all(form.is_valid() for _, form in sections):
        try:
            with transaction.atomic():
                for instrument, form in sections:
                    scores = form.scores()
                    if not any(value is not None for value in scores.values()):
                        continue  # an instrument left empty is simply not measured now
                    try:
                        services.measurement_record(
                            participant=participant,
                            measurement_type=instrument,
                            moment="nulmeting",
                            measured_on=date_form.cleaned_data["measured_on"],
                            scores=scores,
                            actor=request.user,
                            note=form.cleaned_data.get("note", ""),
                            source=form.cleaned_data.get("source", ""),
                            rung_override=form.rung_override(),
                            override_reason=form.cleaned_data.get("override_reason", ""),
                        )
                    except DomainError as error:
                        for one in getattr(error, "errors", None) or [error]:
                            (date_form if one.field == "measured_on" else form).add_domain_error(one)
                        raise
        except DomainError:
            pass  # nothing was saved; the errors are on their sections
        else:
            messages.success(request, _("De intake is opgeslagen."))
            return redirect("measurements:overview", participant_uuid=participant.uuid)
    return TemplateResponse(
        request,
        "measurements/intake.html",
        {"participant": participant, "sections": sections, "date_form": date_form},
        status=400 if request.method == "POST" else 200,
    )
