"""Contacts API: a participant's contact moments (newest first, paged) and recording one."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from doorstroom.access import policy as access
from doorstroom.contacts import selectors, services
from doorstroom.contacts.models import Attendance, ContactKind, ContactMoment, ContactStatus
from doorstroom.core.idempotency import idempotent
from doorstroom.core.strict import StrictSerializer
from doorstroom.participants.api.views import ErrorOutput


class ContactOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    status = serializers.ChoiceField(choices=ContactStatus.choices)  # type: ignore[assignment]
    occurred_on = serializers.DateField()
    attendance = serializers.CharField(allow_blank=True, help_text="verschenen, niet_verschenen, afgemeld of leeg")
    minutes = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    recorded_by = serializers.CharField()


class ContactInput(StrictSerializer):
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    status = serializers.ChoiceField(choices=ContactStatus.choices)  # type: ignore[assignment]
    occurred_on = serializers.DateField()
    attendance = serializers.ChoiceField(choices=Attendance.choices, required=False, allow_blank=True)
    minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100_000, help_text="Ten hoogste 1440 (24 uur)."
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


def _output(contact: ContactMoment) -> dict[str, Any]:
    return {
        "uuid": contact.uuid,
        "kind": contact.kind,
        "status": contact.status,
        "occurred_on": contact.occurred_on,
        "attendance": contact.attendance,
        "minutes": contact.minutes,
        "note": contact.note,
        "recorded_by": contact.recorded_by.get_full_name() or contact.recorded_by.get_username(),
    }


class ContactListCreateApi(generics.GenericAPIView):
    serializer_class = ContactOutput

    @extend_schema(summary="De contactmomenten van een deelnemer", responses=ContactOutput(many=True))
    def get(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(user, participant_uuid, access.Action.VIEW, access.Category.NOTES)
        page = self.paginate_queryset(selectors.contacts_of(participant))
        return self.get_paginated_response(ContactOutput([_output(c) for c in page or []], many=True).data)

    @extend_schema(
        summary="Een contactmoment vastleggen",
        request=ContactInput,
        responses={201: ContactOutput, 400: ErrorOutput},
    )
    @idempotent(
        lambda user, kw, _a: access.require_participant(
            user, kw["participant_uuid"], access.Action.VIEW, access.Category.NOTES
        )
    )
    def post(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(user, participant_uuid, access.Action.CHANGE, access.Category.NOTES)
        data = ContactInput(data=request.data)
        data.is_valid(raise_exception=True)
        contact = services.contact_record(participant=participant, actor=user, **data.validated_data)
        return Response(ContactOutput(_output(contact)).data, status=status.HTTP_201_CREATED)
