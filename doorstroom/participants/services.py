"""Registering and changing participants; duplicate detection; households."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from doorstroom.core import clock, touched
from doorstroom.core.crypto import blind_index
from doorstroom.core.errors import DomainError, raise_all
from doorstroom.core.messages import _
from doorstroom.organisations.models import Organisation, OrganisationKind, User

from . import rules
from .models import (
    BenefitStatus,
    DataCategory,
    GrantEnding,
    Household,
    HouseholdMember,
    HouseholdRelation,
    LegalBasis,
    Participant,
    ParticipantChange,
    ResidenceStatus,
    SchoolRegistration,
    SharingGrant,
    field_label,
)

EDITABLE_FIELDS = (
    "given_name",
    "family_name_prefix",
    "family_name",
    "date_of_birth",
    "bsn",
    "email",
    "phone",
    "residence_status",
    "benefit_status",
    "civic_integration_duty",
    "languages",
)

#: the choices as sets, made once (an enumeration's `values` builds a new list on every call)
RESIDENCE_STATUSES = frozenset(ResidenceStatus.values)
BENEFIT_STATUSES = frozenset(BenefitStatus.values)


@dataclass(frozen=True)
class PossibleDuplicates(Exception):
    """Raised when a participant probably exists already; the caller decides what the user may see."""

    participant_ids: list[int]
    same_bsn: bool


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Validate shape-independent rules; every field is checked and all problems are raised
    together (DomainErrors), each naming its field."""
    cleaned = dict(data)
    errors: list[DomainError] = []
    for name in ("given_name", "family_name"):
        value = (cleaned.get(name) or "").strip()
        if not value:
            errors.append(DomainError(_("Vul dit veld in."), field=name))
        cleaned[name] = value
    cleaned["family_name_prefix"] = (cleaned.get("family_name_prefix") or "").strip()
    bsn = cleaned.get("bsn")
    if bsn:
        problem = rules.bsn_problem(bsn)
        if problem:
            errors.append(DomainError(problem, field="bsn"))
        cleaned["bsn"] = rules.normalise_bsn(bsn)
    else:
        cleaned["bsn"] = None
    dob = cleaned.get("date_of_birth")
    if not isinstance(dob, date):
        errors.append(DomainError(_("Vul een geldige geboortedatum in."), field="date_of_birth"))
    else:
        problem = rules.date_of_birth_problem(dob, today=clock.today())
        if problem:
            errors.append(DomainError(problem, field="date_of_birth"))
    languages = [code.strip().lower() for code in cleaned.get("languages") or [] if code.strip()]
    for code in languages:
        problem = rules.language_problem(code)
        if problem:
            errors.append(DomainError(problem, field="languages"))
    cleaned["languages"] = list(dict.fromkeys(languages))
    if cleaned.get("residence_status", ResidenceStatus.UNKNOWN) not in RESIDENCE_STATUSES:
        errors.append(DomainError(_("Onbekende verblijfsstatus."), field="residence_status"))
    if cleaned.get("benefit_status", BenefitStatus.UNKNOWN) not in BENEFIT_STATUSES:
        errors.append(DomainError(_("Onbekende uitkeringssituatie."), field="benefit_status"))
    raise_all(errors)
    return cleaned


def possible_duplicate_ids(
    *,
    municipality: Organisation,
    bsn: str | None,
    given_name: str,
    family_name: str,
    date_of_birth: date,
    exclude_pk: int | None = None,
) -> tuple[list[int], bool]:
    """Participants in the municipality with the same BSN, or the same name and date of birth.

    This deliberately looks beyond the user's own scope; the caller passes the ids through the access
    layer before showing anything.
    """
    match = Q(given_name__iexact=given_name, family_name__iexact=family_name, date_of_birth=date_of_birth)
    if bsn:
        match |= Q(bsn_index=blind_index(bsn))
    qs = Participant.objects.filter(match, municipality=municipality)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    rows = list(qs.values_list("pk", "bsn"))
    return [pk for pk, _ in rows], bool(bsn) and any(b == bsn for _, b in rows)


@transaction.atomic
def participant_register(
    *, municipality: Organisation, data: dict[str, Any], confirm_not_duplicate: bool = False
) -> Participant:
    """Create a participant. The same BSN in the municipality is refused; the same name and date of
    birth raises PossibleDuplicates unless the user confirmed it is someone else."""
    if municipality.kind != OrganisationKind.MUNICIPALITY:
        raise DomainError(_("Kies een gemeente."), field="municipality")
    cleaned = _clean({k: data.get(k) for k in EDITABLE_FIELDS if k in data})
    ids, same_bsn = possible_duplicate_ids(
        municipality=municipality,
        bsn=cleaned["bsn"],
        given_name=cleaned["given_name"],
        family_name=cleaned["family_name"],
        date_of_birth=cleaned["date_of_birth"],
    )
    if ids and (same_bsn or not confirm_not_duplicate):
        raise PossibleDuplicates(participant_ids=ids, same_bsn=same_bsn)
    try:
        with transaction.atomic():
            return Participant.objects.create(municipality=municipality, **cleaned)
    except IntegrityError as clash:  # a concurrent registration with the same BSN
        raise DomainError(_("Er is al een deelnemer met dit BSN in deze gemeente."), field="bsn") from clash


@dataclass(frozen=True)
class NewParticipant:
    """One registration of a set (see `participants_register_many`)."""

    municipality: Organisation
    data: dict[str, Any]


def cleaned_for_registration(new: NewParticipant) -> dict[str, Any]:
    """The data as `participant_register` would store it (raises DomainErrors like it does)."""
    if new.municipality.kind != OrganisationKind.MUNICIPALITY:
        raise DomainError(_("Kies een gemeente."), field="municipality")
    return _clean({k: new.data.get(k) for k in EDITABLE_FIELDS if k in new.data})


#: what `possible_duplicates_among` compares of a registration
DUPLICATE_FIELDS = ("given_name", "family_name", "date_of_birth", "bsn")


def possible_duplicates_among(cleaned: Sequence[tuple[int, dict[str, Any]]]) -> set[int]:
    """Which of these registrations (municipality id, cleaned data) match someone already
    registered, by `possible_duplicate_ids`' rule (same BSN, or same name and date of birth, in the
    municipality), or an earlier registration of the same set: their positions, in two queries
    whatever their number. Like `possible_duplicate_ids`, this looks beyond any reader's scope; the
    caller only learns that a registration needs the one-by-one path."""
    by_bsn: dict[tuple[int, str], int] = {}
    by_name: dict[tuple[int, str, str, date], int] = {}
    matched: set[int] = set()
    for position, (municipality_id, data) in enumerate(cleaned):
        name_key = (
            municipality_id,
            str(data["given_name"]).upper(),
            str(data["family_name"]).upper(),
            data["date_of_birth"],
        )
        bsn_key = (municipality_id, data["bsn"]) if data["bsn"] else None
        if name_key in by_name or (bsn_key is not None and bsn_key in by_bsn):
            matched.add(position)
        by_name.setdefault(name_key, position)
        if bsn_key is not None:
            by_bsn.setdefault(bsn_key, position)
    if not cleaned:
        return matched
    indexes: dict[str | None, tuple[int, str]] = {blind_index(key[1]): key for key in by_bsn}
    for municipality_id, index in Participant.objects.filter(bsn_index__in=indexes).values_list(
        "municipality_id", "bsn_index"
    ):
        key = indexes[index]
        if key[0] == municipality_id:
            matched.add(by_bsn[key])
    births = {key[3] for key in by_name}
    municipalities = {key[0] for key in by_name}
    for municipality_id, given, family, born in (
        Participant.objects.filter(municipality_id__in=municipalities, date_of_birth__in=births)
        .values_list("municipality_id", "given_name", "family_name", "date_of_birth")
        .iterator(chunk_size=2000)  # a large file's birth dates can match most of a city: read in parts
    ):
        # compared in Python: its upper case merges at least what the database's UPPER merges
        found = by_name.get((municipality_id, str(given).upper(), str(family).upper(), born))
        if found is not None:
            matched.add(found)
    return matched


@transaction.atomic
def participants_register_many(new: Sequence[NewParticipant]) -> list[Participant]:
    """Register many people at once (an import's first run), each checked as `participant_register`
    checks one; refused as a whole when any of them may already exist, since only the one-by-one
    path can ask whether it is the same person. Written in one statement."""
    cleaned = [cleaned_for_registration(entry) for entry in new]
    if possible_duplicates_among([(entry.municipality.pk, data) for entry, data in zip(new, cleaned, strict=True)]):
        raise DomainError(_("Er bestaat mogelijk al een dossier voor deze persoon."), field="bsn")
    try:
        with transaction.atomic():
            return Participant.objects.bulk_create(
                Participant(municipality=entry.municipality, **data) for entry, data in zip(new, cleaned, strict=True)
            )
    except IntegrityError as clash:  # a concurrent registration with the same BSN
        raise DomainError(_("Er is al een deelnemer met dit BSN in deze gemeente."), field="bsn") from clash


def _stored(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def participant_update(
    *,
    participant: Participant,
    data: dict[str, Any],
    expected_version: int,
    actor: User | None = None,
    reason: str = "",
    is_rectification: bool = False,
) -> Participant:
    """Change personal data; refused when someone else saved in between (optimistic concurrency).
    Each change is kept as a ParticipantChange with the values before and after (encrypted)."""
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise DomainError(_("Houd de reden korter dan 300 tekens."), field="reason")
    if is_rectification and not reason:
        raise DomainError(_("Geef bij een rectificatie aan wat de deelnemer liet corrigeren."), field="reason")
    before = {k: getattr(participant, k) for k in EDITABLE_FIELDS}
    current = dict(before)
    current.update({k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    cleaned = _clean(current)
    if (
        cleaned["bsn"]
        and Participant.objects.filter(
            municipality_id=participant.municipality_id, bsn_index=blind_index(cleaned["bsn"])
        )
        .exclude(pk=participant.pk)
        .exists()
    ):
        raise DomainError(_("Er is al een deelnemer met dit BSN in deze gemeente."), field="bsn")
    updated = Participant.objects.filter(pk=participant.pk, version=expected_version).update(
        version=expected_version + 1,
        updated_at=timezone.now(),
        bsn_index=blind_index(cleaned["bsn"]) if cleaned["bsn"] else None,  # update() skips pre_save
        **cleaned,
    )
    if updated != 1:
        raise DomainError(_conflict_message(participant, expected_version), field="version", code="conflict")
    changed = {
        name: [_stored(before[name]), _stored(cleaned[name])]
        for name in EDITABLE_FIELDS
        if _stored(before[name]) != _stored(cleaned[name])
    }
    if changed:
        ParticipantChange.objects.create(
            participant=participant,
            version=expected_version + 1,
            changed_by=actor,
            changed_fields=sorted(changed),
            values=json.dumps(changed, ensure_ascii=False),
            reason=reason,
            is_rectification=is_rectification,
        )
        touched.mark(participant.pk, written=touched.PERSON)  # a birth date or a duty decides signals too
    participant.refresh_from_db()
    return participant


def _conflict_message(participant: Participant, expected_version: int) -> str:
    """Who saved in between, when, and which fields (names only: the values may be out of scope)."""
    message = _(
        "Iemand anders heeft deze gegevens net gewijzigd. Uw wijziging is niet opgeslagen; "
        "bekijk de nieuwe gegevens en probeer het opnieuw."
    )
    later = (
        ParticipantChange.objects.filter(participant=participant, version__gt=expected_version)
        .select_related("changed_by")
        .order_by("version")
    )
    fields = sorted({name for change in later for name in change.changed_fields})
    last = later.last()
    if last is None:
        return message
    labels = ", ".join(field_label(name) for name in fields)
    who = last.changed_by.get_full_name() if last.changed_by else _("het systeem")
    when = timezone.localtime(last.changed_at).strftime("%d-%m-%Y %H:%M")
    return _(
        "%(message)s Gewijzigd door %(who)s op %(when)s: %(fields)s.",
        message=message,
        who=who,
        when=when,
        fields=labels,
    )


@transaction.atomic
def household_add_member(
    *, participant: Participant, relation: str, household: Household | None = None, name: str = ""
) -> HouseholdMember:
    """Add a participant to a household, creating the household when none is given."""
    if relation not in HouseholdRelation.values:
        raise DomainError(_("Onbekende relatie."), field="relation")
    if household is None:
        household = Household.objects.create(
            municipality_id=participant.municipality_id,
            name=name.strip() or f"Huishouden {participant.family_name}",
        )
    elif household.municipality_id != participant.municipality_id:
        raise DomainError(_("Dit huishouden hoort bij een andere gemeente."), field="household")
    member, created = HouseholdMember.objects.get_or_create(
        household=household, participant=participant, defaults={"relation": relation}
    )
    if not created:
        raise DomainError(_("Deze deelnemer hoort al bij dit huishouden."), field="household")
    touched.mark(participant.pk, written=touched.HOUSEHOLDS)
    return member


@transaction.atomic
def school_register(
    *,
    participant: Participant,
    actor: User,
    school: str,
    starts_on: date | None,
    ends_on: date | None = None,
    today: date,
) -> SchoolRegistration:
    """Record a child's school registration (a period); an open registration at another school ends
    the day before the new one starts, so the history shows one school at a time."""
    problems = rules.school_registration_problems(school=school, starts_on=starts_on, ends_on=ends_on, today=today)
    if problems:
        name = sorted(problems)[0]
        raise DomainError(problems[name], field=name)
    assert starts_on is not None
    earlier = SchoolRegistration.objects.filter(participant=participant, ends_on__isnull=True, starts_on__lt=starts_on)
    earlier.update(ends_on=starts_on - timedelta(days=1))
    touched.mark(participant.pk, written=touched.SCHOOL)
    return SchoolRegistration.objects.create(
        participant=participant, school=school.strip(), starts_on=starts_on, ends_on=ends_on, recorded_by=actor
    )


@transaction.atomic
def sharing_grant(
    *,
    participant: Participant,
    organisation: Organisation,
    category: str,
    legal_basis: str,
    on: date,
    recorded_by: Any,
) -> SharingGrant:
    """Record that an organisation may receive a category of this participant's data."""
    if participant.processing_restricted_since is not None:
        raise DomainError(
            _("De verwerking van dit dossier is beperkt; er kan niets bij gedeeld worden."), field="category"
        )
    if category not in DataCategory.values:
        raise DomainError(_("Onbekende soort gegevens."), field="category")
    if legal_basis not in LegalBasis.values:
        raise DomainError(_("Onbekende grondslag."), field="legal_basis")
    if on > clock.today():
        raise DomainError(_("De datum ligt in de toekomst."), field="granted_on")
    if SharingGrant.objects.filter(
        participant=participant, organisation=organisation, category=category, withdrawn_on__isnull=True
    ).exists():
        raise DomainError(_("Deze organisatie ontvangt deze gegevens al."), field="category")
    return SharingGrant.objects.create(
        participant=participant,
        organisation=organisation,
        category=category,
        legal_basis=legal_basis,
        granted_on=on,
        recorded_by=recorded_by,
    )


@transaction.atomic
def sharing_grant_many(
    *,
    participant: Participant,
    organisation: Organisation,
    categories: list[str],
    legal_basis: str,
    on: date,
    recorded_by: Any,
) -> list[SharingGrant]:
    """Record several categories for one organisation in one step: all of them, or none (a
    category the organisation already receives is named, and nothing is saved)."""
    if not categories:
        raise DomainError(_("Kies minstens één soort gegevens."), field="categories")
    already = [
        DataCategory(c).label
        for c in SharingGrant.objects.filter(
            participant=participant, organisation=organisation, category__in=categories, withdrawn_on__isnull=True
        ).values_list("category", flat=True)
    ]
    if already:
        raise DomainError(
            _("Deze organisatie ontvangt al: %(categories)s.", categories=", ".join(str(c) for c in already)),
            field="categories",
        )
    return [
        sharing_grant(
            participant=participant,
            organisation=organisation,
            category=category,
            legal_basis=legal_basis,
            on=on,
            recorded_by=recorded_by,
        )
        for category in dict.fromkeys(categories)
    ]


@transaction.atomic
def sharing_withdraw(*, grant: SharingGrant, by: Any = None) -> SharingGrant:
    """Withdraw a grant as of today; it takes effect on the very next request. A grant the
    municipality withdrew is never re-created automatically by a later enrolment or assignment."""
    if grant.withdrawn_on is not None:
        raise DomainError(_("Deze deling is al ingetrokken."), field="grant")
    grant.withdrawn_on = clock.today()
    grant.ending = GrantEnding.WITHDRAWN
    grant.withdrawn_by = by
    grant.save(update_fields=["withdrawn_on", "ending", "withdrawn_by"])
    return grant


@transaction.atomic
def participant_restrict(*, participant: Participant, reason: str) -> Participant:
    """Freeze processing (AVG art. 18): every change is refused until the restriction is lifted."""
    if not reason.strip():
        raise DomainError(_("Geef de reden van de beperking."), field="reason")
    if participant.processing_restricted_since is not None:
        raise DomainError(_("De verwerking is al beperkt."), field="reason")
    Participant.objects.filter(pk=participant.pk).update(
        processing_restricted_since=clock.today(), processing_restriction_reason=reason.strip()[:200]
    )
    participant.refresh_from_db()
    return participant


@transaction.atomic
def participant_lift_restriction(*, participant: Participant) -> Participant:
    Participant.objects.filter(pk=participant.pk).update(
        processing_restricted_since=None, processing_restriction_reason=""
    )
    participant.refresh_from_db()
    return participant
