"""A page's open enrollments decided on the page's facts (`open_enrollments_shown`, the caseload)
are exactly those the reader's enrollment scope holds, for every reader of a generated world,
for pages of any size, with and without a chosen programme."""

import random

import pytest

from doorstroom.access import policy as access
from doorstroom.core import clock
from doorstroom.demo import generator
from doorstroom.enrollments.models import Enrollment
from doorstroom.enrollments.rules import OPEN_STATES
from doorstroom.organisations.models import User
from doorstroom.participants.models import Participant

pytestmark = pytest.mark.django_db
OPEN = [s.value for s in OPEN_STATES]


def test_a_pages_open_enrollments_are_what_the_scope_holds():
    generator.generate(participants=120, seed=8, today=clock.today())
    assert Enrollment.objects.filter(programme__is_sensitive=True, state__in=OPEN).exists()
    people = list(Participant.objects.order_by("pk"))
    readers = list(User.objects.filter(is_active=True).exclude(role="").order_by("pk"))
    programmes = sorted(set(Enrollment.objects.values_list("programme_id", flat=True)))
    pick = random.Random(12)  # noqa: S311 - a sample, not a secret
    compared = shown_somewhere = sensitive_kept = 0
    for reader in readers:
        own = list(access.participants_on_caseload(reader).order_by("pk"))
        for page in (own[:100], pick.sample(people, 7), pick.sample(people, 100)):
            facts = access.involvements_of(reader, page)
            for programme in (None, pick.choice(programmes)):
                scope = access.enrollments_visible_to(reader).filter(
                    participant__in=[p.pk for p in page], state__in=OPEN
                )
                if programme is not None:
                    scope = scope.filter(programme_id=programme)
                got = access.open_enrollments_shown(reader, page, facts, programme_id=programme)
                assert sorted(e.pk for e in got) == sorted(scope.values_list("pk", flat=True)), (reader.username,)
                compared += 1
                shown_somewhere += len(got)
                sensitive_kept += sum(e.programme.is_sensitive for e in got)
    assert compared > 50 and shown_somewhere > 0 and sensitive_kept > 0  # both sides were exercised
