"""Reads of programme configuration (no personal data)."""

from django.db.models import QuerySet

from .models import Programme, ProgrammeDataNeed


def data_needs_of(programme: Programme, municipality_ids: list[int]) -> QuerySet[ProgrammeDataNeed]:
    """The data needs of a programme for these municipalities, live ones first, in one query."""
    return (
        ProgrammeDataNeed.objects.filter(programme=programme, municipality_id__in=municipality_ids)
        .select_related("municipality", "proposed_by", "decided_by")
        .order_by("team_role", "category", "-id")
    )


def data_need_of(programme: Programme, need_id: int, municipality_ids: list[int]) -> ProgrammeDataNeed | None:
    return (
        ProgrammeDataNeed.objects.filter(pk=need_id, programme=programme, municipality_id__in=municipality_ids)
        .select_related("programme")
        .first()
    )
