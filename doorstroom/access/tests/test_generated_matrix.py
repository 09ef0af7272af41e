"""A1 and A2: the policy against the oracle over every role x organisation x involvement x consent x
category x action, and the querysets against the decision in a database world."""

import itertools
import random
from dataclasses import replace
from datetime import timedelta

from django.utils import timezone

import pytest
from stdnum.nl import bsn as bsn_number

from doorstroom.access import policy as access
from doorstroom.access.models import BreakGlassAccess
from doorstroom.access.tests import oracle
from doorstroom.core import clock
from doorstroom.core.crypto import blind_index
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import Enrollment, TeamAssignment, TeamRole
from doorstroom.organisations.models import OrganisationKind, Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.models import Participant, SharingGrant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.models import ProgrammeDataNeed
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.referrals.models import Referral
from doorstroom.signalering.models import Signal
from doorstroom.signalering.registry import RULES

MUNICIPAL = {
    Role.DIRECTOR,
    Role.PROJECT_LEADER,
    Role.ADMINISTRATOR,
    Role.PRIVACY_OFFICER,
    Role.RECORDS_MANAGER,
    Role.PARTICIPANT,
}


def test_the_oracle_and_the_policy_know_the_same_roles_and_categories():
    assert set(oracle.ORACLE) == set(Role.values)
    assert set(access.Category.values) == oracle.ALL
    assert set(access.BASELINE) == oracle.BASELINE


def test_a1_policy_matches_the_oracle_in_every_case(assurance):
    cases = mismatches = 0
    failures = []
    for role, own, involved, consent, referred, category, action in itertools.product(
        Role.values,
        (True, False),
        (True, False),
        ("none", "granted", "withdrawn"),
        (False, True),
        sorted(oracle.ALL),
        oracle.ACTIONS,
    ):
        facts = access.Involvement(
            personally_involved=involved and role != Role.PARTICIPANT,
            organisation_involved=own and role not in MUNICIPAL,
            in_served_municipality=own and role in MUNICIPAL,
            is_own_file=involved and role == Role.PARTICIPANT,
            granted=frozenset({category}) if consent == "granted" else frozenset(),
            referred_here=referred,
        )
        got = access.decide(role, facts, access.Action(action), category)
        want = oracle.expected(
            role,
            own_organisation=own,
            involved=involved,
            consent=consent,
            category=category,
            action=action,
            referred=referred,
        )
        cases += 1
        if got != want:
            mismatches += 1
            failures.append((role, own, involved, consent, referred, category, action, got, want))
    assurance.add("A1 access decision cases", cases)
    assurance.add("A1 mismatches", mismatches)
    assert cases >= 5000
    assert failures == []


@pytest.mark.django_db
def test_a2_querysets_equal_the_decision_in_a_database_world(assurance):
    """26 users (every role, two sides) x 60 participants with random teams and grants (some
    withdrawn, some ended), for every category and for view and change."""
    rnd = random.Random(20261122)  # noqa: S311
    today = clock.today()
    homes = [OrganisationFactory(municipality=True), OrganisationFactory(municipality=True)]
    partners = [OrganisationFactory(kind=OrganisationKind.REINTEGRATION) for _ in homes]
    for partner, home in zip(partners, homes, strict=True):
        partner.works_for.add(home)
    users = []
    for side in (0, 1):
        for role in Role.values:
            org = homes[side] if role in MUNICIPAL else partners[side]
            users.append(UserFactory(role=role, organisation=org))
    participants = []
    grants: dict[tuple[int, int], set[str]] = {}
    team: dict[int, list[tuple[int, int]]] = {}
    # programme data needs, approved by the first municipality only (the second has none), and one
    # proposal never approved: only approved needs of the participant's own municipality count
    programme = ProgrammeFactory()
    approved_needs = {("coach", "plan"), ("coach", "notities"), ("docent", "metingen"), ("jobcoach", "werk_opleiding")}
    decider = next(u for u in users if u.role == Role.PRIVACY_OFFICER and u.organisation == homes[0])
    proposer = next(u for u in users if u.role == Role.ADMINISTRATOR and u.organisation == homes[0])
    for team_role, category in sorted(approved_needs) + [("intermediair", "contact")]:
        ProgrammeDataNeed.objects.create(
            programme=programme,
            municipality=homes[0],
            team_role=team_role,
            category=category,
            statute="participatiewet",
            reason="Nodig voor het werk.",
            state="voorgesteld" if team_role == "intermediair" else "goedgekeurd",
            proposed_by=proposer,
            proposed_at=timezone.now(),
            decided_by=None if team_role == "intermediair" else decider,
        )
    running_roles: dict[tuple[int, int], set[str]] = {}  # (participant, organisation) -> team roles today
    enrolled: set[int] = set()
    municipality_withdrew: dict[tuple[int, int], set[str]] = {}
    team_roles = [TeamRole.COACH, TeamRole.COACH, TeamRole.TEACHER, TeamRole.JOBCOACH, TeamRole.INTERMEDIARY]
    for index in range(60):
        p = ParticipantFactory(municipality=homes[index % 2])
        participants.append(p)
        if rnd.random() < 0.8:
            state = rnd.choice(["aangemeld", "actief", "actief", "gepauzeerd", "afgerond"])
            Enrollment.objects.create(participant=p, programme=programme, referred_by=homes[index % 2], state=state)
            if state != "afgerond":  # a closed enrollment starts no new work
                enrolled.add(p.pk)
        members = rnd.sample(users, k=rnd.randint(0, 5))
        for member in members:
            ended = rnd.random() < 0.2
            team_role = rnd.choice(team_roles)
            TeamAssignment.objects.create(
                participant=p,
                member=member,
                organisation=member.organisation,
                role=team_role,
                starts_on=today - timedelta(days=100),
                ends_on=today - timedelta(days=1) if ended else None,
            )
            if not ended:
                team.setdefault(p.pk, []).append((member.pk, member.organisation_id))
                running_roles.setdefault((p.pk, member.organisation_id), set()).add(team_role)
            if rnd.random() < 0.15:  # the municipality withdrew this category from that organisation
                category = rnd.choice(sorted(approved_needs))[1]
                SharingGrant.objects.create(
                    participant=p,
                    organisation=member.organisation,
                    category=category,
                    legal_basis="wettelijke_taak",
                    granted_on=today - timedelta(days=60),
                    withdrawn_on=today - timedelta(days=10),
                    ending="ingetrokken",
                    recorded_by=users[0],
                )
                municipality_withdrew.setdefault((p.pk, member.organisation_id), set()).add(category)
        for org in rnd.sample([*homes, *partners], k=rnd.randint(0, 3)):
            for category in rnd.sample(sorted(oracle.ALL), k=rnd.randint(1, 5)):
                withdrawn = rnd.random() < 0.3
                SharingGrant.objects.create(
                    participant=p,
                    organisation=org,
                    category=category,
                    legal_basis="toestemming",
                    granted_on=today - timedelta(days=30),
                    withdrawn_on=today if withdrawn else None,
                    recorded_by=users[0],
                )
                if not withdrawn:
                    grants.setdefault((p.pk, org.pk), set()).add(category)
    referred: set[tuple[int, int]] = set()
    for p in participants:
        if rnd.random() < 0.4:
            target = rnd.choice([*homes, *partners])
            state = rnd.choice(["open", "open", "afgewezen", "geaccepteerd"])
            Referral.objects.create(
                participant=p,
                from_organisation=homes[0] if target != homes[0] else homes[1],
                to_organisation=target,
                reason="Vraag om begeleiding",
                created_by=users[0],
                state=state,
            )
            if state == "open":
                referred.add((p.pk, target.pk))
                if rnd.random() < 0.7 and "traject" not in grants.get((p.pk, target.pk), set()):
                    SharingGrant.objects.create(
                        participant=p,
                        organisation=target,
                        category="traject",
                        legal_basis="toestemming",
                        granted_on=today - timedelta(days=5),
                        recorded_by=users[0],
                    )
                    grants.setdefault((p.pk, target.pk), set()).add("traject")
    participants[0].account = next(u for u in users if u.role == Role.PARTICIPANT)  # their own file
    participants[0].save()
    # the automatic grants, made by the service; the oracle says independently which they must be
    enrollment_services.work_grants_sync([p.pk for p in participants])
    automatic = 0
    for p in participants:
        needs = approved_needs if p.pk in enrolled and p.municipality_id == homes[0].pk else set()
        for org in [*homes, *partners]:
            expected_categories = oracle.expected_work_grants(
                needs, running_roles.get((p.pk, org.pk), set()), municipality_withdrew.get((p.pk, org.pk), set())
            )
            made = set(
                SharingGrant.objects.filter(
                    participant=p, organisation=org, origin="werk", withdrawn_on__isnull=True
                ).values_list("category", flat=True)
            )
            manual = grants.get((p.pk, org.pk), set())
            assert made == expected_categories - manual, (p.pk, org.pk)
            automatic += len(made)
            if expected_categories:
                grants.setdefault((p.pk, org.pk), set()).update(expected_categories)
    assert automatic > 0  # the route was exercised
    assurance.add("A2 automatic grants checked", automatic)

    # a sensitive programme beside it, and emergency access (running and expired) for some pairs
    sensitive = ProgrammeFactory(is_sensitive=True)
    for p in rnd.sample(participants, k=20):
        Enrollment.objects.create(participant=p, programme=sensitive, referred_by=homes[0], state="actief")
    emergency: set[tuple[int, int]] = set()
    for user, p in zip(rnd.choices(users, k=30), rnd.choices(participants, k=30), strict=True):
        running = rnd.random() < 0.7
        BreakGlassAccess.objects.create(
            user=user,
            participant=p,
            reason="Crisis",
            started_at=timezone.now() - timedelta(hours=2),
            expires_at=timezone.now() + (timedelta(hours=1) if running else -timedelta(minutes=1)),
        )
        if running:
            emergency.add((user.pk, p.pk))

    # live and closed signals of every rule, some about the sensitive programme
    for p in rnd.sample(participants, k=40):
        for code, rule in rnd.sample(sorted(RULES.items()), k=rnd.randint(1, 3)):
            Signal.objects.create(
                participant=p,
                rule=code,
                category=rule.category,
                programme=rnd.choice([None, programme, sensitive]),
                state=rnd.choice(["open", "gezien", "opgepakt", "gesloten"]),
                opened_on=today - timedelta(days=3),
            )

    # the same BSN in both municipalities (a person who moved), for the search by BSN
    shared_bsns = [f"{100000000 + n:09d}" for n in range(900) if bsn_number.is_valid(f"{100000000 + n:09d}")][:10]
    for index, bsn in enumerate(shared_bsns):
        first, second = participants[2 * index], participants[2 * index + 1]
        for person in (first, second):
            person.bsn = bsn
            person.save(update_fields=["bsn", "bsn_index"])

    pairs = differences = through_referral = facts_checked = files_checked = signals_counted = bsn_found = 0
    problems = []
    for user in users:
        for bsn in shared_bsns:
            scope = access.participants_visible_to(user).filter(bsn_index=blind_index(bsn)).order_by("id")
            expected = list(scope) if access.can_see_bsn(user) else []
            if access.participants_with_bsn(user, bsn) != expected:
                problems.append((user.role, bsn, "participants with a BSN", expected))
            bsn_found += len(expected)
        served = access.served_municipality_ids(user)
        gathered = access.involvements_of(user, participants)
        visible_enrollments = set(access.enrollments_visible_to(user).values_list("participant_id", "pk"))
        counted = access.signal_counts_of(user, participants)
        by_query: dict[int, int] = {}
        among = Participant.objects.filter(pk__in=[p.pk for p in participants])
        for participant_id in access.signals_visible_to(user, among).values_list("participant_id", flat=True):
            by_query[participant_id] = by_query.get(participant_id, 0) + 1
        if counted != by_query:
            problems.append((user.role, "signal counts", counted, by_query))
        signals_counted += sum(by_query.values())
        for enrollment_uuid, enrollment_pk in Enrollment.objects.values_list("uuid", "pk"):
            admitted = access._enrollment_admitted(user, enrollment_uuid)
            if (admitted is not None) != any(pair[1] == enrollment_pk for pair in visible_enrollments):
                problems.append((user.role, enrollment_pk, "enrollment door"))
        for p in participants:
            in_file = {(p.pk, pk) for pk in access.enrollments_in_file(user, p).values_list("pk", flat=True)}
            if in_file != {pair for pair in visible_enrollments if pair[0] == p.pk}:
                problems.append((user.role, p.pk, "enrollments in the file", sorted(in_file)))
            if {(p.pk, pk) for pk in access.enrollment_ids_in_file(user, p)} != in_file:
                problems.append((user.role, p.pk, "enrollment ids in the file"))
            files_checked += 1
        for action in (access.Action.VIEW, access.Action.CHANGE):
            for category in sorted(oracle.ALL):
                scope = set(access.participants_allowed(user, action, category).values_list("pk", flat=True))
                if access.allowed_among(user, gathered, action, category) != scope & set(gathered):
                    problems.append((user.role, action, category, "allowed among a page"))
                for p in participants:
                    on_team = team.get(p.pk, [])
                    granted = frozenset(grants.get((p.pk, user.organisation_id), set()))
                    facts = access.Involvement(
                        personally_involved=any(member == user.pk for member, _ in on_team),
                        organisation_involved=any(org == user.organisation_id for _, org in on_team),
                        in_served_municipality=p.municipality_id in served,
                        is_own_file=p.account_id == user.pk,
                        granted=granted,
                        referred_here=(p.pk, user.organisation_id) in referred and "traject" in granted,
                        break_glass=(user.pk, p.pk) in emergency,
                    )
                    if (action, category) == (access.Action.VIEW, "identiteit"):
                        facts_checked += 1
                        if gathered[p.pk] != facts:  # the facts the doors decide on, gathered right
                            problems.append((user.role, p.pk, "facts", gathered[p.pk], facts))
                    decided = access.decide(user.role, facts, action, category)
                    referral_only = (
                        decided
                        and facts.referred_here
                        and not access.decide(user.role, replace(facts, referred_here=False), action, category)
                    )
                    through_referral += referral_only
                    pairs += 1
                    if decided != (p.pk in scope):
                        differences += 1
                        problems.append((user.role, p.pk, action, category, decided))
    assurance.add("A2 decision = queryset pairs", pairs)
    assurance.add("A2 differences", differences)
    assert problems == []
    assert facts_checked == len(users) * len(participants) and files_checked == facts_checked
    assert signals_counted > 0  # some were visible, so the counting was exercised
    assert emergency and any(p.programme.is_sensitive for p in Enrollment.objects.select_related("programme"))
    assert through_referral > 0  # the referral route was exercised, not only the others
    assert bsn_found > 0  # some searches by BSN found someone, so the comparison had work to do


def test_a1_break_the_glass_matches_the_oracle(assurance):
    cases = 0
    failures = []
    for role, category, action in itertools.product(Role.values, sorted(oracle.ALL), oracle.ACTIONS):
        facts = access.Involvement(
            personally_involved=False,
            organisation_involved=False,
            in_served_municipality=False,
            is_own_file=False,
            break_glass=True,
        )
        got = access.decide(role, facts, access.Action(action), category)
        if got != oracle.expected_break_glass(role, category=category, action=action):
            failures.append((role, category, action, got))
        cases += 1
    assurance.add("A1 access decision cases", cases)
    assurance.add("A1 mismatches", len(failures))
    assert failures == []
