"""H1: the dry run lists exactly the files past retention; the purge removes every personal-data row
of an approved file, leaves a record without personal data, and is audited."""

from datetime import date, timedelta

from django.apps import apps
from django.core.management import call_command

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from doorstroom.access import audit
from doorstroom.access.models import AuditEvent
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants import services as participant_services
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.retention import rules, selectors, services
from doorstroom.retention.models import DestructionList, ListStatus


@settings(max_examples=500)
@given(
    ended=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
    years=st.integers(min_value=1, max_value=20),
    offset=st.integers(min_value=-3, max_value=3),
)
def test_a_file_is_due_exactly_from_its_retention_date(ended, years, offset, assurance):
    due_on = rules.add_years(ended, years)
    facts = [rules.ClosedEnrollment(ended_on=ended, retention_years=years)]
    assert rules.is_due(facts, due_on + timedelta(days=offset)) is (offset >= 0)
    assert not rules.is_due([*facts, rules.ClosedEnrollment(ended_on=None, retention_years=years)], date(2999, 1, 1))
    assurance.add("H1 retention boundary cases", 1)


def test_leap_days_fall_back_to_the_28th():
    assert rules.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert rules.add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def closed_file(actor, *, ended_days_ago: int, retention_years: int = 1, open_second: bool = False, municipality=None):
    participant = ParticipantFactory(bsn=None, **({"municipality": municipality} if municipality else {}))
    programme = ProgrammeFactory(retention_years=retention_years)
    start = clock.today() - timedelta(days=ended_days_ago + 30)
    enrollment = enrollment_services.enrollment_enrol(
        participant=participant,
        programme=programme,
        actor=actor,
        referred_by=actor.organisation,
        on=start,
        note="notitie",
    )
    enrollment_services.enrollment_record(
        enrollment=enrollment,
        actor=actor,
        event_type="niet_gestart",
        reason_code="overig",
        on=clock.today() - timedelta(days=ended_days_ago),
    )
    if open_second:
        enrollment_services.enrollment_enrol(
            participant=participant,
            programme=ProgrammeFactory(),
            actor=actor,
            referred_by=actor.organisation,
            on=clock.today(),
        )
    return participant


@pytest.mark.django_db
def test_the_dry_run_lists_exactly_the_files_past_retention(assurance):
    actor = UserFactory()
    today = clock.today()
    one_year = (today - rules.add_years(today, -1)).days  # 365 or 366
    due = closed_file(actor, ended_days_ago=400)
    due_today = closed_file(actor, ended_days_ago=one_year)
    due_tomorrow = closed_file(actor, ended_days_ago=one_year - 1)
    still_open = closed_file(actor, ended_days_ago=800, open_second=True)
    ParticipantFactory()  # never enrolled: nothing to keep or destroy by this rule
    listed = {f.participant_uuid for f in selectors.files_due_for_destruction(today=today)}
    expected = {str(due.uuid), str(due_today.uuid)}
    assert listed == expected
    assert str(due_tomorrow.uuid) not in listed and str(still_open.uuid) not in listed
    assurance.add("H1 wrong listings", len(listed ^ expected))


@pytest.mark.django_db
def test_an_approved_list_destroys_every_row_of_the_file_and_is_audited(capsys, assurance):
    municipality = OrganisationFactory(municipality=True)
    actor = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    archivist = UserFactory(role=Role.RECORDS_MANAGER, username="archivaris.test", organisation=municipality)
    participant = closed_file(actor, ended_days_ago=800, municipality=municipality)
    elsewhere = closed_file(actor, ended_days_ago=800)  # due too, but another municipality's file
    TeamAssignmentFactory(participant=participant, member=actor)
    participant_services.household_add_member(participant=participant, relation="ouder")
    participant_services.sharing_grant(
        participant=participant,
        organisation=actor.organisation,
        category="plan",
        legal_basis="toestemming",
        on=clock.today(),
        recorded_by=actor,
    )
    kept = closed_file(actor, ended_days_ago=10, municipality=municipality)

    with pytest.raises(DomainError):
        services.destruction_list_create(actor=actor, municipality=municipality, today=clock.today())  # a director
    with pytest.raises(DomainError):  # an archivist of another municipality
        services.destruction_list_create(
            actor=UserFactory(role=Role.RECORDS_MANAGER, organisation=OrganisationFactory(municipality=True)),
            municipality=municipality,
            today=clock.today(),
        )
    call_command("purge", "opstellen", door="archivaris.test")
    destruction_list = DestructionList.objects.get()
    assert [i.participant_uuid for i in destruction_list.items.all()] == [str(participant.uuid)]
    with pytest.raises(DomainError):
        services.destruction_list_execute(destruction_list=destruction_list, today=clock.today())  # not approved
    with pytest.raises(DomainError):
        services.destruction_list_approve(destruction_list=destruction_list, actor=actor)  # not an archivist
    call_command("purge", "goedkeuren", lijst=destruction_list.pk, door="archivaris.test")
    call_command("purge", "uitvoeren", lijst=destruction_list.pk, door="archivaris.test", proef=True)
    assert Participant.objects.filter(pk=participant.pk).exists()  # the dry run removed nothing
    call_command("purge", "uitvoeren", lijst=destruction_list.pk, door="archivaris.test")
    assert "1 dossiers vernietigd" in capsys.readouterr().out

    orphans = 0
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "related_model", None) is Participant and field.concrete:
                orphans += model._default_manager.filter(**{f"{field.name}_id": participant.pk}).count()
    assert orphans == 0 and not Participant.objects.filter(pk=participant.pk).exists()
    assert Participant.objects.filter(pk=kept.pk).exists()
    assert Participant.objects.filter(pk=elsewhere.pk).exists()
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.EXECUTED and destruction_list.approved_by == archivist
    assert destruction_list.items.get().destroyed_at is not None
    deletion = AuditEvent.objects.filter(action="delete", object_id=str(participant.uuid)).get()
    assert deletion.actor_username == "archivaris.test"
    assert audit.verify_chain().intact
    assurance.add("H1 orphan rows after purge", orphans)


@pytest.mark.django_db
def test_the_records_manager_draws_up_and_approves_a_list_on_the_page(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    archivist = UserFactory(role=Role.RECORDS_MANAGER, organisation=municipality)
    due = closed_file(director, ended_days_ago=800, municipality=municipality)
    closed_file(director, ended_days_ago=800)  # another municipality's file: not on this list
    client.force_login(director)
    assert client.get("/vernietigingslijsten/").status_code == 403
    client.force_login(archivist)
    response = client.post("/vernietigingslijsten/", {"municipality": municipality.pk})
    destruction_list = DestructionList.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/vernietigingslijsten/{destruction_list.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert str(due.uuid) in page and "Lijst goedkeuren" in page
    client.post(response["Location"])
    destruction_list.refresh_from_db()
    assert destruction_list.status == ListStatus.APPROVED and destruction_list.approved_by == archivist
    assert "purge uitvoeren --lijst" in client.get(response["Location"]).content.decode()
    other_archivist = UserFactory(role=Role.RECORDS_MANAGER, organisation=OrganisationFactory(municipality=True))
    client.force_login(other_archivist)
    assert client.get(response["Location"]).status_code == 404


@pytest.mark.django_db
def test_an_open_enrollment_keeps_the_file_even_with_a_stray_end_date():
    actor = UserFactory()
    participant = closed_file(actor, ended_days_ago=800)
    participant.enrollments.update(state="actief")  # stored state says open, end date says closed
    listed = {f.participant_uuid for f in selectors.files_due_for_destruction(today=clock.today())}
    assert str(participant.uuid) not in listed
