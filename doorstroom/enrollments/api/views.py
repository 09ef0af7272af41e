"""Enrollment API: enrol, read the history, and record lifecycle steps through the same services."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from doorstroom.access import policy as access
from doorstroom.access import redaction
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.core.idempotency import idempotent
from doorstroom.core.messages import _
from doorstroom.core.strict import StrictSerializer
from doorstroom.enrollments import selectors, services
from doorstroom.enrollments.models import (
    Enrollment,
    EnrollmentEvent,
    EnrollmentState,
    EventType,
    TeamAssignment,
    TeamRole,
)
from doorstroom.organisations.models import Organisation
from doorstroom.participants.api.views import ErrorOutput
from doorstroom.participants.models import Participant
from doorstroom.programmes.models import OutcomeType, Programme


class EventOutput(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_full_name", read_only=True)
    phase = serializers.IntegerField(source="phase.position", allow_null=True, read_only=True)
    organisation: "serializers.SlugRelatedField[Organisation]" = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True
    )
    target_programme: "serializers.SlugRelatedField[Programme]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    corrects: "serializers.SlugRelatedField[EnrollmentEvent]" = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True
    )
    withheld = serializers.SerializerMethodField(
        help_text="Velden die er zijn maar niet met u zijn gedeeld (leeg getoond): reden, toelichting, doelprogramma."
    )

    def get_withheld(self, event: EnrollmentEvent) -> list[str]:
        return list(getattr(event, "withheld", ()))

    class Meta:
        model = EnrollmentEvent
        fields = [
            "uuid",
            "event_type",
            "occurred_on",
            "recorded_at",
            "actor",
            "note",
            "reason_code",
            "phase",
            "outcomes",
            "organisation",
            "target_programme",
            "corrects",
            "withheld",
        ]


class EnrollmentOutput(serializers.ModelSerializer):
    participant: "serializers.SlugRelatedField[Participant]" = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True
    )
    programme: "serializers.SlugRelatedField[Programme]" = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    referred_by: "serializers.SlugRelatedField[Organisation]" = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True
    )
    current_phase = serializers.IntegerField(source="current_phase.position", allow_null=True, read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "uuid",
            "participant",
            "programme",
            "group",
            "referred_by",
            "state",
            "current_phase",
            "phase_entered_on",
            "referred_on",
            "started_on",
            "ended_on",
            "last_event_on",
            "last_event_type",
            "outcomes",
            "version",
        ]


class EnrollmentCreateInput(StrictSerializer):
    participant = serializers.UUIDField()
    programme = serializers.SlugField(help_text="Code van het programma")
    group = serializers.IntegerField(required=False, allow_null=True)
    referred_by = serializers.UUIDField(
        required=False, help_text="De organisatie die aanmeldde (uuid); leeg: uw eigen organisatie."
    )
    occurred_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class EventInput(StrictSerializer):
    event_type = serializers.ChoiceField(
        choices=EventType.choices, help_text="'aangemeld' kan niet: meld aan via POST /inschrijvingen/."
    )
    occurred_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    reason_code = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=30,
        help_text="Code uit GET /api/v1/redenen/ voor deze stap; bij afgerond zonder resultaat: 'zonder_vervolg'.",
    )
    phase = serializers.IntegerField(required=False, allow_null=True, min_value=1, help_text="Volgnummer van de fase")
    outcomes = serializers.ListField(
        child=serializers.ChoiceField(choices=OutcomeType.choices), required=False, max_length=len(OutcomeType)
    )
    target_programme = serializers.SlugField(required=False, help_text="Bij overgedragen: code van het programma")
    corrects = serializers.UUIDField(required=False, help_text="Bij gecorrigeerd: de gebeurtenis die niet klopt")
    version = serializers.IntegerField(required=False, help_text="De versie van de inschrijving die u las")


class EnrollmentListQuery(StrictSerializer):
    """The filters of the enrollment list; an unknown parameter is refused, like an unknown field."""

    programma = serializers.ListField(
        child=serializers.SlugField(), required=False, help_text="Code van een programma (herhaalbaar)."
    )
    gemeente = serializers.UUIDField(required=False, help_text="De gemeente van de deelnemer (uuid).")
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=EnrollmentState.choices), required=False, help_text="Herhaalbaar."
    )
    aangemeld_vanaf = serializers.DateField(required=False)
    aangemeld_tot = serializers.DateField(required=False, help_text="Tot en met.")
    gestart_vanaf = serializers.DateField(required=False)
    gestart_tot = serializers.DateField(required=False, help_text="Tot en met.")
    beeindigd_vanaf = serializers.DateField(required=False)
    beeindigd_tot = serializers.DateField(required=False, help_text="Tot en met.")
    limit = serializers.IntegerField(required=False, min_value=1)
    offset = serializers.IntegerField(required=False, min_value=0)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for prefix in ("aangemeld", "gestart", "beeindigd"):
            start, end = attrs.get(f"{prefix}_vanaf"), attrs.get(f"{prefix}_tot")
            if start and end and end < start:
                raise serializers.ValidationError(
                    {f"{prefix}_tot": [gettext("Deze datum ligt vóór de begindatum van de periode.")]}
                )
        return attrs

    def narrowed(self) -> selectors.EnrollmentListFilter:
        v = self.validated_data
        return selectors.EnrollmentListFilter(
            programme_codes=tuple(v.get("programma", ())),
            municipality_uuid=str(v["gemeente"]) if v.get("gemeente") else None,
            states=tuple(v.get("status", ())),
            referred_from=v.get("aangemeld_vanaf"),
            referred_until=v.get("aangemeld_tot"),
            started_from=v.get("gestart_vanaf"),
            started_until=v.get("gestart_tot"),
            ended_from=v.get("beeindigd_vanaf"),
            ended_until=v.get("beeindigd_tot"),
        )


def _query(params: Any) -> dict[str, Any]:
    """Query parameters as serializer input: repeatable ones as lists (also comma-separated)."""
    data: dict[str, Any] = {}
    for key in params:
        values = params.getlist(key)
        if key in ("programma", "status"):
            data[key] = [part for value in values for part in value.split(",")]  # an empty one is refused
        else:
            data[key] = values[-1]
    return data


def _invalid(field: str, message: str) -> Response:
    return Response({"errors": [{"field": field, "message": message, "code": "invalid"}]}, status=400)


@extend_schema(tags=["inschrijvingen"])
class EnrollmentListCreateApi(generics.GenericAPIView):
    serializer_class = EnrollmentOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return (
            access.enrollments_visible_to(access.authenticated_user(self.request.user))
            .select_related("participant", "programme", "referred_by", "current_phase")
            .order_by("id")
        )

    @extend_schema(
        summary="Inschrijvingen die u mag inzien, te filteren op programma, gemeente, status en periode",
        parameters=[EnrollmentListQuery],
        responses={200: EnrollmentOutput(many=True), 400: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        query = EnrollmentListQuery(data=_query(request.query_params))
        query.is_valid(raise_exception=True)
        enrollments = selectors.enrollments_filtered(self.get_queryset(), query.narrowed())
        page = self.paginate_queryset(enrollments) or []
        access.record_list(
            access.authenticated_user(request.user), [e.participant for e in page], object_type="enrollment_list"
        )
        return self.get_paginated_response(EnrollmentOutput(page, many=True).data)

    @extend_schema(
        summary="Deelnemer aanmelden voor een programma",
        request=EnrollmentCreateInput,
        responses={201: EnrollmentOutput, 400: ErrorOutput, 403: ErrorOutput},
    )
    @idempotent(lambda user, _kw, answer: access.require_enrollment(user, answer["uuid"]))
    def post(self, request: Request) -> Response:
        user = access.authenticated_user(request.user)
        data = EnrollmentCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        participant = access.require_participant(user, values["participant"], access.Action.CHANGE)
        if values.get("note") and not redaction.reader_for(user, participant).may_write(access.Category.NOTES):
            raise DomainError(_("Notities zijn niet met uw organisatie gedeeld."), field="note", code="not_shared")
        programme = access.programmes_usable_by(user).filter(code=values["programme"]).first()
        if programme is None:
            return _invalid("programme", "Onbekend programma.")
        referred_by = user.organisation or participant.municipality
        if values.get("referred_by") is not None:
            chosen = access.referrers_for(participant).filter(uuid=values["referred_by"]).first()
            if chosen is None:
                return _invalid("referred_by", "Deze organisatie kan deze deelnemer niet aanmelden.")
            referred_by = chosen
        group = None
        if values.get("group") is not None:
            group = programme.groups.filter(pk=values["group"]).first()
            if group is None:
                return _invalid("group", "Deze doelgroep hoort niet bij het programma.")
        enrollment = services.enrollment_enrol(
            participant=participant,
            programme=programme,
            group=group,
            actor=user,
            referred_by=referred_by,
            on=values.get("occurred_on") or clock.today(),
            note=values.get("note", ""),
        )
        return Response(EnrollmentOutput(enrollment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["inschrijvingen"])
class EnrollmentDetailApi(generics.GenericAPIView):
    serializer_class = EnrollmentOutput

    @extend_schema(summary="Eén inschrijving", responses={200: EnrollmentOutput, 404: ErrorOutput})
    def get(self, request: Request, enrollment_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        return Response(EnrollmentOutput(access.require_enrollment(user, enrollment_uuid)).data)


@extend_schema(tags=["inschrijvingen"])
class EnrollmentEventListCreateApi(generics.GenericAPIView):
    serializer_class = EventOutput
    pagination_class = None  # one enrollment's history is read whole (replay needs all of it)

    @extend_schema(summary="De geschiedenis van een inschrijving", responses=EventOutput(many=True))
    def get(self, request: Request, enrollment_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        enrollment = access.require_enrollment(user, enrollment_uuid)
        reader = redaction.reader_for(user, enrollment.participant)
        events = enrollment.events.select_related(
            "actor", "phase", "organisation", "target_programme", "corrects"
        ).order_by("occurred_on", "id")
        return Response(EventOutput([redaction.event_shown(reader, e) for e in events], many=True).data)

    @extend_schema(
        summary="Een stap vastleggen (ook overdragen en corrigeren)",
        request=EventInput,
        responses={201: EventOutput, 400: ErrorOutput, 403: ErrorOutput, 409: ErrorOutput},
    )
    @idempotent(lambda user, kw, _a: access.require_enrollment(user, kw["enrollment_uuid"]))
    def post(self, request: Request, enrollment_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        enrollment = access.require_enrollment(user, enrollment_uuid, access.Action.CHANGE)
        data = EventInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        writer = redaction.reader_for(user, enrollment.participant)
        if values.get("note") and not writer.may_write(access.Category.NOTES):
            raise DomainError(_("Notities zijn niet met uw organisatie gedeeld."), field="note", code="not_shared")
        if values.get("reason_code") and not writer.may_write(
            redaction.reason_category(values["event_type"], values["reason_code"])
        ):
            raise DomainError(
                _("Deze reden gaat over gegevens die niet met uw organisatie zijn gedeeld."),
                field="reason_code",
                code="not_shared",
            )
        event_type = values["event_type"]
        on = values.get("occurred_on") or clock.today()
        version = values.get("version")
        if event_type == EventType.TRANSFERRED:
            target = access.programmes_usable_by(user).filter(code=values.get("target_programme", "")).first()
            if target is None:
                return _invalid("target_programme", "Kies een bestaand programma om naar over te dragen.")
            services.enrollment_transfer(
                enrollment=enrollment,
                actor=user,
                target_programme=target,
                on=on,
                note=values.get("note", ""),
                reason_code=values.get("reason_code", ""),
                expected_version=version,
            )
            event = enrollment.events.filter(event_type=EventType.TRANSFERRED).latest("id")
        elif event_type == EventType.CORRECTED:
            wrong = enrollment.events.filter(uuid=values.get("corrects")).first() if values.get("corrects") else None
            if wrong is None:
                return _invalid("corrects", "Geef de gebeurtenis die niet klopt.")
            event = services.enrollment_correct(
                enrollment=enrollment,
                actor=user,
                wrong_event=wrong,
                reason=values.get("note", ""),
                expected_version=version,
            )
        else:
            phase = None
            if values.get("phase") is not None:
                phase = enrollment.programme.phases.filter(position=values["phase"]).first()
                if phase is None:
                    return _invalid("phase", "Deze fase hoort niet bij het programma.")
            event = services.enrollment_record(
                enrollment=enrollment,
                actor=user,
                event_type=event_type,
                on=on,
                note=values.get("note", ""),
                reason_code=values.get("reason_code", ""),
                phase=phase,
                outcomes=values.get("outcomes", ()),
                expected_version=version,
            )
        return Response(EventOutput(redaction.event_shown(writer, event)).data, status=status.HTTP_201_CREATED)


class TeamMemberOutput(serializers.Serializer):
    uuid = serializers.UUIDField()
    member = serializers.CharField(help_text="Gebruikersnaam van het teamlid.")
    name = serializers.CharField()
    organisation = serializers.CharField()
    role = serializers.ChoiceField(choices=TeamRole.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)


class TeamMemberInput(StrictSerializer):
    member = serializers.CharField(max_length=150, help_text="Gebruikersnaam van het nieuwe teamlid.")
    role = serializers.ChoiceField(choices=TeamRole.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)


def _team_output(assignment: TeamAssignment) -> dict[str, object]:
    return {
        "uuid": assignment.uuid,
        "member": assignment.member.get_username(),
        "name": assignment.member.get_full_name(),
        "organisation": assignment.organisation.name,
        "role": assignment.role,
        "starts_on": assignment.starts_on,
        "ends_on": assignment.ends_on,
    }


class TeamListCreateApi(generics.GenericAPIView):
    serializer_class = TeamMemberOutput
    pagination_class = None  # a team is a handful of people

    @extend_schema(summary="Het team rond een deelnemer, met rol en periode", responses=TeamMemberOutput(many=True))
    def get(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(user, participant_uuid)
        team = participant.team.select_related("member", "organisation").order_by("-starts_on", "-id")
        return Response(TeamMemberOutput([_team_output(a) for a in team], many=True).data)

    @extend_schema(
        summary="Iemand aan het team toevoegen (alleen de regisseur)",
        request=TeamMemberInput,
        responses={201: TeamMemberOutput, 400: ErrorOutput, 403: ErrorOutput},
    )
    @idempotent(lambda user, kw, _a: access.require_participant(user, kw["participant_uuid"]))
    def post(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(user, participant_uuid, access.Action.CHANGE)
        if not access.can_manage_team(user, participant):
            raise PermissionDenied("Alleen de regisseur stelt het team samen.")
        data = TeamMemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        member = access.team_candidates(participant).filter(username=values.pop("member")).first()
        if member is None:
            raise DomainError(_("Deze medewerker kan niet in het team van deze deelnemer."), field="member")
        assignment = services.team_assign(participant=participant, member=member, **values)
        return Response(TeamMemberOutput(_team_output(assignment)).data, status=status.HTTP_201_CREATED)
