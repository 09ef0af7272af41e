"""Plan API: read the current plan (with an ETag) and save a new version. A stale version is
refused: 412 when the If-Match header names an older version, 409 when the body's version does."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from doorstroom.access import policy as access
from doorstroom.core.i18n import translated_choices
from doorstroom.participants.api.views import ErrorOutput
from doorstroom.plans import rules, selectors, services
from doorstroom.plans.models import AgreementWay


class GoalSerializer(serializers.Serializer):
    key = serializers.UUIDField(required=False, allow_null=True)
    life_domain = serializers.ChoiceField(choices=translated_choices(rules.LIFE_DOMAINS))
    description = serializers.CharField(max_length=rules.TEXT_LIMIT)
    target_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=translated_choices(rules.GOAL_STATUSES), default="open")


class AgreementSerializer(serializers.Serializer):
    key = serializers.UUIDField(required=False, allow_null=True)
    what = serializers.CharField(max_length=rules.TEXT_LIMIT)
    due_on = serializers.DateField()
    monitor = serializers.CharField(max_length=rules.TEXT_LIMIT)
    if_not_kept = serializers.CharField(max_length=rules.TEXT_LIMIT)
    look_back_on = serializers.DateField()
    status = serializers.ChoiceField(choices=translated_choices(rules.AGREEMENT_STATUSES), default="open")


class IntegrationTermSerializer(serializers.Serializer):
    starts_on = serializers.DateField(help_text="De dag na het eerste PIP-besluit.")
    ends_on = serializers.DateField()
    switch_until = serializers.DateField(help_text="Tot en met deze dag kan de leerroute nog wisselen.")


class PlanSerializer(serializers.Serializer):
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


def _output(participant: Any) -> dict[str, Any]:
    current = selectors.current_plan(participant)
    data = selectors.as_mapping(current)
    data["version"] = current.number if current else 0
    data["agreed_how"] = current.agreed_how if current else ""
    data["change_note"] = current.change_note if current else ""
    for agreement in data["agreements"]:
        agreement.pop("goal_key", None)
    for name in ("learning_route", "map_intensity", "pvt_intensity", "pip_change_reason"):
        data[name] = data[name] or ""
    data["integration_term"] = selectors.integration_term_of(participant)
    return data


class PlanApi(generics.GenericAPIView):
    serializer_class = PlanSerializer

    @extend_schema(summary="Het huidige plan van aanpak", responses={200: PlanSerializer, 404: ErrorOutput})
    def get(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(user, participant_uuid, access.Action.VIEW, access.Category.PLAN)
        data = _output(participant)
        return Response(PlanSerializer(data).data, headers={"ETag": f'"{data["version"]}"'})

    @extend_schema(
        summary="Een nieuwe versie van het plan opslaan",
        request=PlanSerializer,
        responses={200: PlanSerializer, 400: ErrorOutput, 409: ErrorOutput, 412: ErrorOutput},
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
        pip = {name: values.pop(name) for name in rules.PIP_FIELDS if name in values}
        services.plan_save(participant=participant, actor=user, expected_version=expected, pip=pip, **values)
        data = _output(participant)
        return Response(PlanSerializer(data).data, headers={"ETag": f'"{data["version"]}"'})
