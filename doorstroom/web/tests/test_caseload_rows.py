"""The caseload's rows, written out in Python for speed (`{% caseload_rows %}`, ADR 0025), are the
markup the template wrote: held equal to that template, kept here as the reference, for every
kind of row of a generated caseload, in Dutch and in English."""

import itertools
from pathlib import Path

from django.template import engines
from django.test.html import parse_html
from django.urls import reverse
from django.utils import translation

import pytest

from doorstroom.core import clock
from doorstroom.demo import generator
from doorstroom.enrollments.models import TeamAssignment
from doorstroom.enrollments.selectors import PhaseProgress
from doorstroom.enrollments.tests.test_views import caseload_of
from doorstroom.organisations.models import Role, User
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.models import Participant
from doorstroom.programmes.tests.factories import ProgrammeFactory
from doorstroom.web.templatetags.caseload import caseload_rows

pytestmark = pytest.mark.django_db

#: the template's rows before they were written out in Python
REFERENCE = "{% load i18n links %}\n" + (Path(__file__).parent / "caseload_rows_reference.html").read_text()


def rows_of(client):
    response = client.get(reverse("enrollments:caseload"))
    assert response.status_code == 200
    return response.context["rows"], set(response.context["may_record_contact"]), response.content.decode()


def varied(rows):
    """Every branch of a row at least once: signals (one, many), paused, over time, no expected
    weeks, no weeks, no last step, no running trajectory, no contact allowed."""
    for number, row in enumerate(rows):
        kind = number % 7
        row.signal_count = [0, 1, 3][kind % 3]
        if row.enrollment is None:
            continue
        if kind == 1:
            row.enrollment.state = "gepauzeerd"
        elif kind == 2:
            row.progress = PhaseProgress(weeks=9, expected=4)
        elif kind == 3:
            row.progress = PhaseProgress(weeks=2, expected=None)
        elif kind == 4:
            row.progress = PhaseProgress(weeks=None, expected=6)
        elif kind == 5:
            row.enrollment.last_event_on = None
        elif kind == 6:
            row.enrollment.current_phase = None
    return rows


def test_the_rows_are_the_markup_the_template_wrote(client):
    generator.generate(participants=60, seed=4, today=clock.today())
    coach = UserFactory(role=Role.COACH)
    caseload_of(coach, ProgrammeFactory(), 3)
    busiest = TeamAssignment.objects.filter(role="coach").values_list("member", flat=True).order_by("member").first()
    reference = engines["django"].from_string(REFERENCE)
    compared = 0
    for reader in (coach, User.objects.get(pk=busiest)):
        client.force_login(reader)
        rows, may_record, page = rows_of(client)
        assert rows
        rows = varied(rows)
        without_contact = may_record - {rows[0].participant.pk}
        for language, allowed in itertools.product(("nl", "en"), (may_record, without_contact)):
            with translation.override(language):
                expected = reference.render({"rows": rows, "may_record_contact": allowed})
                got = caseload_rows(rows, allowed)
            assert parse_html(got) == parse_html(expected), language
            assert " ".join(got.split()) == " ".join(expected.split())
            compared += len(rows)
    assert compared > 20


def test_the_page_escapes_what_people_typed(client):
    coach = UserFactory(role=Role.COACH)
    caseload_of(coach, ProgrammeFactory(name="<b>Taal & Werk</b>"), 1)
    Participant.objects.update(given_name="<script>x</script>")
    client.force_login(coach)
    html = client.get(reverse("enrollments:caseload")).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>Taal" not in html and "&lt;b&gt;Taal &amp; Werk&lt;/b&gt;" in html
