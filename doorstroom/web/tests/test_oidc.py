"""Login through a municipality's identity provider (OpenID Connect), against a small provider
running on loopback in a thread: real HTTP for the token and userinfo calls, a real signed token."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest

from doorstroom.core.second_factor import IDP_MFA_SESSION_KEY
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLIENT_ID, CLIENT_SECRET = "doorstroom-test", "een-lang-genoeg-geheim-voor-hs256-tokens-0123456789"


class Provider:
    """What the provider will say next: the username claim, the amr values, a forged signature."""

    def __init__(self):
        self.username = "coach.gemeente"
        self.amr = ["pwd", "mfa"]
        self.nonce = ""
        self.forge = False
        self.token_requests = []


@pytest.fixture
def provider(settings):
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _json(self, body, status=200):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # the token endpoint
            form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            state.token_requests.append(form)
            if form.get("client_secret") != [CLIENT_SECRET] or "code_verifier" not in form:
                return self._json({"error": "invalid_client"}, 400)
            now = int(time.time())
            claims = {"iss": "http://127.0.0.1", "aud": CLIENT_ID, "sub": "abc-123", "iat": now, "exp": now + 300}
            claims |= {"nonce": state.nonce, "amr": state.amr}
            key = "een-ander-geheim-van-een-vervalser-0123456789" if state.forge else CLIENT_SECRET
            return self._json({"id_token": jwt.encode(claims, key, algorithm="HS256"), "access_token": "at-1"})

        def do_GET(self):  # the userinfo endpoint
            if self.headers.get("Authorization") != "Bearer at-1":
                return self._json({"error": "invalid_token"}, 401)
            return self._json({"sub": "abc-123", "preferred_username": state.username})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.DOORSTROOM_OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        "doorstroom.organisations.backends.AccountBackend",
        "doorstroom.web.oidc.MunicipalIdentityProviderBackend",
    ]
    settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{base}/userinfo"
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.DOORSTROOM_REQUIRE_2FA = True
    yield state
    server.shutdown()


def log_in_through_the_provider(client, provider):
    start = client.get("/inloggen/gemeente/")
    assert start.status_code == 302
    query = parse_qs(urlparse(start["Location"]).query)
    assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
    provider.nonce = query["nonce"][0]
    return client.get(f"/inloggen/gemeente/terug/?code=de-code&state={query['state'][0]}")


def test_an_existing_staff_member_logs_in_and_the_providers_mfa_counts(client, provider):
    coach = UserFactory(username="coach.gemeente", role=Role.COACH)
    done = log_in_through_the_provider(client, provider)
    assert done.status_code == 302 and done["Location"] == "/"  # the start page of the role
    assert client.session["_auth_user_id"] == str(coach.pk) and client.session[IDP_MFA_SESSION_KEY] is True
    assert client.get("/mijn-deelnemers/").status_code == 200  # no second code asked
    assert provider.token_requests[0]["grant_type"] == ["authorization_code"]


def test_without_mfa_from_the_provider_our_own_second_factor_is_asked(client, provider):
    UserFactory(username="coach.gemeente", role=Role.COACH)
    provider.amr = ["pwd"]
    log_in_through_the_provider(client, provider)
    assert "_auth_user_id" in client.session and IDP_MFA_SESSION_KEY not in client.session
    assert client.get("/mijn-deelnemers/")["Location"].startswith("/inloggen/code/")


@pytest.mark.parametrize("case", ["unknown user", "participant account", "inactive", "forged token"])
def test_no_login_without_a_matching_active_staff_account_and_a_valid_token(client, provider, case):
    if case == "participant account":
        UserFactory(username="coach.gemeente", role=Role.PARTICIPANT)
    elif case == "inactive":
        UserFactory(username="coach.gemeente", role=Role.COACH, is_active=False)
    elif case == "forged token":
        UserFactory(username="coach.gemeente", role=Role.COACH)
        provider.forge = True
    done = log_in_through_the_provider(client, provider)
    assert done.status_code == 302 and done["Location"] == "/inloggen/?gemeente=mislukt"
    assert "_auth_user_id" not in client.session


def test_the_provider_login_is_off_unless_configured(client, settings):
    settings.DOORSTROOM_OIDC_ENABLED = False
    assert client.get("/inloggen/gemeente/").status_code == 404
    assert "Inloggen via uw gemeente" not in client.get("/inloggen/").content.decode()
