"""A query compiled once per shape answers like its queryset for any participants."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from doorstroom.core import clock, prepared
from doorstroom.participants.models import Participant
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def born_after(day):
    return lambda ids: Participant.objects.filter(pk__in=ids, date_of_birth__gt=day).values_list(
        "pk", "date_of_birth", "uuid"
    )


def test_rows_equal_the_querysets_whatever_the_ids_and_are_compiled_once():
    prepared.forget()
    people = [ParticipantFactory(date_of_birth=clock.today() - timedelta(days=365 * (20 + i))) for i in range(6)]
    ids = [p.pk for p in people]
    day = clock.today() - timedelta(days=365 * 23)
    build = born_after(day)
    builds = []

    def counted(ids):
        builds.append(ids)
        return build(ids)

    for chosen in ([ids[0]], ids[:3], ids[3:], [ids[5], ids[1], ids[2]], ids[:3]):
        expected = sorted(tuple(row) for row in build(chosen))
        with CaptureQueriesContext(connection) as captured:
            got = sorted(prepared.rows(("born after", day), counted, chosen))
        assert got == expected and len(captured) == 1
    assert [type(value) for value in got[0]] == [type(value) for value in expected[0]]  # converted as the ORM does
    assert len(builds) == 2  # one shape per number of ids; the later runs only bind
    other_day = day - timedelta(days=365 * 2)
    assert sorted(prepared.rows(("born after", other_day), born_after(other_day), ids[:3])) == sorted(
        born_after(other_day)(ids[:3])
    )


def test_no_ids_no_query_and_many_ids_run_as_a_plain_queryset():
    prepared.forget()
    people = [ParticipantFactory() for _ in range(prepared.MOST_IDS + 2)]
    everyone = [p.pk for p in people]
    build = born_after(clock.today() - timedelta(days=365 * 200))
    with CaptureQueriesContext(connection) as captured:
        assert prepared.rows("none", build, []) == []
    assert len(captured) == 0
    assert sorted(prepared.rows("many", build, everyone)) == sorted(build(everyone))
    assert ("many", len(everyone)) not in prepared._shapes()


def test_a_query_without_ids_and_one_that_forgets_them():
    prepared.forget()
    ParticipantFactory()
    assert prepared.rows("all", lambda _ids: Participant.objects.values_list("pk"), None) == list(
        Participant.objects.values_list("pk")
    )
    with pytest.raises(ValueError):  # a query that does not use its ids would answer for everyone
        prepared.rows("forgot", lambda _ids: Participant.objects.values_list("pk"), [1])
