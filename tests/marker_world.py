"""A participant's file with a unique marker planted in every field and row type of every data
category, and a reader for every role and access route the oracle knows (A9, the marker sweep).

The world is written by hand from the product brief; what each reader may see is computed from the
independent oracle (`doorstroom/access/tests/oracle.py`), never from the access policy under test.
Markers are lowercase letters only, so that no template filter changes them and PDF text
extraction keeps them whole.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from doorstroom.access.models import BreakGlassAccess
from doorstroom.access.tests import oracle
from doorstroom.contacts import services as contact_services
from doorstroom.core import categories as C  # noqa: N812
from doorstroom.core import clock
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.measurements import services as measurement_services
from doorstroom.measurements.models import MeasurementType, ScaleVersion
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, RegionFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import rules as plan_rules
from doorstroom.plans import services as plan_services
from doorstroom.programmes.models import ReasonCode
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.referrals.models import Referral
from doorstroom.research import services as research_services
from doorstroom.signalering import services as signal_services
from doorstroom.signalering.models import Signal

BSN = "999990044"
REASON_MARKERS = {
    "qzredengezondheid": C.HEALTH,
    "qzredenjustitie": C.JUSTICE,
    "qzredenschulden": C.DEBTS,
    "qzredentraject": C.TRAJECTORY,
}
ITEM_MARKERS = {
    "qzmetingwerk": C.MEASUREMENTS,
    "qzmetinggezondheid": C.HEALTH,
    "qzmetingjustitie": C.JUSTICE,
    "qzmetingschulden": C.DEBTS,
}


@dataclass(frozen=True)
class Marker:
    """One planted marker: the texts that show it, what kind of data it is, and who may see it
    (`visible(reader)`, from the oracle)."""

    needles: tuple[str, ...]
    kind: str


@dataclass
class Reader:
    """Someone reading the file, with their situation as the oracle knows it."""

    name: str
    user: object
    role: str
    categories: frozenset[str] = frozenset()  # of the participant, from the oracle
    child_identity: bool = False  # may see the other household member (a child) by name
    sees_sensitive: bool = False  # on the participant's team, or the participant
    organisation_id: int | None = None
    on_caseload: bool = False  # the participant is on their caseload (team member, or team lead)
    bsn_role: bool = False
    writes: frozenset[str] = frozenset()
    extra: dict[str, object] = field(default_factory=dict)


def plant(monkeypatch) -> dict[str, object]:
    """Build the file, the readers and the markers (the test reason codes join the reason catalogue
    as rows, as the admin adds them)."""
    for code, category in REASON_MARKERS.items():  # what an administrator does in the admin
        ReasonCode.objects.create(event_type="gepauzeerd", code=code, label=code, category=category)

    today = clock.today()
    municipality = OrganisationFactory(municipality=True, name="Gemeente Markerstad")
    centre = OrganisationFactory(municipality=True, name="Centrumgemeente Markerregio")
    region = RegionFactory(centre=centre)
    region.members.add(centre, municipality)
    region.executes_for.add(municipality)
    orgs = {
        key: OrganisationFactory(name=f"Organisatie {key}")
        for key in ("coach", "plain", "school", "jobs", "foundation", "receiver", "declined", "other")
    }
    for org in orgs.values():
        org.works_for.add(municipality)

    account = UserFactory(role=Role.PARTICIPANT, organisation=municipality)
    person = ParticipantFactory(
        municipality=municipality,
        given_name="Amal",
        family_name="Qzfamilienaam",
        bsn=BSN,
        email="qzmailadres@voorbeeld.nl",
        civic_integration_duty=True,
        residence_status="asiel",
        benefit_status="bijstand",
        account=account,
    )
    child = ParticipantFactory(municipality=municipality, given_name="Qzkindnaam", family_name="Qzkindachternaam")

    users = {
        "director": UserFactory(role=Role.DIRECTOR, organisation=municipality),
        "director_team": UserFactory(role=Role.DIRECTOR, organisation=municipality),
        "centre_director": UserFactory(role=Role.DIRECTOR, organisation=centre),
        "coach_full": UserFactory(role=Role.COACH, organisation=orgs["coach"]),
        "coach_plain": UserFactory(role=Role.COACH, organisation=orgs["plain"]),
        "coach_colleague": UserFactory(role=Role.COACH, organisation=orgs["coach"]),
        "teacher": UserFactory(role=Role.TEACHER, organisation=orgs["school"]),
        "jobcoach": UserFactory(role=Role.JOBCOACH, organisation=orgs["jobs"]),
        "intermediary": UserFactory(role=Role.INTERMEDIARY, organisation=orgs["foundation"]),
        "team_lead": UserFactory(role=Role.TEAM_LEAD, organisation=orgs["coach"]),
        "referral_receiver": UserFactory(role=Role.COACH, organisation=orgs["receiver"]),
        "declined_receiver": UserFactory(role=Role.TEAM_LEAD, organisation=orgs["declined"]),
        "break_glass": UserFactory(role=Role.COACH, organisation=orgs["other"]),
        "participant": account,
        "privacy_officer": UserFactory(role=Role.PRIVACY_OFFICER, organisation=municipality),
        "evaluator": UserFactory(role=Role.EVALUATOR, organisation=municipality),
        "project_leader": UserFactory(role=Role.PROJECT_LEADER, organisation=municipality),
        "administrator": UserFactory(role=Role.ADMINISTRATOR, organisation=municipality),
        "records_manager": UserFactory(role=Role.RECORDS_MANAGER, organisation=municipality),
        "employer": UserFactory(role=Role.EMPLOYER, organisation=orgs["jobs"]),
    }
    for user in users.values():
        user.email = f"{user.username}@voorbeeld.nl"
        user.save(update_fields=["email"])
    director = users["director_team"]
    team = {
        "director_team": TeamRole.DIRECTOR,
        "coach_full": TeamRole.COACH,
        "coach_plain": TeamRole.COACH,
        "teacher": TeamRole.TEACHER,
        "jobcoach": TeamRole.JOBCOACH,
        "intermediary": TeamRole.INTERMEDIARY,
    }
    for key, role in team.items():
        TeamAssignmentFactory(participant=person, member=users[key], role=role, starts_on=today - timedelta(days=90))
    grants = {
        "coach": {C.CONTACT, C.PLAN, C.MEASUREMENTS, C.NOTES, C.WORK_EDUCATION, C.HEALTH, C.DEBTS, C.JUSTICE},
        "plain": {C.PLAN},
        "school": {C.MEASUREMENTS, C.WORK_EDUCATION, C.HEALTH},
        "jobs": {C.WORK_EDUCATION, C.NOTES, C.CONTACT},
        "foundation": {C.PLAN, C.HEALTH, C.NOTES, C.DEBTS},
        "receiver": {C.TRAJECTORY},  # the participant's consent to the referral
        "declined": {C.TRAJECTORY},
    }
    for key, granted in grants.items():
        for category in granted:
            participant_services.sharing_grant(
                participant=person,
                organisation=orgs[key],
                category=category,
                legal_basis="toestemming",
                on=today - timedelta(days=80),
                recorded_by=director,
            )

    # the lifecycle: four pauses with reasons of four categories, a note, and a transfer to a
    # sensitive programme whose name, code and phase are markers
    ordinary = ProgrammeFactory()
    sensitive = ProgrammeFactory(
        code="qzgevoeligcode", name="Qzgevoeligprogramma", is_sensitive=True, phases=[("Qzgevoeligefase", 0)]
    )
    first = enrollment_services.enrollment_enrol(
        participant=person,
        programme=ordinary,
        actor=director,
        referred_by=municipality,
        on=today - timedelta(days=70),
        note="Qznotitiegebeurtenis",
    )
    day = today - timedelta(days=65)
    enrollment_services.enrollment_record(enrollment=first, actor=director, event_type="gestart", on=day)
    for code in REASON_MARKERS:
        day += timedelta(days=5)
        enrollment_services.enrollment_record(
            enrollment=first, actor=director, event_type="gepauzeerd", on=day, reason_code=code
        )
        day += timedelta(days=5)
        enrollment_services.enrollment_record(enrollment=first, actor=director, event_type="hervat", on=day)
    second = enrollment_services.enrollment_transfer(
        enrollment=first, actor=director, target_programme=sensitive, on=today - timedelta(days=20)
    )
    enrollment_services.enrollment_record(
        enrollment=second, actor=director, event_type="gestart", on=today - timedelta(days=19)
    )

    # the plan: version 1 with one goal, version 2 with a goal and an agreement per life domain,
    # a note on what changed, and a PIP decided by the municipality
    plan_services.plan_save(
        participant=person,
        actor=director,
        expected_version=0,
        goals=[{"life_domain": "werk", "description": "Eerste versie", "status": "open"}],
        agreements=[],
    )
    plan_services.plan_save(
        participant=person,
        actor=director,
        expected_version=1,
        goals=[
            {"life_domain": domain, "description": f"Qzdoel{domain}", "status": "open"}
            for domain in plan_rules.LIFE_DOMAINS
        ],
        agreements=[
            {
                "life_domain": domain,
                "what": f"Qzafspraak{domain}",
                "due_on": today + timedelta(days=30),
                "monitor": "De coach",
                "if_not_kept": "Opnieuw bespreken",
                "look_back_on": today + timedelta(days=40),
                "status": "open",
            }
            for domain in plan_rules.LIFE_DOMAINS
        ],
        change_note="Qznotitieplan",
        pip={
            "pip_decided_on": today - timedelta(days=5),
            "learning_route": "b1",
            "map_intensity": "Qzpipmap",
            "pvt_intensity": "Zes bijeenkomsten",
        },
    )

    # a household with a child the team does not work with, and a household plan
    household = participant_services.household_add_member(participant=person, relation="ouder").household
    participant_services.household_add_member(participant=child, relation="kind", household=household)
    plan_services.plan_save(
        household=household,
        actor=users["director"],
        expected_version=0,
        goals=[
            {
                "member": str(person.uuid),
                "life_domain": "gezondheid",
                "description": "Qzgezinsdoelgezondheid",
                "status": "open",
            },
            {"member": str(child.uuid), "life_domain": "gezin", "description": "Qzgezinsdoelkind", "status": "open"},
        ],
        agreements=[],
    )

    contact_services.contact_record(
        participant=person,
        actor=users["coach_full"],
        kind="gesprek",
        status="gehouden",
        occurred_on=today - timedelta(days=3),
        attendance="verschenen",
        minutes=45,
        note="Qznotitiecontact",
    )
    instrument = MeasurementType.objects.create(code="qzinstrument", name="Markerinstrument", kind="belemmeringen")
    ScaleVersion.objects.create(
        measurement_type=instrument,
        version="1",
        items=[
            {"code": code, "label": code, "min": 0, "max": 3, "category": cat} for code, cat in ITEM_MARKERS.items()
        ],
    )
    measurement_services.measurement_record(
        participant=person,
        measurement_type=instrument,
        moment="nulmeting",
        measured_on=today - timedelta(days=2),
        scores=dict.fromkeys(ITEM_MARKERS, 2),
        actor=director,
        note="Qznotitiemeting",
    )
    participant_services.school_register(
        participant=person, actor=director, school="Qzschoolnaam", starts_on=today - timedelta(days=60), today=today
    )
    open_referral = Referral.objects.create(
        participant=person,
        from_organisation=municipality,
        to_organisation=orgs["receiver"],
        reason="Qzverwijzingreden",
        created_by=director,
    )
    declined = Referral.objects.create(
        participant=person,
        from_organisation=municipality,
        to_organisation=orgs["declined"],
        reason="Gewone vraag",
        created_by=director,
        state="afgewezen",
        decided_by=users["declined_receiver"],
        decided_at=timezone.now(),
        decline_reason="geen_plek",
        decision_note="Qzverwijzingantwoord",
    )
    person.refresh_from_db()
    participant_services.participant_update(
        participant=person,
        data={"phone": "0612345678"},
        expected_version=person.version,
        actor=director,
        reason="Qzwijzigingreden",
    )
    signal_services.signals_refresh(today=today)
    phase_signal = Signal.objects.get(participant=person, rule="fase_te_lang")
    signal_services.signal_handle(signal=phase_signal, actor=director, action="gezien", note="Qzsignaalnotitie")
    now = timezone.now()
    BreakGlassAccess.objects.create(
        user=users["break_glass"],
        participant=person,
        reason="Crisis in het gezin, de hulpdienst belt nu.",
        started_at=now,
        expires_at=now + timedelta(hours=3),
    )

    # an evaluator's study of the ordinary programme, approved: its extract is swept too. A person alone
    # in an extract is left out (fewer than 5 alike), so the participant gets company without markers
    for n in range(5):
        enrollment_services.enrollment_enrol(
            participant=ParticipantFactory(municipality=municipality, given_name=f"Gezelschap{n}"),
            programme=ordinary,
            actor=director,
            referred_by=municipality,
            on=today - timedelta(days=60 + n),
        )
    study = research_services.study_request(
        user=users["evaluator"],
        title="Wat werkt op weg naar werk",
        purpose="Welke werkwijzen gaan samen met doorstroom naar werk of opleiding?",
        programmes=[ordinary],
        period_from=today - timedelta(days=400),
        period_until=today,
    )
    research_services.study_decide(user=users["privacy_officer"], study=study, approve=True)

    readers = _readers(users, grants, orgs, municipality, centre)
    markers = _markers(phase_signal)
    return {
        "participant": person,
        "child": child,
        "household": household,
        "municipality": municipality,
        "ordinary": ordinary,
        "sensitive": sensitive,
        "first": first,
        "second": second,
        "open_referral": open_referral,
        "declined_referral": declined,
        "phase_signal": phase_signal,
        "instrument": instrument,
        "grant": person.sharing_grants.filter(organisation=orgs["plain"]).first(),
        "assignment": person.team.get(member=users["coach_plain"]),
        "users": users,
        "orgs": orgs,
        "readers": readers,
        "markers": markers,
        "study": study,
    }


def _categories(role: str, **situation: object) -> frozenset[str]:
    granted = situation.pop("granted", set())
    return frozenset(
        c
        for c in oracle.ALL
        if oracle.expected(role, category=c, action="view", consent="granted" if c in granted else "none", **situation)
    )


def _writes(role: str, **situation: object) -> frozenset[str]:
    granted = situation.pop("granted", set())
    return frozenset(
        c
        for c in oracle.ALL
        if oracle.expected(
            role, category=c, action="change", consent="granted" if c in granted else "none", **situation
        )
    )


def _readers(users, grants, orgs, municipality, centre) -> list[Reader]:  # type: ignore[no-untyped-def]
    """Every role, through every route the oracle knows, with what the oracle says they see."""
    readers = []

    def add(name: str, **kwargs: object) -> None:
        user = users[name]
        situation = kwargs.pop("situation", None)
        granted = kwargs.pop("granted", set())
        if situation is not None:
            kwargs["categories"] = _categories(user.role, granted=set(granted), **situation)
            kwargs["writes"] = _writes(user.role, granted=set(granted), **situation)
        readers.append(
            Reader(
                name=name,
                user=user,
                role=user.role,
                organisation_id=user.organisation_id,
                bsn_role=user.role in {Role.DIRECTOR, Role.COACH, Role.TEAM_LEAD},
                **kwargs,
            )
        )

    task = {"own_organisation": True, "involved": False}
    team = {"own_organisation": False, "involved": True}
    add("director", situation=task, child_identity=True)
    add("privacy_officer", situation=task)  # early, for the same reason as the participant
    add("director_team", situation={"own_organisation": True, "involved": True}, child_identity=True,
        sees_sensitive=True, on_caseload=True)  # fmt: skip
    add("centre_director", situation=task, child_identity=True)
    # early: the own export lists every look at the file, and the sweep makes many
    add("participant", situation={"own_organisation": False, "involved": True}, sees_sensitive=True)
    add("coach_full", situation=team, granted=grants["coach"], sees_sensitive=True, on_caseload=True)
    add("coach_plain", situation=team, granted=grants["plain"], sees_sensitive=True, on_caseload=True)
    add("coach_colleague", situation={"own_organisation": False, "involved": False}, granted=grants["coach"])
    add("teacher", situation=team, granted=grants["school"], sees_sensitive=True, on_caseload=True)
    add("jobcoach", situation=team, granted=grants["jobs"], sees_sensitive=True, on_caseload=True)
    add("intermediary", situation=team, granted=grants["foundation"], sees_sensitive=True, on_caseload=True)
    add("team_lead", situation={"own_organisation": True, "involved": False}, on_caseload=True)
    add("referral_receiver", situation={"own_organisation": False, "involved": False, "referred": True})
    add("declined_receiver", situation={"own_organisation": False, "involved": False})
    add(
        "break_glass",
        categories=frozenset(
            c for c in oracle.ALL if oracle.expected_break_glass(Role.COACH, category=c, action="view")
        ),
    )
    for name in ("evaluator", "project_leader", "administrator", "records_manager", "employer"):
        add(name, situation=task)
    return readers


def _markers(phase_signal: Signal) -> dict[str, Marker]:
    kinds: dict[str, tuple[str, ...]] = {
        "identity": ("qzfamilienaam",),
        "contact": ("qzmailadres",),
        "bsn": (BSN,),
        "event_note": ("qznotitiegebeurtenis",),
        "plan_note": ("qznotitieplan",),
        "pip": ("qzpipmap",),
        "contact_note": ("qznotitiecontact",),
        "measurement_note": ("qznotitiemeting",),
        "household_member": ("qzkindnaam", "qzkindachternaam"),
        "household_goal_own": ("qzgezinsdoelgezondheid",),
        "household_goal_child": ("qzgezinsdoelkind",),
        "referral_reason": ("qzverwijzingreden",),
        "referral_answer": ("qzverwijzingantwoord",),
        "school": ("qzschoolnaam",),
        "sensitive_programme": ("qzgevoeligprogramma", "qzgevoeligcode"),
        "sensitive_phase": ("qzgevoeligefase",),
        "sensitive_signal": (str(phase_signal.uuid),),
        "signal_note": ("qzsignaalnotitie",),
        "change_reason": ("qzwijzigingreden",),
    }
    markers = {kind: Marker(needles, kind) for kind, needles in kinds.items()}
    for code, _category in REASON_MARKERS.items():
        markers[f"reason:{code}"] = Marker((code,), f"reason:{code}")
    for code in ITEM_MARKERS:
        markers[f"item:{code}"] = Marker((code,), f"item:{code}")
    for domain in plan_rules.LIFE_DOMAINS:
        markers[f"goal:{domain}"] = Marker((f"qzdoel{domain}",), f"goal:{domain}")
        markers[f"agreement:{domain}"] = Marker((f"qzafspraak{domain}",), f"agreement:{domain}")
    return markers


def visible(kind: str, reader: Reader) -> bool:
    """The oracle's answer: may this reader see this kind of data of the participant at all?"""
    sees = reader.categories.__contains__
    if kind.startswith("reason:"):
        return sees(C.TRAJECTORY) and sees(REASON_MARKERS[kind.split(":", 1)[1]])
    if kind.startswith("item:"):
        return sees(C.MEASUREMENTS) and sees(ITEM_MARKERS[kind.split(":", 1)[1]])
    if kind.startswith(("goal:", "agreement:")):
        return sees(C.PLAN) and sees(plan_rules.DOMAIN_CATEGORY[kind.split(":", 1)[1]])
    rules = {
        "identity": lambda: sees(C.IDENTITY),
        "contact": lambda: sees(C.CONTACT),
        "bsn": lambda: sees(C.IDENTITY) and (reader.bsn_role or reader.role == Role.PARTICIPANT),
        "event_note": lambda: sees(C.TRAJECTORY) and sees(C.NOTES),
        "plan_note": lambda: sees(C.PLAN) and sees(C.NOTES),
        "pip": lambda: sees(C.PLAN),
        "contact_note": lambda: sees(C.NOTES),
        "measurement_note": lambda: sees(C.MEASUREMENTS) and sees(C.NOTES),
        "household_member": lambda: reader.child_identity,
        "household_goal_own": lambda: sees(C.PLAN) and sees(C.HEALTH),
        "household_goal_child": lambda: reader.child_identity,  # the child's plan: their directors
        "referral_reason": lambda: (sees(C.TRAJECTORY) and sees(C.NOTES)) or reader.name == "referral_receiver",
        "referral_answer": lambda: (sees(C.TRAJECTORY) and sees(C.NOTES)) or reader.name == "declined_receiver",
        "school": lambda: sees(C.WORK_EDUCATION),
        "sensitive_programme": lambda: sees(C.TRAJECTORY) and reader.sees_sensitive,
        "sensitive_phase": lambda: sees(C.TRAJECTORY) and reader.sees_sensitive,
        "sensitive_signal": lambda: sees(C.TRAJECTORY) and reader.sees_sensitive,
        # the handled signal is about the sensitive programme's phase
        "signal_note": lambda: sees(C.NOTES) and sees(C.TRAJECTORY) and reader.sees_sensitive,
        "change_reason": lambda: sees(C.NOTES),
    }
    return rules[kind]()
