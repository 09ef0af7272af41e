"""Measurements API: a participant's measurements (the items the caller may see) and recording one."""

from typing import Any

from django.core.exceptions import PermissionDenied

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from doorstroom.access import policy as access
from doorstroom.access import redaction
from doorstroom.core.errors import DomainError
from doorstroom.core.idempotency import idempotent
from doorstroom.core.messages import _
from doorstroom.core.strict import StrictSerializer
from doorstroom.measurements import selectors, services
from doorstroom.measurements.models import LanguageSource, Measurement, Moment
from doorstroom.participants.api.views import ErrorOutput


class MeasurementOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    measurement_type = serializers.CharField(help_text="Code van het meetinstrument, bijvoorbeeld zrm.")
    scale_version = serializers.CharField()
    moment = serializers.ChoiceField(choices=Moment.choices)
    measured_on = serializers.DateField()
    scores = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), help_text="Alleen de onderdelen die u mag zien."
    )
    source = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    note = serializers.CharField(allow_blank=True, help_text="Leeg als notities niet met u zijn gedeeld.")
    override_reason = serializers.CharField(allow_blank=True)
    correction_reason = serializers.CharField(allow_blank=True)
    withheld = serializers.ListField(
        child=serializers.CharField(), help_text="Velden die er zijn maar niet met u zijn gedeeld."
    )
    hidden_items = serializers.IntegerField(help_text="Onderdelen in gegevens die niet met u zijn gedeeld.")


class MeasurementInput(StrictSerializer):
    measurement_type = serializers.SlugField(max_length=40)
    moment = serializers.ChoiceField(choices=Moment.choices)
    measured_on = serializers.DateField()
    scores = serializers.DictField(child=serializers.IntegerField(allow_null=True, min_value=-100, max_value=100))
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=LanguageSource.choices, required=False, allow_blank=True
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    rung_override = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=6)
    override_reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


def _output(measurement: Measurement, categories: frozenset[str]) -> dict[str, Any]:
    visible = {item.code for item in measurement.scale.scale_items() if item.category in categories}
    return {
        "uuid": measurement.uuid,
        "measurement_type": measurement.scale.measurement_type.code,
        "scale_version": measurement.scale.version,
        "moment": measurement.moment,
        "measured_on": measurement.measured_on,
        "scores": {s.item: s.value for s in measurement.scores.all() if s.item in visible},
        "source": measurement.source,
        "note": measurement.note,
        "override_reason": measurement.override_reason,
        "correction_reason": measurement.correction_reason,
        "withheld": list(getattr(measurement, "withheld", ())),
        "hidden_items": len([s for s in measurement.scores.all() if s.item not in visible]),
    }


class MeasurementListCreateApi(generics.GenericAPIView):
    pagination_class = None  # the measurements of one participant, read whole (progress needs all)
    serializer_class = MeasurementOutput

    @extend_schema(summary="De metingen van een deelnemer", responses=MeasurementOutput(many=True))
    def get(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(
            user, participant_uuid, access.Action.VIEW, access.Category.MEASUREMENTS
        )
        reader = redaction.reader_for(user, participant)
        entries = selectors.history_of(participant=participant, categories=reader.categories)
        return Response(
            MeasurementOutput(
                [_output(redaction.record_notes_shown(reader, e.measurement), reader.categories) for e in entries],
                many=True,
            ).data
        )

    @extend_schema(
        summary="Een meting vastleggen (nulmeting, vervolgmeting of eindmeting)",
        request=MeasurementInput,
        responses={201: MeasurementOutput, 400: ErrorOutput, 403: ErrorOutput},
    )
    @idempotent(
        lambda user, kw, _a: access.require_participant(
            user, kw["participant_uuid"], access.Action.VIEW, access.Category.MEASUREMENTS
        )
    )
    def post(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(
            user, participant_uuid, access.Action.CHANGE, access.Category.MEASUREMENTS
        )
        data = MeasurementInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        instrument = selectors.instruments_in_use().filter(code=values.pop("measurement_type")).first()
        if instrument is None:
            raise DomainError(_("Onbekend meetinstrument."), field="measurement_type")
        scale = instrument.current_scale()
        reader = redaction.reader_for(user, participant)
        changeable = reader.writable
        withheld = {i.code for i in scale.scale_items() if i.category not in changeable} if scale else set()
        if withheld & set(values["scores"]):
            raise PermissionDenied("Deze onderdelen zijn niet met uw organisatie gedeeld.")
        for name in ("note", "override_reason", "rung_override"):
            if values.get(name) and not reader.may_write(access.Category.NOTES):
                raise DomainError(_("Notities zijn niet met uw organisatie gedeeld."), field=name, code="not_shared")
        measurement = services.measurement_record(
            participant=participant, measurement_type=instrument, actor=user, **values
        )
        return Response(
            MeasurementOutput(_output(redaction.record_notes_shown(reader, measurement), reader.categories)).data,
            status=status.HTTP_201_CREATED,
        )
