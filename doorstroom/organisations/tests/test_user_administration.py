"""Administration never becomes case access: the functional administrator cannot touch accounts,
roles or regions (not in the admin, not on pages); every such change needs two user
administrators and is in the audit chain with before and after; new accounts get their
credentials only through a one-time activation link."""

import re
from datetime import datetime, timedelta

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from doorstroom.access import audit
from doorstroom.access.models import AuditEvent
from doorstroom.core.errors import DomainError
from doorstroom.demo.generator import ensure_administration_group
from doorstroom.organisations import services
from doorstroom.organisations.models import AccountChange, Role, User
from doorstroom.organisations.tests.factories import OrganisationFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    municipality = OrganisationFactory(municipality=True)
    beheerder = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, organisation=municipality)
    beheerder.groups.add(ensure_administration_group())
    return {
        "municipality": municipality,
        "beheerder": beheerder,
        "first": UserFactory(role=Role.USER_ADMINISTRATOR, organisation=municipality),
        "second": UserFactory(role=Role.USER_ADMINISTRATOR, organisation=municipality),
        "coach": UserFactory(role=Role.COACH, email="coach@voorbeeld.nl"),
    }


def test_the_functional_administrator_finds_no_way_to_accounts_in_the_admin(client, people):
    """Found by probing the demo: the administrator made themselves a case director in the admin
    and could set any user's password."""
    beheerder, coach = people["beheerder"], people["coach"]
    region = RegionFactory()
    client.force_login(beheerder)
    assert client.get("/beheer/programmes/programme/").status_code == 200  # the work itself still works
    index = client.get("/beheer/").content.decode()
    assert "/beheer/organisations/user/" not in index and "/beheer/auth/group/" not in index
    for url in (
        f"/beheer/organisations/user/{beheerder.pk}/change/",
        f"/beheer/organisations/user/{coach.pk}/password/",
        "/beheer/organisations/user/add/",
        "/beheer/auth/group/",
        "/beheer/auth/group/add/",
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"role": Role.DIRECTOR, "password1": "x", "password2": "x"}).status_code == 404
    changed = client.post(
        f"/beheer/organisations/region/{region.pk}/change/", {"name": region.name, "centre": region.centre_id}
    )
    assert changed.status_code == 403
    assert client.post("/beheer/organisations/region/add/", {"name": "Nieuw"}).status_code == 403
    # nor through the pages of user administration
    assert client.get("/gebruikers/").status_code == 404
    assert client.post(f"/gebruikers/{beheerder.pk}/", {"action": "rol", "rol-role": Role.DIRECTOR}).status_code == 404
    beheerder.refresh_from_db()
    coach.refresh_from_db()
    assert beheerder.role == Role.ADMINISTRATOR and coach.check_password("Wachtwoord-voor-tests-1")
    assert not beheerder.user_permissions.exists()
    assert (
        not beheerder.groups.get()
        .permissions.filter(content_type__model__in=["user", "group", "region"])
        .exclude(codename="view_region")
    )


def test_a_role_change_needs_two_user_administrators_and_is_in_the_chain(client, people):
    first, second, coach = people["first"], people["second"], people["coach"]
    client.force_login(first)
    # not for one's own account
    own = client.post(f"/gebruikers/{first.pk}/", {"action": "rol", "rol-role": Role.DIRECTOR})
    assert own.status_code == 400 and User.objects.get(pk=first.pk).role == Role.USER_ADMINISTRATOR
    proposed = client.post(f"/gebruikers/{coach.pk}/", {"action": "rol", "rol-role": Role.DIRECTOR})
    assert proposed.status_code == 302
    change = AccountChange.objects.get(target=coach)
    assert User.objects.get(pk=coach.pk).role == Role.COACH  # nothing changes yet
    # the proposer cannot approve, on the page nor in the service nor in the database
    client.post(f"/gebruikers/voorstellen/{change.uuid}/", {"decision": "approve"})
    assert User.objects.get(pk=coach.pk).role == Role.COACH
    with pytest.raises(DomainError):
        services.account_change_decide(actor=first, change=change, approve=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountChange.objects.filter(pk=change.pk).update(decided_by=first)
    # a token and a session of the coach end when the role changes
    _token, raw = services.api_token_issue(user=coach, name="Koppeling")
    coach_client = APIClient()
    coach_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert coach_client.get("/api/v1/deelnemers/").status_code == 200
    client.force_login(second)
    approved = client.post(f"/gebruikers/voorstellen/{change.uuid}/", {"decision": "approve"})
    assert approved.status_code == 302
    assert User.objects.get(pk=coach.pk).role == Role.DIRECTOR
    assert coach_client.get("/api/v1/deelnemers/").status_code == 401
    row = AuditEvent.objects.filter(object_type="account", detail__wat="rol:goedgekeurd").get()
    assert row.detail["voor"]["role"] == Role.COACH and row.detail["na"]["role"] == Role.DIRECTOR
    assert row.detail["door"] == [first.username, second.username]
    assert audit.verify_chain().intact
    # a second decision on the same proposal is a conflict, not a second change
    again = client.post(f"/gebruikers/voorstellen/{change.uuid}/", {"decision": "reject"})
    assert again.status_code == 302 and AccountChange.objects.get(pk=change.pk).state == "goedgekeurd"


def test_a_new_account_gets_its_password_only_through_a_one_time_link(client, people):
    first, second = people["first"], people["second"]
    client.force_login(first)
    proposed = client.post(
        "/gebruikers/nieuw/",
        {
            "username": "nieuwe.deelnemer",
            "first_name": "Nora",
            "last_name": "Nieuw",
            "email": "nora@voorbeeld.nl",
            "role": Role.PARTICIPANT,
            "organisation": people["municipality"].pk,
        },
    )
    assert proposed.status_code == 302 and not User.objects.filter(username="nieuwe.deelnemer").exists()
    client.force_login(second)
    change = AccountChange.objects.get(kind="aanmaken")
    client.post(f"/gebruikers/voorstellen/{change.uuid}/", {"decision": "approve"})
    user = User.objects.get(username="nieuwe.deelnemer")
    assert not user.has_usable_password()
    [message] = mail.outbox
    link = re.search(r"http://testserver(/activeren/\S+/)", message.body)[1]
    assert message.to == ["nora@voorbeeld.nl"] and "72 uur" in message.body
    client.logout()
    assert client.get(link).status_code == 200
    chosen = client.post(
        link, {"new_password1": "Een-lang-eigen-wachtwoord-9", "new_password2": "Een-lang-eigen-wachtwoord-9"}
    )
    assert chosen.status_code == 302
    assert User.objects.get(pk=user.pk).check_password("Een-lang-eigen-wachtwoord-9")
    assert client.get(link).status_code == 400  # once only

    class LongAgo(PasswordResetTokenGenerator):
        def _now(self) -> datetime:
            return datetime.now() - timedelta(hours=73)

    other = User.objects.create(username="later", role=Role.COACH, email="later@voorbeeld.nl")
    other.set_unusable_password()
    other.save()
    expired = f"/activeren/{urlsafe_base64_encode(force_bytes(other.pk))}/{LongAgo().make_token(other)}/"
    assert client.get(expired).status_code == 400


def test_deactivation_takes_effect_at_once_by_one_administrator(client, people):
    first, coach = people["first"], people["coach"]
    coach_client = type(client)()
    coach_client.force_login(coach)
    assert coach_client.get("/mijn-deelnemers/").status_code == 200
    client.force_login(first)
    assert client.post(f"/gebruikers/{coach.pk}/", {"action": "deactivate"}).status_code == 302
    assert not User.objects.get(pk=coach.pk).is_active
    assert coach_client.get("/mijn-deelnemers/").status_code == 302  # back to the login page
    row = AuditEvent.objects.get(object_type="account", detail__wat="uitgezet")
    assert row.detail["voor"]["is_active"] is True and row.detail["na"]["is_active"] is False


def test_resetting_a_second_factor_and_a_regions_reach_need_two(client, people):
    first, second, coach = people["first"], people["second"], people["coach"]
    TOTPDevice.objects.create(user=coach, name="telefoon", confirmed=True)
    region = RegionFactory(centre=people["municipality"])
    other = OrganisationFactory(municipality=True)
    client.force_login(first)
    client.post(f"/gebruikers/{coach.pk}/", {"action": "tweede_factor"})
    client.post(f"/regios/{region.pk}/", {"centre": people["municipality"].pk, "executes_for": [other.pk]})
    assert TOTPDevice.objects.filter(user=coach).exists() and not region.executes_for.exists()
    client.force_login(second)
    for change in AccountChange.objects.filter(state="voorgesteld"):
        client.post(f"/gebruikers/voorstellen/{change.uuid}/", {"decision": "approve"})
    assert not TOTPDevice.objects.filter(user=coach).exists()
    assert list(region.executes_for.all()) == [other]
    row = AuditEvent.objects.get(object_type="region", detail__wat="regio:goedgekeurd")
    assert row.detail["voor"]["executes_for"] == [] and row.detail["na"]["executes_for"] == [other.name]


def test_ending_sessions_also_ends_the_cached_copy(client, people):
    """With Redis in front of the sessions (`make serve`), a session ended in the database must not live
    on in the cache: deactivation logs out at once."""
    from django.test import override_settings

    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        coach_client = client.__class__()
        coach = UserFactory(role=Role.COACH, organisation=people["municipality"])
        coach_client.force_login(coach)
        assert coach_client.get("/").wsgi_request.user.is_authenticated
        assert services.sessions_end(coach) == 1
        assert not coach_client.get("/").wsgi_request.user.is_authenticated
