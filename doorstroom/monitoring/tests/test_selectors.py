"""Last month's cohort read together with this month's (one read of events, tags, minutes and scores)
is the cohort that reading it on its own gives."""

from dataclasses import replace
from functools import partial

import pytest

from doorstroom.access import policy as access
from doorstroom.enrollments import services as enrollment_services
from doorstroom.monitoring import indicators, selectors

from .test_report_hand_built import cohort, day, record_ladder_rise, record_measurement  # noqa: F401  (the hand-built cohort as a fixture)

pytestmark = pytest.mark.django_db


def _changes(read):
    """Each change with the set of participants behind it (their order is the database's)."""
    return {(c.instrument, c.item, c.first, c.last): frozenset(c.participant_ids) for c in read.score_changes}


def _same(joint, alone):
    by_id = lambda c: sorted(c.histories, key=lambda h: h.enrollment_id)  # noqa: E731
    assert by_id(joint) == by_id(alone)
    assert _changes(joint) == _changes(alone)
    assert joint.guidance_minutes == alone.guidance_minutes
    assert joint.municipality_of == alone.municipality_of
    assert joint.programmes == alone.programmes and joint.tag_labels == alone.tag_labels


@pytest.mark.parametrize("whole", [True, False])
@pytest.mark.parametrize("basis", [selectors.BASIS_REFERRED, selectors.BASIS_STARTED])
def test_a_cohort_read_beside_a_later_one_equals_the_cohort_read_alone(cohort, whole, basis):  # noqa: F811
    director = cohort["director"]
    a, c = cohort["A"][0], cohort["C"][0]
    measure = partial(record_measurement, director)

    measure(a, "taalniveau", "nulmeting", 5, {"lezen": 1, "spreken": 1})
    measure(a, "taalniveau", "vervolgmeting", 40, {"lezen": 2, "spreken": 1})
    measure(a, "taalniveau", "vervolgmeting", 80, {"lezen": 3, "spreken": 2})
    measure(a, "zrm", "nulmeting", 5, {"FIN": 2})
    measure(a, "zrm", "vervolgmeting", 70, {"FIN": 4})
    measure(c, "zrm", "nulmeting", 12, {"FIN": 1})
    # J (referred on day 8) was measured before: last month's cohort on day 3 must leave J out
    measure(cohort["J"][0], "zrm", "nulmeting", 1, {"FIN": 2})
    measure(cohort["J"][0], "zrm", "vervolgmeting", 2, {"FIN": 3})
    enrollment_services.enrollment_tags_set(enrollment=cohort["A"][1], actor=director, codes=["maatje"], on=day(50))
    # B's last event is on day 90: a tag noted on day 110 is not in last month's report on day 95
    enrollment_services.enrollment_tags_set(enrollment=cohort["B"][1], actor=director, codes=["maatje"], on=day(110))
    counted = access.report_scope(director).counted
    later = selectors.ReportParameters(
        on=day(120),
        programme_ids=tuple(sorted((cohort["programme"].pk, cohort["target"].pk))),
        basis=basis,
        period_from=day(0),
        period_until=day(110),
        whole=whole,
    )
    seen_pairs = 0
    for n in (3, 30, 45, 75, 95, 120):  # before and after starts, pauses, the transfer, the scores
        earlier = replace(later, on=day(n), period_until=min(day(n), day(110)))
        now, then = selectors.cohorts(counted, later, earlier)
        assert then is not None
        _same(now, selectors.cohort(counted, later))
        _same(then, selectors.cohort(counted, earlier))
        seen_pairs += len(then.score_changes)
    assert seen_pairs >= 4  # the test looked at scores as well as histories


def test_a_series_runs_by_measurement_date_then_recording_order_whatever_the_values(cohort):  # noqa: F811
    """The first and last score are found by date and recording order, never by size or by recording
    order alone: a later measurement recorded before earlier ones, two on one day, a decline, and a cut
    between them."""
    director = cohort["director"]
    a = cohort["A"][0]
    measure = partial(record_measurement, director)
    measure(a, "zrm", "nulmeting", 8, {"FIN": 5})
    measure(a, "zrm", "vervolgmeting", 20, {"FIN": 3})  # recorded before the two below, measured after
    measure(a, "zrm", "vervolgmeting", 10, {"FIN": 4})
    measure(a, "zrm", "vervolgmeting", 10, {"FIN": 1})  # the same day, recorded later: the later one
    counted = access.report_scope(director).counted
    now = selectors.ReportParameters(on=day(120), programme_ids=(cohort["programme"].pk,))
    joint_now, joint_then = selectors.cohorts(counted, now, replace(now, on=day(15)))
    pair = lambda c: [(s.first, s.last) for s in c.score_changes if a.pk in s.participant_ids]  # noqa: E731
    assert pair(joint_now) == [(5, 3)]
    assert joint_then is not None and pair(joint_then) == [(5, 1)]
    assert pair(selectors.cohort(counted, replace(now, on=day(9)))) == []  # one score is no series yet


def test_a_corrected_event_no_longer_counts_in_the_cohort(cohort):  # noqa: F811
    """A drop-out recorded by mistake and then corrected: the report reads the history as known today."""
    director = cohort["director"]
    enrollment = cohort["C"][1]
    wrong = enrollment.events.get(event_type="uitgevallen")
    counted = access.report_scope(director).counted
    p = selectors.ReportParameters(on=day(120), programme_ids=(cohort["programme"].pk,))
    before = next(h for h in selectors.cohort(counted, p).histories if h.enrollment_id == enrollment.pk)
    assert before.ending == "uitgevallen"
    enrollment_services.enrollment_correct(
        enrollment=enrollment, actor=director, wrong_event=wrong, reason="Vergissing"
    )
    after = next(h for h in selectors.cohort(counted, p).histories if h.enrollment_id == enrollment.pk)
    assert (after.ending, after.state, after.started_on) == ("", "actief", day(12))


def test_the_counts_that_only_grow_come_from_the_registry(cohort):  # noqa: F811
    """What the suppression treats as growing between months: cumulative funnel rows and breakdowns,
    never a state on the date or a measurement's progress."""
    from doorstroom.monitoring import indicators, services

    director = cohort["director"]
    p = selectors.ReportParameters(on=day(120), programme_ids=(cohort["programme"].pk,))
    tables_shown = indicators.tables(selectors.cohort(access.report_scope(director).counted, p))
    growing = services._growing([("geheel", "", tables_shown)])
    funnel = {row for _part, table, row, _column in growing if table == "trechter"}
    assert {"aangemeld", "gestart", "uitgevallen", "afgerond_met_resultaat", "doorgestroomd"} <= funnel
    assert not funnel & {"actief", "gepauzeerd", "in_intake", "wacht_op_start"}
    tables = {table for _part, table, _row, _column in growing}
    assert {"uitgevallen_per_reden", "resultaten"} <= tables
    assert not tables & {"zrm_per_domein", "taal_vooruitgang", "blijvers", "werkwijze"}


def test_a_chosen_programme_is_counted_with_room_to_sort_and_the_connection_given_back(cohort, settings):  # noqa: F811
    """PostgreSQL's work_mem is raised while a chosen programme's cohort is read (the score series of a
    large programme otherwise sort on disk), not for a region-wide overview (where it makes the planner
    sort instead of hash), and the connection has its own setting back afterwards."""
    from django.db import connection

    from doorstroom.monitoring import services

    if connection.vendor != "postgresql":
        pytest.skip("work_mem is PostgreSQL's")
    settings.DOORSTROOM_REPORT_WORK_MEM = "48MB"
    director = cohort["director"]
    seen: list[str] = []
    sorting: list[str] = []

    def watch(execute, sql, params, many, context):
        if "series_instrument" in sql:  # the score series: read what the server would sort with
            seen.append(connection.connection.execute("SHOW work_mem").fetchone()[0])
            sorting.append(connection.connection.execute("SHOW enable_sort").fetchone()[0])
        return execute(sql, params, many, context)

    connection.ensure_connection()
    own = connection.connection.execute("SHOW work_mem").fetchone()[0]
    assert own != "48MB"
    one = selectors.ReportParameters(on=day(120), programme_ids=(cohort["programme"].pk,))
    with connection.execute_wrapper(watch):
        services.report_compute(director, one)
        services.report_compute(director, replace(one, programme_ids=()))
    assert seen == ["48MB", own]
    assert connection.connection.execute("SHOW work_mem").fetchone()[0] == own
    # the score changes are grouped by hashing (the planner would sort them on their text), and only they
    assert sorting == ["off", "off"]
    assert connection.connection.execute("SHOW enable_sort").fetchone()[0] == "on"


def _progress_by_hand(participant_ids, on):
    """The oracle: per participant, instrument and item, the first and last score up to `on` by
    measurement date and then recording order, corrected measurements left out, at least two scores;
    read from the scores one by one in Python."""
    from doorstroom.measurements.models import Measurement, MeasurementScore

    corrected = set(Measurement.objects.exclude(corrects=None).values_list("corrects_id", flat=True))
    series: dict = {}
    scores = MeasurementScore.objects.filter(
        measurement__participant_id__in=participant_ids, measurement__measured_on__lte=on, value__isnull=False
    ).values_list(
        "measurement__participant_id",
        "measurement__scale__measurement_type__kind",
        "item",
        "measurement__measured_on",
        "measurement_id",
        "value",
    )
    for participant, kind, item, measured_on, measurement, value in scores:
        if measurement not in corrected and kind in selectors.INSTRUMENTS:
            series.setdefault((participant, kind, item), []).append((measured_on, measurement, value))
    changes: dict = {}
    for (participant, kind, item), points in series.items():
        if len(points) >= 2:
            points.sort()
            changes.setdefault((kind, item, points[0][2], points[-1][2]), set()).add(participant)
    return {change: frozenset(ids) for change, ids in changes.items()}


def test_progress_from_the_kept_series_equals_the_scores_read_one_by_one(cohort):  # noqa: F811
    """Random measurements, follow-ups, same-day pairs and corrections through the measurement
    service; on many pairs of dates the report's progress (the kept series where nothing changed
    after the dates, the scores where something did) equals the oracle above."""
    import random

    director = cohort["director"]
    rnd = random.Random(20261203)
    people = [cohort[name][0] for name in ("A", "B", "C", "J")]
    for participant in people:
        for code, items, top in (("zrm", ("FIN", "HUI"), 5), ("taalniveau", ("lezen", "spreken"), 6)):
            when = rnd.randint(0, 60)
            previous = record_measurement(
                director, participant, code, "nulmeting", when, {i: rnd.randint(1, top) for i in items}
            )
            for _ in range(rnd.randint(0, 4)):
                when += rnd.choice((0, 5, 20, 45))
                if when > 190:
                    break
                if rnd.random() < 0.25:  # a correction of the one before, on its date
                    previous = record_measurement(
                        director,
                        participant,
                        code,
                        previous.moment,
                        (previous.measured_on - day(0)).days,
                        {i: rnd.randint(1, top) for i in items},
                        corrects=previous,
                        correction_reason="Verkeerd overgenomen",
                    )
                    continue
                previous = record_measurement(
                    director, participant, code, "vervolgmeting", when, {i: rnd.randint(1, top) for i in items}
                )
    counted = access.report_scope(director).counted
    ids = [p.pk for p in people]
    compared = 0
    for later_day in (30, 90, 150, 199):
        later = selectors.ReportParameters(
            on=day(later_day), programme_ids=tuple(sorted((cohort["programme"].pk, cohort["target"].pk)))
        )
        for earlier_day in (None, 10, 40, later_day - 1):
            earlier = replace(later, on=day(earlier_day)) if earlier_day is not None else None
            now, then = selectors.cohorts(counted, later, earlier)
            in_cohort = {h.participant_id for h in now.histories} & set(ids)
            mine = lambda read, members: {  # noqa: E731
                change: frozenset(p for p in who if p in members)
                for change, who in _changes(read).items()
                if any(p in members for p in who)
            }
            assert mine(now, in_cohort) == _progress_by_hand(in_cohort, later.on)
            assert _each_person_once_per_item(now)  # the progress tables count their ids without a set
            compared += 1
            if then is not None:
                then_members = {h.participant_id for h in then.histories} & set(ids)
                assert mine(then, then_members) == _progress_by_hand(then_members, earlier.on)
                assert _each_person_once_per_item(then)
                compared += 1
    assert compared >= 20


def _each_person_once_per_item(read):
    """A participant has one series per instrument and item, so stands in one change of an item."""
    named: dict[tuple[str, str], list[int]] = {}
    for change in read.score_changes:
        named.setdefault((change.instrument, change.item), []).extend(change.participant_ids)
    return all(len(ids) == len(set(ids)) for ids in named.values())


def _without_later_parts(read):
    """The cohort as the second thread sees it: histories without tags, no minutes, no changes."""
    from dataclasses import replace as copied

    return copied(
        read,
        histories=[copied(h, tags=frozenset()) for h in read.histories],
        guidance_minutes={},
        score_changes=[],
        tag_labels={},
        _held={},
        worked_out={},
    )


def _rows(table):
    if table is None:
        return None
    return [{k: (v.value if isinstance(v, indicators.Cell) else v) for k, v in row.items()} for row in table.rows]


def _rich_cohort(cohort):  # noqa: F811
    director = cohort["director"]
    a, c = cohort["A"][0], cohort["C"][0]
    record_measurement(director, a, "taalniveau", "nulmeting", 5, {"lezen": 1, "spreken": 1})
    record_measurement(director, a, "taalniveau", "vervolgmeting", 40, {"lezen": 3, "spreken": 2})
    record_measurement(director, a, "zrm", "nulmeting", 5, {"FIN": 2})
    record_measurement(director, a, "zrm", "vervolgmeting", 70, {"FIN": 4})
    record_ladder_rise(director, c, 12, 60)
    enrollment_services.enrollment_tags_set(enrollment=cohort["A"][1], actor=director, codes=["maatje"], on=day(50))
    p = selectors.ReportParameters(on=day(120), programme_ids=(cohort["programme"].pk,))
    return selectors.cohort(access.report_scope(director).counted, p)


def test_a_table_that_declares_no_later_part_reads_only_the_histories(cohort):  # noqa: F811
    """Tables that declare no `reads` are worked out in a second thread before the tags, minutes and
    score changes are in the cohort: each must give the same table without them. The tables that do
    declare a part give another table without it here, so the comparison can see a missed read."""
    read = _rich_cohort(cohort)
    stripped = _without_later_parts(read)
    declaring = set()
    for indicator in indicators.INDICATORS.values():
        if indicator.table is None:
            continue
        full, without = indicator.table(read), indicator.table(stripped)
        if indicator.reads:
            declaring.add(indicator.code)
            assert _rows(full) != _rows(without), indicator.code
        else:
            assert _rows(full) == _rows(without), indicator.code
    assert declaring == {"begeleidingsuren", "taal_vooruitgang", "ladder_overgangen", "zrm_per_domein", "werkwijze"}
    with pytest.raises(ValueError, match="not in LATER"):
        indicators.register(replace(indicators.INDICATORS["werkwijze"], code="x", reads=frozenset({"scores"})))


def test_tables_worked_out_beside_the_reads_equal_the_tables_worked_out_after(cohort):  # noqa: F811
    """The report's path (histories' tables in the second thread, the rest after) gives the tables
    that working everything out after the reads gives, in the same order, for both months."""
    _rich_cohort(cohort)
    counted = access.report_scope(cohort["director"]).counted
    p = selectors.ReportParameters(
        on=day(120), programme_ids=tuple(sorted((cohort["programme"].pk, cohort["target"].pk)))
    )
    earlier = replace(p, on=day(95))

    def early(now, then):
        for read in (now, then):
            indicators.work_out_early(read, programmes=True, municipalities=True)
        return "done"

    now, then, result = selectors.cohorts_meanwhile(counted, p, earlier, early)
    plain_now, plain_then = selectors.cohorts(counted, p, earlier)
    assert result == "done" and set(now.worked_out) > {indicators.FUNNEL, "tijd_per_fase"}
    assert not set(now.worked_out) & {"werkwijze", "begeleidingsuren"}
    for worked, plain in ((now, plain_now), (then, plain_then)):
        assert [(t.code, _rows(t)) for t in indicators.tables(worked)] == [
            (t.code, _rows(t)) for t in indicators.tables(plain)
        ]
        for side_by_side in (indicators.programmes_side_by_side, indicators.municipalities_side_by_side):
            assert _rows(side_by_side(worked)) == _rows(side_by_side(plain))
        assert worked.guidance_minutes == plain.guidance_minutes
        assert {h.enrollment_id: h.tags for h in worked.histories} == {h.enrollment_id: h.tags for h in plain.histories}


def test_the_second_thread_reads_no_database(cohort):  # noqa: F811
    """Connections belong to their thread: a query in the second thread would open a connection of
    its own (outside the reader's transaction, never closed). It is refused there."""
    from doorstroom.programmes.models import Programme

    counted = access.report_scope(cohort["director"]).counted
    p = selectors.ReportParameters(on=day(120), programme_ids=(cohort["programme"].pk,))

    def reading(now, then):
        return Programme.objects.count()

    with pytest.raises(RuntimeError, match="reads no database"):
        selectors.cohorts_meanwhile(counted, p, None, reading)
    # and the first thread reads on as before
    assert selectors.cohorts_meanwhile(counted, p, None, lambda now, then: len(now.histories))[2] > 0


def test_a_failed_read_of_the_events_stops_the_second_thread_too(cohort, monkeypatch):  # noqa: F811
    """The second thread waits for the events the first reads meanwhile: when that read fails, the
    report fails with its error instead of waiting for ever."""
    import signal

    counted = access.report_scope(cohort["director"]).counted
    p = selectors.ReportParameters(on=day(20), programme_ids=(cohort["programme"].pk,))  # steps after day 20

    def broken(*_args):
        raise ConnectionError("the events could not be read")

    def waited_too_long(*_args):
        raise TimeoutError("the report still waits for the events")

    monkeypatch.setattr(selectors, "_events", broken)
    before = signal.signal(signal.SIGALRM, waited_too_long)
    signal.alarm(60)
    try:
        with pytest.raises(ConnectionError, match="could not be read"):
            selectors.cohorts(counted, p)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


def _without_time(report):
    return {k: v for k, v in report.items() if k != "computed_at"}


@pytest.mark.parametrize("sensitive", [True, False])
def test_a_transfer_to_a_sensitive_programme_known_from_the_courses_gives_the_same_report_once(
    cohort,  # noqa: F811
    sensitive,
    monkeypatch,
):
    """F moved to route Q. When Q is sensitive, a director outside Q's team sees route P's report in
    aggregate, on whole months, with Q unnamed. The courses show that before any history is folded:
    the report is then read once, and is the report the histories would have decided."""
    from doorstroom.monitoring import services

    target = cohort["target"]
    target.is_sensitive = sensitive
    target.save()
    director = cohort["director"]
    p = services.parameters_from(director, {"programma": "route-p"})
    assert selectors.transfers_to_sensitive_for_certain(access.report_scope(director).counted, p) is sensitive
    reads = []
    real = selectors.cohorts_meanwhile
    monkeypatch.setattr(selectors, "cohorts_meanwhile", lambda *a, **k: reads.append(1) or real(*a, **k))
    report, _members = services.report_compute(director, p)
    assert report["suppressed"] is sensitive and len(reads) == 1
    named = [row["name"] for row in table_rows(report, "overgedragen_naar")]
    assert (target.name in named) is not sensitive
    # the histories' own decision (the precheck left out) gives the same report, read twice when sensitive
    monkeypatch.setattr(selectors, "transfers_to_sensitive_for_certain", lambda counted, p: False)
    decided, _members = services.report_compute(director, p)
    assert _without_time(decided) == _without_time(report)
    assert len(reads) == (3 if sensitive else 2)


def table_rows(report, code):
    part = next(p for p in report["parts"] if p["key"] == "geheel")
    return next(t for t in part["tables"] if t["code"] == code)["rows"]


def _row_with_json(outcomes, pauses, stays):
    """A cohort row, empty but for its three JSON columns."""
    values = [None] * len(selectors._COHORT_COLUMNS)
    for at, value in zip(selectors._JSON_AT, (outcomes, pauses, stays), strict=True):
        values[at] = value
    return tuple(values)


def test_the_course_json_of_every_row_is_decoded_into_its_own_row():
    """The JSON columns of all rows are parsed in one go; each row gets back its own values, empty
    ones stay empty, and a value the driver already decoded is taken as it is."""
    read = [
        _row_with_json('["stage"]', "[]", '[[1, "2026-01-05", null]]'),
        _row_with_json("[]", None, "[]"),
        _row_with_json(
            "[]",
            '[["2026-02-01", "2026-02-10", "ziekte"]]',
            '[[1, "2026-01-06", "2026-03-01"], [2, "2026-03-01", null]]',
        ),
        _row_with_json(["betaald_werk"], [], [[3, "2026-04-01", None]]),  # as a driver that decodes JSON gives it
        _row_with_json('["certificaat", "stage"]', "[]", '[[2, "2026-01-07", null]]'),
    ]
    assert list(selectors._json_decoded(read)) == [
        (["stage"], (), [[1, "2026-01-05", None]]),
        ((), (), ()),
        ((), [["2026-02-01", "2026-02-10", "ziekte"]], [[1, "2026-01-06", "2026-03-01"], [2, "2026-03-01", None]]),
        (["betaald_werk"], (), [[3, "2026-04-01", None]]),
        (["certificaat", "stage"], (), [[2, "2026-01-07", None]]),
    ]


def test_a_column_of_json_texts_is_decoded_in_one_parse_and_a_value_never_shifts_into_the_next_row():
    """A column the driver gives as text throughout is parsed whole (an empty value an empty list);
    values that are not one JSON text each are never glued into a neighbour's."""
    import json

    texts = [
        ('["stage"]', "[]", '[[1, "2026-01-05", null]]'),
        ("[]", '[["2026-02-01", null, "ziekte"]]', "[]"),
        ('["certificaat", "stage"]', "[]", '[[2, "2026-01-07", "2026-02-01"], [3, "2026-02-01", null]]'),
    ]
    decoded = list(selectors._json_decoded([_row_with_json(*t) for t in texts]))
    assert decoded == [tuple(json.loads(v) for v in t) for t in texts]
    # two halves of one value in two rows: refused, not read as one row's value
    with pytest.raises(ValueError):
        list(
            selectors._json_decoded(
                [_row_with_json("[]", "[]", '[[1, "2026-01-05"'), _row_with_json("[]", "[]", "null]]")]
            )
        )


def test_last_month_s_score_changes_name_only_last_month_s_participants():
    change = indicators.ScoreChange
    read_for = {1, 2, 3, 4}  # this month's cohort, for whom the changes were read
    changes = [
        change("taalniveau", "lezen", 1, 2, (1, 2)),  # both in last month's cohort too: kept as it is
        change("taalniveau", "lezen", 2, 3, (3, 4)),  # 4 came this month: narrowed to 3
        change("zrm", "FIN", 1, 3, (4,)),  # only someone of this month: gone
    ]
    kept = selectors._within(changes, {1, 2, 3}, read_for)
    assert kept == [changes[0], changes[1]._replace(participant_ids=(3,))]
    assert kept[0] is changes[0]


def test_a_chain_of_transfers_in_a_group_counts_once_under_its_first_part_with_the_minutes_and_tags_of_all():
    """Rows (enrollment, participant, programme, transferred from, referred): 1 -> 2 -> 3 one chain,
    4 on its own; the chain counts as one history where 1 stands, with the minutes of its parts."""
    rows = [(1, 10, 100, None, day(0)), (4, 11, 100, None, day(0)), (2, 10, 200, 1, day(5)), (3, 10, 300, 2, day(9))]
    histories = {
        i: indicators.rules.History(enrollment_id=i, participant_id=pid, programme_id=prog, referred_on=on)
        for i, pid, prog, _from, on in rows
    }
    p = selectors.ReportParameters(on=day(30), programme_ids=(100, 200, 300), whole=True)
    naming = selectors._Naming({}, {}, {}, (), {}, {})
    made, counting = selectors._cohort_on(p, rows, histories, {10: 1, 11: 1}, naming)
    assert [h.enrollment_id for h in made.histories] == [1, 4]
    assert counting.head_of == {2: 1, 3: 1}
    assert counting.histories[2] is counting.histories[3] is made.histories[0]
    tags = [(3, "maatje", day(10)), (4, "huisbezoek", day(40))]  # the second after the peildatum
    selectors._complete(made, counting, tags, {1: 30, 2: 45, 3: 15, 4: 60}, [])
    assert made.guidance_minutes == {1: 90, 2: 45, 3: 15, 4: 60}
    assert made.histories[0].tags == {"maatje"} and made.histories[1].tags == frozenset()
    assert selectors._chains(rows) == [[1, 2, 3]]


def test_participants_packed_by_the_database_come_back_as_they_were():
    """On PostgreSQL a change's participants travel as packed 8-byte integers (SQLite's as text)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("packing is PostgreSQL's (SQLite's group_concat is read as text)")
    ids = [1, 2**31 + 7, 42, 2**62]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(int8send(x), ''::bytea ORDER BY n) FROM unnest(%s::bigint[]) WITH ORDINALITY AS t(x, n)",
            [ids],
        )
        (packed,) = cursor.fetchone()
    assert list(selectors._unpacked(packed)) == ids
