from datetime import timedelta

import pytest

from doorstroom.core import clock
from doorstroom.core.errors import DomainError
from doorstroom.measurements import selectors, services
from doorstroom.measurements.models import Measurement, MeasurementType
from doorstroom.organisations.tests.factories import UserFactory
from doorstroom.participants.tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
ALL = frozenset({"identiteit", "metingen", "gezondheid", "justitie"})
NO = {"betaald_werk": 0, "ondersteuning_bij_werk": 0, "onbetaald_werk": 0, "georganiseerde_activiteit": 0}


def instrument(code):
    return MeasurementType.objects.get(code=code)


def record(participant, code, moment, days_ago, scores, **extra):
    return services.measurement_record(
        participant=participant,
        measurement_type=instrument(code),
        moment=moment,
        measured_on=clock.today() - timedelta(days=days_ago),
        scores=scores,
        actor=extra.pop("actor", None) or UserFactory(),
        **extra,
    )


def test_the_shipped_instruments_are_there():
    assert {m.code for m in selectors.instruments_in_use()} >= {"taalniveau", "participatieladder", "zrm"}
    zrm = instrument("zrm").current_scale()
    assert len(zrm.items) == 13 and zrm.version == "2017"


def test_language_progress_per_skill_from_baseline_to_latest():
    p = ParticipantFactory()
    record(p, "taalniveau", "nulmeting", 100, {"lezen": 1, "luisteren": 1, "schrijven": 0, "spreken": 2})
    record(p, "taalniveau", "vervolgmeting", 10, {"lezen": 3, "luisteren": 2, "schrijven": 1, "spreken": 2})
    [progress] = selectors.progress_of(participant=p, categories=ALL)
    rows = {r.code: (r.baseline_label, r.latest_label, r.change) for r in progress.rows}
    assert rows["lezen"] == ("A1", "B1", 2) and rows["spreken"] == ("A2", "A2", 0) and rows["schrijven"][0] == "A0"


def test_the_knm_exam_part_is_an_optional_pass_or_not_next_to_the_skills():
    p = ParticipantFactory()
    record(p, "taalniveau", "nulmeting", 100, {"lezen": 1, "knm": 0})
    record(p, "taalniveau", "vervolgmeting", 10, {"lezen": 2, "knm": 1})
    [progress] = selectors.progress_of(participant=p, categories=ALL)
    rows = {r.code: (r.baseline_label, r.latest_label) for r in progress.rows}
    assert rows["knm"] == ("nog niet behaald", "behaald") and rows["lezen"] == ("A1", "A2")
    with pytest.raises(DomainError) as refused:
        record(p, "taalniveau", "vervolgmeting", 5, {"knm": 2})
    assert refused.value.field == "scores.knm"


def test_the_ladder_rung_follows_the_answers_and_an_override_needs_a_reason():
    p = ParticipantFactory()
    m = record(p, "participatieladder", "nulmeting", 50, {**NO, "sociaal_contact": 1})
    assert {s.item: s.value for s in m.scores.all()}["trede"] == 2
    with pytest.raises(DomainError) as error:
        record(p, "participatieladder", "vervolgmeting", 5, {**NO, "sociaal_contact": 1, "trede": 4})
    assert error.value.field == "scores.trede"
    with pytest.raises(DomainError) as error:
        record(
            p,
            "participatieladder",
            "vervolgmeting",
            5,
            {**NO, "sociaal_contact": 1},
            rung_override=3,
            override_reason="kort",
        )
    assert error.value.field == "override_reason"
    m = record(
        p,
        "participatieladder",
        "vervolgmeting",
        5,
        {**NO, "sociaal_contact": 1},
        rung_override=3,
        override_reason="Volgt sinds vorige week elke dinsdag een taalcursus bij de bibliotheek.",
    )
    assert {s.item: s.value for s in m.scores.all()}["trede"] == 3 and m.override_reason


@pytest.mark.parametrize(
    ("scores", "moment", "days_ago", "field"),
    [
        ({"FIN": 6}, "nulmeting", 1, "scores.FIN"),
        ({"FIN": 0}, "nulmeting", 1, "scores.FIN"),
        ({"XYZ": 3}, "nulmeting", 1, "scores.XYZ"),
        ({"FIN": 3}, "vervolgmeting", 1, "moment"),
        ({"FIN": 3}, "nulmeting", -3, "measured_on"),
        ({"FIN": 3}, "tussendoor", 1, "moment"),
    ],
)
def test_bad_measurements_are_refused_naming_the_field(scores, moment, days_ago, field):
    p = ParticipantFactory()
    with pytest.raises(DomainError) as error:
        record(p, "zrm", moment, days_ago, scores)
    assert error.value.field == field
    assert not Measurement.objects.exists()


def test_a_follow_up_before_the_baseline_is_refused_and_a_second_baseline_too():
    p = ParticipantFactory()
    record(p, "zrm", "nulmeting", 20, {"FIN": 2})
    with pytest.raises(DomainError) as error:
        record(p, "zrm", "vervolgmeting", 30, {"FIN": 3})
    assert error.value.field == "measured_on"
    with pytest.raises(DomainError) as error:
        record(p, "zrm", "nulmeting", 10, {"FIN": 3})
    assert error.value.field == "moment"


def test_a_correction_replaces_the_measurement_and_keeps_both():
    p = ParticipantFactory()
    wrong = record(p, "zrm", "nulmeting", 20, {"FIN": 2})
    with pytest.raises(DomainError):
        record(p, "zrm", "nulmeting", 20, {"FIN": 4}, corrects=wrong)  # no reason
    right = record(p, "zrm", "nulmeting", 20, {"FIN": 4}, corrects=wrong, correction_reason="Verkeerde rij gekozen")
    assert Measurement.objects.count() == 2
    [progress] = selectors.progress_of(participant=p, categories=ALL)
    assert progress.baseline == right
    with pytest.raises(DomainError) as error:
        record(p, "zrm", "nulmeting", 20, {"FIN": 5}, corrects=wrong, correction_reason="Nog een keer")
    assert error.value.field == "corrects"


def test_health_and_justice_domains_are_left_out_for_readers_without_those_categories():
    p = ParticipantFactory()
    record(p, "zrm", "nulmeting", 20, {"FIN": 2, "GGZ": 1, "JUS": 3})
    [progress] = selectors.progress_of(participant=p, categories=frozenset({"metingen"}))
    codes = {r.code for r in progress.rows}
    assert "GGZ" not in codes and "JUS" not in codes and "FIN" in codes and progress.hidden_items == 4
    [entry] = selectors.history_of(participant=p, categories=frozenset({"metingen"}))
    assert [label for label, _ in entry.scores] == ["Financiën"] and entry.hidden_items == 4


def test_progress_reads_a_bounded_number_of_queries(django_assert_max_num_queries):
    p = ParticipantFactory()
    record(p, "zrm", "nulmeting", 300, {"FIN": 1})
    for days in range(250, 0, -50):
        record(p, "zrm", "vervolgmeting", days, {"FIN": 2})
    record(p, "taalniveau", "nulmeting", 100, {"lezen": 1})
    with django_assert_max_num_queries(3):
        selectors.progress_of(participant=p, categories=ALL)


def test_positive_health_talentscan_and_barriers_file_their_items_under_the_right_categories():
    p = ParticipantFactory()
    record(p, "positieve-gezondheid", "nulmeting", 30, {"LICH": 6, "MEED": 4})
    record(p, "talentscan", "nulmeting", 30, {"leerbaarheid": 4})
    record(p, "belemmeringen", "nulmeting", 30, {"kinderopvang": 1, "schulden": 1, "gezondheid": 0})
    with pytest.raises(DomainError) as error:
        record(p, "positieve-gezondheid", "vervolgmeting", 5, {"LICH": 11})
    assert error.value.field == "scores.LICH"
    seen = {
        pr.measurement_type.code: pr for pr in selectors.progress_of(participant=p, categories=frozenset({"metingen"}))
    }
    assert seen["positieve-gezondheid"].rows == [] and seen["positieve-gezondheid"].hidden_items == 6
    assert [r.code for r in seen["talentscan"].rows][0] == "leerbaarheid"
    barriers = {r.code for r in seen["belemmeringen"].rows}
    assert "kinderopvang" in barriers and "schulden" not in barriers and "gezondheid" not in barriers


def test_every_problem_of_one_measurement_is_reported_at_once():
    from doorstroom.core.errors import DomainErrors

    p = ParticipantFactory()
    with pytest.raises(DomainErrors) as refused:
        record(p, "taalniveau", "nulmeting", -3, {"lezen": 9, "spreken": 7}, note="x" * 2001)
    fields = {e.field for e in refused.value.errors}
    assert {"scores.lezen", "scores.spreken", "note", "measured_on"} <= fields, fields
    assert not Measurement.objects.exists()
