"""Recording a history at once (as an import does) gives exactly what recording it step by step
gives, and a refused step refuses the whole history and says which step it was."""

from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.enrollments import services
from doorstroom.enrollments.models import EnrollmentEvent
from doorstroom.enrollments.services import Step, StepRefused
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

T0 = clock.today() - timedelta(days=300)
STEPS = [
    Step("intake", T0 + timedelta(days=5)),
    Step("gestart", T0 + timedelta(days=10)),
    Step("gepauzeerd", T0 + timedelta(days=30), reason_code="ziekte"),
    Step("hervat", T0 + timedelta(days=44)),
    Step("fase_gewijzigd", T0 + timedelta(days=60)),
    Step("afgerond", T0 + timedelta(days=200), outcomes=["stage", "certificaat", "stage"], note=" klaar "),
]


@pytest.fixture
def two_enrollments():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    programme = ProgrammeFactory()
    made = []
    for _ in range(2):
        made.append(
            services.enrollment_enrol(
                participant=ParticipantFactory(municipality=municipality),
                programme=programme,
                actor=director,
                referred_by=municipality,
                on=T0,
            )
        )
    return director, made


FIELDS = ("event_type", "occurred_on", "reason_code", "phase_id", "outcomes", "note")
STATE = ("state", "current_phase_id", "phase_entered_on", "started_on", "ended_on", "outcomes", "paused_days_in_phase")


def test_at_once_equals_step_by_step(two_enrollments):
    director, (one, other) = two_enrollments
    for step in STEPS:
        services.enrollment_record(
            enrollment=one,
            actor=director,
            event_type=step.event_type,
            on=step.on,
            note=step.note,
            reason_code=step.reason_code,
            phase=step.phase,
            outcomes=step.outcomes,
        )
    services.enrollment_record_many(enrollment=other, actor=director, steps=STEPS)
    one.refresh_from_db()
    other.refresh_from_db()
    assert [getattr(one, f) for f in STATE] == [getattr(other, f) for f in STATE]
    rows = [
        list(EnrollmentEvent.objects.filter(enrollment=e).order_by("id").values_list(*FIELDS)) for e in (one, other)
    ]
    assert rows[0] == rows[1]


@pytest.mark.parametrize(
    "bad, index",
    [
        (Step("hervat", T0 + timedelta(days=20)), 2),  # resuming what was never paused
        (Step("gepauzeerd", T0 + timedelta(days=20), reason_code="verzonnen"), 2),
        (Step("gestart", clock.today() + timedelta(days=3)), 2),
    ],
)
def test_one_refused_step_refuses_the_history_and_is_named(two_enrollments, bad, index):
    director, (one, _other) = two_enrollments
    before = EnrollmentEvent.objects.count()
    steps = [*STEPS[:2], bad, *STEPS[2:]]
    with pytest.raises(StepRefused) as refused:
        services.enrollment_record_many(enrollment=one, actor=director, steps=steps)
    assert refused.value.step == index
    assert EnrollmentEvent.objects.count() == before
