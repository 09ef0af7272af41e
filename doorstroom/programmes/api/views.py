import re

from django.http import Http404
from django.utils.translation import gettext

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from doorstroom.access import policy as access
from doorstroom.core.models import DataCategory
from doorstroom.organisations.models import Organisation
from doorstroom.participants.api.views import ErrorOutput
from doorstroom.programmes.models import (
    Phase,
    Programme,
    ProgrammeGroup,
    ProgrammeOutcome,
    ReasonEvent,
    reason_catalogue,
)


class PhaseOutput(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["id", "position", "name", "expected_weeks", "hours_per_week_min", "hours_per_week_max"]


class GroupOutput(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeGroup
        fields = ["id", "name", "description"]


class OutcomeOutput(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeOutcome
        fields = ["outcome_type", "target_percentage"]


class ProgrammeOutput(serializers.ModelSerializer):
    phases = PhaseOutput(many=True, read_only=True)
    groups = GroupOutput(many=True, read_only=True)
    outcomes = OutcomeOutput(many=True, read_only=True)
    municipality: "serializers.SlugRelatedField[Organisation]" = serializers.SlugRelatedField(
        slug_field="uuid", read_only=True, allow_null=True
    )

    class Meta:
        model = Programme
        fields = [
            "uuid",
            "code",
            "name",
            "description",
            "municipality",
            "coaching_hours_per_week",
            "internship_hours_norm",
            "aftercare_weeks",
            "requires_residence_permit",
            "requires_civic_integration_duty",
            "min_age",
            "max_age",
            "phases",
            "groups",
            "outcomes",
        ]


def _programmes(request):  # type: ignore[no-untyped-def]
    return (
        access.programmes_usable_by(access.authenticated_user(request.user))
        .prefetch_related("phases", "groups", "outcomes")
        .select_related("municipality")
    )


@extend_schema(tags=["programma's"], summary="Programma's met fasen, normen en doelen")
class ProgrammeListApi(generics.ListAPIView):
    serializer_class = ProgrammeOutput

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return _programmes(self.request).order_by("name")


@extend_schema(tags=["programma's"], summary="Eén programma")
class ProgrammeDetailApi(generics.RetrieveAPIView):
    serializer_class = ProgrammeOutput

    def get_object(self):  # type: ignore[no-untyped-def]
        programme = _programmes(self.request).filter(code=self.kwargs["code"]).first()
        if programme is None:
            raise Http404
        return programme


class ReasonOutput(serializers.Serializer):  # type: ignore[type-arg]
    event_type = serializers.ChoiceField(choices=ReasonEvent.choices, help_text="De stap waarbij de reden hoort.")
    code = serializers.CharField()
    name = serializers.CharField(help_text="Omschrijving in de taal van de lezer.")
    category = serializers.ChoiceField(
        choices=DataCategory.choices, help_text="Wat de reden over iemand zegt: alleen lezers van deze soort zien hem."
    )
    programme = serializers.CharField(allow_null=True, help_text="Leeg: geldt voor alle programma's.")


@extend_schema(
    tags=["programma's"],
    summary="Geldige redenen per stap",
    parameters=[
        OpenApiParameter("programma", str, description="Code van een programma: ook de eigen redenen ervan."),
        OpenApiParameter("stap", str, enum=ReasonEvent.values, description="Alleen de redenen van deze stap."),
    ],
    responses={200: ReasonOutput(many=True), 400: ErrorOutput},
)
class ReasonListApi(generics.GenericAPIView):
    """The reason catalogue in use: shared reasons, plus a programme's own when one is named."""

    serializer_class = ReasonOutput
    pagination_class = None

    def get(self, request: Request) -> Response:
        code = request.query_params.get("programma")
        step = request.query_params.get("stap")
        programme = None
        if code is not None:
            valid = re.fullmatch(r"[-a-zA-Z0-9_]{1,60}", code) is not None
            programme = _programmes(request).filter(code=code).first() if valid else None
            if programme is None:
                raise ValidationError({"programma": [gettext("Onbekend programma.")]})
        if step is not None and step not in ReasonEvent.values:
            raise ValidationError({"stap": [gettext("Onbekende stap.")]})
        rows = [
            {
                "event_type": reason.event_type,
                "code": reason.code,
                "name": gettext(reason.label),
                "category": reason.category,
                "programme": programme.code if programme and reason.programme_id == programme.pk else None,
            }
            for event_type in ([step] if step else ReasonEvent.values)
            for reason in reason_catalogue().for_step(event_type, programme.pk if programme else None)
        ]
        return Response(ReasonOutput(rows, many=True).data)
