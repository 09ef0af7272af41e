"""Reading participant data for display: the history of changes to the personal data."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .models import (
    FIELD_CATEGORIES,
    BenefitStatus,
    DataCategory,
    Participant,
    ParticipantChange,
    ResidenceStatus,
    field_label,
)

CHOICES = {"residence_status": ResidenceStatus, "benefit_status": BenefitStatus}


def named(scope: QuerySet[Participant], query: str) -> QuerySet[Participant]:
    """Those in `scope` whose name holds every word of the query (a part of the given or family
    name, or the whole prefix); on PostgreSQL each comparison has its own index (migration 0008)."""
    condition = Q()
    for word in query.split():
        condition &= Q(given_name__icontains=word) | Q(family_name__icontains=word) | Q(family_name_prefix__iexact=word)
    return scope.filter(condition)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str
    name: str = ""


@dataclass(frozen=True)
class ChangeEntry:
    version: int
    changed_at: datetime
    changed_by: str
    reason: str
    is_rectification: bool
    fields: list[FieldChange]
    hidden_fields: int


def _display(name: str, value: object) -> str:
    if value in (None, "", []):
        return "—"
    if name in CHOICES:
        choices = CHOICES[name]
        return str(choices(value).label) if value in choices.values else str(value)
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if name == "date_of_birth":
        return date.fromisoformat(str(value)).strftime("%d-%m-%Y")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def change_history(*, participant: Participant, categories: frozenset[str], show_bsn: bool) -> list[ChangeEntry]:
    """The changes to a participant's personal data, newest first, showing only the values of the
    categories the reader may see (the caller passes what the access policy allows); other fields
    are counted, not shown. One query, whatever the number of changes."""
    entries = []
    changes = (
        ParticipantChange.objects.filter(participant=participant).select_related("changed_by").order_by("-version")
    )
    for change in changes:
        shown, hidden = [], 0
        for name, (before, after) in sorted(change.before_after.items()):
            category = FIELD_CATEGORIES.get(name, DataCategory.IDENTITY)
            if category not in categories or (name == "bsn" and not show_bsn):
                hidden += 1
                continue
            shown.append(FieldChange(field_label(name), _display(name, before), _display(name, after), name))
        entries.append(
            ChangeEntry(
                version=change.version,
                changed_at=change.changed_at,
                changed_by=change.changed_by.get_full_name() if change.changed_by else "",
                reason=change.reason if DataCategory.NOTES in categories else "",  # free text: notes
                is_rectification=change.is_rectification,
                fields=shown,
                hidden_fields=hidden,
            )
        )
    return entries
