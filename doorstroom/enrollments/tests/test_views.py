"""Pages: caseload, file, enrolment and steps, with bounded queries whatever the caseload."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.enrollments.models import Enrollment, EventType
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db


def caseload_of(coach, programme, size):
    for _ in range(size):
        participant = ParticipantFactory()
        TeamAssignmentFactory(participant=participant, member=coach)
        enrollment = services.enrollment_enrol(
            participant=participant,
            programme=programme,
            actor=coach,
            referred_by=coach.organisation,
            on=clock.today() - timedelta(days=70),
        )
        services.enrollment_record(
            enrollment=enrollment, actor=coach, event_type=EventType.STARTED, on=clock.today() - timedelta(days=60)
        )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("url_name", ["enrollments:caseload", "programmes:board"])
def test_pages_use_the_same_number_of_queries_for_10_and_200_participants(client, url_name):
    """Caseload: session, user, count, one page of participants, their open enrollments, and the
    audit row (lock chain head, insert event, insert subjects, update head).
    Board: session, user, programme, phases, counts per column, one list per column, audit row."""
    programme = ProgrammeFactory()
    small, large = UserFactory(role=Role.COACH), UserFactory(role=Role.COACH)
    caseload_of(small, programme, 10)
    caseload_of(large, programme, 200)
    kwargs = {"code": programme.code} if url_name == "programmes:board" else {}
    url = reverse(url_name, kwargs=kwargs)
    client.force_login(small)
    count_queries(client, url)  # the first request starts the audit chain; measure from the second
    few, response_small = count_queries(client, url)
    client.force_login(large)
    count_queries(client, url)  # the first page after logging in renews the new session
    many, response_large = count_queries(client, url)
    assert few == many
    assert few <= 22
    html = response_large.content.decode()
    if url_name == "enrollments:caseload":
        assert "200 deelnemers" in html and "Pagina 1 van 2" in html
    else:
        assert ">200<" in html and "en nog 140 anderen" in html


def test_caseload_shows_weeks_in_phase_against_expected_weeks(client):
    coach = UserFactory(role=Role.COACH)
    caseload_of(coach, ProgrammeFactory(), 1)  # first phase expects 4 weeks; started 60 days ago
    client.force_login(coach)
    html = client.get(reverse("enrollments:caseload")).content.decode()
    assert "8 van 4" in html
    assert "over tijd" in html


def test_participant_file_shows_the_timeline_and_hides_others_files(client):
    coach = UserFactory(role=Role.COACH)
    caseload_of(coach, ProgrammeFactory(), 1)
    mine = Enrollment.objects.get()
    stranger = ParticipantFactory(given_name="Verborgen")
    client.force_login(coach)
    page = client.get(reverse("participants:detail", args=[mine.participant.uuid])).content.decode()
    assert "Gestart" in page and "Aangemeld" in page
    response = client.get(reverse("participants:detail", args=[stranger.uuid]))
    assert response.status_code == 404
    assert "Verborgen" not in response.content.decode()


def test_a_step_is_recorded_from_the_page_and_bad_input_is_shown_at_the_field(client):
    coach = UserFactory(role=Role.COACH)
    caseload_of(coach, ProgrammeFactory(), 1)
    enrollment = Enrollment.objects.get()
    client.force_login(coach)
    url = reverse("enrollments:event_create", args=[enrollment.uuid, "gepauzeerd"])
    bad = client.post(url, {"occurred_on": clock.today().isoformat(), "reason_code": "", "version": enrollment.version})
    assert bad.status_code == 400
    assert 'id="id_reason_code-error"' in bad.content.decode()
    assert 'aria-invalid="true"' in bad.content.decode()
    future = client.post(
        url,
        {
            "occurred_on": (clock.today() + timedelta(days=3)).isoformat(),
            "reason_code": "vakantie",
            "version": enrollment.version,
        },
    )
    assert future.status_code == 400 and "toekomst" in future.content.decode()
    # illness is health data: a coach without a health grant is not offered it, and cannot post it
    assert 'value="ziekte"' not in client.get(url).content.decode()
    sick = client.post(
        url, {"occurred_on": clock.today().isoformat(), "reason_code": "ziekte", "version": enrollment.version}
    )
    assert sick.status_code == 400 and 'id="id_reason_code-error"' in sick.content.decode()
    ok = client.post(
        url, {"occurred_on": clock.today().isoformat(), "reason_code": "vakantie", "version": enrollment.version}
    )
    assert ok.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.state == "gepauzeerd"


def test_htmx_step_answers_with_the_enrollment_card(client):
    coach = UserFactory(role=Role.COACH)
    caseload_of(coach, ProgrammeFactory(), 1)
    enrollment = Enrollment.objects.get()
    client.force_login(coach)
    url = reverse("enrollments:event_create", args=[enrollment.uuid, "fase_gewijzigd"])
    response = client.post(
        url,
        {"occurred_on": clock.today().isoformat(), "version": enrollment.version, "note": ""},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="enrollment-{enrollment.uuid}"' in html and "<html" not in html
    assert "De stap is opgeslagen" in html


def test_an_illegal_step_is_refused_with_a_message(client):
    coach = UserFactory(role=Role.COACH)
    caseload_of(coach, ProgrammeFactory(), 1)
    enrollment = Enrollment.objects.get()
    client.force_login(coach)
    response = client.post(
        reverse("enrollments:event_create", args=[enrollment.uuid, "hervat"]),
        {"occurred_on": clock.today().isoformat(), "version": enrollment.version},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "U kunt dit traject op" in page and "niet hervatten: het loopt dan al" in page, page
    assert "&#x27;hervat&#x27;" not in page and "'actief'" not in page  # no codes in the message
    assert enrollment.events.count() == 2


def test_enrolment_of_an_ineligible_participant_names_the_field(client):
    coach = UserFactory(role=Role.COACH)
    participant = ParticipantFactory(civic_integration_duty=False)
    TeamAssignmentFactory(participant=participant, member=coach)
    programme = ProgrammeFactory(requires_civic_integration_duty=True)
    client.force_login(coach)
    response = client.post(
        reverse("enrollments:create", args=[participant.uuid]),
        {
            "programme": programme.pk,
            "referred_by": participant.municipality.pk,
            "occurred_on": clock.today().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "inburgeringsplichtigen" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_a_teacher_cannot_change_a_file_they_are_not_on(client):
    teacher = UserFactory(role=Role.TEACHER)
    participant = ParticipantFactory()
    client.force_login(teacher)
    assert client.get(reverse("enrollments:create", args=[participant.uuid])).status_code == 404


def test_registration_adds_the_coach_to_the_team_and_warns_about_duplicates(client):
    municipality = OrganisationFactory(municipality=True)
    partner = OrganisationFactory()
    partner.works_for.add(municipality)
    coach = UserFactory(role=Role.COACH, organisation=partner)
    hidden = ParticipantFactory(municipality=municipality, given_name="Sara", family_name="Haile")
    client.force_login(coach)
    data = {
        "municipality": municipality.pk,
        "given_name": "Sara",
        "family_name": "Haile",
        "date_of_birth": hidden.date_of_birth.isoformat(),
        "residence_status": "asiel",
        "benefit_status": "bijstand",
    }
    warned = client.post(reverse("participants:create"), data).content.decode()
    assert "kan niet worden afgerond" in warned and "Neem contact op met een klantregisseur" in warned
    assert str(hidden.uuid) not in warned  # the coach may not see it: nothing about it is shown
    assert municipality.name in warned
    # what the coach was not shown, the coach cannot confirm to be someone else: the municipality checks
    refused = client.post(reverse("participants:create"), {**data, "confirm_not_duplicate": "on"})
    assert refused.status_code == 400 and not coach.assignments.exists()


def test_registration_with_an_invalid_bsn_names_the_field(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    client.force_login(director)
    response = client.post(
        reverse("participants:create"),
        {
            "municipality": municipality.pk,
            "given_name": "A",
            "family_name": "B",
            "date_of_birth": "1990-01-01",
            "bsn": "123456789",
            "residence_status": "onbekend",
            "benefit_status": "onbekend",
        },
    )
    assert response.status_code == 400
    assert "elfproef" in response.content.decode()
    assert 'href="#id_bsn"' in response.content.decode()


def test_search_finds_by_name_and_bsn_only_within_scope(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    mine = ParticipantFactory(municipality=municipality, family_name="Kidane", bsn="123456782")
    ParticipantFactory(family_name="Kidane", bsn="111222333")  # another municipality
    client.force_login(director)
    by_name = client.get(reverse("participants:search"), {"q": "kidane"}).content.decode()
    assert by_name.count('<th scope="row">') == 1
    assert str(mine.uuid) in by_name
    assert str(mine.uuid) in client.post(reverse("participants:search"), {"q": "123456782"}).content.decode()
    assert "Geen deelnemers" in client.post(reverse("participants:search"), {"q": "111222333"}).content.decode()
    # a BSN in the address is refused, not searched
    in_address = client.get(reverse("participants:search"), {"q": "123456782"})
    assert in_address.status_code == 400 and str(mine.uuid) not in in_address.content.decode()


def test_edit_with_a_stale_version_shows_a_conflict(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    p = ParticipantFactory(municipality=municipality)
    client.force_login(director)
    form = {
        "given_name": "Nieuw",
        "family_name": p.family_name,
        "date_of_birth": "1990-05-17",
        "residence_status": "asiel",
        "benefit_status": "geen",
        "version": 1,
    }
    assert client.post(reverse("participants:edit", args=[p.uuid]), form).status_code == 302
    stale = client.post(reverse("participants:edit", args=[p.uuid]), {**form, "given_name": "Anders"})
    assert stale.status_code == 400
    assert "net gewijzigd" in stale.content.decode()
    p.refresh_from_db()
    assert p.given_name == "Nieuw"


def test_a_participant_sees_their_own_file_and_cannot_change_it(client):
    account = UserFactory(role=Role.PARTICIPANT)
    me = ParticipantFactory(account=account)
    client.force_login(account)
    response = client.get(reverse("enrollments:caseload"))
    assert response.status_code == 302 and response["Location"] == reverse("participants:own_file")
    page = client.get(response["Location"]).content.decode()
    assert me.full_name in page and "Gegevens wijzigen" not in page and "Dit ziet u over uzelf" in page
    assert client.get(reverse("participants:edit", args=[me.uuid])).status_code == 403


def test_a_director_ends_a_coach_assignment_and_access_ends_at_once(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    coach = UserFactory(role=Role.COACH)
    participant = ParticipantFactory(municipality=municipality)
    assignment = TeamAssignmentFactory(participant=participant, member=coach)
    coach_client = client.__class__()
    coach_client.force_login(coach)
    file_url = reverse("participants:detail", args=[participant.uuid])
    assert coach_client.get(file_url).status_code == 200
    client.force_login(director)
    response = client.post(reverse("enrollments:team_end", args=[participant.uuid, assignment.uuid]))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ends_on == clock.today() - timedelta(days=0)
    # the assignment runs through today; from tomorrow it no longer grants access
    assignment.ends_on = clock.today() - timedelta(days=1)
    assignment.save()
    assert coach_client.get(file_url).status_code == 404


def test_only_a_director_may_change_the_team(client):
    coach = UserFactory(role=Role.COACH)
    participant = ParticipantFactory()
    assignment = TeamAssignmentFactory(participant=participant, member=coach)
    client.force_login(coach)
    assert client.post(reverse("enrollments:team_end", args=[participant.uuid, assignment.uuid])).status_code == 403
    assert client.get(reverse("enrollments:team_add", args=[participant.uuid])).status_code == 403


def test_htmx_step_with_an_error_shows_the_form_in_place(client):
    coach = UserFactory(role=Role.COACH)
    caseload_of(coach, ProgrammeFactory(), 1)
    enrollment = Enrollment.objects.get()
    client.force_login(coach)
    response = client.post(
        reverse("enrollments:event_create", args=[enrollment.uuid, "uitgevallen"]),
        {"occurred_on": clock.today().isoformat(), "version": enrollment.version, "reason_code": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps only 2xx responses
    assert response["HX-Retarget"] == f"#event-form-{enrollment.uuid}"
    assert 'id="id_reason_code-error"' in response.content.decode()
    assert enrollment.events.count() == 2


def test_a_visible_duplicate_is_linked(client):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    existing = ParticipantFactory(municipality=municipality, given_name="Rania", family_name="Haddad")
    client.force_login(director)
    response = client.post(
        reverse("participants:create"),
        {
            "municipality": municipality.pk,
            "given_name": "Rania",
            "family_name": "Haddad",
            "date_of_birth": existing.date_of_birth.isoformat(),
            "residence_status": "onbekend",
            "benefit_status": "onbekend",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'href="/deelnemers/{existing.uuid}/"' in html
    assert "niet mag inzien" not in html
