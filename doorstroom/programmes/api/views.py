from django.http import Http404

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from doorstroom.access import policy as access
from doorstroom.organisations.models import Organisation
from doorstroom.programmes.models import Phase, Programme, ProgrammeGroup, ProgrammeOutcome


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
