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


def test_instances_equal_the_querysets_with_their_related_objects_and_are_compiled_once():
    from doorstroom.enrollments.models import TeamAssignment
    from doorstroom.enrollments.tests.factories import TeamAssignmentFactory

    prepared.forget()
    assignments = [TeamAssignmentFactory() for _ in range(4)]
    ids = [a.participant_id for a in assignments]
    builds = []

    def build(ids):
        builds.append(ids)
        return (
            TeamAssignment.objects.filter(participant_id__in=ids)
            .select_related("member", "member__organisation", "organisation")
            .order_by("-starts_on", "-id")
        )

    def seen(assignment):
        member = assignment.member
        fields = [f.attname for f in TeamAssignment._meta.concrete_fields]
        return (
            tuple(getattr(assignment, f) for f in fields),
            (member.pk, member.username, member.organisation.name if member.organisation else None),
            assignment.organisation.name,
        )

    for chosen in ([ids[0]], ids[1:3], ids[2:4], [ids[3], ids[0]]):
        expected = [seen(a) for a in build(chosen)]
        with CaptureQueriesContext(connection) as captured:
            got = [seen(a) for a in prepared.instances("team", build, chosen)]
        assert got == expected and len(captured) == 1  # the related objects came with it
    assert len(builds) == 4 + 2  # one compile per number of ids (1 and 2), besides the expectations
    [one] = prepared.instances("team", build, [ids[0]])
    assert isinstance(one, TeamAssignment) and not one._state.adding and one._state.db == "default"


def test_instances_refuse_what_would_be_lost():
    prepared.forget()
    person = ParticipantFactory()
    with pytest.raises(ValueError):  # prefetching happens after the query: it would be missing
        prepared.instances("prefetch", lambda ids: Participant.objects.filter(pk__in=ids).prefetch_related("team"), [1])
    with pytest.raises(ValueError):  # a related manager's queryset knows its owner
        prepared.instances("manager", lambda ids: person.team.filter(pk__in=ids), [1])
    with pytest.raises(ValueError):
        prepared.instances("values", lambda ids: Participant.objects.filter(pk__in=ids).values("pk"), [1])
    assert prepared.instances("none", lambda ids: Participant.objects.filter(pk__in=ids), []) == []


def test_instances_by_public_id_on_either_backend():
    import uuid

    prepared.forget()
    people = [ParticipantFactory() for _ in range(3)]

    def build(uuids):
        return Participant.objects.filter(uuid__in=uuids).select_related("municipality").order_by("pk")

    for person in people:
        [found] = prepared.instances("by public id", build, [person.uuid])
        assert (found.pk, found.municipality.name) == (person.pk, person.municipality.name)
    assert prepared.instances("by public id", build, [uuid.uuid4()]) == []
    assert [p.pk for p in prepared.instances("by public id", build, [p.uuid for p in people[:2]])] == [
        p.pk for p in people[:2]
    ]
    with pytest.raises(TypeError):
        prepared.instances("mixed", build, [people[0].uuid, people[0].pk])


def test_instances_by_a_text_key():
    prepared.forget()
    people = [ParticipantFactory(given_name=f"Sleutel{i}") for i in range(3)]

    def build(names):
        return Participant.objects.filter(given_name__in=names).order_by("pk")

    [one] = prepared.instances("by name", build, ["Sleutel1"])
    assert one.pk == people[1].pk
    assert prepared.instances("by name", build, ["Niemand"]) == []
    assert [p.pk for p in prepared.instances("by name", build, ["Sleutel0", "Sleutel2"])] == [
        people[0].pk,
        people[2].pk,
    ]
