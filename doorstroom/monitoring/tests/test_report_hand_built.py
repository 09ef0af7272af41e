"""A hand-built cohort recorded through the ordinary services (pauses, a transfer, a drop-out, a
refusal to start, a completion without follow-up, several outcomes per person), and the report
compared with figures worked out by hand, in the comments next to each."""

import gc
from datetime import timedelta
from functools import partial

import pytest

from doorstroom.access.policy import Refusal
from doorstroom.contacts.models import ContactMoment
from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import TeamRole
from doorstroom.enrollments.tests.factories import TeamAssignmentFactory
from doorstroom.measurements import services as measurement_services
from doorstroom.measurements.models import MeasurementType
from doorstroom.monitoring import indicators, rules, services
from doorstroom.organisations.models import Role
from doorstroom.organisations.tests.factories import OrganisationFactory, UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory
from doorstroom.programmes.models import Programme
from doorstroom.programmes.tests.factories import ProgrammeFactory

pytestmark = pytest.mark.django_db

TODAY = clock.today()
T0 = TODAY - timedelta(days=200)


def day(n: int):
    return T0 + timedelta(days=n)


def record_measurement(actor, participant, code, moment, n, scores, **extra):
    """A measurement recorded through the measurement service on day `n` of the hand-built cohort."""
    return measurement_services.measurement_record(
        participant=participant,
        measurement_type=MeasurementType.objects.get(code=code),
        moment=moment,
        measured_on=day(n),
        scores=scores,
        actor=actor,
        **extra,
    )


#: no work of any kind: the ladder's rung follows from social contact alone
NO_WORK = {"betaald_werk": 0, "ondersteuning_bij_werk": 0, "onbetaald_werk": 0, "georganiseerde_activiteit": 0}


def record_ladder_rise(actor, participant, first, later):
    """Rung 2 on day `first` (social contact only), then rung 3 on day `later` by the coach's
    judgement (an override with its reason)."""
    record_measurement(actor, participant, "participatieladder", "nulmeting", first, {**NO_WORK, "sociaal_contact": 1})
    record_measurement(
        actor,
        participant,
        "participatieladder",
        "vervolgmeting",
        later,
        {**NO_WORK, "sociaal_contact": 1},
        rung_override=3,
        override_reason="Gaat sinds kort twee ochtenden per week naar een buurthuis.",
    )


@pytest.fixture
def cohort():
    municipality = OrganisationFactory(municipality=True)
    director = UserFactory(role=Role.DIRECTOR, organisation=municipality)
    programme = ProgrammeFactory(code="route-p", name="Route P")
    target = ProgrammeFactory(code="route-q", name="Route Q")
    people = {}

    def person(name: str, referred: int):
        participant = ParticipantFactory(municipality=municipality, given_name=name)
        TeamAssignmentFactory(participant=participant, member=director, role=TeamRole.DIRECTOR, starts_on=T0)
        enrollment = enrollment_services.enrollment_enrol(
            participant=participant, programme=programme, actor=director, referred_by=municipality, on=day(referred)
        )
        people[name] = (participant, enrollment)
        return enrollment

    def step(enrollment, kind, n, **extra):
        enrollment_services.enrollment_record(
            enrollment=enrollment, actor=director, event_type=kind, on=day(n), **extra
        )

    a = person("A", 0)
    step(a, "intake", 5)
    step(a, "gestart", 10)
    step(a, "gepauzeerd", 20, reason_code="ziekte")
    step(a, "hervat", 34)
    step(a, "fase_gewijzigd", 45)
    step(a, "afgerond", 100, outcomes=["certificaat", "stage"])
    b = person("B", 1)
    step(b, "gestart", 11)
    step(b, "fase_gewijzigd", 40)
    step(b, "afgerond", 90, outcomes=["certificaat", "betaald_werk"])
    c = person("C", 2)
    step(c, "gestart", 12)
    step(c, "uitgevallen", 30, reason_code="motivatie")
    e = person("E", 3)
    step(e, "niet_gestart", 8, reason_code="taalniveau_te_laag")
    f = person("F", 4)
    step(f, "gestart", 14)
    enrollment_services.enrollment_transfer(
        enrollment=f, actor=director, target_programme=target, on=day(50), reason_code="past_beter"
    )
    g = person("G", 5)
    step(g, "gestart", 15)
    step(g, "afgerond", 60, reason_code="zonder_vervolg")
    h = person("H", 6)
    step(h, "gestart", 16)
    step(h, "gepauzeerd", 30, reason_code="zwangerschap")
    i = person("I", 7)
    step(i, "intake", 9)
    j = person("J", 8)
    step(j, "gestart", 18)
    participant_a = people["A"][0]
    for n, minutes, attendance in ((11, 60, "verschenen"), (40, 60, "verschenen"), (41, 60, "niet_verschenen")):
        ContactMoment.objects.create(
            participant=participant_a,
            kind="gesprek",
            status="gehouden",
            occurred_on=day(n),
            attendance=attendance,
            minutes=minutes,
            recorded_by=director,
        )
    ContactMoment.objects.create(  # before the start: not guidance within the trajectory
        participant=participant_a,
        kind="gesprek",
        status="gehouden",
        occurred_on=day(2),
        attendance="verschenen",
        minutes=90,
        recorded_by=director,
    )
    return {"municipality": municipality, "director": director, "programme": programme, "target": target, **people}


def table(report, code, part="geheel"):
    chosen = next(p for p in report["parts"] if p["key"] == part)
    found = next(t for t in chosen["tables"] if t["code"] == code)
    return {row["key"]: {c: v["value"] for c, v in row["cells"].items()} for row in found["rows"]}


def test_the_report_of_a_hand_built_cohort_equals_the_figures_worked_out_by_hand(cohort):
    director = cohort["director"]
    p = services.parameters_from(director, {"programma": "route-p"})
    report, _members = services.report_compute(director, p)
    assert report["suppressed"] is False
    funnel = {key: cells["count"] for key, cells in table(report, "trechter").items()}
    assert funnel == {
        "aangemeld": 9,
        "intake_gehouden": 2,  # A, I
        "in_intake": 1,  # I
        "wacht_op_start": 0,
        "gestart": 7,  # A B C F G H J
        "niet_gestart": 1,  # E
        "actief": 1,  # J (H is paused: counted apart)
        "gepauzeerd": 1,  # H
        "uitgevallen": 1,  # C
        "afgerond_met_resultaat": 2,  # A, B
        "afgerond_zonder_resultaat": 1,  # G
        "overgedragen": 1,  # F
        "administratief_afgesloten": 0,
        "doorgestroomd": 2,  # A, B
        "uitstroom_werk": 1,  # B
    }
    assert table(report, "resultaten") == {
        "certificaat": {"persons": 2, "mentions": 2},
        "stage": {"persons": 1, "mentions": 1},
        "betaald_werk": {"persons": 1, "mentions": 1},
        "totaal": {"persons": 2, "mentions": 4},  # two people, four mentions
    }
    assert table(report, "uitgevallen_per_reden") == {"motivatie": {"count": 1}}
    assert table(report, "niet_gestart_per_reden") == {"taalniveau_te_laag": {"count": 1}}
    assert table(report, "pauzes_per_reden") == {"ziekte": {"count": 1}, "zwangerschap": {"count": 1}}
    assert table(report, "overgedragen_naar") == {str(cohort["target"].pk): {"count": 1}}
    programme_id = cohort["programme"].pk
    phases = table(report, "tijd_per_fase")
    # phase 1: A 35 days less a 14-day pause = 3.0 weeks; B 4.14; C 2.57; F 5.14; G 6.43 (H, J still in it)
    assert phases[f"{programme_id}:1"] == {"count": 5, "q1": 3.0, "median": 4.1, "q3": 5.1}
    # phase 2: A 55 days = 7.86 weeks, B 50 days = 7.14 weeks
    assert phases[f"{programme_id}:2"] == {"count": 2, "q1": 7.3, "median": 7.5, "q3": 7.7}
    hours = table(report, "begeleidingsuren")[str(programme_id)]
    # two attended hours of A inside the trajectory; the no-show and the talk before the start do not
    # count. Active days without pauses: A 76, B 79, C 18, F 36, G 45, H 14, J 182 = 450 = 64.29 weeks
    assert hours == {"count": 7, "hours": 2.0, "weeks": 64.3, "per_week": 0.03, "norm": 2.0}
    survival = table(report, "blijvers")
    assert survival["0"] == {"at_risk": 7, "share": 100.0}
    # C drops out after 2.6 active weeks; H (2.0 weeks, paused since) is no longer followed then: 5 of 6 remain
    assert survival["4"] == {"at_risk": 5, "share": 83.3}


def test_paused_people_and_the_date_of_the_report_follow_the_history(cohort):
    director = cohort["director"]
    before = services.parameters_from(director, {"programma": "route-p", "peildatum": day(25).isoformat()})
    report, _members = services.report_compute(director, before)
    funnel = {key: cells["count"] for key, cells in table(report, "trechter").items()}
    # on day 25: A paused (since 20), C active until 30, H active, E not started (day 8), I in intake
    assert funnel["aangemeld"] == 9
    assert funnel["gepauzeerd"] == 1
    assert funnel["actief"] == 6  # B C F G H J
    assert funnel["afgerond_met_resultaat"] == 0 and funnel["uitgevallen"] == 0


def test_a_group_of_programmes_is_one_whole_and_per_route(cohort):
    director = cohort["director"]
    p = services.parameters_from(director, {"programma": ["route-p", "route-q"]})
    report, _members = services.report_compute(director, p)
    assert [part["key"] for part in report["parts"]] == [
        "geheel",
        str(cohort["programme"].pk),
        str(cohort["target"].pk),
    ]
    whole = {key: cells["count"] for key, cells in table(report, "trechter").items()}
    route_q = {key: cells["count"] for key, cells in table(report, "trechter", str(cohort["target"].pk)).items()}
    assert whole["aangemeld"] == 9  # F's move from P to Q is one trajectory of the whole
    assert whole["overgedragen"] == 0 and whole["actief"] == 2  # J, and F now waiting in route Q
    assert route_q["aangemeld"] == 1 and route_q["wacht_op_start"] == 1


def test_a_count_leads_to_the_people_behind_it_for_who_may_see_them(cohort):
    director = cohort["director"]
    p = services.parameters_from(director, {"programma": "route-p"})
    people, more = services.report_drilldown(
        director, p, part="geheel", table="trechter", row="uitgevallen", column="count"
    )
    assert [x.given_name for x in people] == ["C"] and more == 0
    leader = UserFactory(role=Role.PROJECT_LEADER, organisation=cohort["municipality"])
    with pytest.raises(Refusal) as refused:
        services.report_drilldown(leader, p, part="geheel", table="trechter", row="uitgevallen", column="count")
    assert refused.value.code == "role_ceiling"


def test_a_project_leader_sees_aggregates_with_small_counts_hidden(cohort):
    leader = UserFactory(role=Role.PROJECT_LEADER, organisation=cohort["municipality"])
    p = services.parameters_from(leader, {"programma": "route-p"})
    report, members = services.report_compute(leader, p)
    assert report["suppressed"] is True and members == {}
    rows = next(t for t in report["parts"][0]["tables"] if t["code"] == "trechter")["rows"]
    shown = {row["key"]: row["cells"]["count"]["shown"] for row in rows}
    assert shown["aangemeld"] == "9" and shown["gestart"] == "7"
    assert shown["uitgevallen"] == "<5" and shown["wacht_op_start"] == "0"
    assert all(cell["value"] is None for row in rows for cell in row["cells"].values() if cell["hidden"])


def test_bad_parameters_are_refused_each_naming_itself(cohort):
    director = cohort["director"]
    with pytest.raises(DomainError) as refused:
        services.parameters_from(
            director,
            {
                "programma": "bestaat-niet",
                "van": "2025-06-01",
                "tot": "2025-01-01",
                "peildatum": (TODAY + timedelta(days=400)).isoformat(),
                "kleur": "rood",
            },
        )
    fields = {e.field for e in getattr(refused.value, "errors", [refused.value])}
    assert fields == {"programma", "tot", "peildatum", "kleur"}
    assert Programme.objects.filter(code="bestaat-niet").count() == 0


def test_measurement_progress_compares_the_first_and_the_last_score_as_known_today(cohort):
    """Progress per CEFR skill, the ladder's transition matrix and the ZRM per domain, from scores
    recorded through the measurement service: a corrected measurement is replaced by its correction, a
    single measurement is not progress, and a report on an earlier date sees only what was measured by then."""
    director = cohort["director"]
    a, b, c = cohort["A"][0], cohort["B"][0], cohort["C"][0]
    measure = partial(record_measurement, director)

    measure(a, "taalniveau", "nulmeting", 5, {"lezen": 1, "spreken": 1})
    measure(a, "taalniveau", "vervolgmeting", 60, {"lezen": 2, "spreken": 1})
    mistaken = measure(a, "taalniveau", "vervolgmeting", 90, {"lezen": 4, "spreken": 3})
    measure(
        a,
        "taalniveau",
        "vervolgmeting",
        85,  # the date was wrong as well
        {"lezen": 1, "spreken": 2},
        corrects=mistaken,
        correction_reason="Datum en scores verwisseld met een andere deelnemer",
    )
    measure(b, "taalniveau", "nulmeting", 11, {"lezen": 2})  # measured once: not progress
    record_ladder_rise(director, c, 12, 28)  # rung 2, then 3
    measure(a, "zrm", "nulmeting", 5, {"FIN": 2, "WRK": 3})
    measure(a, "zrm", "vervolgmeting", 60, {"FIN": 4, "WRK": 2})

    report, _members = services.report_compute(director, services.parameters_from(director, {"programma": "route-p"}))
    assert table(report, "taal_vooruitgang") == {
        "lezen": {"measured": 1, "rose": 0, "share": 0.0},  # A1 -> A1 after the correction
        "spreken": {"measured": 1, "rose": 1, "share": 100.0},  # A1 -> A2 (the correction, not the mistake)
    }
    ladder = table(report, "ladder_overgangen")
    assert ladder["2"]["to_3"] == 1
    assert sum(v for row in ladder.values() for v in row.values()) == 1
    assert table(report, "zrm_per_domein") == {
        "FIN": {"measured": 1, "improved": 1, "worse": 0, "mean_change": 2.0},
        "WRK": {"measured": 1, "improved": 0, "worse": 1, "mean_change": -1.0},
    }

    earlier = services.parameters_from(director, {"programma": "route-p", "peildatum": day(70).isoformat()})
    report, _members = services.report_compute(director, earlier)
    assert table(report, "taal_vooruitgang") == {
        "lezen": {"measured": 1, "rose": 1, "share": 100.0},  # A1 -> A2 on day 60
        "spreken": {"measured": 1, "rose": 0, "share": 0.0},
    }


def test_a_group_as_one_whole_keeps_the_time_in_each_phase_of_a_transferred_trajectory(cohort):
    """F moved from route P to route Q: in the whole of the two routes that is one trajectory, and
    F's weeks in P's first phase still count there, as they do in route P alone."""
    director = cohort["director"]
    p = services.parameters_from(director, {"programma": "route-p,route-q"})
    report, _members = services.report_compute(director, p)
    programme_id = cohort["programme"].pk
    whole = table(report, "tijd_per_fase")
    alone = table(report, "tijd_per_fase", part=str(programme_id))
    assert whole[f"{programme_id}:1"] == alone[f"{programme_id}:1"] == {"count": 5, "q1": 3.0, "median": 4.1, "q3": 5.1}
    assert table(report, "trechter")["overgedragen"]["count"] == 0  # inside the group a transfer is not an ending


def test_a_report_is_freed_when_it_is_done_without_waiting_for_the_cycle_collector(cohort):
    """A report makes a few hundred thousand objects for a region; none may sit in a reference cycle
    (a count's list holding the cohort that holds its tables did), or each report stays in memory until
    the collector's rare full pass walks them all. The lists behind the counts still work."""
    director = cohort["director"]
    a, c = cohort["A"][0], cohort["C"][0]
    record_measurement(director, a, "taalniveau", "nulmeting", 5, {"lezen": 1})
    record_measurement(director, a, "taalniveau", "vervolgmeting", 60, {"lezen": 2})
    record_ladder_rise(director, c, 12, 28)
    p = services.parameters_from(director, {"programma": "route-p"})
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what the collector finds in cycles is kept in gc.garbage
    try:
        report, members = services.report_compute(director, p)
        behind_progress = members[("geheel", "taal_vooruitgang", "lezen", "rose")].members
        del report, members
        gc.collect()
        in_cycles = [
            type(o).__name__
            for o in gc.garbage
            if isinstance(o, (indicators.Cohort, indicators.Cell, indicators.Table, rules.History))
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert behind_progress == {cohort["A"][1].pk}
    assert in_cycles == []
