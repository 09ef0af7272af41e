"""Reading participant data for display: the history of changes to the personal data, households
and school registrations. The file reads these on every view, so each is compiled once per shape
(`core.prepared`) and afterwards only bound to the participant."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from doorstroom.core import prepared

from .models import (
    FIELD_CATEGORIES,
    BenefitStatus,
    DataCategory,
    HouseholdMember,
    Participant,
    ParticipantChange,
    ResidenceStatus,
    SchoolRegistration,
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
    for change in prepared.instances("participants.change_history", _changes, [participant.pk]):
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


def _changes(ids: list[int]) -> QuerySet[ParticipantChange]:
    return ParticipantChange.objects.filter(participant_id__in=ids).select_related("changed_by").order_by("-version")


def households_of(participant: Participant) -> list[HouseholdMember]:
    """The participant's household memberships, each household carrying all its members (with their
    participant) as `member_list`: what `access.redaction.households_shown` narrows per reader."""
    memberships = prepared.instances("participants.households_of", _memberships, [participant.pk])
    members: dict[int, list[HouseholdMember]] = {m.household_id: [] for m in memberships}
    for member in prepared.instances("participants.household_members", _members, list(members)):
        members[member.household_id].append(member)
    for membership in memberships:
        membership.household.member_list = members[membership.household_id]  # type: ignore[attr-defined]
    return memberships


def _memberships(ids: list[int]) -> QuerySet[HouseholdMember]:
    return HouseholdMember.objects.filter(participant_id__in=ids).select_related("household").order_by("id")


def _members(household_ids: list[int]) -> QuerySet[HouseholdMember]:
    return HouseholdMember.objects.filter(household_id__in=household_ids).select_related("participant").order_by("id")


def school_registrations_of(participant: Participant) -> list[SchoolRegistration]:
    """The participant's school registrations, the latest first (work and education data: the
    caller asks the access policy first)."""
    return prepared.instances("participants.school_registrations", _school_registrations, [participant.pk])


def _school_registrations(ids: list[int]) -> QuerySet[SchoolRegistration]:
    return SchoolRegistration.objects.filter(participant_id__in=ids).order_by("-starts_on", "-id")
