"""Two-factor login for staff (assurance D2, D3): no participant data before the second factor."""

import time

from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations import services as account_services
from doorstroom.organisations.models import Role
from doorstroom.organisations.services import api_token_issue
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Wachtwoord-voor-tests-1"


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def all_routes(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


@override_settings(DOORSTROOM_REQUIRE_2FA=True)
def test_an_unverified_staff_session_reaches_no_participant_page(client, assurance):
    coach = UserFactory(role=Role.COACH)
    participant = ParticipantFactory(given_name="Kanarie")
    TeamAssignmentFactory(participant=participant, member=coach)
    assert client.login(username=coach.username, password=PASSWORD)
    pages = [
        "/" + r.replace("<uuid:participant_uuid>", str(participant.uuid))
        for r in all_routes()
        if not r.startswith(("api/", "inloggen", "uitloggen", "i18n", "beheer"))
        and "<" not in r.replace("<uuid:participant_uuid>", "")
    ]
    assert len(pages) >= 6
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/inloggen/" in response["Location"], url
        assert "Kanarie" not in response.content.decode()
    session_api = client.get(f"/api/v1/deelnemers/{participant.uuid}/")
    assert session_api.status_code == 403
    assurance.add("D3 pages reachable without the second factor", 0)
    assurance.add("D3 pages checked", len(pages))


@override_settings(DOORSTROOM_REQUIRE_2FA=True)
def test_first_login_sets_up_an_app_and_then_reaches_the_caseload(client):
    coach = UserFactory(role=Role.COACH)
    client.post("/inloggen/", {"username": coach.username, "password": PASSWORD})
    response = client.get("/mijn-deelnemers/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/inloggen/instellen/")
    device = TOTPDevice.objects.get(user=coach, confirmed=False)
    wrong = client.post("/inloggen/instellen/", {"token": "000000", "next": "/mijn-deelnemers/"})
    assert wrong.status_code == 400
    time.sleep(1.1)  # django-otp throttles guesses: after a wrong code the next try waits a second
    ok = client.post("/inloggen/instellen/", {"token": current_code(device), "next": "/mijn-deelnemers/"})
    assert ok.status_code == 302 and ok["Location"] == "/mijn-deelnemers/"
    assert client.get("/mijn-deelnemers/").status_code == 200


@override_settings(DOORSTROOM_REQUIRE_2FA=True)
def test_a_recovery_code_works_once_and_an_api_token_needs_no_second_factor(client):
    coach = UserFactory(role=Role.COACH)
    account_services.demo_totp_secret(coach)
    [code] = account_services.recovery_codes_issue(coach, count=1)
    client.post("/inloggen/", {"username": coach.username, "password": PASSWORD})
    assert client.post("/inloggen/code/", {"token": code, "next": "/mijn-deelnemers/"}).status_code == 302
    assert client.get("/mijn-deelnemers/").status_code == 200
    client.logout()
    client.post("/inloggen/", {"username": coach.username, "password": PASSWORD})
    assert client.post("/inloggen/code/", {"token": code}).status_code == 400  # used up
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=coach, name='test')[1]}")
    assert api.get("/api/v1/deelnemers/").status_code == 200


def test_the_sixth_login_attempt_is_refused_even_with_the_right_password(client, assurance):
    cache.clear()
    coach = UserFactory(role=Role.COACH)
    for _ in range(5):
        assert client.post("/inloggen/", {"username": coach.username, "password": "fout"}).status_code == 200
    response = client.post("/inloggen/", {"username": coach.username, "password": PASSWORD})
    assert response.status_code == 200 and "Te vaak" in response.content.decode()
    assert "_auth_user_id" not in client.session
    other = UserFactory(role=Role.COACH)  # the same client address is locked too
    assert "Te vaak" in client.post("/inloggen/", {"username": other.username, "password": PASSWORD}).content.decode()
    cache.clear()
    assurance.add("D2 lock-out after failures", 1)


def test_demo_accounts_print_fresh_one_time_codes(capsys):
    from doorstroom.demo.generator import _ensure_organisations, _ensure_users

    _ensure_users(_ensure_organisations())
    call_command("demo_accounts", address="127.0.0.1:8123")
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.strip().startswith("coach "))
    assert "codes:" in line and len(line.split("codes:")[1].split()) == 3
    assert "http://127.0.0.1:8123/" in out  # the address actually served
    rows = [row for row in out.splitlines() if "codes:" in row]
    assert len({row.index("codes:") for row in rows}) == 1  # aligned columns, however long a name


@override_settings(DOORSTROOM_REQUIRE_2FA=True)
def test_the_session_key_changes_when_the_second_factor_is_passed(client):
    """Session fixation: a key known before the code (from the login form) is worthless after it."""
    coach = UserFactory(role=Role.COACH)
    account_services.demo_totp_secret(coach)
    device = TOTPDevice.objects.get(user=coach, confirmed=True)
    client.post("/inloggen/", {"username": coach.username, "password": PASSWORD})
    before = client.session.session_key
    assert client.post("/inloggen/code/", {"token": current_code(device), "next": "/"}).status_code == 302
    after = client.session.session_key
    assert before and after and before != after
    assert client.get("/mijn-deelnemers/").status_code == 200
