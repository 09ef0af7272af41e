"""The programmes a caseload's filter offers, read from the reader's own team for directors and
team members, are those the reader's scopes give, for every reader of a generated world."""

from datetime import timedelta

import pytest

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.demo import generator
from doorstroom.enrollments.models import Enrollment
from doorstroom.organisations.models import User

pytestmark = pytest.mark.django_db


def test_every_reader_is_offered_the_programmes_their_scopes_give():
    generator.generate(participants=120, seed=21, today=clock.today())
    assert Enrollment.objects.filter(programme__is_sensitive=True).exists()
    readers = list(User.objects.filter(is_active=True).order_by("pk"))
    offered = sensitive = 0
    for reader in readers:
        got = [p.pk for p in access.programmes_on_caseload(reader)]
        assert got == list(access.programmes_on_caseload_by_scope(reader).values_list("pk", flat=True)), (
            reader.username,
            reader.role,
        )
        offered += len(got)
        sensitive += sum(p.is_sensitive for p in access.programmes_on_caseload(reader))
    assert offered > 0 and sensitive > 0  # both kinds were offered somewhere


def test_a_team_that_ended_yesterday_offers_nothing():
    generator.generate(participants=40, seed=22, today=clock.today())
    reader = next(u for u in User.objects.filter(role="coach") if access.programmes_on_caseload(u))
    reader.assignments.update(ends_on=clock.today() - timedelta(days=1))
    assert access.programmes_on_caseload(reader) == []
    assert not access.programmes_on_caseload_by_scope(reader).exists()
