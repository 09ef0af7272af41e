"""C2: script stored in free-text fields never runs (a dialog would fail the page fixture)."""

from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

from .test_coach_flow import login_with_keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)>",
    '"><script>alert(4)</script>',
    '<div hx-get="/uitloggen/" hx-trigger="load">x</div>',
]


def test_stored_payloads_never_execute(page, assurance):
    coach = UserFactory(username="coach.xss", role=Role.COACH)
    programme = ProgrammeFactory(name=PAYLOADS[1])
    for index, payload in enumerate(PAYLOADS):
        participant = ParticipantFactory(given_name=payload, family_name=f"Test{index}")
        TeamAssignmentFactory(participant=participant, member=coach)
        services.enrollment_enrol(
            participant=participant,
            programme=programme,
            actor=coach,
            referred_by=coach.organisation,
            on=clock.today() - timedelta(days=1),
            note=payload,
        )
    login_with_keyboard(page, "coach.xss")
    visited = [page.url]
    hrefs = [link.get_attribute("href") for link in page.locator("tbody th a").all()]
    assert len(hrefs) == len(PAYLOADS)
    for href in hrefs:
        page.goto(href)
        visited.append(page.url)
        assert "<script>alert" not in page.inner_html("main")
    page.goto(f"/programmas/{programme.code}/")
    visited.append(page.url)
    page.goto("/deelnemers/zoeken/?q=Test")
    visited.append(page.url)
    assert page.url.endswith("?q=Test")  # the htmx payload did not log us out
    assurance.add("C2 pages visited with stored payloads", len(visited))
    assurance.add("C2 script executions", 0)  # any execution opens a dialog, which fails the page fixture
