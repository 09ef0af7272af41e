"""What works for whom: tags on enrollments kept as history, and the report's comparison of
outcomes with and without a tag, with Wilson intervals worked out here by hand, suppression for
aggregate readers, and the sentence that it shows association, not cause."""

import math
from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import Enrollment, EnrollmentTag, TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.monitoring import services
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

TODAY = clock.today()


def day(n):
    return TODAY - timedelta(days=300 - n)


def wilson_by_hand(k, n, z=1.96):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return round((centre - half) * 100, 1), round((centre + half) * 100, 1)


@pytest.fixture
def world():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    programme = ProgrammeFactory(code="route-w", name="Route W")
    for n in range(12):
        participant = ParticipantFactory(municipality=municipality)
        TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR, starts_on=day(0))
        enrollment = enrollment_services.enrollment_enrol(
            participant=participant, programme=programme, actor=director, referred_by=municipality, on=day(0)
        )
        enrollment_services.enrollment_record(enrollment=enrollment, actor=director, event_type="gestart", on=day(10))
        tagged = n < 6
        if tagged:
            enrollment_services.enrollment_tags_set(enrollment=enrollment, actor=director, codes=["maatje"], on=day(10))
        through = n < 4 if tagged else n == 6
        if through:
            enrollment_services.enrollment_record(
                enrollment=enrollment, actor=director, event_type="afgerond", on=day(200), outcomes=["stage"]
            )
    return {"director": director, "municipality": municipality}


def comparison(report):
    geheel = next(p for p in report["parts"] if p["key"] == "geheel")
    table = next(t for t in geheel["tables"] if t["code"] == "werkwijze")
    return table, {row["key"]: row["cells"] for row in table["rows"]}


def test_with_and_without_a_tag_with_wilson_intervals(world):
    report, members = services.report_compute(
        world["director"], services.parameters_from(world["director"], {"programma": "route-w"})
    )
    table, rows = comparison(report)
    cells = {k: v["value"] for k, v in rows["maatje"].items()}
    assert (cells["with_n"], cells["with_k"], cells["without_n"], cells["without_k"]) == (6, 4, 6, 1)
    # behind each count: the trajectories it counts (those without the tag are listed only when asked)
    everyone = set(Enrollment.objects.filter(programme__code="route-w").values_list("id", flat=True))
    tagged = set(EnrollmentTag.objects.values_list("enrollment_id", flat=True))
    through = set(
        Enrollment.objects.filter(programme__code="route-w", ended_on__isnull=False).values_list("id", flat=True)
    )
    behind = {
        column: members[("geheel", "werkwijze", "maatje", column)].members
        for column in cells
        if column[-2:] in ("_n", "_k")
    }
    assert behind == {
        "with_n": tagged,
        "with_k": tagged & through,
        "without_n": everyone - tagged,
        "without_k": (everyone - tagged) & through,
    }
    assert cells["with_share"] == 66.7 and cells["without_share"] == 16.7
    assert (cells["with_low"], cells["with_high"]) == wilson_by_hand(4, 6)
    assert (cells["without_low"], cells["without_high"]) == wilson_by_hand(1, 6)
    assert "samenhang" in table["note"] and "geen oorzaak" in table["note"]


def test_a_project_leader_sees_the_comparison_with_small_counts_hidden(world):
    leader = UserFactory(role=Role.PROJECT_LEADER, organisation=world["municipality"])
    report, _members = services.report_compute(leader, services.parameters_from(leader, {"programma": "route-w"}))
    _table, rows = comparison(report)
    maatje = rows["maatje"]
    assert maatje["with_k"]["shown"] == "<5" and maatje["without_k"]["shown"] == "<5"
    for column in ("with_share", "with_low", "with_high", "without_share", "without_low", "without_high"):
        assert maatje[column]["value"] is None, column  # a percentage would give the hidden count away


def test_tags_keep_their_history_and_refuse_what_is_not_in_the_set(world):
    enrollment = EnrollmentTag.objects.first().enrollment
    director = world["director"]
    enrollment_services.enrollment_tags_set(
        enrollment=enrollment, actor=director, codes=["huisbezoek_bij_start"], on=day(100)
    )
    rows = list(
        EnrollmentTag.objects.filter(enrollment=enrollment).order_by("id").values_list("tag__code", "removed_on")
    )
    assert rows == [("maatje", day(100)), ("huisbezoek_bij_start", None)]
    with pytest.raises(DomainError) as refused:
        enrollment_services.enrollment_tags_set(enrollment=enrollment, actor=director, codes=["toverstaf"], on=day(100))
    assert refused.value.field == "tags"
    # the report on a date before the change still shows the buddy, and after it both were noted
    before = services.parameters_from(director, {"programma": "route-w", "peildatum": day(50).isoformat()})
    _table, rows_before = comparison(services.report_compute(director, before)[0])
    assert set(rows_before) == {"maatje"}


def test_the_tags_page(client, world):
    enrollment = EnrollmentTag.objects.first().enrollment
    client.force_login(world["director"])
    page = client.get(f"/inschrijvingen/{enrollment.uuid}/werkwijze/")
    assert page.status_code == 200 and "Maatje" in page.content.decode()
    saved = client.post(
        f"/inschrijvingen/{enrollment.uuid}/werkwijze/", {"tags": ["maatje", "jobcoach"], "on": day(120).isoformat()}
    )
    assert saved.status_code == 302
    assert set(
        EnrollmentTag.objects.filter(enrollment=enrollment, removed_on__isnull=True).values_list("tag__code", flat=True)
    ) == {"maatje", "jobcoach"}
    stranger = UserFactory(role=Role.COACH)
    client.force_login(stranger)
    assert client.get(f"/inschrijvingen/{enrollment.uuid}/werkwijze/").status_code == 404
