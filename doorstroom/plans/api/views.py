"""Plan API: read the current plan (with an ETag) and save a new version. A stale version is
refused: 412 when the If-Match header names an older version, 409 when the body's version does."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from doorstroom.access import policy as access
from doorstroom.access import redaction
from doorstroom.core.errors import DomainError
from doorstroom.core.i18n import translated_choices
from doorstroom.core.messages import _
from doorstroom.core.strict import StrictSerializer
from doorstroom.participants.api.views import ErrorOutput
from doorstroom.plans import rules, selectors, services
from doorstroom.plans.models import AgreementWay


class GoalSerializer(StrictSerializer):
    key = serializers.UUIDField(required=False, allow_null=True)
    life_domain = serializers.ChoiceField(choices=translated_choices(rules.LIFE_DOMAINS))
    description = serializers.CharField(max_length=rules.TEXT_LIMIT)
    target_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=translated_choices(rules.GOAL_STATUSES), default="open")


class AgreementSerializer(StrictSerializer):
    key = serializers.UUIDField(required=False, allow_null=True)
    life_domain = serializers.ChoiceField(
        choices=translated_choices(rules.LIFE_DOMAINS),
        required=False,
        allow_blank=True,
        help_text="Het leefgebied waar de afspraak over gaat (leeg: dat van het doel, of geen).",
    )
    what = serializers.CharField(max_length=rules.TEXT_LIMIT)
    due_on = serializers.DateField()
    monitor = serializers.CharField(max_length=rules.TEXT_LIMIT)
    if_not_kept = serializers.CharField(max_length=rules.TEXT_LIMIT)
    look_back_on = serializers.DateField()
    status = serializers.ChoiceField(choices=translated_choices(rules.AGREEMENT_STATUSES), default="open")


class IntegrationTermSerializer(StrictSerializer):
    starts_on = serializers.DateField(help_text="De dag na het eerste PIP-besluit.")
    ends_on = serializers.DateField()
    switch_until = serializers.DateField(help_text="Tot en met deze dag kan de leerroute nog wisselen.")


class PlanSerializer(StrictSerializer):
    version = serializers.IntegerField(min_value=0, help_text="De versie die u las (0 voor een nieuw plan).")
    review_on = serializers.DateField(required=False, allow_null=True)
    agreed_on = serializers.DateField(required=False, allow_null=True)
    agreed_how = serializers.ChoiceField(choices=AgreementWay.choices, required=False, allow_blank=True)
    change_note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    pip_decided_on = serializers.DateField(
        required=False, allow_null=True, help_text="PIP (Wet inburgering): de datum van dit besluit."
    )
    learning_route = serializers.ChoiceField(
        choices=translated_choices(rules.LEARNING_ROUTES), required=False, allow_blank=True
    )
    map_intensity = serializers.CharField(max_length=rules.PIP_TEXT_LIMIT, required=False, allow_blank=True)
    pvt_intensity = serializers.CharField(max_length=rules.PIP_TEXT_LIMIT, required=False, allow_blank=True)
    ontzorgen_until = serializers.DateField(required=False, allow_null=True)
    pip_change_reason = serializers.ChoiceField(
        choices=translated_choices(rules.PIP_CHANGE_REASONS), required=False, allow_blank=True
    )
    integration_term = IntegrationTermSerializer(read_only=True, allow_null=True)
    goals = GoalSerializer(many=True, max_length=50)  # type: ignore[call-arg]
    agreements = AgreementSerializer(many=True, max_length=100)  # type: ignore[call-arg]
    hidden_goals = serializers.IntegerField(
        read_only=True, help_text="Doelen in leefgebieden die niet met u zijn gedeeld (niet getoond, blijven staan)."
    )
    hidden_agreements = serializers.IntegerField(
        read_only=True, help_text="Afspraken over gegevens die niet met u zijn gedeeld (niet getoond, blijven staan)."
    )


def _output(participant: Any, reader: redaction.Reader) -> dict[str, Any]:
    """The current plan as this reader may see it; the PIP as last decided."""
    current = selectors.current_plan(participant)
    shown = redaction.plan_shown(reader, current) if current else None
    data = redaction.plan_mapping(shown)
    data["version"] = current.number if current else 0
    data["agreed_how"] = current.agreed_how if current else ""
    data["change_note"] = shown.change_note if shown else ""
    data["hidden_goals"] = shown.hidden_goals if shown else 0
    data["hidden_agreements"] = shown.hidden_agreements if shown else 0
    for agreement in data["agreements"]:
        agreement.pop("goal_key", None)
    latest = selectors.latest_pip(participant) or {}
    for name in rules.PIP_FIELDS:
        data[name] = latest.get(name) or ("" if name not in ("pip_decided_on", "ontzorgen_until") else None)
    data["integration_term"] = selectors.integration_term_of(participant)
    return data


def _shown_difference(reader: redaction.Reader, participant: Any) -> Any:
    def difference(older: int, newer: int) -> list[str]:
        shown = redaction.plan_versions_shown(
            reader, selectors.versions_of(participant).filter(number__in=[older, newer])
        )
        return redaction.plan_difference(
            redaction.plan_shown_by_number(shown, older), redaction.plan_shown_by_number(shown, newer)
        )

    return difference


class PlanApi(generics.GenericAPIView):
    serializer_class = PlanSerializer

    @extend_schema(summary="Het huidige plan van aanpak", responses={200: PlanSerializer, 404: ErrorOutput})
    def get(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(user, participant_uuid, access.Action.VIEW, access.Category.PLAN)
        data = _output(participant, redaction.reader_for(user, participant))
        return Response(PlanSerializer(data).data, headers={"ETag": f'"{data["version"]}"'})

    @extend_schema(
        summary="Een nieuwe versie van het plan opslaan",
        request=PlanSerializer,
        responses={200: PlanSerializer, 400: ErrorOutput, 403: ErrorOutput, 409: ErrorOutput, 412: ErrorOutput},
    )
    def put(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(user, participant_uuid, access.Action.CHANGE, access.Category.PLAN)
        body = PlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        expected = values.pop("version")
        if_match = request.headers.get("If-Match", "").strip().strip('"')
        current = selectors.current_plan(participant)
        if if_match and if_match != str(current.number if current else 0):
            message = "Het plan is intussen gewijzigd; haal het opnieuw op."
            return Response(
                {"errors": [{"field": "If-Match", "message": message, "code": "precondition_failed"}]},
                status=status.HTTP_412_PRECONDITION_FAILED,
            )
        for row in [*values["goals"], *values["agreements"]]:
            row["key"] = str(row["key"]) if row.get("key") else None
        reader = redaction.reader_for(user, participant)
        if values.get("change_note") and not reader.may_write(access.Category.NOTES):
            raise DomainError(
                _("Notities zijn niet met uw organisatie gedeeld."), field="change_note", code="not_shared"
            )
        pip = {name: values.pop(name) for name in rules.PIP_FIELDS if name in values}
        services.plan_save(
            participant=participant,
            actor=user,
            expected_version=expected,
            pip=pip,
            writable_categories=reader.writable,
            may_decide_pip=access.may_decide_pip(user, participant),
            difference=_shown_difference(reader, participant),
            **values,
        )
        data = _output(participant, reader)
        return Response(PlanSerializer(data).data, headers={"ETag": f'"{data["version"]}"'})
