"""A deterministic synthetic region for demos and benchmarks.

Two municipalities in one region (the centre executes for the other), chain partners, a user for
every role, participants with test BSNs (starting 999, passing the 11-proef), and two years of
enrollment histories made by the same lifecycle rules the application enforces. Everything is
bulk-inserted, so 100,000 participants take minutes.
"""

import dataclasses
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from doorstroom.contacts.models import ContactMoment
from doorstroom.core import bulk
from doorstroom.enrollments import rules
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, EnrollmentTag, TeamAssignment, TeamRole
from doorstroom.enrollments.projection import OUTCOME_CODES, projection_fields
from doorstroom.enrollments.services import eligibility_problems, work_grants_sync
from doorstroom.measurements import catalogue as measurement_catalogue
from doorstroom.measurements import rules as measurement_rules
from doorstroom.measurements.models import Measurement, MeasurementScore, MeasurementType, ScaleVersion
from doorstroom.measurements.series import series_refresh
from doorstroom.organisations.models import Organisation, OrganisationKind, Region, Role, User
from doorstroom.participants.models import (
    BenefitStatus,
    DataCategory,
    GrantEnding,
    Household,
    HouseholdMember,
    HouseholdRelation,
    LegalBasis,
    Participant,
    ResidenceStatus,
    SchoolRegistration,
    SharingGrant,
)
from doorstroom.plans import services as plan_services
from doorstroom.plans.models import Agreement, Goal, Plan, PlanVersion
from doorstroom.programmes.catalogue import load_catalogue
from doorstroom.programmes.models import ContextTag, DataNeedState, Programme, ProgrammeDataNeed
from doorstroom.programmes.rules import REASONS
from doorstroom.referrals.models import Referral

from .names import FAMILY_NAMES, GIVEN_NAMES, LANGUAGES

DEMO_PASSWORD = "Doorstroom-demo-2026"
BATCH = 5000
#: the named demo coaches follow the first participants; beyond these, each participant goes to a
#: caseload coach ("coach.pool.0001", ...) with at most POOL_CASELOAD people, as in a real city
DEMO_COACHES_FOLLOW = 3000
POOL_CASELOAD = 250

#: username, first name, last name, organisation key, role, is_staff
DEMO_USERS = [
    ("regisseur", "Ria", "Regisseur", "enschede", Role.DIRECTOR, False),
    ("regisseur.hengelo", "Hans", "Hulshof", "hengelo", Role.DIRECTOR, False),
    ("coach", "Carla", "Coach", "ldh", Role.COACH, False),
    ("coach2", "Karim", "Bouali", "ldh", Role.COACH, False),
    ("coach.5050", "Wendy", "Wessels", "5050", Role.COACH, False),
    ("docent", "Dirk", "Docent", "roc", Role.TEACHER, False),
    ("jobcoach", "Joyce", "Jobcoach", "5050", Role.JOBCOACH, False),
    ("intermediair", "Ivan", "Intermediair", "secondchance", Role.INTERMEDIARY, False),
    ("werkgever", "Wim", "Werkgever", "employer", Role.EMPLOYER, False),
    ("projectleider", "Petra", "Projectleider", "enschede", Role.PROJECT_LEADER, False),
    ("onderzoeker", "Omar", "Onderzoeker", "research", Role.EVALUATOR, False),
    ("teamleider", "Tineke", "Teamleider", "ldh", Role.TEAM_LEAD, False),
    ("beheerder", "Bert", "Beheerder", "enschede", Role.ADMINISTRATOR, True),
    ("privacy", "Priya", "Privacy", "enschede", Role.PRIVACY_OFFICER, False),
    ("archivaris", "Arjan", "Archivaris", "enschede", Role.RECORDS_MANAGER, False),
    ("gebruikersbeheer", "Gijs", "Gebruikersbeheer", "enschede", Role.USER_ADMINISTRATOR, False),
    ("gebruikersbeheer2", "Gerda", "Goedkeurder", "enschede", Role.USER_ADMINISTRATOR, False),
    ("deelnemer", "", "", "enschede", Role.PARTICIPANT, False),
]

ORGANISATIONS = {
    "enschede": ("Gemeente Enschede", OrganisationKind.MUNICIPALITY, []),
    "hengelo": ("Gemeente Hengelo", OrganisationKind.MUNICIPALITY, []),
    "ldh": ("Leger des Heils Twente", OrganisationKind.REINTEGRATION, ["enschede", "hengelo"]),
    "5050": ("50|50 Workcenter", OrganisationKind.REINTEGRATION, ["enschede"]),
    "roc": ("ROC van Twente", OrganisationKind.SCHOOL, ["enschede", "hengelo"]),
    "welzijn": ("Welzijn Hengelo", OrganisationKind.WELFARE, ["hengelo"]),
    "secondchance": ("Stichting Second Chance", OrganisationKind.INTERMEDIARIES, ["enschede"]),
    "employer": ("Bouwbedrijf Twentekanaal", OrganisationKind.EMPLOYER, ["enschede"]),
    "research": ("Onderzoeksbureau Evaluatie & Effect", OrganisationKind.WELFARE, ["enschede", "hengelo"]),
}


def test_bsns() -> Iterator[str]:
    """Numbers starting 999 that pass the 11-proef, in order (about 90,000 exist)."""
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    for n in range(999_000_000, 1_000_000_000):
        digits = str(n)
        if sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0:
            yield digits


@dataclass
class SimulatedEnrollment:
    programme: Programme
    facts: list[rules.EventFact] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)  # per event: reason label data, target programme


def _ensure_organisations() -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for key, (name, kind, _) in ORGANISATIONS.items():
        orgs[key], _created = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
    for key, (_, _, works_for) in ORGANISATIONS.items():
        orgs[key].works_for.set([orgs[k] for k in works_for])
    region, _created = Region.objects.get_or_create(name="Regio Twente (demo)", defaults={"centre": orgs["enschede"]})
    region.members.set([orgs["enschede"], orgs["hengelo"]])
    region.executes_for.set([orgs["hengelo"]])
    return orgs


def ensure_administration_group() -> Group:
    """Functioneel beheer: design programmes and keep organisations up to date; never accounts,
    roles or regions' reach (two user administrators change those) and never case content."""
    group, _created = Group.objects.get_or_create(name="Functioneel beheer")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="programmes")
        | Permission.objects.filter(content_type__app_label="organisations", content_type__model="organisation")
        | Permission.objects.filter(codename="view_region")
    )
    return group


def _ensure_users(orgs: dict[str, Organisation]) -> dict[str, User]:
    administration = ensure_administration_group()
    users: dict[str, User] = {}
    for username, first, last, org_key, role, is_staff in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, role=role, is_staff=is_staff)
            user.organisation = orgs[org_key]
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role == Role.ADMINISTRATOR:
                user.groups.add(administration)
        users[username] = user
    return users


class Simulator:
    """Walks one enrollment through the lifecycle with plausible timing, using the real rules."""

    def __init__(self, rnd: random.Random, today: date) -> None:
        self.rnd = rnd
        #: choices added later draw from their own stream, so the main one (and the demo) stays the same
        # seeded from the main stream's state without reading from it; only its numbers, because the state
        # also holds None, whose hash is its address on Python 3.11 and so differs in every process
        self.aside = random.Random(hash(rnd.getstate()[1]))  # noqa: S311 - synthetic demo data
        self.today = today
        self.seq = 0

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def run(self, programme: Programme, phase_weeks: list[int | None], start: date) -> SimulatedEnrollment:
        rnd = self.rnd
        sim = SimulatedEnrollment(programme)
        day = start

        def add(event_type: rules.EventType, on: date, **kwargs: Any) -> bool:
            if sim.facts:
                on = max(on, sim.facts[-1].occurred_on)  # never before the previous step
            if on > self.today:
                return False
            sim.facts.append(rules.EventFact(seq=self._next_seq(), event_type=event_type, occurred_on=on, **kwargs))
            return True

        add(rules.EventType.REFERRED, day, note="Aangemeld na gesprek bij de gemeente.")
        if rnd.random() < 0.6:
            day += timedelta(days=rnd.randint(5, 21))
            if not add(rules.EventType.INTAKE_HELD, day):
                return sim
        if rnd.random() < 0.12:
            day += timedelta(days=rnd.randint(3, 30))
            add(
                rules.EventType.NOT_STARTED,
                day,
                reason_code=rnd.choice(_reason_codes("niet_gestart")),
                note="Besproken met de deelnemer.",
            )
            return sim
        day += timedelta(days=rnd.randint(7, 30))
        if not add(rules.EventType.STARTED, day, phase_position=1 if phase_weeks else None):
            return sim
        for index, weeks in enumerate(phase_weeks or [None]):
            span = int((weeks or rnd.randint(8, 20)) * 7 * rnd.uniform(0.7, 1.4))
            if rnd.random() < 0.12:
                pause_on = day + timedelta(days=rnd.randint(10, max(11, span // 2)))
                if not add(rules.EventType.PAUSED, pause_on, reason_code=rnd.choice(_reason_codes("gepauzeerd"))):
                    return sim
                resume_on = pause_on + timedelta(days=rnd.randint(14, 120))
                if rnd.random() < 0.25:
                    add(
                        rules.EventType.DROPPED_OUT,
                        resume_on,
                        reason_code="gezondheid",
                        note="Na de pauze niet teruggekomen.",
                    )
                    return sim
                if not add(rules.EventType.RESUMED, resume_on):
                    return sim
                span += (resume_on - pause_on).days
            if rnd.random() < 0.07:
                add(
                    rules.EventType.DROPPED_OUT,
                    day + timedelta(days=rnd.randint(7, max(8, span))),
                    reason_code=rnd.choice(_reason_codes("uitgevallen")),
                    note="Uitval besproken in het team.",
                )
                return sim
            day += timedelta(days=span)
            if rnd.random() < 0.03:
                sim.extra.append({"transfer_on": day})
                add(
                    rules.EventType.TRANSFERRED,
                    day,
                    reason_code="past_beter",
                    note="Past beter bij een ander programma.",
                )
                return sim
            if (
                phase_weeks
                and index + 1 < len(phase_weeks)
                and not add(rules.EventType.PHASE_CHANGED, day, phase_position=index + 2)
            ):
                return sim
        outcomes = [o.outcome_type for o in programme.outcomes.all()] or ["certificaat"]
        chosen = tuple(rnd.sample(outcomes, k=rnd.randint(1, min(2, len(outcomes)))))
        if self.aside.random() < 0.1:  # finished, but without a positive result (its own stream)
            add(rules.EventType.COMPLETED, day, reason_code=rules.WITHOUT_FOLLOW_UP, note="Traject afgerond.")
        else:
            add(rules.EventType.COMPLETED, day, outcomes=chosen, note="Traject afgerond.")
        return sim


#: the reasons the demo draws from, in a fixed order (a different number of choices would change the
#: random stream, and with it every demo that tests rely on); all are codes of the shipped catalogue
DEMO_REASONS = {
    "niet_gestart": [
        "niet_geschikt",
        "geen_motivatie",
        "gezondheid",
        "detentie",
        "zorgtaken",
        "ander_traject",
        "onbereikbaar",
        "overig",
    ],
    "gepauzeerd": [
        "zwangerschap",
        "ziekte",
        "verslavingszorg",
        "ggz",
        "detentie",
        "schulden",
        "zorgtaken",
        "verhuizing",
        "vakantie",
        "overig",
    ],
    "uitgevallen": [
        "motivatie",
        "gezondheid",
        "verslavingszorg",
        "ggz",
        "zwangerschap",
        "schulden",
        "zorgtaken",
        "verhuizing",
        "detentie",
        "onbereikbaar",
        "ander_werk",
        "overig",
    ],
}


def _reason_codes(step: str) -> list[str]:
    shipped = {code for code, _label, _category in REASONS[step]}
    return [code for code in DEMO_REASONS[step] if code in shipped]


def _participant_for(programme: Programme, rnd: random.Random, today: date) -> dict[str, Any]:
    min_age = programme.min_age or 18
    max_age = programme.max_age or 60
    age = rnd.randint(min_age + 1, max_age) if max_age > min_age + 1 else min_age + 1
    dob = today - timedelta(days=age * 365 + rnd.randint(0, 300))
    civic = programme.requires_civic_integration_duty or rnd.random() < 0.3
    if programme.requires_residence_permit or civic:
        residence = rnd.choice([ResidenceStatus.ASYLUM_PERMIT, ResidenceStatus.REGULAR_PERMIT, ResidenceStatus.EU])
    else:
        residence = rnd.choice(list(ResidenceStatus))
    prefix, family = rnd.choice(FAMILY_NAMES)
    return {
        "given_name": rnd.choice(GIVEN_NAMES),
        "family_name_prefix": prefix,
        "family_name": family,
        "date_of_birth": dob,
        "residence_status": residence,
        "benefit_status": rnd.choice([BenefitStatus.SOCIAL_ASSISTANCE] * 4 + list(BenefitStatus)),
        "civic_integration_duty": civic,
        "languages": sorted(set(rnd.sample(LANGUAGES, k=rnd.randint(1, 3)) + ["nl"] * (rnd.random() < 0.5))),
    }


@transaction.atomic
def _caseload_coaches(orgs: dict[str, Organisation], participants: int, follow: int, caseload: int) -> list[User]:
    """Enough coaches for realistic caseloads at T2 and T3 (one password hash, shared: demo only)."""
    needed = max(0, -(-(participants - follow) // caseload))
    names = [f"coach.pool.{n:04d}" for n in range(1, needed + 1)]
    existing = {u.username: u for u in User.objects.filter(username__in=names)}
    password = make_password(DEMO_PASSWORD) if len(existing) < needed else ""
    User.objects.bulk_create(
        [
            User(
                username=name,
                first_name="Coach",
                last_name=name.rsplit(".", 1)[1],
                role=Role.COACH,
                organisation=orgs["ldh"],
                password=password,
            )
            for name in names
            if name not in existing
        ]
    )
    by_name = {u.username: u for u in User.objects.filter(username__in=names).select_related("organisation")}
    return [by_name[name] for name in names]


def generate(
    *,
    participants: int,
    seed: int,
    today: date,
    verbose: bool = False,
    progress: Callable[[int, int], None] | None = None,
    coaches_follow: int = DEMO_COACHES_FOLLOW,
    pool_caseload: int = POOL_CASELOAD,
) -> dict[str, int]:
    """Create (or top up) the demo region. Deterministic for a given seed and date. `progress` is
    told (participants made, participants asked) after every batch."""
    rnd = random.Random(seed)  # noqa: S311 - synthetic demo data, not security
    load_catalogue()
    measurement_catalogue.load(django_apps)
    orgs = _ensure_organisations()
    users = _ensure_users(orgs)
    programmes = list(Programme.objects.prefetch_related("phases", "outcomes").order_by("code"))
    phase_ids = {p.pk: {ph.position: ph for ph in p.phases.all()} for p in programmes}
    phase_weeks = {p.pk: [ph.expected_weeks for ph in p.phases.all()] for p in programmes}
    directors = {"enschede": users["regisseur"], "hengelo": users["regisseur.hengelo"]}
    coaches = {
        "enschede": [users["coach"], users["coach2"], users["coach.5050"]],
        "hengelo": [users["coach"], users["coach2"]],
    }
    used = set(Participant.objects.filter(bsn_index__isnull=False).values_list("bsn", flat=True))  # decrypted
    bsns = (bsn for bsn in test_bsns() if bsn not in used)
    simulator = Simulator(rnd, today)
    already = Participant.objects.count()
    pool = _caseload_coaches(orgs, already + participants, coaches_follow, pool_caseload)
    instruments = {m.code: m.current_scale() for m in MeasurementType.objects.filter(is_active=True)}
    start_of_history = today - timedelta(days=730)

    made = {"participants": 0, "enrollments": 0, "events": 0}
    for batch_start in range(0, participants, BATCH):
        size = min(BATCH, participants - batch_start)
        people: list[Participant] = []
        plans: list[tuple[str, Programme, SimulatedEnrollment]] = []
        for _ in range(size):
            key = "enschede" if rnd.random() < 0.65 else "hengelo"
            programme = rnd.choice(programmes)
            data = _participant_for(programme, rnd, today)
            bsn = next(bsns, None) if rnd.random() < 0.85 else None
            people.append(Participant(municipality=orgs[key], bsn=bsn, **data))
            start = start_of_history + timedelta(days=rnd.randint(0, 720))
            plans.append((key, programme, simulator.run(programme, phase_weeks[programme.pk], start)))
        Participant.objects.bulk_create(people, batch_size=BATCH)
        if batch_start == 0 and not Participant.objects.filter(account=users["deelnemer"]).exists():
            people[0].account = users["deelnemer"]
            people[0].save(update_fields=["account"])
            users["deelnemer"].first_name = people[0].given_name
            users["deelnemer"].last_name = people[0].family_name
            users["deelnemer"].save(update_fields=["first_name", "last_name"])

        enrollments: list[Enrollment] = []
        event_rows: list[tuple[int, rules.EventFact, User, Programme | None]] = []
        assignments: list[TeamAssignment] = []
        grants: list[SharingGrant] = []
        measured: list[tuple[Participant, User, date, date | None]] = []
        for offset, (person, (key, programme, sim)) in enumerate(zip(people, plans, strict=True)):
            coach = rnd.choice(coaches[key])
            number = already + batch_start + offset
            if number >= coaches_follow:
                coach = pool[(number - coaches_follow) // pool_caseload]
            chain = [(programme, sim)]
            if sim.extra and sim.facts[-1].event_type == rules.EventType.TRANSFERRED:
                moved_on = sim.facts[-1].occurred_on
                targets = [
                    p for p in programmes if p.pk != programme.pk and not eligibility_problems(person, p, moved_on)
                ] or [programme]
                target = rnd.choice(targets)
                chain.append((target, simulator.run(target, phase_weeks[target.pk], sim.facts[-1].occurred_on)))
            previous: Enrollment | None = None
            last_end: date | None = None
            for index, (prog, run) in enumerate(chain):
                target_programme = chain[index + 1][0] if index + 1 < len(chain) else None
                if target_programme is not None:  # the transfer names where it went, as the service records it
                    run.facts[-1] = dataclasses.replace(run.facts[-1], target_programme_id=target_programme.pk)
                projection = rules.replay(run.facts, phase_count=len(phase_weeks[prog.pk]), outcome_codes=OUTCOME_CODES)
                fields = projection_fields(projection, list(phase_ids[prog.pk].values()))
                enrollment = Enrollment(
                    participant=person,
                    programme=prog,
                    referred_by=orgs[key] if index == 0 else coach.organisation,
                    version=len(run.facts),
                    **fields,
                )
                enrollment._transferred_from = previous  # type: ignore[attr-defined]
                enrollments.append(enrollment)
                event_rows.extend((len(enrollments) - 1, fact, coach, target_programme) for fact in run.facts)
                previous = enrollment
                last_end = projection.ended_on
            still_open = last_end is None
            team_end: date | None = None
            if last_end is not None:
                team_end = min(today, last_end + timedelta(days=rnd.randint(0, 60)))
            first_day = chain[0][1].facts[0].occurred_on
            assignments.append(
                TeamAssignment(
                    participant=person,
                    member=directors[key],
                    organisation=orgs[key],
                    role=TeamRole.DIRECTOR,
                    starts_on=first_day,
                    ends_on=team_end,
                )
            )
            assignments.append(
                TeamAssignment(
                    participant=person,
                    member=coach,
                    organisation=coach.organisation,
                    role=TeamRole.COACH,
                    starts_on=first_day,
                    ends_on=team_end,
                )
            )
            grants.extend(_grants_for(person, coach, directors[key], first_day, today, rnd, PARTNER_CATEGORIES))
            measured.append((person, coach, first_day, last_end))
            if still_open and rnd.random() < 0.15:
                teacher = users["docent"]
                grants.extend(_grants_for(person, teacher, directors[key], first_day, today, rnd, SCHOOL_CATEGORIES))
                assignments.append(
                    TeamAssignment(
                        participant=person,
                        member=teacher,
                        organisation=teacher.organisation,
                        role=TeamRole.COACH,
                        starts_on=first_day,
                    )
                )
            if still_open and key == "enschede" and prog.code == "enschede-complexe-gezinnen" and rnd.random() < 0.5:
                go_between = users["intermediair"]
                grants.extend(
                    _grants_for(person, go_between, directors[key], first_day, today, rnd, INTERMEDIARY_CATEGORIES)
                )
                assignments.append(
                    TeamAssignment(
                        participant=person,
                        member=go_between,
                        organisation=go_between.organisation,
                        role=TeamRole.COACH,
                        starts_on=first_day,
                    )
                )
        Enrollment.objects.bulk_create(enrollments, batch_size=BATCH)
        for enrollment in enrollments:
            source = getattr(enrollment, "_transferred_from", None)
            if source is not None:
                enrollment.transferred_from = source
        Enrollment.objects.bulk_update(
            [e for e in enrollments if e.transferred_from_id], ["transferred_from"], batch_size=BATCH
        )
        events = []
        for index, fact, actor, transfer_target in event_rows:
            enrollment = enrollments[index]
            events.append(
                EnrollmentEvent(
                    enrollment=enrollment,
                    event_type=fact.event_type.value,
                    occurred_on=fact.occurred_on,
                    actor=actor,
                    actor_organisation=actor.organisation,
                    note=fact.note,
                    reason_code=fact.reason_code,
                    phase=phase_ids[enrollment.programme_id].get(fact.phase_position) if fact.phase_position else None,
                    outcomes=list(fact.outcomes),
                    organisation=enrollment.referred_by if fact.event_type == rules.EventType.REFERRED else None,
                    target_programme=transfer_target if fact.event_type == rules.EventType.TRANSFERRED else None,
                )
            )
        bulk.write_objects(events)
        _context_tags(events, made["enrollments"])
        bulk.write_objects(assignments)
        bulk.write_objects(grants)
        households = _households(people, rnd)
        _children(households, rnd, today, {d.organisation_id or 0: d for d in directors.values()})
        _household_plans(households, rnd, today)
        _measurements(measured, instruments, rnd, today)
        _contacts_and_plans(measured, rnd, today)
        made["participants"] += len(people)
        made["enrollments"] += len(enrollments)
        made["events"] += len(events)
        if verbose:
            print(
                f"  {made['participants']} deelnemers, {made['enrollments']} inschrijvingen, "
                f"{made['events']} gebeurtenissen"
            )
        if progress is not None:
            progress(made["participants"], participants)
    _referrals(orgs, directors["enschede"], rnd, today)
    _own_file(users["deelnemer"], users["coach"], instruments, today)
    _data_needs(programmes, orgs["enschede"], users["beheerder"], users["privacy"])
    fresh_statistics()
    work_grants_sync(list(Participant.objects.values_list("pk", flat=True)))
    return made


def fresh_statistics(*of: type[Model]) -> None:
    """Let PostgreSQL's planner see rows just loaded (of these models' tables; none named: all)
    before anything queries them. Autovacuum's statistics lag a bulk load: at T3 the grants phase
    was planned as if a participant had 11,700 grants and read all 5.2 million of them for every
    batch of 500 (about 20 minutes)."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in of)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")  # noqa: S608  # nosec B608 - the models' own table names


#: how often a context was noted for a trajectory that ended with a positive result, and for others
#: (made up, so that the demo's "what works for whom" table has something to compare)
DEMO_TAG_CHANCES = {
    "maatje": (0.45, 0.2),
    "huisbezoek_bij_start": (0.5, 0.35),
    "taal_op_de_werkvloer": (0.4, 0.15),
    "intermediair_ingezet": (0.25, 0.2),
}


def _context_tags(events: list[EnrollmentEvent], batch: int) -> None:
    """Contexts noted at the start of started trajectories, from their own random stream (the
    main stream, and so the rest of the demo, stays as it was)."""
    aside = random.Random(f"werkwijze-{batch}")  # noqa: S311 - synthetic demo data
    tags = {t.code: t for t in ContextTag.objects.filter(code__in=DEMO_TAG_CHANCES)}
    started: dict[int, EnrollmentEvent] = {}
    through: set[int] = set()
    for event in events:
        if event.event_type == rules.EventType.STARTED:
            started.setdefault(event.enrollment_id, event)
        elif event.event_type == rules.EventType.COMPLETED and event.outcomes:
            through.add(event.enrollment_id)
    rows = []
    for enrollment_id, event in started.items():
        for code, (with_result, without) in DEMO_TAG_CHANCES.items():
            if code in tags and aside.random() < (with_result if enrollment_id in through else without):
                rows.append(
                    EnrollmentTag(
                        enrollment_id=enrollment_id, tag=tags[code], added_on=event.occurred_on, added_by=event.actor
                    )
                )
    bulk.write_objects(rows)


def _own_file(account: User, coach: User, instruments: dict[str, ScaleVersion | None], today: date) -> None:
    """The demo participant's own file has something to see: a plan with goals and agreements,
    contact moments with notes, and a language baseline (through the services, like real work)."""
    from doorstroom.contacts import services as contact_services
    from doorstroom.enrollments.selectors import trajectory_start
    from doorstroom.measurements import services as measurement_services

    person = Participant.objects.filter(account=account).first()
    if person is None:
        return
    started = trajectory_start(person) or today - timedelta(days=60)
    author = next((a.member for a in person.team.select_related("member") if a.member.is_active), coach)
    if not Plan.objects.filter(participant=person).exists():
        plan_services.plan_save(
            participant=person,
            actor=author,
            expected_version=0,
            goals=[
                {"life_domain": "taal", "description": "Op B1 een gesprek voeren op het werk", "status": "open"},
                {"life_domain": "werk", "description": "Een vaste baan van 24 uur per week", "status": "open"},
            ],
            agreements=[
                {
                    "life_domain": "werk",
                    "what": "Twee sollicitaties per maand, samen voorbereid",
                    "due_on": today + timedelta(days=30),
                    "monitor": "De coach",
                    "if_not_kept": "Samen bekijken wat in de weg zat",
                    "look_back_on": today + timedelta(days=45),
                    "status": "open",
                }
            ],
            review_on=today + timedelta(days=90),
        )
    if not person.contacts.exclude(note="").exists():
        for days, note in (
            (21, "Kennismaking: verwachtingen en eerste doelen besproken."),
            (7, "Voortgang taal besproken."),
        ):
            contact_services.contact_record(
                participant=person,
                actor=author,
                kind="gesprek",
                status="gehouden",
                occurred_on=max(started, today - timedelta(days=days)),
                attendance="verschenen",
                minutes=45,
                note=note,
            )
    scale = instruments.get("taalniveau")
    if scale is not None and not person.measurements.exists():
        measurement_services.measurement_record(
            participant=person,
            measurement_type=scale.measurement_type,
            moment="nulmeting",
            measured_on=max(started, today - timedelta(days=14)),
            scores={"lezen": 1, "luisteren": 2, "schrijven": 1, "spreken": 2},
            actor=author,
        )


#: What the work in every demo programme needs per team role, approved by the privacy officer of
#: Enschede (which executes the task for Hengelo too). Health and justice are never among them.
DEMO_DATA_NEEDS = {
    # school and work are the jobcoach's and the teacher's part; a coach asks the director for them
    TeamRole.COACH: (DataCategory.CONTACT, DataCategory.PLAN, DataCategory.MEASUREMENTS, DataCategory.NOTES),
    TeamRole.TEACHER: (DataCategory.MEASUREMENTS, DataCategory.WORK_EDUCATION),
    TeamRole.JOBCOACH: (DataCategory.CONTACT, DataCategory.WORK_EDUCATION, DataCategory.NOTES),
    TeamRole.INTERMEDIARY: (DataCategory.CONTACT,),
}


def _data_needs(programmes: list[Programme], municipality: Organisation, proposer: User, approver: User) -> None:
    """Approved data needs for every programme, and one proposal still waiting for a decision."""
    if ProgrammeDataNeed.objects.exists():
        return
    now = timezone.now()
    needs = [
        ProgrammeDataNeed(
            programme=programme,
            municipality=municipality,
            team_role=team_role,
            category=category,
            statute="wet_inburgering" if programme.requires_civic_integration_duty else "participatiewet",
            reason="De begeleiding in deze rol kan haar werk niet doen zonder deze gegevens.",
            state=DataNeedState.APPROVED,
            proposed_by=proposer,
            proposed_at=now,
            decided_by=approver,
            decided_at=now,
        )
        for programme in programmes
        for team_role, categories in DEMO_DATA_NEEDS.items()
        for category in categories
    ]
    if programmes:
        needs.append(
            ProgrammeDataNeed(
                programme=programmes[0],
                municipality=municipality,
                team_role=TeamRole.INTERMEDIARY,
                category=DataCategory.PLAN,
                statute="participatiewet",
                reason="De sleutelpersoon bespreekt de doelen met de deelnemer in de eigen taal.",
                proposed_by=proposer,
                proposed_at=now,
            )
        )
    ProgrammeDataNeed.objects.bulk_create(needs)


def _referrals(orgs: dict[str, Organisation], director: User, rnd: random.Random, today: date) -> None:
    """A handful of referrals from the municipality to partners, with the participant's consent
    to share programme and phase: most still waiting (the partners' inboxes), one declined."""
    grants: list[SharingGrant] = []
    referrals: list[Referral] = []
    for key in ("ldh", "5050", "roc"):
        target = orgs[key]
        candidates = (
            Participant.objects.filter(municipality=orgs["enschede"])
            .exclude(team__organisation=target)
            .exclude(sharing_grants__organisation=target, sharing_grants__category="traject")
            .exclude(referrals__to_organisation=target)
            .order_by("-id")[:3]
        )
        for index, person in enumerate(candidates):
            grants.append(
                SharingGrant(
                    participant=person,
                    organisation=target,
                    category="traject",
                    legal_basis="toestemming",
                    granted_on=today - timedelta(days=rnd.randint(2, 20)),
                    recorded_by=director,
                )
            )
            declined = index == 2
            referrals.append(
                Referral(
                    participant=person,
                    from_organisation=orgs["enschede"],
                    to_organisation=target,
                    reason=rnd.choice(REFERRAL_REASONS),
                    created_by=director,
                    state="afgewezen" if declined else "open",
                    decline_reason="geen_plek" if declined else "",
                    decided_at=timezone.now() if declined else None,
                )
            )
    SharingGrant.objects.bulk_create(grants)
    Referral.objects.bulk_create(referrals)


REFERRAL_REASONS = (
    "Wil graag aan het werk in de techniek; heeft steun nodig bij solliciteren.",
    "Zoekt een taalcursus naast het vrijwilligerswerk.",
    "Heeft begeleiding nodig bij het opbouwen van een dagritme.",
)


def _measurements(
    measured: list[tuple[Participant, User, date, date | None]],
    instruments: dict[str, ScaleVersion | None],
    rnd: random.Random,
    today: date,
) -> None:
    """Baselines at intake for most participants, and a follow-up after a few months for those
    who stayed long enough, mostly a little better (bulk, like the rest of the demo)."""
    rows: list[tuple[Measurement, dict[str, int]]] = []
    for person, coach, first_day, ended in measured:
        if rnd.random() > 0.7:
            continue
        intake = min(today, first_day + timedelta(days=rnd.randint(7, 28)))
        last = min(today, ended or today)
        follow_up = intake + timedelta(days=rnd.randint(90, 200))
        language = {skill: rnd.randint(0, 3) for skill in ("lezen", "luisteren", "schrijven", "spreken")}
        zrm = {code: rnd.randint(1, 4) for code in ZRM_DOMAINS}
        answers = {code: int(rnd.random() < chance) for code, chance in LADDER_CHANCES}
        plan: list[tuple[str, dict[str, int]]] = [
            ("taalniveau", language),
            ("zrm", zrm),
            ("participatieladder", answers),
        ]
        for code, scores in plan:
            scale = instruments.get(code)
            if scale is None:
                continue
            base = dict(scores)
            if code == "participatieladder":
                base["trede"] = measurement_rules.ladder_rung(base)
            rows.append(
                (
                    Measurement(
                        participant=person, scale=scale, moment="nulmeting", measured_on=intake, recorded_by=coach
                    ),
                    base,
                )
            )
            if follow_up <= last:
                top = 6 if code == "taalniveau" else 5
                better = {k: min(v + rnd.choice((0, 0, 1, 1, 2)), top) for k, v in scores.items()}
                if code == "participatieladder":
                    better = {**scores, "sociaal_contact": 1, "georganiseerde_activiteit": int(rnd.random() < 0.8)}
                    better["trede"] = measurement_rules.ladder_rung(better)
                rows.append(
                    (
                        Measurement(
                            participant=person,
                            scale=scale,
                            moment="vervolgmeting",
                            measured_on=follow_up,
                            recorded_by=coach,
                        ),
                        better,
                    )
                )
    Measurement.objects.bulk_create([m for m, _ in rows], batch_size=BATCH)
    bulk.write_rows(
        MeasurementScore,
        ("measurement_id", "item", "value"),
        ((m.pk, item, value) for m, scores in rows for item, value in scores.items()),
    )
    series_refresh({m.participant_id for m, _ in rows})


CONTACT_NOTES = (
    "Gesproken over de stage en de reistijd.",
    "Samen de week doorgenomen; gaat goed met de taalles.",
    "Huisbezoek: kinderopvang is nog niet geregeld.",
    "Werkgever tevreden, wil de stage verlengen.",
    "",
)
GOALS = (
    ("taal", "Op B1-niveau Nederlands spreken"),
    ("werk", "Een betaalde baan in de zorg of techniek"),
    ("financien", "Grip op de rekeningen, geen nieuwe schulden"),
    ("netwerk", "Elke week iets doen buiten de deur"),
    ("opleiding", "Een mbo-2 diploma halen"),
)


SCHOOLS = ("Basisschool De Regenboog", "Kindcentrum Het Kompas", "Het Stedelijk Lyceum", "ISK Twente")


def _children(households: list[Household], rnd: random.Random, today: date, directors: dict[int, User]) -> None:
    """Some of the new households have a school-age child; most have a school registration, a few
    do not (the leerplicht signal shows them)."""
    for household in households:
        if rnd.random() < 0.6 or household.municipality_id not in directors:
            continue
        parent = household.members.filter(relation=HouseholdRelation.PARENT).select_related("participant").first()
        assert parent is not None
        child = Participant.objects.create(
            municipality_id=household.municipality_id,
            given_name=rnd.choice(GIVEN_NAMES),
            family_name_prefix=parent.participant.family_name_prefix,
            family_name=parent.participant.family_name,
            date_of_birth=today - timedelta(days=rnd.randint(6 * 365, 15 * 365)),
            residence_status=parent.participant.residence_status,
            benefit_status=BenefitStatus.NONE,
            languages=parent.participant.languages,
        )
        HouseholdMember.objects.create(household=household, participant=child, relation=HouseholdRelation.CHILD)
        if rnd.random() < 0.8:
            SchoolRegistration.objects.create(
                participant=child,
                school=rnd.choice(SCHOOLS),
                starts_on=today - timedelta(days=rnd.randint(30, 900)),
                recorded_by=directors[household.municipality_id],
            )


HOUSEHOLD_GOALS = (
    ("gezin", "De kinderen gaan elke dag naar school"),
    ("financien", "Samen een overzicht van de vaste lasten"),
    ("wonen", "Een huis met genoeg slaapkamers"),
    ("netwerk", "Een buurvrouw of familielid die kan oppassen"),
)


def _household_plans(households: list[Household], rnd: random.Random, today: date) -> None:
    """Half of the households are supported as a whole: one plan with a goal for each member,
    saved through the plan service like any other (one household at a time: a few queries each)."""
    directors = {u.organisation_id: u for u in User.objects.filter(role=Role.DIRECTOR).order_by("id")}
    for household in households:
        director = directors.get(household.municipality_id)
        if director is None or rnd.random() < 0.5:
            continue
        members = list(household.members.select_related("participant").order_by("id"))
        goals = [
            {
                "member": str(member.participant.uuid),
                "life_domain": domain,
                "description": text,
                "status": "bezig",
                "target_on": today + timedelta(days=rnd.randint(60, 240)),
            }
            for member, (domain, text) in zip(members, rnd.sample(HOUSEHOLD_GOALS, len(members)), strict=True)
        ]
        plan_services.plan_save(
            household=household,
            actor=director,
            expected_version=0,
            goals=goals,
            agreements=[
                {
                    "what": "Het gezin en de regisseur maken samen een weekrooster",
                    "due_on": today + timedelta(days=14),
                    "monitor": "Regisseur",
                    "if_not_kept": "We plannen een huisbezoek",
                    "look_back_on": today + timedelta(days=21),
                    "status": "open",
                }
            ],
            review_on=today + timedelta(days=rnd.randint(-10, 60)),
        )


def _contacts_and_plans(
    measured: list[tuple[Participant, User, date, date | None]], rnd: random.Random, today: date
) -> None:
    """Contact moments over the last weeks of open trajectories (now and then a no-show) and a
    plan with goals and four-window agreements for most of them (bulk)."""
    contacts: list[ContactMoment] = []
    plans: list[tuple[Plan, PlanVersion, list[Goal], list[Agreement]]] = []
    for person, coach, first_day, ended in measured:
        if ended is not None:
            continue
        day = max(first_day, today - timedelta(days=rnd.randint(30, 120)))
        if rnd.random() < 0.15:
            day = today + timedelta(days=1)  # some have had no contact for a while: the signals show them
        while day <= today:
            attendance = "niet_verschenen" if rnd.random() < 0.08 else "verschenen"
            contacts.append(
                ContactMoment(
                    participant=person,
                    recorded_by=coach,
                    kind=rnd.choice(("gesprek", "gesprek", "huisbezoek", "werkgever", "docent")),
                    status="gehouden",
                    occurred_on=day,
                    attendance=attendance,
                    minutes=rnd.choice((30, 45, 60, 90)) if attendance == "verschenen" else None,
                    note=rnd.choice(CONTACT_NOTES),
                )
            )
            day += timedelta(days=rnd.randint(4, 16))
        if rnd.random() < 0.75:
            plan = Plan(participant=person, version=1)
            version = PlanVersion(
                plan=plan,
                number=1,
                created_by=coach,
                review_on=today + timedelta(days=rnd.randint(-20, 90)),
                agreed_on=min(today, first_day + timedelta(days=14)),
                agreed_how="mondeling",
            )
            if person.civic_integration_duty and rnd.random() < 0.8:
                # most have an adopted PIP; the rest show up in the "no PIP after ten weeks" signal
                route = rnd.choice(("b1", "b1", "z", "onderwijs"))
                version.pip_decided_on = min(today, first_day + timedelta(days=rnd.randint(30, 65)))
                version.learning_route = route
                version.map_intensity = "" if route == "onderwijs" else "40 uur praktijk, 1 dag per week"
                version.pvt_intensity = "6 bijeenkomsten in groepsverband"
            goals = [
                Goal(
                    plan_version=version,
                    life_domain=domain,
                    description=text,
                    position=index,
                    target_on=today + timedelta(days=rnd.randint(60, 300)),
                )
                for index, (domain, text) in enumerate(rnd.sample(GOALS, 2))
            ]
            due = first_day + timedelta(days=rnd.randint(20, 140))
            agreements = [
                Agreement(
                    plan_version=version,
                    what="Deelnemer zoekt twee stageplekken en belt ze",
                    due_on=due,
                    monitor="Coach",
                    if_not_kept="We bellen samen in het volgende gesprek",
                    look_back_on=due + timedelta(days=7),
                    status="nagekomen" if due < today and rnd.random() < 0.6 else "open",
                )
            ]
            plans.append((plan, version, goals, agreements))
    bulk.write_objects(contacts)
    Plan.objects.bulk_create([p for p, _, _, _ in plans], batch_size=BATCH)
    for plan, version, _, _ in plans:
        version.plan = plan
    PlanVersion.objects.bulk_create([v for _, v, _, _ in plans], batch_size=BATCH)
    for plan, version, goals, agreements in plans:
        plan.current = version
        for goal in goals:
            goal.plan_version = version
        for agreement in agreements:
            agreement.plan_version = version
    Plan.objects.bulk_update([p for p, _, _, _ in plans], ["current"], batch_size=BATCH)
    Goal.objects.bulk_create([g for _, _, goals, _ in plans for g in goals], batch_size=BATCH)
    Agreement.objects.bulk_create([a for _, _, _, agreements in plans for a in agreements], batch_size=BATCH)


ZRM_DOMAINS = ("FIN", "WRK", "TIJ", "HUI", "REL", "GGZ", "LGZ", "MID", "BADL", "IADL", "NET", "MPA", "JUS")
LADDER_CHANCES = (
    ("betaald_werk", 0.1),
    ("ondersteuning_bij_werk", 0.1),
    ("onbetaald_werk", 0.2),
    ("georganiseerde_activiteit", 0.5),
    ("sociaal_contact", 0.7),
)


PARTNER_CATEGORIES = (
    (DataCategory.CONTACT, 0.9),
    (DataCategory.PLAN, 0.85),
    (DataCategory.NOTES, 0.85),
    (DataCategory.MEASUREMENTS, 0.7),
    (DataCategory.WORK_EDUCATION, 0.7),
    (DataCategory.HEALTH, 0.25),
    (DataCategory.DEBTS, 0.25),
    (DataCategory.JUSTICE, 0.05),
)
SCHOOL_CATEGORIES = ((DataCategory.CONTACT, 0.9), (DataCategory.MEASUREMENTS, 0.9), (DataCategory.WORK_EDUCATION, 0.8))
INTERMEDIARY_CATEGORIES = ((DataCategory.CONTACT, 0.9), (DataCategory.PLAN, 0.7))


def _grants_for(
    person: Participant,
    member: User,
    director: User,
    since: date,
    today: date,
    rnd: random.Random,
    categories: tuple[tuple[str, float], ...],
) -> list[SharingGrant]:
    """Most partners receive most categories (a statutory task or consent); some do not, a few withdrawn."""
    made = []
    for category, chance in categories:
        if rnd.random() >= chance:
            continue
        legal_basis = LegalBasis.STATUTORY_TASK if rnd.random() < 0.7 else LegalBasis.CONSENT
        withdrawn = rnd.random() < 0.03
        made.append(
            SharingGrant(
                participant=person,
                organisation=member.organisation,
                category=category,
                legal_basis=legal_basis,
                granted_on=since,
                withdrawn_on=since + timedelta(days=30) if withdrawn else None,
                ending=GrantEnding.WITHDRAWN if withdrawn else "",
                withdrawn_by=director if withdrawn else None,
                recorded_by=director,
            )
        )
    return made


def _households(people: list[Participant], rnd: random.Random) -> list[Household]:
    """About one in ten participants shares a household with one or two others of the same municipality."""
    by_municipality: dict[int, list[Participant]] = {}
    for person in people:
        by_municipality.setdefault(person.municipality_id, []).append(person)
    members: list[HouseholdMember] = []
    created: list[Household] = []
    for group in by_municipality.values():
        chosen = [p for p in group if rnd.random() < 0.1]
        for i in range(0, len(chosen) - 1, 2):
            adult, other = chosen[i], chosen[i + 1]
            household = Household.objects.create(
                municipality_id=adult.municipality_id, name=f"Huishouden {adult.family_name}"
            )
            created.append(household)
            members.append(HouseholdMember(household=household, participant=adult, relation=HouseholdRelation.PARENT))
            members.append(
                HouseholdMember(
                    household=household,
                    participant=other,
                    relation=rnd.choice([HouseholdRelation.PARTNER, HouseholdRelation.OTHER]),
                )
            )
    HouseholdMember.objects.bulk_create(members, batch_size=BATCH)
    return created
