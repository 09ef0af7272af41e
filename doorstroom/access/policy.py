"""The one door to personal data: who may see and change which participants and enrollments.

Every view, export and API endpoint gets its querysets and objects from here; nothing else filters
participants by role or organisation. The decision has three inputs (role, the user's organisation,
the user's involvement in the participant's team); consent and data categories come on top of this
in the privacy work. There is deliberately no superuser shortcut: a superuser without a role sees no
case content.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from django_htmx.middleware import HtmxDetails

from doorstroom.core import clock, per_request, prepared
from doorstroom.core.crypto import blind_index
from doorstroom.core.messages import _
from doorstroom.enrollments import rules as enrollment_rules
from doorstroom.enrollments.models import Enrollment, TeamAssignment
from doorstroom.organisations.models import Organisation, OrganisationKind, Region, Role, User
from doorstroom.participants.models import DataCategory, Household, LegalBasis, Participant, SharingGrant
from doorstroom.programmes.models import Programme
from doorstroom.referrals import rules as referral_rules
from doorstroom.referrals.models import Referral
from doorstroom.referrals.selectors import CONSENT_CATEGORY as REFERRAL_CONSENT
from doorstroom.signalering import selectors as signal_selectors
from doorstroom.signalering.models import Signal

from . import audit
from .models import AuditAction, AuditEvent, AuditResult, BreakGlassAccess


class AuthenticatedRequest(HttpRequest):
    """What a view behind login_required receives (for type checking)."""

    user: User
    htmx: HtmxDetails


def authenticated_user(user: object) -> User:
    """The logged-in user of an API request; anything else is refused."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


class Refusal(PermissionDenied):
    """A refusal that says why in plain Dutch (shown in the reader's language) and carries a stable
    code for the API: never "your role" when the cause is that data was not shared."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ProcessingRestricted(Refusal):
    """The participant asked to restrict processing (AVG art. 18): reading is logged, changing refused."""

    def __init__(self) -> None:
        super().__init__(
            _("De verwerking van dit dossier is beperkt; wijzigen kan nu niet."), code="processing_restricted"
        )


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    EXPORT = "export"
    DELETE = "delete"  # never through the application: only the retention and erasure paths


Category = DataCategory

#: What a team assignment itself shares with the member's organisation: who the person is and in
#: which programme and phase. Everything else needs a sharing grant (legal basis) for the category.
BASELINE = frozenset({Category.IDENTITY, Category.TRAJECTORY})

#: The most each role can ever see, whatever the grants (product brief: "what they may see").
ROLE_CEILING: dict[str, frozenset[str]] = {
    Role.DIRECTOR: frozenset(Category),
    Role.COACH: frozenset(Category),
    Role.TEAM_LEAD: frozenset(Category),
    Role.TEACHER: frozenset(
        {Category.IDENTITY, Category.CONTACT, Category.TRAJECTORY, Category.MEASUREMENTS, Category.WORK_EDUCATION}
    ),
    Role.JOBCOACH: frozenset(
        {Category.IDENTITY, Category.CONTACT, Category.TRAJECTORY, Category.WORK_EDUCATION, Category.NOTES}
    ),
    Role.INTERMEDIARY: frozenset({Category.IDENTITY, Category.CONTACT, Category.TRAJECTORY, Category.PLAN}),
    Role.PARTICIPANT: frozenset(Category),
}


#: Roles that work on individual cases and are granted access through a team assignment.
TEAM_ROLES = frozenset({Role.COACH, Role.TEACHER, Role.JOBCOACH, Role.INTERMEDIARY})
#: Roles that may see the BSN (a task need under the Wabb); never intermediaries or employers.
BSN_ROLES = frozenset({Role.DIRECTOR, Role.COACH, Role.TEAM_LEAD})
#: Roles that may open a file in an emergency (break the glass), for VIEW only and never the closed categories.
BREAK_GLASS_ROLES = frozenset({Role.DIRECTOR, Role.COACH, Role.TEAM_LEAD})
CLOSED_CATEGORIES = frozenset({"gezondheid", "justitie"})
BREAK_GLASS_HOURS = 3

#: Roles of a receiving organisation that see who is referred to it (identity, programme and phase)
#: while the referral is open and the participant's consent to share that with it holds.
REFERRAL_ROLES = frozenset({Role.DIRECTOR, Role.TEAM_LEAD, *TEAM_ROLES})

#: Roles that may register new participants.
REGISTERING_ROLES = frozenset({Role.DIRECTOR, Role.COACH})


@dataclass(frozen=True)
class Involvement:
    """What the policy needs to know about one user and one participant."""

    personally_involved: bool  # the user has a team assignment that runs today
    organisation_involved: bool  # someone of the user's organisation has such an assignment
    in_served_municipality: bool  # the participant belongs to a municipality the user's municipality serves
    is_own_file: bool  # the participant is the user
    granted: frozenset[str] = frozenset()  # categories with an active sharing grant to the user's organisation
    break_glass: bool = False  # the user opened this file in an emergency, within its time box
    referred_here: bool = False  # an open referral to the user's organisation, with the participant's consent

    @property
    def sees_sensitive_membership(self) -> bool:
        """Membership of a sensitive programme shows only to the team today or in one's own file
        (`sensitive_membership_visible` is the same rule as a condition on rows)."""
        return self.personally_involved or self.is_own_file


def decide(role: str, involvement: Involvement, action: Action, category: str = Category.IDENTITY) -> bool:
    """The policy as a plain decision table; the querysets below must agree with it (tested)."""
    if action == Action.DELETE:
        return False
    if category not in ROLE_CEILING.get(role, frozenset()):
        return False
    shared = category in BASELINE or category in involvement.granted
    if (
        involvement.break_glass
        and role in BREAK_GLASS_ROLES
        and action == Action.VIEW
        and category not in CLOSED_CATEGORIES
    ):
        return True
    if involvement.referred_here and role in REFERRAL_ROLES and action == Action.VIEW and category in BASELINE:
        return True
    if role == Role.PARTICIPANT:
        return involvement.is_own_file and action in (Action.VIEW, Action.EXPORT)
    if role == Role.DIRECTOR:
        # the responsible municipality processes its residents' data as a statutory task
        return involvement.in_served_municipality or (involvement.personally_involved and shared)
    if role in TEAM_ROLES:
        return involvement.personally_involved and shared
    if role == Role.TEAM_LEAD:
        if involvement.personally_involved:
            return shared
        # the team's caseload overview: who and where, nothing more
        return involvement.organisation_involved and action == Action.VIEW and category in BASELINE
    return False


def served_municipality_ids(user: User) -> set[int]:
    """Municipalities whose residents a municipal user works for: their own, plus those their
    municipality executes for as a region's centre."""
    org = user.organisation
    if org is None or org.kind != OrganisationKind.MUNICIPALITY:
        return set()
    # compiled once (`core.prepared`) and asked once per request: a director's every request asks,
    # some several times
    executed = per_request.remembered(
        ("access.served_municipalities", org.pk),
        lambda: prepared.rows("access.served_municipalities", _executed_for, [org.pk]),
    )
    return {org.pk} | {pk for (pk,) in executed if pk is not None}


def _executed_for(centres: list[int]) -> QuerySet[Region, tuple[int | None]]:
    return Region.objects.filter(centre_id__in=centres).values_list("executes_for")


def _running(today: date) -> Q:
    """A team assignment that runs on `today` (started, and not ended before it)."""
    return Q(starts_on__lte=today) & (Q(ends_on__isnull=True) | Q(ends_on__gte=today))


#: an open enrollment's states, in a fixed order (a compiled query binds them as they come)
_OPEN_STATE_VALUES = sorted(s.value for s in enrollment_rules.OPEN_STATES)


def _active_assignments(today: date, participant: str = "pk") -> QuerySet[TeamAssignment]:
    """Today's team assignments of the participant the outer query names (`participant`: its field)."""
    return TeamAssignment.objects.filter(_running(today), participant=OuterRef(participant))


def _granted(user: User, category: str, today: date) -> Exists:
    return Exists(
        SharingGrant.objects.filter(
            participant=OuterRef("pk"),
            organisation_id=user.organisation_id or 0,
            category=category,
            granted_on__lte=today,
            withdrawn_on__isnull=True,
        )
    )


def _referred_here(user: User, today: date) -> Q:
    """An open referral to the user's organisation that the participant's consent covers."""
    open_referral = Exists(
        Referral.objects.filter(
            participant=OuterRef("pk"), to_organisation_id=user.organisation_id or 0, state=referral_rules.PENDING
        )
    )
    return Q(open_referral) & Q(_granted(user, REFERRAL_CONSENT, today))


def _scope(user: User, action: Action, category: str) -> QuerySet[Participant]:
    """The participants for whom `decide` says yes, as one query."""
    none = Participant.objects.none()
    role = user.role
    if (
        not user.is_authenticated
        or not user.is_active
        or action == Action.DELETE
        or category not in ROLE_CEILING.get(role, frozenset())
    ):
        return none
    today = clock.today()
    personally = Exists(_active_assignments(today).filter(member_id=user.pk))
    shared = Q() if category in BASELINE else Q(_granted(user, category, today))
    if role == Role.PARTICIPANT:
        return Participant.objects.filter(account_id=user.pk) if action in (Action.VIEW, Action.EXPORT) else none
    view_only = Q(pk__in=[])  # emergency access and open referrals
    if role in BREAK_GLASS_ROLES and action == Action.VIEW and category not in CLOSED_CATEGORIES:
        view_only = Q(
            Exists(
                BreakGlassAccess.objects.filter(
                    participant=OuterRef("pk"), user_id=user.pk, expires_at__gt=timezone.now()
                )
            )
        )
    if role in REFERRAL_ROLES and action == Action.VIEW and category in BASELINE:
        view_only |= _referred_here(user, today)
    if role == Role.DIRECTOR:
        served = Q(municipality_id__in=served_municipality_ids(user))
        return Participant.objects.filter(served | (Q(personally) & shared) | view_only)
    if role in TEAM_ROLES:
        return Participant.objects.filter((Q(personally) & shared) | view_only)
    if role == Role.TEAM_LEAD:
        condition = (Q(personally) & shared) | view_only
        if action == Action.VIEW and category in BASELINE and user.organisation_id is not None:
            condition |= Q(Exists(_active_assignments(today).filter(organisation_id=user.organisation_id)))
        return Participant.objects.filter(condition)
    return none


def participants_visible_to(user: User, category: str = Category.IDENTITY) -> QuerySet[Participant]:
    return _scope(user, Action.VIEW, category)


def participants_changeable_by(user: User, category: str = Category.IDENTITY) -> QuerySet[Participant]:
    return _scope(user, Action.CHANGE, category)


def participants_allowed(user: User, action: Action, category: str) -> QuerySet[Participant]:
    return _scope(user, action, category)


def participants_on_caseload(user: User) -> QuerySet[Participant]:
    """'Mijn deelnemers': those the user is on the team of today; for a team lead, their
    organisation's caseload."""
    today = clock.today()
    scope = participants_visible_to(user)
    if user.role == Role.TEAM_LEAD and user.organisation_id is not None:
        return scope.filter(Exists(_active_assignments(today).filter(organisation_id=user.organisation_id)))
    return scope.filter(Exists(_active_assignments(today).filter(member_id=user.pk)))


def enrollments_visible_to(user: User) -> QuerySet[Enrollment]:
    """Enrollments of visible participants; membership of a sensitive programme only where
    `sensitive_membership_visible` allows it."""
    return Enrollment.objects.filter(participant__in=participants_visible_to(user, Category.TRAJECTORY)).filter(
        Q(programme__is_sensitive=False) | sensitive_membership_visible(user)
    )


def enrollments_in_file(user: User, participant: Participant) -> QuerySet[Enrollment]:
    """`enrollments_visible_to(user)` of one participant, decided on the facts of their file (held
    equal to it by the generated access matrix): the participant's own enrollments when the user may
    see their trajectories, without sensitive programmes unless on their team today or their own file."""
    with_sensitive = _trajectories_in_file(user, participant)
    if with_sensitive is None:
        return Enrollment.objects.none()
    enrollments = Enrollment.objects.filter(participant_id=participant.pk)
    return enrollments if with_sensitive else enrollments.filter(programme__is_sensitive=False)


def enrollment_ids_in_file(user: User, participant: Participant) -> list[int]:
    """`enrollments_in_file` as ids, in one query compiled once per shape (`core.prepared`): the
    file asks on every view."""
    with_sensitive = _trajectories_in_file(user, participant)
    if with_sensitive is None:
        return []

    def build(ids: list[int]) -> QuerySet[Enrollment, tuple[int]]:
        enrollments = Enrollment.objects.filter(participant_id__in=ids)
        if not with_sensitive:
            enrollments = enrollments.filter(programme__is_sensitive=False)
        return enrollments.values_list("pk")

    return [pk for (pk,) in prepared.rows(("access.enrollment_ids_in_file", with_sensitive), build, [participant.pk])]


def _trajectories_in_file(user: User, participant: Participant) -> bool | None:
    """None when the user may not see the file's trajectories; else whether they see its sensitive
    programmes' memberships too."""
    if not user.is_authenticated or not user.is_active:
        return None
    involvement = involvement_of(user, participant)
    if not decide(user.role, involvement, Action.VIEW, Category.TRAJECTORY):
        return None
    return involvement.sees_sensitive_membership


def sensitive_membership_visible(user: User) -> Q:
    """Whether the user may see a row's participant's membership of a sensitive programme (it can
    reveal ethnic origin): only when they are on that participant's team today, or it is their own
    file. Nobody else, not even the municipality's other directors: not in files, lists, boards,
    signals or exports. A condition on the row's own `participant` (an index lookup per row): asked
    as a set of participants instead, the database scanned all of them for every page (33 ms of a
    participant file at T2)."""
    on_team = Exists(_active_assignments(clock.today(), "participant_id").filter(member_id=user.pk))
    # one's own file as the (at most one) participant whose account one is: compared as the row's
    # own `participant__account_id`, the join made PostgreSQL hash every participant for a
    # programme board (39 of its 58 ms at T2)
    own_file = Participant.objects.filter(account_id=user.pk).values("pk")
    return Q(on_team) | Q(participant_id__in=own_file)


def signals_visible_to(user: User, among: QuerySet[Participant] | None = None) -> QuerySet[Signal]:
    """Live signals on the user's caseload (or among `among`), each within the category it needs,
    and a signal about a sensitive programme only where that membership is visible."""
    base = (participants_on_caseload(user) if among is None else among).values("pk")
    by_category = {
        category: _scope(user, Action.VIEW, category).filter(pk__in=base)
        for category in signal_selectors.signal_categories()
    }
    # the participants asked about, once more at the top: the database then starts from them and
    # not from every live signal (27 ms of a caseload page at T2)
    return signal_selectors.signals_for(by_category, sensitive_membership_visible(user)).filter(participant__in=base)


def require_signal(user: User, signal_uuid: UUID | str) -> Signal:
    """A live signal the user may see and handle (change in its category); 404 otherwise."""
    signal = signal_selectors.signal_by_uuid(str(signal_uuid)) if _is_uuid(signal_uuid) else None
    visible = (
        signal is not None
        and signals_visible_to(user, Participant.objects.filter(pk=signal.participant_id)).filter(pk=signal.pk).exists()
    )
    if signal is None or not visible:
        _audit_denied(user, Action.CHANGE, "signal", str(signal_uuid), Category.TRAJECTORY)
        raise Http404
    require_participant(user, signal.participant.uuid, Action.CHANGE, signal.category)
    return signal


def signal_counts_of(
    user: User, participants: Iterable[Participant], involvements: dict[int, Involvement] | None = None
) -> dict[int, int]:
    """Per participant on a page, how many live signals the user may see: their live signals read
    in one query and each kept where `decide` lets the user see its category on the facts of the
    file and, about a sensitive programme, where that membership is visible (`signals_visible_to`,
    decided per participant; the generated access matrix holds the two equal). `involvements`: the
    page's facts when the caller has them already."""
    chosen = {p.pk: p for p in participants}
    if not chosen or not user.is_authenticated or not user.is_active:
        return {}
    facts = involvements if involvements is not None else involvements_of(user, chosen.values())
    counts: dict[int, int] = {}
    for participant_id, category, sensitive in prepared.rows("access.signal_counts_of", _live_signal_rows, chosen):
        involvement = facts[participant_id]
        if sensitive and not involvement.sees_sensitive_membership:
            continue
        if decide(user.role, involvement, Action.VIEW, category):
            counts[participant_id] = counts.get(participant_id, 0) + 1
    return counts


def _live_signal_rows(ids: list[int]) -> QuerySet[Signal, tuple[int, str, bool]]:
    return (
        signal_selectors.live_signals()
        .filter(participant_id__in=ids, category__in=sorted(signal_selectors.signal_categories()))
        .order_by()
        .values_list("participant_id", "category", "programme__is_sensitive")
    )


def open_enrollments_shown(
    user: User,
    participants: Iterable[Participant],
    involvements: dict[int, Involvement],
    *,
    programme_id: int | None = None,
    phase_id: int | None = None,
) -> list[Enrollment]:
    """The open enrollments of a page's participants (their facts gathered once by
    `involvements_of`) that `enrollments_visible_to(user)` holds, within a programme and phase when
    chosen; programme and phase joined. Decided on the facts of each file, as the file itself is
    (`enrollments_in_file`): trajectories the user may see, a sensitive programme only where its
    membership is visible. One query compiled once per page size, instead of the reader's
    enrollment scope built and compiled for every page."""
    if not user.is_authenticated or not user.is_active:
        return []
    shown = [
        p.pk
        for p in participants
        if p.pk in involvements and decide(user.role, involvements[p.pk], Action.VIEW, Category.TRAJECTORY)
    ]

    def build(ids: list[int]) -> QuerySet[Enrollment]:
        enrollments = Enrollment.objects.filter(participant_id__in=ids, state__in=_OPEN_STATE_VALUES)
        if programme_id is not None:
            enrollments = enrollments.filter(programme_id=programme_id)
        if phase_id is not None:
            enrollments = enrollments.filter(current_phase_id=phase_id)
        return enrollments.select_related("programme", "current_phase").order_by("referred_on", "id")

    return [
        e
        for e in prepared.instances(("access.open_enrollments_shown", programme_id, phase_id), build, shown)
        if not e.programme.is_sensitive or involvements[e.participant_id].sees_sensitive_membership
    ]


def allowed_among(user: User, involvements: dict[int, Involvement], action: Action, category: str) -> set[int]:
    """The participants of a page (their facts gathered once by `involvements_of`) on whom the user
    may do `action` with `category`: `participants_allowed`, decided without a scope per question."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return {pk for pk, involvement in involvements.items() if decide(user.role, involvement, action, category)}


PURPOSE_BY_ROLE: dict[str, str] = {
    Role.DIRECTOR: "regie",
    Role.COACH: "begeleiding",
    Role.TEACHER: "onderwijs",
    Role.JOBCOACH: "plaatsing",
    Role.INTERMEDIARY: "opdracht_intermediair",
    Role.TEAM_LEAD: "teamoverzicht",
    Role.PARTICIPANT: "eigen_dossier",
}


def _audit_action(action: Action) -> str:
    return {Action.VIEW: AuditAction.READ, Action.CHANGE: AuditAction.CHANGE, Action.EXPORT: AuditAction.EXPORT}.get(
        action, AuditAction.CHANGE
    )


def _audit_access(
    user: User,
    participant: Participant,
    action: Action,
    object_type: str,
    object_id: str,
    category: str = Category.IDENTITY,
) -> None:
    """One audit row for an allowed access to one participant, with what the user may see of them.
    The participant, fresh from the door, keeps these facts for the rest of the request."""
    involvement = involvement_of(user, participant)
    participant._involvement = (user.pk, involvement)  # type: ignore[attr-defined]
    # what the request asked for; the redaction adds what it actually shows before the row is written
    categories = [c for c in (Category.IDENTITY, category) if decide(user.role, involvement, action, c)]
    basis: str
    if involvement.in_served_municipality:
        basis = LegalBasis.STATUTORY_TASK.value
    elif involvement.is_own_file:
        basis = "eigen_dossier"
    else:
        basis = "betrokkenheid_en_deling"
    without_emergency = replace(involvement, break_glass=False)
    emergency = involvement.break_glass and not decide(user.role, without_emergency, action, Category.IDENTITY)
    audit.record_access(
        participant_pk=participant.pk,
        change=action == Action.CHANGE,
        user=user,
        action=_audit_action(action),
        result=AuditResult.ALLOWED,
        object_type=object_type,
        object_id=object_id,
        participants=[str(participant.uuid)],
        categories=categories,
        purpose="noodtoegang" if emergency else PURPOSE_BY_ROLE.get(user.role, ""),
        legal_basis="vitaal_belang" if emergency else basis,
        break_glass=emergency,
    )


def _audit_denied(user: User, action: Action, object_type: str, object_id: str, category: str) -> None:
    audit.record(
        user=user if user.is_authenticated else None,
        action=_audit_action(action),
        result=AuditResult.DENIED,
        object_type=object_type,
        object_id=object_id,
        categories=[category],
        purpose=PURPOSE_BY_ROLE.get(getattr(user, "role", ""), ""),
    )


def record_list(
    user: User,
    participants: Iterable[Participant],
    *,
    object_type: str,
    search: bool = False,
    categories: Iterable[str] = (Category.IDENTITY, Category.TRAJECTORY),
) -> None:
    """One audit row for a list or search, with every participant it showed."""
    audit.record(
        user=user,
        action=AuditAction.SEARCH if search else AuditAction.LIST,
        result=AuditResult.ALLOWED,
        object_type=object_type,
        participants=[str(p.uuid) for p in participants],
        categories=categories,
        purpose=PURPOSE_BY_ROLE.get(user.role, ""),
    )


def duplicate_check_allowed(user: User) -> bool:
    """Whether the user may run another duplicate check now (each registration runs one): a
    handful per hour is work, hundreds is someone finding out who is a client (throttled per user)."""
    key = f"doorstroom:duplicate-checks:{user.pk}"
    limit = settings.DOORSTROOM_DUPLICATE_CHECKS_PER_HOUR
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    return count <= limit


def record_duplicate_check(user: User, *, visible: list[Participant], hidden: int) -> None:
    """One audit row per duplicate check that found someone: what the user was shown (the files
    they may see) and how many they were not; never the BSN, the name or the birth date asked."""
    audit.record(
        user=user,
        action=AuditAction.SEARCH,
        result=AuditResult.ALLOWED,
        object_type="duplicate_check",
        participants=[str(p.uuid) for p in visible],
        categories=[Category.IDENTITY],
        purpose=PURPOSE_BY_ROLE.get(user.role, ""),
        detail={"zichtbaar": len(visible), "niet_zichtbaar": hidden},
    )


def record_creation(user: User, participant: Participant) -> None:
    """One audit row for registering a participant: a write of their data like any other, and the
    duplicate check before it (which found no one). Call it in the same transaction as the
    registration, so a failed audit write undoes it (fail closed)."""
    involvement = involvement_of(user, participant)  # once, not once per category
    audit.record(
        user=user,
        action=AuditAction.CREATE,
        result=AuditResult.ALLOWED,
        object_type="participant",
        object_id=str(participant.uuid),
        participants=[str(participant.uuid)],
        categories=[c for c in Category if decide(user.role, involvement, Action.CHANGE, c)],
        purpose=PURPOSE_BY_ROLE.get(user.role, ""),
        legal_basis=LegalBasis.STATUTORY_TASK.value,
        detail={"dubbelcheck": "niemand gevonden"},
        savepoint=False,  # a refused audit row must undo the registration: no savepoint to keep it
    )


def require_participant(
    user: User, participant_uuid: UUID | str, action: Action = Action.VIEW, category: str = Category.IDENTITY
) -> Participant:
    """The participant, or 404 when the user may not see them at all (their existence is not
    revealed), or 403 when the user may see them but not do `action` on `category`. Every answer,
    refusals included, is written to the audit log first (fail closed)."""
    participant = _admitted(user, participant_uuid)
    if participant is None:
        _audit_denied(user, action, "participant", str(participant_uuid), category)
        raise Http404
    if (action, category) != (Action.VIEW, Category.IDENTITY) and not can(user, participant, action, category):
        _audit_denied(user, action, "participant", str(participant_uuid), category)
        raise refusal_reason(user, participant, action, category)
    if action == Action.CHANGE and participant.processing_restricted_since is not None:
        _audit_denied(user, action, "participant", str(participant_uuid), category)
        raise ProcessingRestricted
    _audit_access(user, participant, action, "participant", str(participant.uuid), category)
    return participant


def _admitted(user: User, participant_uuid: UUID | str) -> Participant | None:
    """The participant when `user` may see them at all, carrying the facts that decided it (the
    rest of the request decides on those); None for a stranger, an unknown or a malformed id.

    One door's decision on facts, not a queryset per door: `decide` on `involvement_of` is what
    every scope above is held equal to (the generated access matrix), and asking it here spares a
    file the scope's query building (ADR 0022)."""
    if not user.is_authenticated or not user.is_active:
        return None
    participant = _by_public_id("access.door.participant", _participants_by_uuid, participant_uuid)
    if participant is None:
        return None
    return participant if decide(user.role, _facts_of_door(user, participant), Action.VIEW, Category.IDENTITY) else None


def _enrollment_admitted(user: User, enrollment_uuid: UUID | str) -> Enrollment | None:
    """The enrollment when `enrollments_visible_to(user)` holds it (held equal by the generated
    access matrix), its participant carrying the facts that decided it; else None."""
    if not user.is_authenticated or not user.is_active:
        return None
    enrollment = _by_public_id("access.door.enrollment", _enrollments_by_uuid, enrollment_uuid)
    if enrollment is None:
        return None
    involvement = _facts_of_door(user, enrollment.participant)
    if not decide(user.role, involvement, Action.VIEW, Category.TRAJECTORY):
        return None
    if enrollment.programme.is_sensitive and not involvement.sees_sensitive_membership:
        return None
    return enrollment


def _by_public_id(key: str, build: Callable[[list[UUID]], QuerySet[Any]], public_id: UUID | str) -> Any | None:
    """The record with this id from the address, or None for an unknown or malformed one; the
    lookup compiled once (`core.prepared`): every page of a file opens with it."""
    try:
        found = prepared.instances(key, build, [UUID(str(public_id))])
    except (ValueError, TypeError):
        return None
    return found[0] if found else None


def _participants_by_uuid(uuids: list[UUID]) -> QuerySet[Participant]:
    return Participant.objects.select_related("municipality").filter(uuid__in=uuids)


def _enrollments_by_uuid(uuids: list[UUID]) -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related("participant", "programme", "current_phase").filter(uuid__in=uuids)


def _facts_of_door(user: User, participant: Participant) -> Involvement:
    """The facts a door decides on, gathered afresh and kept on the participant for the rest of the
    request (`involvement_of` reuses them; `_audit_access` writes them down)."""
    involvement = involvements_of(user, [participant])[participant.pk]
    participant._involvement = (user.pk, involvement)  # type: ignore[attr-defined]
    return involvement


def _director_of(participant: Participant, team: Iterable[TeamAssignment] | None = None) -> User | None:
    """The participant's director today (the first to start, as ordered): from `team`, all of the
    participant's assignments with their members' organisations, when the caller has them already."""
    today = clock.today()
    if team is not None:
        running = [
            a
            for a in team
            if a.role == "regisseur" and a.starts_on <= today and (a.ends_on is None or a.ends_on >= today)
        ]
        first = min(running, key=lambda a: (a.starts_on, a.pk), default=None)
        return first.member if first is not None else None
    assignment = (
        TeamAssignment.objects.filter(_running(today), participant=participant, role="regisseur")
        .select_related("member", "member__organisation")
        .first()
    )
    return assignment.member if assignment is not None else None


def not_shared_with(
    user: User, participant: Participant, team: Iterable[TeamAssignment] | None = None
) -> tuple[list[str], User | None]:
    """For a team member: the categories their role could work with that are not shared with their
    organisation for this participant, and the director to ask (the file page says so up front;
    `team` as for `_director_of`)."""
    involvement = involvement_of(user, participant)
    if not involvement.personally_involved or involvement.in_served_municipality:
        return [], None
    missing = [
        c.value
        for c in Category
        if c in ROLE_CEILING.get(user.role, frozenset()) and c not in BASELINE and c not in involvement.granted
    ]
    return missing, (_director_of(participant, team) if missing else None)


def refusal_reason(user: User, participant: Participant, action: Action, category: str) -> Refusal:
    """Why a user who may see this participant may not do `action` on `category`, in words that
    point to the real cause and to whom can change it (the participant's director)."""
    involvement = involvement_of(user, participant)
    label = Category(category).label if category in Category.values else category
    if category not in ROLE_CEILING.get(user.role, frozenset()):
        return Refusal(
            _(
                "Gegevens over ‘%(category)s’ horen niet bij het werk van uw rol (%(role)s); ze worden "
                "daarom nooit met u gedeeld.",
                category=label,
                role=Role(user.role).label if user.role in Role.values else user.role,
            ),
            code="role_ceiling",
        )
    can_view = decide(user.role, involvement, Action.VIEW, category)
    if action != Action.VIEW and can_view:
        return Refusal(_("U kunt deze gegevens alleen inzien, niet wijzigen of exporteren."), code="view_only")
    if user.role == Role.TEAM_LEAD and not involvement.personally_involved:
        return Refusal(
            _(
                "U staat niet in het team van deze deelnemer. Als teamleider ziet u alleen wie uw organisatie "
                "begeleidt en in welk programma; voor meer moet u zelf in het team staan."
            ),
            code="not_on_team",
        )
    if involvement.personally_involved and category not in BASELINE and category not in involvement.granted:
        director = _director_of(participant)
        organisation = user.organisation.name if user.organisation else ""
        if director is not None:
            return Refusal(
                _(
                    "De gegevens ‘%(category)s’ van deze deelnemer zijn niet gedeeld met uw organisatie "
                    "(%(organisation)s). Vraag de regisseur van deze deelnemer, %(director)s "
                    "(%(director_organisation)s), om ze te delen als uw werk ze nodig heeft.",
                    category=label,
                    organisation=organisation,
                    director=director.get_full_name() or director.username,
                    director_organisation=director.organisation.name if director.organisation else "",
                ),
                code="not_shared",
            )
        return Refusal(
            _(
                "De gegevens ‘%(category)s’ van deze deelnemer zijn niet gedeeld met uw organisatie "
                "(%(organisation)s). Deze deelnemer heeft nog geen regisseur; vraag %(municipality)s om ze te "
                "delen als uw werk ze nodig heeft.",
                category=label,
                organisation=organisation,
                municipality=participant.municipality.name,
            ),
            code="not_shared",
        )
    return Refusal(_("U mag dit niet doen bij deze deelnemer."), code="not_allowed")


def require_household(
    user: User, household_uuid: UUID | str, action: Action = Action.VIEW, category: str = Category.PLAN
) -> tuple[Household, list[Participant]]:
    """A household and the members whose `category` the user may `action`, in name order.

    404 when the user may not see any member (the household's existence is not revealed); 403
    when they may see a member but act on none. Changing and exporting need every member: a
    household plan is saved and printed as a whole, so whoever does so must be allowed that for all
    of it, and for a change no member's processing may be restricted. One audit row names every
    member whose data it opens."""
    household = Household.objects.filter(uuid=household_uuid).first() if _is_uuid(household_uuid) else None
    in_household = Q(household_memberships__household=household)
    if household is None or not participants_visible_to(user).filter(in_household).exists():
        _audit_denied(user, action, "household", str(household_uuid), category)
        raise Http404
    members = list(Participant.objects.filter(in_household).order_by("date_of_birth", "id"))
    allowed_ids = set(participants_allowed(user, action, category).filter(in_household).values_list("pk", flat=True))
    allowed = [m for m in members if m.pk in allowed_ids]
    if not allowed or (action in (Action.CHANGE, Action.EXPORT) and len(allowed) != len(members)):
        _audit_denied(user, action, "household", str(household.uuid), category)
        raise PermissionDenied
    if action == Action.CHANGE and any(m.processing_restricted_since is not None for m in members):
        _audit_denied(user, action, "household", str(household.uuid), category)
        raise ProcessingRestricted
    statutory = household.municipality_id in served_municipality_ids(user)
    audit.record_access(
        participant_pk=None,
        change=action == Action.CHANGE,
        user=user,
        action=_audit_action(action),
        result=AuditResult.ALLOWED,
        object_type="household",
        object_id=str(household.uuid),
        participants=[str(m.uuid) for m in allowed],
        categories=[Category.IDENTITY, category],
        purpose=PURPOSE_BY_ROLE.get(user.role, ""),
        legal_basis=LegalBasis.STATUTORY_TASK.value if statutory else "betrokkenheid_en_deling",
    )
    return household, allowed


def _is_uuid(value: UUID | str) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def referrals_received_by(user: User) -> QuerySet[Referral]:
    """Referrals to the user's organisation whose participant the user may see (while open, only
    with the participant's consent; once accepted, through the team)."""
    if user.role not in REFERRAL_ROLES or user.organisation_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(
        to_organisation_id=user.organisation_id, participant__in=participants_visible_to(user)
    ).select_related("participant", "from_organisation", "created_by", "decided_by", "assigned_to")


def referrals_sent_by(user: User) -> QuerySet[Referral]:
    """Referrals the user's organisation made, for participants whose programme and phase the user may see."""
    if user.organisation_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(
        from_organisation_id=user.organisation_id,
        participant__in=participants_visible_to(user, Category.TRAJECTORY),
    ).select_related("participant", "to_organisation", "created_by", "decided_by")


def referrals_of(user: User, participant: Participant) -> list[Referral]:
    """A participant's referrals on their file, the latest first: all of them for the responsible
    municipality, otherwise those to or from the user's own organisation (compiled once per
    organisation: the file reads it on every view)."""
    if not can(user, participant, Action.VIEW, Category.TRAJECTORY):
        return []
    own = None if participant.municipality_id in served_municipality_ids(user) else user.organisation_id or 0

    def build(ids: list[int]) -> QuerySet[Referral]:
        referrals = (
            Referral.objects.filter(participant_id__in=ids)
            .select_related("from_organisation", "to_organisation", "decided_by")
            .order_by("-created_at", "-id")
        )
        return referrals if own is None else referrals.filter(Q(from_organisation_id=own) | Q(to_organisation_id=own))

    return prepared.instances(("access.referrals_of", own), build, [participant.pk])


def require_referral(
    user: User, referral_uuid: UUID | str, action: Action = Action.VIEW, *, sent: bool = False
) -> Referral:
    """A referral to the user's organisation (to read or answer it), or with `sent` one from it
    (to read or withdraw it; withdrawing needs the right to change the participant's programme
    and phase). 404 when it is not there for the user; 403 for a change under a processing
    restriction or without the right. One audit row."""
    referrals = referrals_sent_by(user) if sent else referrals_received_by(user)
    referral = referrals.filter(uuid=referral_uuid).first() if _is_uuid(referral_uuid) else None
    if referral is None:
        _audit_denied(user, action, "referral", str(referral_uuid), Category.TRAJECTORY)
        raise Http404
    if action == Action.CHANGE:
        may_change = not sent or can(user, referral.participant, Action.CHANGE, Category.TRAJECTORY)
        if not may_change:
            _audit_denied(user, action, "referral", str(referral.uuid), Category.TRAJECTORY)
            raise PermissionDenied
        if referral.participant.processing_restricted_since is not None:
            _audit_denied(user, action, "referral", str(referral.uuid), Category.TRAJECTORY)
            raise ProcessingRestricted
    _audit_access(user, referral.participant, action, "referral", str(referral.uuid), Category.TRAJECTORY)
    return referral


def require_enrollment(user: User, enrollment_uuid: UUID | str, action: Action = Action.VIEW) -> Enrollment:
    """The enrollment, or 404 when the user may not see it (`enrollments_visible_to`, decided on the
    facts of its participant's file: ADR 0022), or 403 when they may see but not change it. Every
    answer is audited first."""
    enrollment = _enrollment_admitted(user, enrollment_uuid)
    if enrollment is None:
        _audit_denied(user, action, "enrollment", str(enrollment_uuid), Category.TRAJECTORY)
        raise Http404
    if action == Action.CHANGE and not can(user, enrollment.participant, Action.CHANGE, Category.TRAJECTORY):
        _audit_denied(user, action, "enrollment", str(enrollment_uuid), Category.TRAJECTORY)
        raise PermissionDenied
    if action == Action.CHANGE and enrollment.participant.processing_restricted_since is not None:
        _audit_denied(user, action, "enrollment", str(enrollment_uuid), Category.TRAJECTORY)
        raise ProcessingRestricted
    _audit_access(user, enrollment.participant, action, "enrollment", str(enrollment.uuid), Category.TRAJECTORY)
    return enrollment


def involvement_of(user: User, participant: Participant) -> Involvement:
    """The facts for `decide`, in one statement (team, emergency access, referral and grants) and
    one for the municipalities served (municipal users only). A participant just fetched by one of
    the `require_*` doors carries the facts it was audited with, so the rest of that request reuses
    them."""
    known = getattr(participant, "_involvement", None)
    if known is not None and known[0] == user.pk:
        return known[1]
    return involvements_of(user, [participant])[participant.pk]


def involvements_of(user: User, participants: Iterable[Participant]) -> dict[int, Involvement]:
    """`involvement_of` for many participants at once, in one statement per 500 of them and one
    for the municipalities served (an import of a thousand new files asks for all of them together).

    Written as SQL rather than built by the ORM: every file, form and API answer asks this first,
    and building the same four correlated `EXISTS` through querysets cost more than the database
    took to answer them (ADR 0022). The generated access matrix holds these facts equal to the
    world it built, and the querysets above equal to `decide` on them."""
    chosen = {p.pk: p for p in participants}
    if not chosen:
        return {}
    facts: dict[int, tuple[bool, bool, bool, bool]] = {}
    granted: dict[int, set[str]] = {}
    ids = list(chosen)
    for start in range(0, len(ids), 500):
        for row in _fact_rows(user, ids[start : start + 500]):
            if row[5] is None:
                facts[row[0]] = (bool(row[1]), bool(row[2]), bool(row[3]), bool(row[4]))
            else:
                granted.setdefault(row[0], set()).add(row[5])
    served = served_municipality_ids(user)
    found = {}
    for pk, participant in chosen.items():
        personally, by_organisation, emergency, open_referral = facts.get(pk, (False, False, False, False))
        granted_set = frozenset(granted.get(pk, ()))
        found[pk] = Involvement(
            personally_involved=personally,
            organisation_involved=user.organisation_id is not None and by_organisation,
            in_served_municipality=participant.municipality_id in served,
            is_own_file=participant.account_id is not None and participant.account_id == user.pk,
            granted=granted_set,
            break_glass=emergency,
            referred_here=REFERRAL_CONSENT in granted_set and open_referral,
        )
    return found


def _fact_rows(user: User, ids: list[int]) -> list[tuple[Any, ...]]:
    """Per participant one row (id, on the team, organisation on the team, emergency access, open
    referral here, NULL), then per active sharing grant to the user's organisation one row (id, four
    NULLs, category). Dates and times adapted by the backend, so SQLite's text columns compare right."""
    ops = connection.ops
    today = ops.adapt_datefield_value(clock.today())
    now = ops.adapt_datetimefield_value(timezone.now())
    organisation_id = user.organisation_id or 0
    member_id = user.pk or 0
    marks = ", ".join(["%s"] * len(ids))
    running = "a.participant_id = p.id AND a.starts_on <= %s AND (a.ends_on IS NULL OR a.ends_on >= %s)"
    sql = (
        f"SELECT p.id,"  # noqa: S608 - table names from the models, every value a parameter  # nosec B608
        f" EXISTS (SELECT 1 FROM {_ASSIGNMENTS} a WHERE {running} AND a.member_id = %s),"
        f" EXISTS (SELECT 1 FROM {_ASSIGNMENTS} a WHERE {running} AND a.organisation_id = %s),"
        f" EXISTS (SELECT 1 FROM {_EMERGENCIES} b WHERE b.participant_id = p.id AND b.user_id = %s"
        f" AND b.expires_at > %s),"
        f" EXISTS (SELECT 1 FROM {_REFERRALS} r WHERE r.participant_id = p.id AND r.to_organisation_id = %s"
        f" AND r.state = %s),"
        f" NULL"
        f" FROM {_PARTICIPANTS} p WHERE p.id IN ({marks})"
    )
    params: list[Any] = [today, today, member_id, today, today, organisation_id, member_id, now]
    params += [organisation_id, referral_rules.PENDING, *ids]
    if user.organisation_id is not None:
        sql += (
            f" UNION ALL SELECT g.participant_id, NULL, NULL, NULL, NULL, g.category FROM {_GRANTS} g"  # noqa: S608  # nosec B608
            f" WHERE g.participant_id IN ({marks}) AND g.organisation_id = %s AND g.granted_on <= %s"
            f" AND g.withdrawn_on IS NULL"
        )
        params += [*ids, organisation_id, today]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_ASSIGNMENTS = TeamAssignment._meta.db_table
_EMERGENCIES = BreakGlassAccess._meta.db_table
_REFERRALS = Referral._meta.db_table
_PARTICIPANTS = Participant._meta.db_table
_GRANTS = SharingGrant._meta.db_table


def visible_categories_of(user: User, participant_ids: set[int]) -> dict[int, frozenset[str]]:
    """Every category `user` may see now of each of these files, in one set of fact queries (a
    replayed answer is checked against what it showed: `core.idempotency`)."""
    if not user.is_authenticated or not user.is_active:
        return {pk: frozenset() for pk in participant_ids}
    participants = Participant.objects.filter(pk__in=participant_ids).only("pk", "municipality_id", "account_id")
    return {
        pk: frozenset(c for c in Category if decide(user.role, involvement, Action.VIEW, c))
        for pk, involvement in involvements_of(user, participants).items()
    }


def can(user: User, participant: Participant, action: Action, category: str = Category.IDENTITY) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return decide(user.role, involvement_of(user, participant), action, category)


def note_shown(participant: Participant, shown: Iterable[str]) -> None:
    """Tell the audit row of this request which categories of the file a page or answer showed
    (pages that do not take their content through `access.redaction`, which reports by itself)."""
    for category in shown:
        audit.note_shown(participant.pk, category)


def categories_allowed(user: User, participant: Participant, action: Action = Action.VIEW) -> frozenset[str]:
    """Every category the user may `action` for this participant (one set of fact queries)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    involvement = involvement_of(user, participant)
    return frozenset(c for c in Category if decide(user.role, involvement, action, c))


def can_see_bsn(user: User, participant: Participant | None = None) -> bool:
    if participant is not None and user.role == Role.PARTICIPANT:
        return participant.account_id == user.pk
    return user.role in BSN_ROLES


def participants_with_bsn(user: User, bsn: str) -> list[Participant]:
    """The participants with this BSN whom the user may see, for roles with a task need for the BSN
    (others find no one), in the order they were registered. Decided on the facts of the few files
    with that BSN (at most one per municipality; held equal to `participants_visible_to` filtered on
    the blind index by the generated access matrix): building and compiling the scope cost a search
    more than the database took to answer it."""
    if not can_see_bsn(user):
        return []
    found = prepared.instances("access.participants_with_bsn", _with_bsn_index, [blind_index(bsn)])
    visible = allowed_among(user, involvements_of(user, found), Action.VIEW, Category.IDENTITY)
    return [participant for participant in found if participant.pk in visible]


def _with_bsn_index(indexes: list[str]) -> QuerySet[Participant]:
    return Participant.objects.filter(bsn_index__in=indexes).select_related("municipality").order_by("id")


def can_search(user: User) -> bool:
    return user.role in {Role.DIRECTOR, Role.COACH, Role.TEAM_LEAD, *TEAM_ROLES}


def may_decide_pip(user: User, participant: Participant) -> bool:
    """A PIP (Wet inburgering) is a decision of the municipality: only its directors record or
    change one; others can save the plan's goals without touching it."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.DIRECTOR
        and participant.municipality_id in served_municipality_ids(user)
    )


def can_manage_team(user: User, participant: Participant) -> bool:
    return user.role == Role.DIRECTOR and can(user, participant, Action.CHANGE)


def municipalities_for_registration(user: User) -> QuerySet[Organisation]:
    """Municipalities a user may register a new participant for."""
    if user.role not in REGISTERING_ROLES or user.organisation is None:
        return Organisation.objects.none()
    if user.role == Role.DIRECTOR:
        return Organisation.objects.filter(pk__in=served_municipality_ids(user))
    org = user.organisation
    if org.kind == OrganisationKind.MUNICIPALITY:
        return Organisation.objects.filter(pk=org.pk)
    return org.works_for.all()


def team_candidates(participant: Participant) -> QuerySet[User]:
    """Staff who may join a participant's team: the municipality's and its contracted partners'."""
    organisations = Organisation.objects.filter(
        Q(pk=participant.municipality_id) | Q(works_for=participant.municipality_id)
    )
    return User.objects.filter(
        is_active=True,
        organisation__in=organisations,
        role__in=[Role.DIRECTOR, *TEAM_ROLES],
    ).select_related("organisation")


def colleagues_for_reassignment(user: User) -> QuerySet[User]:
    """A team lead's colleagues whose caseload can move: staff of the same organisation."""
    if user.role != Role.TEAM_LEAD or user.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=user.organisation_id, role__in=[*TEAM_ROLES, Role.TEAM_LEAD]).order_by(
        "last_name", "first_name"
    )


def caseload_of_colleague(user: User, colleague: User) -> QuerySet[Participant]:
    """What a team lead may see of a colleague's caseload: the overview (who), nothing more."""
    if not colleagues_for_reassignment(user).filter(pk=colleague.pk).exists():
        return Participant.objects.none()
    today = clock.today()
    running = _active_assignments(today).filter(member=colleague).values("participant_id")
    return participants_visible_to(user).filter(pk__in=running)


def programmes_on_caseload(user: User) -> list[Programme]:
    """Programmes in which someone on the user's caseload has an open enrollment the user may see
    (for filters: never a sensitive programme whose membership the user may not see).

    A director's or team member's caseload is the people on whose team they are today; `decide`
    lets them see those people's trajectories, and being on the team is what lets one see a
    sensitive membership. So for them it is the programmes of their own team's open enrollments,
    one query compiled once a day (`core.prepared`) instead of both scopes built and compiled
    every page; held equal to the scopes' answer for every reader of a generated world."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.role not in TEAM_ROLES and user.role != Role.DIRECTOR:
        return list(programmes_on_caseload_by_scope(user))
    today = clock.today()

    def build(ids: list[int]) -> QuerySet[Programme]:
        mine = TeamAssignment.objects.filter(_running(today), member_id__in=ids)
        enrolled = Enrollment.objects.filter(
            participant_id__in=mine.values("participant_id"), state__in=_OPEN_STATE_VALUES
        )
        return Programme.objects.filter(pk__in=enrolled.values("programme_id")).order_by("name")

    return prepared.instances(("access.programmes_on_caseload", today), build, [user.pk])


def programmes_on_caseload_by_scope(user: User) -> QuerySet[Programme]:
    """`programmes_on_caseload` through the scopes (a team lead's caseload is their organisation's)."""
    enrolled = enrollments_visible_to(user).filter(
        participant__in=participants_on_caseload(user), state__in=_OPEN_STATE_VALUES
    )
    return Programme.objects.filter(pk__in=enrolled.values("programme_id")).order_by("name")


def programmes_usable_by(user: User) -> QuerySet[Programme]:
    """Programmes are not personal data: shared templates plus those of municipalities the user works for."""
    org = user.organisation
    if org is None:
        return Programme.objects.filter(municipality__isnull=True, is_active=True)
    served = served_municipality_ids(user) | set(org.works_for.values_list("pk", flat=True))
    return Programme.objects.filter(Q(municipality__isnull=True) | Q(municipality_id__in=served), is_active=True)


def split_by_visibility(user: User, participant_ids: list[int]) -> tuple[list[Participant], int]:
    """For the duplicate warning: the matches this user may open, and how many others exist."""
    visible = list(participants_visible_to(user).filter(pk__in=participant_ids))
    return visible, len(set(participant_ids)) - len(visible)


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """Organisations are not personal data: every logged-in user sees the list."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    return Organisation.objects.order_by("name")


def own_file_of(user: User) -> Participant | None:
    """The participant file of a user with the participant role, if any."""
    if user.role != Role.PARTICIPANT:
        return None
    return participants_visible_to(user).first()


def require_own_file(user: User) -> Participant:
    """The participant's own file, for their own view (404 for anyone else); the look is audited."""
    if user.role != Role.PARTICIPANT:
        raise Http404
    participant = own_file_of(user)
    if participant is None:
        raise Http404
    return require_participant(user, participant.uuid, Action.VIEW, Category.PLAN)


def require_own_plan_agreement(user: User) -> Participant:
    """The participant agrees to their own plan: the one change a participant makes in their own
    file (their agreement to a version). Audited as a change of the plan, for their own file."""
    if user.role != Role.PARTICIPANT:
        raise Http404
    participant = own_file_of(user)
    if participant is None:
        raise Http404
    if participant.processing_restricted_since is not None:
        _audit_denied(user, Action.CHANGE, "participant", str(participant.uuid), Category.PLAN)
        raise ProcessingRestricted
    audit.record_access(
        participant_pk=participant.pk,
        change=True,
        user=user,
        action=AuditAction.CHANGE,
        result=AuditResult.ALLOWED,
        object_type="plan_agreement",
        object_id=str(participant.uuid),
        participants=[str(participant.uuid)],
        categories=[Category.IDENTITY, Category.PLAN],
        purpose=PURPOSE_BY_ROLE[Role.PARTICIPANT],
        legal_basis="eigen_dossier",
    )
    return participant


def referrers_for(participant: Participant) -> QuerySet[Organisation]:
    """Organisations that can refer this participant: the municipality and its contracted partners."""
    return Organisation.objects.filter(
        Q(pk=participant.municipality_id) | Q(works_for=participant.municipality_id)
    ).distinct()


def households_joinable(user: User, participant: Participant) -> QuerySet[Household]:
    """Households of the participant's municipality with at least one member the user may see."""
    return Household.objects.filter(
        municipality_id=participant.municipality_id,
        members__participant__in=participants_visible_to(user),
    ).distinct()


def can_manage_sharing(user: User, participant: Participant) -> bool:
    """Only the responsible municipality (the controller) records and withdraws sharing grants."""
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.DIRECTOR
        and participant.municipality_id in served_municipality_ids(user)
    )


def sharing_grants_of(user: User, participant: Participant) -> list[SharingGrant]:
    """The grant history, the latest first, for those who manage it and for the participant
    themselves; nobody else (compiled once: the file asks on every view)."""
    if can_manage_sharing(user, participant) or (user.role == Role.PARTICIPANT and participant.account_id == user.pk):
        return prepared.instances("access.sharing_grants_of", _sharing_grants, [participant.pk])
    return []


def _sharing_grants(ids: list[int]) -> QuerySet[SharingGrant]:
    return (
        SharingGrant.objects.filter(participant_id__in=ids)
        .select_related("organisation")
        .order_by("-granted_on", "-id")
    )


def can_see_audit_trail(user: User, participant: Participant) -> bool:
    """'Wie heeft dit dossier bekeken': the participant's director, and the participant themselves."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.PARTICIPANT:
        return participant.account_id == user.pk
    if user.role != Role.DIRECTOR:
        return False
    involvement = involvement_of(user, participant)
    return involvement.in_served_municipality or involvement.personally_involved


def audit_trail_of(
    user: User,
    participant: Participant,
    *,
    since: date | None = None,
    until: date | None = None,
    organisation: str = "",
) -> QuerySet[AuditEvent]:
    """Who looked at or changed this participant's data, newest first, in a period and for one
    organisation when asked. The caller has passed `require_participant`, which recorded this look too."""
    if not can_see_audit_trail(user, participant):
        raise PermissionDenied
    events = AuditEvent.objects.filter(subjects__participant_uuid=str(participant.uuid)).order_by("-id")
    if since is not None:
        events = events.filter(occurred_at__date__gte=since)
    if until is not None:
        events = events.filter(occurred_at__date__lte=until)
    if organisation:
        events = events.filter(organisation_name=organisation)
    return events


def audit_trail_organisations(user: User, participant: Participant) -> list[str]:
    """The organisations that appear in this file's trail (for the filter)."""
    if not can_see_audit_trail(user, participant):
        raise PermissionDenied
    return sorted(
        set(
            AuditEvent.objects.filter(subjects__participant_uuid=str(participant.uuid))
            .exclude(organisation_name="")
            .values_list("organisation_name", flat=True)
            .distinct()
        )
    )


def staff_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Full names of staff accounts by id (for the trail: staff may see who looked)."""
    ids = {i for i in user_ids if i}
    return {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)}


def require_controller(user: User, participant_uuid: UUID | str, action: Action = Action.VIEW) -> Participant:
    """For the controller's own acts on a file (sharing, restriction, access requests): the
    responsible municipality's director. Others get 404 or 403 as usual. With Action.CHANGE a
    processing restriction refuses the act, as for any other change."""
    participant = require_participant(user, participant_uuid, action)
    if not can_manage_sharing(user, participant):
        raise PermissionDenied
    return participant


def require_written_access_request(user: User, bsn_index: str, reference: str) -> Participant:
    """The privacy officer answers a written access request (AVG art. 15): the file with this BSN
    in a municipality the officer's municipality serves, for the complete export. Audited as an
    export with that purpose and the request's reference (never the BSN); a file that is not
    there is a logged refusal that names nothing."""
    participant = None
    if user.role == Role.PRIVACY_OFFICER and bsn_index:
        participant = Participant.objects.filter(
            bsn_index=bsn_index, municipality_id__in=served_municipality_ids(user)
        ).first()
    if participant is None:
        _audit_denied(user, Action.EXPORT, "access_request", reference[:64], Category.IDENTITY)
        raise Http404
    audit.record(
        user=user,
        action=AuditAction.EXPORT,
        result=AuditResult.ALLOWED,
        object_type="access_request",
        object_id=reference[:64],
        participants=[str(participant.uuid)],
        categories=list(Category),
        purpose="inzageverzoek",
        legal_basis="avg_artikel_15",
    )
    return participant


def require_export(user: User, participant_uuid: UUID | str) -> Participant:
    """An access-request export: the responsible municipality, or the participant themselves."""
    participant = require_participant(user, participant_uuid, Action.EXPORT)
    if not (can_manage_sharing(user, participant) or participant.account_id == user.pk):
        raise PermissionDenied
    return participant


# --- user administration: no case content, every change of who may do what in the audit chain -----


def may_administer_users(user: User) -> bool:
    """User administrators manage accounts, roles and regions; they see no case content."""
    return user.is_authenticated and user.is_active and user.role == Role.USER_ADMINISTRATOR


def may_hold_api_tokens(user: User) -> bool:
    """Staff may make personal API tokens (the API follows the same door); participants use the site."""
    return user.is_authenticated and user.is_active and user.role != Role.PARTICIPANT


def require_user_administrator(user: User) -> None:
    """User administration pages exist only for user administrators (404 for anyone else, like
    every other identifier route); a refusal is logged."""
    if not may_administer_users(user):
        audit.record(
            user=user if user.is_authenticated else None,
            action=AuditAction.CHANGE,
            result=AuditResult.DENIED,
            object_type="account",
            purpose="gebruikersbeheer",
        )
        raise Http404


def record_account_change(
    user: User, *, object_type: str, object_id: str, what: str, before: dict, after: dict, by: list[str]
) -> None:
    """One audit row for a change of an account or a region, with what it was and what it became
    (staff and organisation data only). Call it in the same transaction as the change."""
    audit.record(
        user=user,
        action=AuditAction.CHANGE,
        result=AuditResult.ALLOWED,
        object_type=object_type,
        object_id=object_id,
        purpose="gebruikersbeheer",
        detail={"wat": what, "voor": before, "na": after, "door": by},
    )


# --- programme data needs: configuration, no case content; every proposal and decision audited -----


def data_need_municipalities(user: User) -> list[int]:
    """Municipalities whose programme data needs the user sees: a municipality's staff their own; a
    partner's staff those it works for (so they can see why they receive what they receive)."""
    org = user.organisation
    if not user.is_authenticated or not user.is_active or org is None or user.role == Role.PARTICIPANT:
        return []
    if org.kind == OrganisationKind.MUNICIPALITY:
        return [org.pk]
    return list(org.works_for.values_list("pk", flat=True))


def may_propose_data_needs(user: User) -> bool:
    """The functional administrator of a municipality proposes what the work in a programme needs."""
    org = user.organisation
    return (
        user.is_authenticated
        and user.is_active
        and user.role == Role.ADMINISTRATOR
        and org is not None
        and org.kind == OrganisationKind.MUNICIPALITY
    )


def may_decide_data_needs(user: User) -> bool:
    """The municipality's directors and privacy officer decide on proposals (never their own)."""
    org = user.organisation
    return (
        user.is_authenticated
        and user.is_active
        and user.role in (Role.DIRECTOR, Role.PRIVACY_OFFICER)
        and org is not None
        and org.kind == OrganisationKind.MUNICIPALITY
    )


def record_data_need_change(user: User, *, need_ids: list[int], what: str, before: dict, after: dict) -> None:
    """One audit row for a proposal, approval, rejection or withdrawal of programme data needs,
    with what it was and what it became (no personal data). Call it in the same transaction."""
    audit.record(
        user=user,
        action=AuditAction.CHANGE,
        result=AuditResult.ALLOWED,
        object_type="data_need",
        object_id=",".join(str(i) for i in need_ids)[:64],
        purpose="gegevensbehoefte",
        detail={"wat": what, "voor": before, "na": after},
    )


def signal_counts_per_colleague(user: User) -> dict[int, dict[str, int]]:
    """For a team lead: per colleague of their organisation, how many live signals of each rule are
    on that colleague's caseload today (counts only, no one named; a sensitive programme's signals
    are left out, since even a count can reveal its membership). One query."""
    if user.role != Role.TEAM_LEAD or user.organisation_id is None:
        return {}
    today = clock.today()
    on_team = Q(
        participant__team__organisation_id=user.organisation_id,
        participant__team__starts_on__lte=today,
        participant__team__role__in=["coach", "docent", "jobcoach", "intermediair", "maatje"],
    ) & (Q(participant__team__ends_on__isnull=True) | Q(participant__team__ends_on__gte=today))
    rows = (
        signal_selectors.live_signals()
        .filter(Q(programme__isnull=True) | Q(programme__is_sensitive=False))
        .filter(on_team)
        .values("participant__team__member_id", "rule")
        .annotate(count=Count("id", distinct=True))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["participant__team__member_id"], {})[row["rule"]] = row["count"]
    return counts


# --- reports -------------------------------------------------------------------------------------

#: roles that see figures of the participants they work with, and may follow a count to names
REPORT_CASE_ROLES = frozenset({Role.DIRECTOR, Role.TEAM_LEAD, *TEAM_ROLES})
#: roles that see aggregates across organisations, always with small counts suppressed, never names
REPORT_AGGREGATE_ROLES = frozenset({Role.PROJECT_LEADER, Role.EVALUATOR})


@dataclass(frozen=True)
class ReportScope:
    """What a reader's figures count and what they may follow to a list of names.

    `counted` holds the enrollments whose figures the reader sees; `listable` those they may see
    by name (always within `counted`). What is counted but not listable is counted, never listed.
    `case_access` False means aggregates only: small counts are always suppressed."""

    counted: QuerySet[Enrollment]
    listable: QuerySet[Enrollment]
    case_access: bool
    municipality_ids: frozenset[int]
    role: str = ""

    def suppressed(self, programmes: Iterable[Programme]) -> bool:
        """Small counts are hidden for aggregate-only readers, and in the figures of a sensitive
        programme for anyone outside the participants' teams (only team roles count nothing but
        their own caseload, so only they are inside every team they count)."""
        if not self.case_access:
            return True
        return self.role not in TEAM_ROLES and any(p.is_sensitive for p in programmes)


def report_municipalities(user: User) -> frozenset[int]:
    """The municipalities whose figures a reader's reports can cover: a municipal user's own and
    those of the regions it is a member of; a partner's, those it works for."""
    org = user.organisation
    if org is None:
        return frozenset()
    if org.kind == OrganisationKind.MUNICIPALITY:
        in_regions = Organisation.objects.filter(regions__in=Region.objects.filter(members=org)).values_list(
            "pk", flat=True
        )
        return frozenset({org.pk, *served_municipality_ids(user), *in_regions})
    return frozenset(org.works_for.values_list("pk", flat=True))


def report_scope(user: User) -> ReportScope:
    """The one rule for report figures (ADR 0015): a coach counts their own caseload, a director
    the residents of the municipalities they serve, a team lead their organisation's caseload, a
    project leader or evaluator every enrollment in their municipalities without names. Other
    roles have no reports (403)."""
    role = user.role
    today = clock.today()
    if not user.is_active or role not in REPORT_CASE_ROLES | REPORT_AGGREGATE_ROLES:
        raise Refusal(_("Uw rol heeft geen rapportages."), code="role_ceiling")
    visible = enrollments_visible_to(user)
    if role in TEAM_ROLES:
        counted = Enrollment.objects.filter(participant__in=participants_on_caseload(user))
        listable = visible.filter(participant__in=participants_on_caseload(user))
    elif role == Role.DIRECTOR:
        counted = Enrollment.objects.filter(participant__municipality_id__in=served_municipality_ids(user))
        listable = visible.filter(pk__in=counted.values("pk"))
    elif role == Role.TEAM_LEAD:
        counted = Enrollment.objects.filter(
            participant__in=Participant.objects.filter(
                Exists(_active_assignments(today).filter(organisation_id=user.organisation_id or 0))
            )
        )
        listable = visible.filter(pk__in=counted.values("pk"))
    else:
        counted = Enrollment.objects.filter(participant__municipality_id__in=report_municipalities(user))
        listable = Enrollment.objects.none()
    municipalities = (
        report_municipalities(user) if role in REPORT_AGGREGATE_ROLES else frozenset(served_municipality_ids(user))
    )
    return ReportScope(
        counted=counted,
        listable=listable,
        case_access=role in REPORT_CASE_ROLES,
        municipality_ids=municipalities,
        role=role,
    )


def record_report(user: User, *, what: str, participants: Iterable[Participant] = ()) -> None:
    """One audit row per report shown or exported; a drill-down names every participant it listed."""
    shown = [str(p.uuid) for p in participants]
    audit.record(
        user=user,
        action=AuditAction.LIST if shown else AuditAction.READ,
        result=AuditResult.ALLOWED,
        object_type=what,
        participants=shown,
        categories=(Category.IDENTITY, Category.TRAJECTORY) if shown else (Category.TRAJECTORY,),
        purpose=PURPOSE_BY_ROLE.get(user.role, ""),
    )


def programmes_reportable_by(user: User) -> QuerySet[Programme]:
    """Programmes a reader can ask figures of: shared templates and those of their municipalities,
    also programmes no longer in use (their history is still reported)."""
    municipalities = report_municipalities(user) | served_municipality_ids(user)
    return Programme.objects.filter(Q(municipality__isnull=True) | Q(municipality_id__in=municipalities))


# --- Import of existing histories -------------------------------------------------------------

#: Roles with case access that may bring their organisation's history in (ADR 0017).
IMPORTING_ROLES = frozenset({Role.DIRECTOR, Role.TEAM_LEAD})


def may_import(user: User) -> bool:
    return (
        user.is_authenticated and user.is_active and user.role in IMPORTING_ROLES and user.organisation_id is not None
    )


def import_municipalities(user: User) -> QuerySet[Organisation]:
    """Municipalities whose residents an import by this user may register: a director's served
    municipalities; a team lead's own municipality, or those their organisation works for."""
    if not may_import(user):
        return Organisation.objects.none()
    org = user.organisation
    assert org is not None
    if user.role == Role.DIRECTOR and served_municipality_ids(user):
        return Organisation.objects.filter(pk__in=served_municipality_ids(user))
    if org.kind == OrganisationKind.MUNICIPALITY:
        return Organisation.objects.filter(pk=org.pk)
    return org.works_for.all()


def import_directors(user: User) -> QuerySet[User]:
    """Who an import may name as a participant's regisseur: active directors of the importer's own
    organisation (so the imported caseload stays within the importer's scope)."""
    if not may_import(user):
        return User.objects.none()
    return User.objects.filter(organisation_id=user.organisation_id or 0, role=Role.DIRECTOR, is_active=True)


def import_categories(user: User, participant: Participant) -> frozenset[str]:
    """Every category an import by this user may write for this participant (one set of fact
    queries): whatever the user may change anyway, and for a director or team lead also what their
    organisation's involvement shares (the participant is on the team of a colleague, e.g. the
    regisseur the file names) — a team lead answers for the organisation's caseload and brings its
    history in."""
    if not may_import(user):
        return frozenset()
    return _import_categories(user, involvement_of(user, participant))


def import_categories_of(user: User, participants: Iterable[Participant]) -> dict[int, frozenset[str]]:
    """`import_categories` for many participants in one set of fact queries (an import in sets)."""
    chosen = list(participants)
    if not may_import(user):
        return {p.pk: frozenset() for p in chosen}
    return {pk: _import_categories(user, found) for pk, found in involvements_of(user, chosen).items()}


#: each distinct answer of `_import_categories` once: an import keeps one per participant, and most
#: participants share a handful (there are only so many sets of categories)
_CATEGORY_SETS: dict[frozenset[str], frozenset[str]] = {}


def _import_categories(user: User, involvement: Involvement) -> frozenset[str]:
    allowed = {c for c in Category if decide(user.role, involvement, Action.CHANGE, c)}
    if involvement.organisation_involved:
        allowed |= {
            c
            for c in Category
            if (c in BASELINE or c in involvement.granted) and c in ROLE_CEILING.get(user.role, frozenset())
        }
    answer = frozenset(allowed)
    return _CATEGORY_SETS.setdefault(answer, answer)


def import_allowed(user: User, participant: Participant, category: str) -> bool:
    return category in import_categories(user, participant)


def record_import(
    user: User, *, participant_uuids: Iterable[UUID | str], batch: str, written: bool, detail: dict
) -> None:
    """One audit row for an import, naming every participant it touched (created, changed, or matched
    and left as they were); a preview that wrote nothing is a read of the matched files."""
    audit.record(
        user=user,
        action=AuditAction.CHANGE if written else AuditAction.READ,
        result=AuditResult.ALLOWED,
        object_type="import",
        object_id=batch,
        participants=[str(u) for u in participant_uuids],
        categories=sorted(Category),
        purpose=PURPOSE_BY_ROLE.get(user.role, ""),
        detail=detail,
    )


def import_match_visible(user: User, participant_ids: list[int]) -> tuple[list[Participant], int]:
    """A possible match an import found, as the duplicate check shows it: the files this user may
    change, and how many others there are (counted, never named)."""
    visible = list(participants_changeable_by(user, Category.TRAJECTORY).filter(pk__in=participant_ids))
    return visible, len(set(participant_ids)) - len(visible)


# --- Studies: pseudonymised extracts for evaluators ------------------------------------------

#: Roles that may ask for and receive a pseudonymised extract (never names, BSN or free text).
RESEARCH_ROLES = frozenset({Role.EVALUATOR, Role.PROJECT_LEADER})


def may_request_study(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in RESEARCH_ROLES and user.organisation_id is not None


def study_deciders_allowed(user: User, requester: User) -> bool:
    """A privacy officer decides on studies of their own organisation, or of a requester whose
    reports cover the officer's municipality."""
    if not (user.is_authenticated and user.is_active and user.role == Role.PRIVACY_OFFICER):
        return False
    return user.organisation_id == requester.organisation_id or (
        user.organisation_id is not None and user.organisation_id in report_municipalities(requester)
    )


def study_enrollments(requester: User) -> QuerySet[Enrollment]:
    """What an extract may hold: the enrollments the requester's reports count, leaving out
    sensitive programmes (their membership alone is too telling for an extract)."""
    if not may_request_study(requester):
        return Enrollment.objects.none()
    return report_scope(requester).counted.exclude(programme__is_sensitive=True)


def record_study(
    user: User, *, what: str, study: str, participants: Iterable[str] = (), detail: dict | None = None
) -> None:
    """One audit row per request, decision or extract; an extract names every participant it holds
    (pseudonymised for the reader, but personal data all the same)."""
    shown = list(participants)
    audit.record(
        user=user,
        action=AuditAction.EXPORT if shown else AuditAction.CHANGE,
        result=AuditResult.ALLOWED,
        object_type=what,
        object_id=study,
        participants=shown,
        categories=(Category.IDENTITY, Category.TRAJECTORY) if shown else (),
        purpose="onderzoek",
        detail=detail or {},
    )
