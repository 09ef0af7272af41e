"""One plan for a household supported as a whole ("1 gezin, 1 plan"): goals per member, saved as
one versioned plan, read within what each reader may see of each member."""

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from doorstroom.access.models import AuditEvent
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.services import household_add_member, sharing_grant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.plans import selectors, services
from doorstroom.plans.models import Plan
from doorstroom.signalering import services as signal_services
from doorstroom.signalering.models import Signal

pytestmark = pytest.mark.django_db
TODAY = clock.today()


@pytest.fixture
def family():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    mother = ParticipantFactory(municipality=municipality, given_name="Mira", civic_integration_duty=True)
    son = ParticipantFactory(municipality=municipality, given_name="Sami")
    household = household_add_member(participant=mother, relation="ouder", name="Familie Demir").household
    household_add_member(participant=son, relation="kind", household=household)
    for person in (mother, son):
        TeamAssignmentFactory(participant=person, member=director, role=TeamRole.DIRECTOR)
    return {"director": director, "mother": mother, "son": son, "household": household}


def goal(member, text="Een plek op de voorschool"):
    return {"member": str(member.uuid), "life_domain": "gezin", "description": text, "status": "open"}


def test_a_household_plan_has_goals_per_member_and_no_pip(family):
    mother, son, household, director = family["mother"], family["son"], family["household"], family["director"]
    services.plan_save(
        household=household,
        actor=director,
        expected_version=0,
        goals=[goal(mother, "Taalles twee ochtenden"), goal(son)],
        agreements=[],
    )
    plan = Plan.objects.get(household=household)
    assert plan.participant_id is None
    current = selectors.current_plan(household)
    assert current is not None
    assert [(g.member, g.description) for g in current.goals.all()] == [
        (mother, "Taalles twee ochtenden"),
        (son, "Een plek op de voorschool"),
    ]
    assert selectors.current_plan(mother) is None  # her own plan is a different one
    for bad_goal, field in (
        ({**goal(son), "member": ""}, "goals[0].member"),
        (goal(ParticipantFactory()), "goals[0].member"),  # not in this household
    ):
        with pytest.raises(DomainError) as refused:
            services.plan_save(household=household, actor=director, expected_version=1, goals=[bad_goal], agreements=[])
        assert refused.value.field == field
    with pytest.raises(DomainError) as refused:
        services.plan_save(
            household=household,
            actor=director,
            expected_version=1,
            goals=[],
            agreements=[],
            pip={"learning_route": "b1"},
        )
    assert refused.value.field == "learning_route"
    with pytest.raises(DomainError) as stale:
        services.plan_save(household=household, actor=director, expected_version=0, goals=[goal(son)], agreements=[])
    assert stale.value.code == "conflict"
    assert household.plan.versions.count() == 1


def form(version, goals):
    data = {"version": version, "doelen-TOTAL_FORMS": str(len(goals)), "doelen-INITIAL_FORMS": "0"}
    data |= {"afspraken-TOTAL_FORMS": "1", "afspraken-INITIAL_FORMS": "0"}
    for index, row in enumerate(goals):
        data |= {f"doelen-{index}-{k}": v for k, v in row.items()}
    data |= {
        "afspraken-0-what": "Moeder meldt Sami aan bij de voorschool",
        "afspraken-0-due_on": (TODAY + timedelta(days=14)).isoformat(),
        "afspraken-0-monitor": "Regisseur",
        "afspraken-0-if_not_kept": "We gaan samen langs",
        "afspraken-0-look_back_on": (TODAY + timedelta(days=21)).isoformat(),
        "afspraken-0-status": "open",
    }
    return data


def test_readers_see_the_goals_of_members_they_may_see_and_only_the_whole_team_edits(client, family):
    mother, son, household, director = family["mother"], family["son"], family["household"], family["director"]
    client.force_login(director)
    edit = f"/huishoudens/{household.uuid}/plan/wijzigen/"
    assert 'name="doelen-0-member"' in client.get(edit).content.decode()
    missing_member = client.post(edit, form(0, [{**goal(son), "member": ""}]))
    assert missing_member.status_code == 400 and 'id="id_doelen-0-member-error"' in missing_member.content.decode()
    assert client.post(edit, form(0, [goal(mother, "Taalles twee ochtenden"), goal(son)])).status_code == 302
    page = client.get(f"/huishoudens/{household.uuid}/plan/").content.decode()
    assert "Taalles twee ochtenden" in page and "Een plek op de voorschool" in page and "voorschool" in page
    assert "Gezinsplan van Familie Demir" in client.get(f"/deelnemers/{son.uuid}/plan/").content.decode()

    # a teacher's organisation works with the son only, with his plan shared
    coach = UserFactory(role=Role.COACH)
    TeamAssignmentFactory(participant=son, member=coach)
    sharing_grant(
        participant=son,
        organisation=coach.organisation,
        category="plan",
        legal_basis="toestemming",
        on=TODAY,
        recorded_by=director,
    )
    client.force_login(coach)
    before = AuditEvent.objects.count()
    page = client.get(f"/huishoudens/{household.uuid}/plan/").content.decode()
    assert "Een plek op de voorschool" in page and "Taalles twee ochtenden" not in page
    assert "1 doel gaat over een gezinslid of over gegevens die niet met u zijn gedeeld" in page
    assert "Moeder meldt Sami aan" not in page  # household-wide agreements need the whole household
    row = AuditEvent.objects.order_by("id")[before]
    assert list(row.subjects.values_list("participant_uuid", flat=True)) == [str(son.uuid)]
    assert client.get(edit).status_code == 403
    assert client.get(f"/huishoudens/{household.uuid}/plan/gezinsplan.pdf").status_code == 403  # not all of it
    client.force_login(director)
    pdf = client.get(f"/huishoudens/{household.uuid}/plan/gezinsplan.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages).split())
    assert "Het gezinsplan van Familie Demir" in text and "Sami, gezin en opvoeding: Een plek op de voorschool" in text
    client.force_login(UserFactory(role=Role.COACH))
    assert client.get(f"/huishoudens/{household.uuid}/plan/").status_code == 404


def test_a_passed_review_of_the_household_plan_signals_every_member(family):
    mother, son, household, director = family["mother"], family["son"], family["household"], family["director"]
    services.plan_save(
        household=household,
        actor=director,
        expected_version=0,
        goals=[goal(son)],
        agreements=[],
        review_on=TODAY - timedelta(days=1),
    )
    signal_services.signals_refresh(today=TODAY)
    flagged = set(Signal.objects.filter(rule="evaluatie_verlopen").values_list("participant_id", flat=True))
    assert flagged == {mother.pk, son.pk}
