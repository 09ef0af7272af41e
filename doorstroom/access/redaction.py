"""What a reader may see of each record, by what the record says (ADR 0010).

The policy decides who may open a file and which data categories they hold there. This module
turns every record into what that reader may see: a goal or agreement by its life domain, an
event's reason by its meaning, free text (notes of events, plans, contacts, measurements,
referrals, signal handling) as contacts-and-notes data, a sensitive programme (its name, phases,
transfers to it, signals about it) only where its membership is visible, household members as
identity data of each member. Fields a reader may not see are emptied on a copy that cannot be
saved and named in its `withheld`; rows are left out and counted. Every channel (pages, HTMX
fragments, edit forms, version history, the API, PDFs, exports, digests) takes its content from
here, and the marker sweep (tests/test_marker_sweep.py) proves it on content.
"""

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model

from doorstroom.core import categories
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent
from doorstroom.organisations.models import Role, User
from doorstroom.participants.models import HouseholdMember, Participant
from doorstroom.plans import rules as plan_rules
from doorstroom.plans.models import Agreement, Goal, PlanVersion
from doorstroom.programmes.models import reason_catalogue

from . import audit, policy

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Reader:
    """One reader of one participant's file: the categories they may see and change there, and
    whether they may see membership of the participant's sensitive programmes."""

    participant_id: int
    categories: frozenset[str]
    writable: frozenset[str] = frozenset()
    sees_sensitive: bool = False
    user_id: int | None = None
    #: the complete export (AVG art. 15): the participant's own, or the privacy officer's for a
    #: written request; everything held, whoever produced it
    complete: bool = False

    def sees(self, category: str) -> bool:
        """Whether the reader may see data of `category`; a yes is reported to the request's audit
        row, so it names the categories the request actually showed (ADR 0010, issue Dagelijks werk)."""
        if category in self.categories:
            audit.note_shown(self.participant_id, category)
            return True
        return False

    def may_write(self, category: str) -> bool:
        return category in self.writable


def reader_for(user: User, participant: Participant) -> Reader:
    """The reader `user` is of `participant`'s file (one set of fact queries)."""
    if not user.is_authenticated or not user.is_active:
        return Reader(participant_id=participant.pk, categories=frozenset())
    involvement = policy.involvement_of(user, participant)
    view = frozenset(c for c in categories.ALL if policy.decide(user.role, involvement, policy.Action.VIEW, c))
    change = frozenset(c for c in categories.ALL if policy.decide(user.role, involvement, policy.Action.CHANGE, c))
    return Reader(
        participant_id=participant.pk,
        categories=view,
        writable=change,
        sees_sensitive=involvement.sees_sensitive_membership,
        user_id=user.pk,
        complete=user.role == Role.PARTICIPANT and involvement.is_own_file,
    )


def complete_reader(participant: Participant) -> Reader:
    """Everything held about the participant: for their own access request, or the privacy
    officer's answer to a written one."""
    return Reader(
        participant_id=participant.pk,
        categories=frozenset(categories.ALL),
        sees_sensitive=True,
        complete=True,
    )


def _refuse_save(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError("Een afgeschermde kopie is alleen om te tonen en kan niet worden opgeslagen.")


def _shown(instance: M, blank: Mapping[str, Any]) -> M:
    """The instance as shown: the original when nothing is withheld, else a copy with the withheld
    fields emptied that refuses to be saved."""
    if not blank:
        instance.withheld = ()  # type: ignore[attr-defined]
        return instance
    shown = copy.copy(instance)
    for name, value in blank.items():
        setattr(shown, name, value)
    shown.withheld = tuple(blank)  # type: ignore[attr-defined]
    shown.save = _refuse_save  # type: ignore[method-assign]
    return shown


def note_visible(reader: Reader) -> bool:
    """Free text is contacts-and-notes data, whatever page it is on."""
    return reader.sees(categories.NOTES)


# --- programmes and enrollments ------------------------------------------------------------------


def programme_visible(reader: Reader, programme: Any) -> bool:
    """A sensitive programme's name and phases only where its membership is visible."""
    return programme is None or not programme.is_sensitive or reader.sees_sensitive


def enrollments_shown(reader: Reader, enrollments: Iterable[Enrollment]) -> list[Enrollment]:
    """The enrollments the reader may see (programme and phase, sensitive programmes only where
    membership is visible), each with its `timeline` of events as shown (from the `history` that
    `enrollments.selectors.attach_history` put on each)."""
    if not reader.sees(categories.TRAJECTORY):
        return []
    shown = []
    for enrollment in enrollments:
        if not programme_visible(reader, enrollment.programme):
            continue
        enrollment.timeline = [event_shown(reader, e) for e in enrollment.history]  # type: ignore[attr-defined]
        shown.append(enrollment)
    return shown


def reason_category(event_type: str, code: str) -> str:
    """The category of a lifecycle reason by what it says (the reason catalogue places each code)."""
    return reason_catalogue().category(event_type, code)


def event_shown(reader: Reader, event: EnrollmentEvent) -> EnrollmentEvent:
    """An event with its reason only for a reader of the reason's category, its note only for a
    reader of notes, and a transfer target only where that programme's membership is visible."""
    blank: dict[str, Any] = {}
    if event.reason_code and not reader.sees(reason_category(event.event_type, event.reason_code)):
        blank["reason_code"] = ""
    if event.note and not note_visible(reader):
        blank["note"] = ""
    if event.target_programme_id and not programme_visible(reader, event.target_programme):
        blank["target_programme"] = None
    return _shown(event, blank)


# --- plans ---------------------------------------------------------------------------------------


def goal_category(goal: Goal) -> str:
    return plan_rules.domain_category(goal.life_domain)


def agreement_category(agreement: Agreement, goal_domains: Mapping[str, str]) -> str:
    return plan_rules.agreement_category(agreement.life_domain, goal_domains.get(str(agreement.goal_key or ""), ""))


@dataclass
class PlanShown:
    """A plan version as one reader sees it; everything else reads through to the version."""

    version: PlanVersion
    goals: list[Goal]
    agreements: list[Agreement]
    hidden_goals: int = 0
    hidden_agreements: int = 0
    pip_visible: bool = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.version, name)


def plan_shown(
    readers: Reader | Mapping[int, Reader], version: PlanVersion, *, agreements_reader: Reader | None = None
) -> PlanShown:
    """One version of a plan as shown. For a participant's own plan pass their reader; for a
    household plan the readers of the members by participant id (a goal is data of the member it
    is for; a member without a reader is not visible) and, for the household-wide agreements, the
    reader that must hold for every member (None: none of them are shown)."""
    own = readers if isinstance(readers, Reader) else None
    by_member: Mapping[int, Reader] = {} if isinstance(readers, Reader) else readers
    goals, hidden_goals = [], 0
    goal_domains: dict[str, str] = {}
    for goal in version.goals.all():
        goal_domains[str(goal.key)] = goal.life_domain
        reader = own if goal.member_id is None else by_member.get(goal.member_id)
        if reader is not None and reader.sees(categories.PLAN) and reader.sees(goal_category(goal)):
            goals.append(goal)
        else:
            hidden_goals += 1
    agreement_reader = own if own is not None else agreements_reader
    agreements, hidden_agreements = [], 0
    for agreement in version.agreements.all():
        category = agreement_category(agreement, goal_domains)
        if agreement_reader is not None and agreement_reader.sees(categories.PLAN) and agreement_reader.sees(category):
            agreements.append(agreement)
        else:
            hidden_agreements += 1
    notes_reader = own if own is not None else agreements_reader
    blank: dict[str, Any] = {}
    if version.change_note and (notes_reader is None or not note_visible(notes_reader)):
        blank["change_note"] = ""
    return PlanShown(
        version=_shown(version, blank),
        goals=goals,
        agreements=agreements,
        hidden_goals=hidden_goals,
        hidden_agreements=hidden_agreements,
        pip_visible=own is not None and own.sees(categories.PLAN),
    )


def plan_versions_shown(
    readers: Reader | Mapping[int, Reader],
    versions: Iterable[PlanVersion],
    *,
    agreements_reader: Reader | None = None,
) -> list[PlanShown]:
    return [plan_shown(readers, v, agreements_reader=agreements_reader) for v in versions]


def plan_mapping(shown: PlanShown | None) -> dict[str, Any]:
    """A shown version as plain values (the difference, the edit form and the API use these)."""
    from doorstroom.plans import selectors as plan_selectors

    if shown is None:
        return plan_selectors.as_mapping(None)
    return plan_selectors.as_mapping(shown.version, goals=shown.goals, agreements=shown.agreements)


def plan_difference(older: PlanShown | None, newer: PlanShown | None) -> list[str]:
    """What changed between two shown versions: only rows both sides let the reader see."""
    return plan_rules.difference(plan_mapping(older), plan_mapping(newer))


def plan_writable(reader: Reader) -> frozenset[str] | None:
    """The life-domain categories the reader may create or change in a plan (for the service)."""
    if not reader.may_write(categories.PLAN):
        return frozenset()
    return frozenset(c for c in reader.writable)


def life_domains_writable(reader: Reader) -> list[str]:
    """The life domains the reader may put a goal or agreement in (the form offers only these)."""
    return [d for d in plan_rules.LIFE_DOMAINS if reader.may_write(plan_rules.domain_category(d))]


# --- households ----------------------------------------------------------------------------------


@dataclass
class HouseholdShown:
    name: str
    uuid: Any
    members: list[HouseholdMember] = field(default_factory=list)
    hidden_members: int = 0


def households_shown(user: User, memberships: Iterable[HouseholdMember]) -> list[HouseholdShown]:
    """The households of a file with only the members the reader may see (identity data of each
    member); the others as a count. Each household carries its members as `member_list`
    (`participants.selectors.households_of`); one fact query for all of them."""
    memberships = list(memberships)
    all_members = [m for membership in memberships for m in membership.household.member_list]  # type: ignore[attr-defined]
    # nobody to ask about (a file without a household): no facts to gather
    visible = (
        policy.allowed_among(
            user,
            policy.involvements_of(user, [m.participant for m in all_members]),
            policy.Action.VIEW,
            categories.IDENTITY,
        )
        if all_members
        else set()
    )
    shown = []
    for membership in memberships:
        household = membership.household
        members = household.member_list  # type: ignore[attr-defined]
        seen = [m for m in members if m.participant_id in visible]
        shown.append(HouseholdShown(household.name, household.uuid, seen, len(members) - len(seen)))
    return shown


# --- free text on other records ------------------------------------------------------------------


def notes_shown(reader: Reader, instance: M, fields: Iterable[str]) -> M:
    """A record with its free-text fields only for a reader of notes."""
    if note_visible(reader):
        return _shown(instance, {})
    return _shown(instance, {name: "" for name in fields if getattr(instance, name, "")})


#: free-text fields per model, all contacts-and-notes data
NOTE_FIELDS: dict[str, tuple[str, ...]] = {
    "measurements.Measurement": ("note", "override_reason", "correction_reason"),
    "referrals.Referral": ("reason", "decision_note"),
    "contacts.ContactMoment": ("note",),
    "signalering.SignalEvent": ("note",),
    "enrollments.EnrollmentEvent": ("note",),
    "plans.PlanVersion": ("change_note",),
}


def record_notes_shown(reader: Reader, instance: M) -> M:
    return notes_shown(reader, instance, NOTE_FIELDS[instance._meta.label])


def referral_shown(user: User, referral: Any, reader: Reader | None = None) -> Any:
    """A referral's reason and answer are notes, written as a message between its two
    organisations: shown to their staff (who reach it only through their inbox or sent list) and,
    on the file, to a reader of notes."""
    if user.organisation_id is not None and user.organisation_id in (
        referral.from_organisation_id,
        referral.to_organisation_id,
    ):
        return _shown(referral, {})
    return record_notes_shown(
        reader or Reader(participant_id=referral.participant_id, categories=frozenset()), referral
    )


def common_reader(readers: Iterable[Reader]) -> Reader | None:
    """What holds for every one of these readers (a household plan's shared parts)."""
    readers = list(readers)
    if not readers:
        return None
    return Reader(
        participant_id=readers[0].participant_id,
        categories=frozenset.intersection(*(r.categories for r in readers)),
        writable=frozenset.intersection(*(r.writable for r in readers)),
        sees_sensitive=all(r.sees_sensitive for r in readers),
        user_id=readers[0].user_id,
    )


def plan_shown_by_number(shown: Iterable[PlanShown], number: int) -> PlanShown | None:
    return next((s for s in shown if s.number == number), None)
