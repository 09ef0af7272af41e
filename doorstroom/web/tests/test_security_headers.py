"""D5: security headers on every page, and no inline script anywhere (the CSP forbids it)."""

import re

from django.urls import reverse

import pytest

from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_pages_carry_the_security_headers_and_no_inline_scripts(client, assurance):
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    participant = ParticipantFactory(municipality=municipality)
    TeamAssignmentFactory(participant=participant, member=director)
    pages = ["/inloggen/", "/api/docs/"]
    client.force_login(director)
    pages += [
        reverse("enrollments:caseload"),
        reverse("participants:search") + "?q=ab",
        reverse("participants:create"),
        reverse("participants:detail", args=[participant.uuid]),
        reverse("participants:edit", args=[participant.uuid]),
        reverse("participants:audit_trail", args=[participant.uuid]),
        reverse("programmes:list"),
        reverse("enrollments:create", args=[participant.uuid]),
        "/api/v1/deelnemers/",
        "/api/schema/",
    ]
    violations = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["script-src"] == "'self'" and "frame-ancestors 'none'" in csp
        # only the API documentation (no personal data) lets its widgets style themselves inline
        assert "unsafe-inline" not in csp or (
            url == "/api/docs/" and directives["style-src"].endswith("'unsafe-inline'")
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        if url != "/inloggen/":
            assert response["Cache-Control"] == "no-store", url
        if "text/html" in response["Content-Type"]:
            violations += len(INLINE_SCRIPT.findall(response.content.decode()))
    assert violations == 0
    assurance.add("D5 pages checked for headers", len(pages))
    assurance.add("D5 header violations", violations)
