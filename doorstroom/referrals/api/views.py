"""Referrals API: the referrals to and from the caller's organisation, making one (only with the
participant's consent), and the receiving organisation's answer."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from doorstroom.access import policy as access
from doorstroom.access import redaction
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.core.i18n import translated_choices
from doorstroom.core.idempotency import idempotent
from doorstroom.core.messages import _
from doorstroom.core.strict import StrictSerializer
from doorstroom.participants.api.views import ErrorOutput
from doorstroom.referrals import rules, selectors, services
from doorstroom.referrals.models import Referral


class ReferralOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    participant = serializers.UUIDField()
    participant_name = serializers.CharField()
    from_organisation = serializers.UUIDField()
    to_organisation = serializers.UUIDField()
    reason = serializers.CharField()
    state = serializers.ChoiceField(choices=translated_choices(rules.STATES))
    created_on = serializers.DateField()
    decline_reason = serializers.CharField(allow_blank=True)
    assigned_to = serializers.CharField(allow_null=True, help_text="Gebruikersnaam van wie de deelnemer begeleidt.")


class ReferralInput(StrictSerializer):
    to_organisation = serializers.UUIDField()
    reason = serializers.CharField(max_length=rules.TEXT_LIMIT)


class DecisionInput(StrictSerializer):
    accept = serializers.BooleanField()
    assigned_to = serializers.CharField(
        max_length=150, required=False, allow_blank=True, help_text="Gebruikersnaam; leeg: uzelf."
    )
    decline_reason = serializers.ChoiceField(
        choices=translated_choices(rules.DECLINE_REASONS), required=False, allow_blank=True
    )
    note = serializers.CharField(max_length=rules.TEXT_LIMIT, required=False, allow_blank=True)


def _output(user: Any, referral: Referral) -> dict[str, Any]:
    referral = redaction.referral_shown(user, referral)
    return {
        "uuid": referral.uuid,
        "participant": referral.participant.uuid,
        "participant_name": referral.participant.full_name,
        "from_organisation": referral.from_organisation.uuid,
        "to_organisation": referral.to_organisation.uuid,
        "reason": referral.reason,
        "state": referral.state,
        "created_on": referral.created_at.date(),
        "decline_reason": referral.decline_reason,
        "assigned_to": referral.assigned_to.get_username() if referral.assigned_to else None,
    }


class ReferralListApi(generics.GenericAPIView):
    serializer_class = ReferralOutput

    @extend_schema(
        summary="Aanmeldingen bij en door uw organisatie",
        parameters=[
            OpenApiParameter("richting", str, enum=["ontvangen", "verstuurd"], description="Standaard: ontvangen.")
        ],
        responses={200: ReferralOutput(many=True), 400: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        user = access.authenticated_user(request.user)
        direction = request.query_params.get("richting", "ontvangen")
        if direction not in ("ontvangen", "verstuurd"):
            raise DomainError(_("Kies ontvangen of verstuurd."), field="richting")
        referrals = access.referrals_sent_by(user) if direction == "verstuurd" else access.referrals_received_by(user)
        referrals = referrals.select_related("from_organisation", "to_organisation", "assigned_to")
        page = self.paginate_queryset(referrals.order_by("-created_at", "-id")) or []
        access.record_list(user, [r.participant for r in page], object_type="referral_list")
        return self.get_paginated_response(ReferralOutput([_output(user, r) for r in page], many=True).data)


class ReferralCreateApi(generics.GenericAPIView):
    serializer_class = ReferralOutput

    @extend_schema(
        summary="Een deelnemer aanmelden bij een andere organisatie",
        request=ReferralInput,
        responses={201: ReferralOutput, 400: ErrorOutput},
    )
    @idempotent(
        lambda user, kw, _a: access.require_participant(
            user, kw["participant_uuid"], access.Action.VIEW, access.Category.TRAJECTORY
        )
    )
    def post(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(
            user, participant_uuid, access.Action.CHANGE, access.Category.TRAJECTORY
        )
        data = ReferralInput(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = access.organisations_visible_to(user).filter(uuid=data.validated_data["to_organisation"]).first()
        if organisation is None:
            raise DomainError(_("Onbekende organisatie."), field="to_organisation")
        referral = services.referral_create(
            participant=participant,
            actor=user,
            to_organisation=organisation,
            reason=data.validated_data["reason"],
            today=clock.today(),
        )
        return Response(ReferralOutput(_output(user, referral)).data, status=status.HTTP_201_CREATED)


class ReferralDecisionApi(generics.GenericAPIView):
    serializer_class = ReferralOutput

    @extend_schema(
        summary="Een aanmelding accepteren of afwijzen",
        request=DecisionInput,
        responses={200: ReferralOutput, 400: ErrorOutput, 409: ErrorOutput},
    )
    @idempotent(lambda user, kw, _a: access.require_referral(user, kw["referral_uuid"]))
    def post(self, request: Request, referral_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        referral = access.require_referral(user, referral_uuid, access.Action.CHANGE)
        data = DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assignee = None
        if values.get("assigned_to"):
            assignee = next(
                (u for u in selectors.assignees_for(referral) if u.get_username() == values["assigned_to"]), None
            )
            if assignee is None:
                raise DomainError(
                    _("Kies een collega van uw organisatie die de deelnemer gaat begeleiden."), field="assigned_to"
                )
        decided = services.referral_decide(
            referral=referral,
            actor=user,
            accept=values["accept"],
            today=clock.today(),
            assignee=assignee,
            decline_reason=values.get("decline_reason", ""),
            note=values.get("note", ""),
        )
        return Response(ReferralOutput(_output(user, decided)).data)
