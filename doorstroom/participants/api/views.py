"""Participant API: the same access door and services as the pages."""

from typing import Any

from django.db import transaction
from django.db.models import Q

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from doorstroom.access import policy as access
from doorstroom.core.idempotency import idempotent
from doorstroom.core.serializer_fields import StrictCharField
from doorstroom.core.strict import StrictSerializer
from doorstroom.enrollments import services as enrollment_services
from doorstroom.organisations.models import Organisation
from doorstroom.participants import rules, services
from doorstroom.participants.models import BenefitStatus, Participant, ResidenceStatus


class DuplicateCheck(Exception):
    """A duplicate check that stops the registration: the matches the user may see, how many
    others there are, and whether the BSN was the same."""

    def __init__(self, visible: list[Participant], hidden: int, same_bsn: bool) -> None:
        super().__init__("possible duplicate")
        self.visible, self.hidden, self.same_bsn = visible, hidden, same_bsn


def _take_on(user: Any, municipality: Any, data: dict[str, Any], confirmed: bool) -> Participant:
    """As on the page: a match the user may see can be confirmed to be someone else; one they may
    not see cannot (they were not shown it). Every check that finds someone is audited."""
    try:
        with transaction.atomic():  # the registration and its audit row, or neither
            participant = enrollment_services.participant_take_on(
                actor=user, municipality=municipality, data=dict(data), confirm_not_duplicate=False
            )
            access.record_creation(user, participant)
            return participant
    except services.PossibleDuplicates as found:
        visible, hidden = access.split_by_visibility(user, found.participant_ids)
        access.record_duplicate_check(user, visible=visible, hidden=hidden)
        if not (confirmed and visible and not hidden and not found.same_bsn):
            raise DuplicateCheck(visible, hidden, found.same_bsn) from found
    with transaction.atomic():
        participant = enrollment_services.participant_take_on(
            actor=user, municipality=municipality, data=dict(data), confirm_not_duplicate=True
        )
        access.record_creation(user, participant)
    return participant


TOO_MANY_CHECKS = (
    "U hebt het afgelopen uur vaak gecontroleerd of iemand al bekend is. Probeer het later opnieuw, "
    "of vraag een klantregisseur van de gemeente om de registratie te doen."
)


class ParticipantOutput(serializers.ModelSerializer):
    municipality: "serializers.SlugRelatedField[Organisation]" = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True
    )
    bsn = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = ["uuid", "municipality", *services.EDITABLE_FIELDS, "version"]

    def _contact_visible(self, participant: Participant) -> bool:
        return participant.pk in self.context.get("contact_visible", set())

    def get_email(self, participant: Participant) -> str | None:
        """Null when the contact details are not shared with the caller's organisation."""
        return participant.email if self._contact_visible(participant) else None

    def get_phone(self, participant: Participant) -> str | None:
        return participant.phone if self._contact_visible(participant) else None

    def get_bsn(self, participant: Participant) -> str | None:
        if participant.bsn and access.can_see_bsn(self.context["request"].user, participant):
            return participant.bsn
        return None


class ParticipantDetailOutput(ParticipantOutput):
    categories = serializers.SerializerMethodField()

    class Meta(ParticipantOutput.Meta):
        fields = [*ParticipantOutput.Meta.fields, "categories"]

    def get_categories(self, participant: Participant) -> list[str]:
        """The data categories the caller may see of this participant."""
        return sorted(self.context.get("categories", ()))


def contact_visible(user, participants) -> set[int]:  # type: ignore[no-untyped-def]
    """Which of these participants' contact details the user may see, decided on the page's facts
    (`allowed_among`, held equal to the scope by the generated access matrix): building and
    compiling the contact scope again cost a search more than the search itself."""
    return access.allowed_among(
        user, access.involvements_of(user, participants), access.Action.VIEW, access.Category.CONTACT
    )


def detail_data(user, participant: Participant, request: Request):  # type: ignore[no-untyped-def]
    categories = access.categories_allowed(user, participant)
    shown_contact = access.Category.CONTACT in categories and (participant.email or participant.phone)
    access.note_shown(participant, [access.Category.CONTACT] if shown_contact else [])  # for the audit row
    context = {
        "request": request,
        "categories": categories,
        "contact_visible": {participant.pk} if access.Category.CONTACT in categories else set(),
    }
    return ParticipantDetailOutput(participant, context=context).data


class ParticipantInput(StrictSerializer):
    given_name = serializers.CharField(max_length=100)
    family_name_prefix = serializers.CharField(max_length=20, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    bsn = serializers.CharField(max_length=11, required=False, allow_blank=True, allow_null=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    residence_status = serializers.ChoiceField(choices=ResidenceStatus.choices, required=False)
    benefit_status = serializers.ChoiceField(choices=BenefitStatus.choices, required=False)
    civic_integration_duty = serializers.BooleanField(required=False)
    languages = serializers.ListField(child=serializers.CharField(max_length=3), required=False, max_length=20)


class ParticipantCreateInput(ParticipantInput):
    municipality = serializers.UUIDField()
    confirm_not_duplicate = serializers.BooleanField(required=False, default=False)


class ParticipantUpdateInput(ParticipantInput):
    version = serializers.IntegerField(help_text="De versie die u las; bij een andere versie volgt 409.")
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Reden van de wijziging."
    )
    is_rectification = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Correctie op verzoek van de deelnemer (AVG art. 16); vraagt een reden.",
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class ErrorItem(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    code = serializers.CharField()


class ErrorOutput(serializers.Serializer):
    errors = ErrorItem(many=True)  # type: ignore[assignment]


@extend_schema(tags=["deelnemers"])
class ParticipantListCreateApi(generics.GenericAPIView):
    serializer_class = ParticipantOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return (
            access.participants_visible_to(access.authenticated_user(self.request.user))
            .select_related("municipality")
            .order_by("id")
        )

    @extend_schema(
        summary="Deelnemers die u mag inzien",
        parameters=[
            OpenApiParameter("q", str, description="Zoek op naam. Op BSN zoekt u met POST /deelnemers/zoeken/.")
        ],
        responses=ParticipantOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        user = access.authenticated_user(request.user)
        queryset = self.get_queryset()
        query = _search_term(request.query_params.get("q"))
        if rules.looks_like_bsn(rules.normalise_bsn(query)):
            raise ValidationError(
                {"q": ["Zoek op BSN met POST /api/v1/deelnemers/zoeken/: een BSN hoort niet in een webadres."]}
            )
        queryset = _searched(queryset, query)
        page = self.paginate_queryset(queryset) or []
        access.record_list(user, page, object_type="participant_list", search=bool(query))
        context = {"request": request, "contact_visible": contact_visible(user, page)}
        return self.get_paginated_response(ParticipantOutput(page, many=True, context=context).data)

    @extend_schema(
        summary="Nieuwe deelnemer registreren",
        request=ParticipantCreateInput,
        responses={201: ParticipantDetailOutput, 400: ErrorOutput, 409: ErrorOutput, 429: ErrorOutput},
    )
    @idempotent(lambda user, _kw, answer: access.require_participant(user, answer["uuid"]))
    def post(self, request: Request) -> Response:
        user = access.authenticated_user(request.user)
        data = ParticipantCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        municipality = access.municipalities_for_registration(user).filter(uuid=values.pop("municipality")).first()
        if municipality is None:
            if not access.municipalities_for_registration(user).exists():
                raise PermissionDenied("U mag geen deelnemers registreren.")
            return Response(
                {
                    "errors": [
                        {
                            "field": "municipality",
                            "message": "Voor deze gemeente mag u niet registreren.",
                            "code": "invalid",
                        }
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not access.duplicate_check_allowed(user):
            return Response(
                {"errors": [{"field": None, "message": TOO_MANY_CHECKS, "code": "too_many_checks"}]},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        confirmed = values.pop("confirm_not_duplicate", False)
        try:
            participant = _take_on(user, municipality, values, confirmed)
        except DuplicateCheck as found:
            visible, hidden = found.visible, found.hidden
            if hidden:  # whom to ask, never what matched (a BSN or a name and birth date)
                message = (
                    f"Deze registratie kan niet worden afgerond. Neem contact op met een klantregisseur van "
                    f"{municipality.name}; die kan nagaan of deze persoon al bekend is."
                )
                field, code, visible = None, "check_with_municipality", []
            elif found.same_bsn:
                message, field, code = "Er is al een deelnemer met dit BSN in deze gemeente.", "bsn", "duplicate"
            else:
                message = "Er bestaat mogelijk al een dossier voor deze persoon."
                field, code = "confirm_not_duplicate", "possible_duplicate"
            return Response(
                {
                    "errors": [{"field": field, "message": message, "code": code}],
                    "visible_matches": [str(p.uuid) for p in visible],
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(detail_data(user, participant, request), status=201)


def _search_term(value: object) -> str:
    query = str(value or "").strip()
    if len(query) > 100 or any(ord(c) < 32 for c in query):
        raise ValidationError({"q": ["Zoek met hoogstens 100 gewone tekens."]})
    return query


def _searched(queryset, query: str):  # type: ignore[no-untyped-def]
    """By words of the name (a BSN is searched with `access.participants_with_bsn`, never here)."""
    if not query:
        return queryset
    for word in query.split():
        queryset = queryset.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return queryset


class SearchInput(StrictSerializer):
    # the length is checked as sent (spaces included), then the term is trimmed
    q = StrictCharField(max_length=100, trim_whitespace=False, help_text="Een deel van de naam, of het volledige BSN.")


@extend_schema(tags=["deelnemers"])
class ParticipantSearchApi(generics.GenericAPIView):
    """Search in the body of a POST, so a BSN is never part of an address (or a server's log).
    At most 50 matches, unpaged: a search is made precise, not browsed."""

    serializer_class = ParticipantOutput
    pagination_class = None

    @extend_schema(
        summary="Zoeken op naam of BSN (het zoekwoord in de body)",
        request=SearchInput,
        responses={200: ParticipantOutput(many=True), 400: ErrorOutput},
    )
    @idempotent(None, replay=False)  # a search only reads: run again, nothing of it kept
    def post(self, request: Request) -> Response:
        user = access.authenticated_user(request.user)
        data = SearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        query = _search_term(data.validated_data["q"])
        if not query:
            raise ValidationError({"q": ["Geef een zoekterm: een deel van de naam, of het volledige BSN."]})
        bsn = rules.normalise_bsn(query)
        if rules.looks_like_bsn(bsn):
            page = access.participants_with_bsn(user, bsn)[:50]
        else:
            scope = access.participants_visible_to(user).select_related("municipality")
            page = list(_searched(scope, query).order_by("id")[:50])
        access.record_list(user, page, object_type="participant_search", search=True)
        context = {"request": request, "contact_visible": contact_visible(user, page)}
        return Response(ParticipantOutput(page, many=True, context=context).data)


@extend_schema(tags=["deelnemers"])
class ParticipantDetailApi(generics.GenericAPIView):
    serializer_class = ParticipantOutput

    @extend_schema(summary="Eén deelnemer", responses={200: ParticipantDetailOutput, 404: ErrorOutput})
    def get(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(user, participant_uuid)
        return Response(detail_data(user, participant, request))

    @extend_schema(
        summary="Gegevens wijzigen (met de versie die u las)",
        request=ParticipantUpdateInput,
        responses={200: ParticipantDetailOutput, 400: ErrorOutput, 409: ErrorOutput},
    )
    def patch(self, request: Request, participant_uuid: str) -> Response:
        user = access.authenticated_user(request.user)
        participant = access.require_participant(user, participant_uuid, access.Action.CHANGE)
        # a field the caller may not change is refused before validation, as on the page
        asked = set(request.data.keys()) if hasattr(request.data, "keys") else set()
        if "bsn" in asked and not access.can_see_bsn(user, participant):
            raise PermissionDenied("U mag het BSN niet wijzigen.")
        if {"email", "phone"} & asked and not access.can(
            user, participant, access.Action.CHANGE, access.Category.CONTACT
        ):
            raise PermissionDenied("De contactgegevens zijn niet met uw organisatie gedeeld.")
        data = ParticipantUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        reason, is_rectification = values.pop("reason", ""), values.pop("is_rectification", False)
        services.participant_update(
            participant=participant,
            data=values,
            expected_version=version,
            actor=user,
            reason=reason,
            is_rectification=is_rectification,
        )
        return Response(detail_data(user, participant, request))
