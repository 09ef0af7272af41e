"""Reports: the parameters checked, the cohort read through the reader's report scope, the indicators
computed, small counts suppressed where the reader or the destination calls for it, and the result
as one plain structure that the page, the exports, the API and the command all show."""

import gc
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import date, timedelta
from functools import cache, partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from doorstroom.access import policy as access
from doorstroom.core import clock, replica
from doorstroom.core.errors import DomainError, raise_all
from doorstroom.core.messages import _
from doorstroom.organisations.models import Organisation, Region, User
from doorstroom.participants.models import Participant
from doorstroom.programmes.models import Programme, reason_catalogue

from . import indicators, selectors, suppression
from .models import AdoptedReport

#: how far back a report can look
EARLIEST = date(2000, 1, 1)


def threshold() -> int:
    return int(getattr(settings, "DOORSTROOM_SUPPRESSION_THRESHOLD", 5))


def _values(data: Mapping[str, Any], key: str) -> list[str]:
    raw = data.get(key)
    if raw is None:
        return []
    values = data.getlist(key) if hasattr(data, "getlist") else raw if isinstance(raw, list | tuple) else [raw]
    return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


def _date(data: Mapping[str, Any], key: str, errors: list[DomainError]) -> date | None:
    values = _values(data, key)
    if not values:
        return None
    try:
        day = date.fromisoformat(values[-1])
    except ValueError:
        errors.append(DomainError(_("Geef een datum als JJJJ-MM-DD."), field=key))
        return None
    if day < EARLIEST:
        errors.append(DomainError(_("Deze datum ligt te ver terug."), field=key))
    if day > clock.today():
        errors.append(DomainError(_("Deze datum ligt in de toekomst."), field=key))
    return day


SLUG = re.compile(r"[-a-zA-Z0-9_]{1,60}")

PARAMETER_NAMES = ("programma", "gemeente", "regio", "basis", "van", "tot", "peildatum", "geheel")


def parameters_from(user: User, data: Mapping[str, Any]) -> selectors.ReportParameters:
    """Read report parameters (page form, API query or command options, all with the same names);
    every problem is reported at once, each naming its parameter."""
    errors: list[DomainError] = []
    errors.extend(
        DomainError(_("Onbekende parameter."), field=key)
        for key in data
        if key not in PARAMETER_NAMES and key not in ("format", "csrfmiddlewaretoken")
    )
    for key in data:  # a parameter that is sent must say something
        raw = data.getlist(key) if hasattr(data, "getlist") else data[key]
        values = raw if isinstance(raw, list | tuple) else [raw]
        if key in PARAMETER_NAMES and values and not any(str(v).strip() for v in values):
            errors.append(DomainError(_("Geef een waarde, of laat deze parameter weg."), field=key))
    codes = _values(data, "programma")
    slugs = [code for code in codes if SLUG.fullmatch(code)]
    programmes = list(access.programmes_reportable_by(user).filter(code__in=slugs)) if slugs else []
    known = {p.code for p in programmes}
    errors.extend(
        DomainError(_("Onbekend programma '%(code)s'.", code=code), field="programma")
        for code in codes
        if code not in known
    )
    scope_municipalities = municipalities_of(user)
    municipality_ids: list[int] = []
    for value in _values(data, "gemeente"):
        found = (
            Organisation.objects.filter(pk__in=scope_municipalities).filter(uuid=value).first()
            if _uuid(value)
            else None
        )
        if found is None:
            errors.append(DomainError(_("Onbekende gemeente, of een gemeente buiten uw bereik."), field="gemeente"))
        else:
            municipality_ids.append(found.pk)
    for value in _values(data, "regio"):
        region = Region.objects.filter(uuid=value).first() if _uuid(value) else None
        members = set(region.members.values_list("pk", flat=True)) & scope_municipalities if region else set()
        if not members:
            errors.append(DomainError(_("Onbekende regio, of een regio buiten uw bereik."), field="regio"))
        municipality_ids.extend(sorted(members))
    basis = (_values(data, "basis") or [selectors.BASIS_REFERRED])[-1]
    if basis not in (selectors.BASIS_REFERRED, selectors.BASIS_STARTED):
        errors.append(DomainError(_("Kies 'aangemeld' of 'gestart'."), field="basis"))
    period_from = _date(data, "van", errors)
    period_until = _date(data, "tot", errors)
    on = _date(data, "peildatum", errors) or clock.today()
    if period_from and period_until and period_until < period_from:
        errors.append(DomainError(_("De periode eindigt vóór hij begint."), field="tot"))
    if period_from and period_from > on:
        errors.append(DomainError(_("De periode begint na de peildatum."), field="van"))
    whole_values = _values(data, "geheel")
    if whole_values and whole_values[-1] not in ("ja", "nee"):
        errors.append(DomainError(_("Kies 'ja' of 'nee'."), field="geheel"))
    raise_all(errors)
    return selectors.ReportParameters(
        on=on,
        programme_ids=tuple(sorted(p.pk for p in programmes)),
        municipality_ids=tuple(sorted(set(municipality_ids))),
        basis=basis,
        period_from=period_from,
        period_until=min(period_until, on) if period_until else None,
        whole=not whole_values or whole_values[-1] == "ja",
    )


def _uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def municipalities_of(user: User) -> set[int]:
    return set(access.report_municipalities(user)) | access.served_municipality_ids(user)


def parameters_shown(p: selectors.ReportParameters) -> dict[str, Any]:
    """The parameters as the report names them (codes and dates, for the JSON and the exports)."""
    programmes = dict(Programme.objects.filter(pk__in=p.programme_ids).values_list("pk", "code"))
    municipalities = dict(Organisation.objects.filter(pk__in=p.municipality_ids).values_list("pk", "name"))
    return {
        "programma": [programmes[i] for i in p.programme_ids],
        "gemeente": [municipalities[i] for i in p.municipality_ids],
        "basis": p.basis,
        "van": p.period_from.isoformat() if p.period_from else None,
        "tot": p.period_until.isoformat() if p.period_until else None,
        "peildatum": p.on.isoformat(),
        "geheel": p.whole,
    }


# --- computing -------------------------------------------------------------------------------------


def whole_months(p: selectors.ReportParameters) -> selectors.ReportParameters:
    """Figures with small counts hidden are given per whole month: the peildatum moves back to the end
    of the last complete month and a period takes in whole months. Two reports a day apart would
    otherwise differ by the one person who moved, and that difference is a small count shown."""
    on = p.on if (p.on + timedelta(days=1)).day == 1 else p.on.replace(day=1) - timedelta(days=1)
    period_from = p.period_from.replace(day=1) if p.period_from else None
    period_until = p.period_until
    if period_until is not None:
        next_month = (period_until.replace(day=28) + timedelta(days=4)).replace(day=1)
        period_until = min(next_month - timedelta(days=1), on)
    return replace(p, on=on, period_from=period_from, period_until=period_until)


def _parts(p: selectors.ReportParameters) -> list[tuple[str, str, selectors.ReportParameters]]:
    """A group of programmes is reported as one whole and per programme; one programme once."""
    if len(p.programme_ids) <= 1:
        return [("geheel", "", p)]
    names = dict(Programme.objects.filter(pk__in=p.programme_ids).values_list("pk", "name"))
    parts = [("geheel", str(_("Alle gekozen programma's samen")), p)]
    parts.extend(
        (
            str(programme_id),
            names.get(programme_id, ""),
            selectors.ReportParameters(
                on=p.on,
                programme_ids=(programme_id,),
                municipality_ids=p.municipality_ids,
                basis=p.basis,
                period_from=p.period_from,
                period_until=p.period_until,
                whole=False,
            ),
        )
        for programme_id in p.programme_ids
    )
    return parts


def report_compute(
    user: User, p: selectors.ReportParameters, *, outside: bool = False
) -> tuple[dict[str, Any], dict[tuple[str, str, str, str], indicators.Cell]]:
    """The report as shown to `user` (or, with `outside`, as it may leave the organisation: always
    suppressed), and each shown count that has a list behind it for the drill-down (its `members`
    are the enrollments, worked out when read)."""
    with cycle_collection_paused():
        return _report_compute(user, p, outside=outside)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """A report makes a few hundred thousand objects that hold no cycles (tested:
    `test_a_report_is_freed_when_it_is_done_without_waiting_for_the_cycle_collector`); Python's
    cycle collector would walk them all again and again while they are made (a fifth of an
    overview's time, benchmarks/RESULTS.md). Reference counting frees them; the collector runs again after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # everything made meanwhile sits in the youngest generation, which the collector's next
            # pass would walk whole (0.1 s for the largest programme's report); moved to the oldest
            # generation without a walk (what `unfreeze` does with what `freeze` set apart), it is
            # looked at only with the rare full passes, and freed by reference counting as before
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _report_compute(
    user: User, p: selectors.ReportParameters, *, outside: bool = False
) -> tuple[dict[str, Any], dict[tuple[str, str, str, str], indicators.Cell]]:
    scope = access.report_scope(user)
    programmes = list(Programme.objects.filter(pk__in=p.programme_ids))
    suppressed = outside or scope.suppressed(programmes) or (not p.programme_ids and not scope.case_access)
    if not p.programme_ids and scope.case_access and scope.role not in access.TEAM_ROLES:
        # an overview over every programme: sensitive ones count only in suppressed figures
        suppressed = suppressed or _has_sensitive(scope, p)
    k = threshold()
    if suppressed:
        p = whole_months(p)
    # a reader who counts whole municipalities reads the counts from the replica when there is one;
    # a team member's counts depend on their team and grants, which are read where they are decided
    counting = replica.reads_from_replica if scope.role not in access.TEAM_ROLES else nullcontext
    if not suppressed and scope.role not in access.TEAM_ROLES:
        # where the courses already show a transfer to a sensitive programme (aggregates only outside
        # the team, below), the report goes to whole months at once instead of being computed twice
        with counting():
            if selectors.transfers_to_sensitive_for_certain(scope.counted, p):
                suppressed = True
                p = whole_months(p)
    with counting():
        cohorts, cohorts_then = _cohorts(scope, p, month_before_too=suppressed)
    if not suppressed and scope.role not in access.TEAM_ROLES:
        # a transfer to a sensitive programme shows its name: outside the team, aggregates only
        suppressed = any(_sensitive_target(c) for _k, _t, c in cohorts)
        if suppressed:
            p = whole_months(p)
            with counting():
                cohorts, cohorts_then = _cohorts(scope, p, month_before_too=True)
    with counting():
        computed, values, members = _figures(user, scope, p, cohorts, suppressed=suppressed, k=k)
    hidden: dict[Any, str] = {}
    if suppressed:
        earlier = month_before(p)
        last_month = None
        if earlier is not None and cohorts_then is not None:
            # last month's report is out there too: no small change may show, and no hidden cell of either
            # month may be pinned down by a count that only grows
            with counting():
                computed_then, values_then, _members = _figures(
                    user, scope, earlier, cohorts_then, suppressed=True, k=k
                )
            relations_then = _relations(values_then, computed_then)
            hidden_then = suppression.suppress(values_then, relations_then, k)
            last_month = suppression.Published(values_then, hidden_then, relations_then, _growing(computed))
        hidden = suppression.suppress(values, _relations(values, computed), k, published=last_month)
    parts_out: list[dict[str, Any]] = []
    for key, title, tables in computed:
        parts_out.append(
            {"key": key, "title": title, "tables": [_table_out(key, t, hidden, k, suppressed) for t in tables]}
        )
    report = {
        "parameters": parameters_shown(p),
        "definition_version": indicators.DEFINITION_VERSION,
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "suppressed": suppressed,
        "threshold": k,
        "outside": outside,
        "parts": parts_out,
    }
    shown_members = {a: m for a, m in members.items() if a not in hidden} if scope.case_access else {}
    return report, shown_members


def month_before(p: selectors.ReportParameters) -> selectors.ReportParameters | None:
    """The same report one month earlier (reports with small counts hidden go per whole month), or
    None when there is none (the period starts after it, or it lies before the earliest date)."""
    on = p.on.replace(day=1) - timedelta(days=1)
    if on < EARLIEST or (p.period_from is not None and p.period_from > on):
        return None
    return replace(p, on=on, period_until=min(p.period_until, on) if p.period_until else None)


Parts = list[tuple[str, str, indicators.Cohort]]


def _cohorts(
    scope: access.ReportScope, p: selectors.ReportParameters, *, month_before_too: bool = False
) -> tuple[Parts, Parts | None]:
    """Each part's cohort and, when asked and there is one, the same part a month earlier, read
    together (one read of the events and scores serves both months)."""
    now: Parts = []
    then: Parts = []
    for key, title, part in _parts(p):
        earlier = month_before(part) if month_before_too else None
        # the tables that need only the histories are worked out while the rest is read
        early = partial(
            _work_out_early,
            programmes=key == "geheel" and not p.programme_ids,
            municipalities=key == "geheel",
        )
        with selectors.sorting_memory(part):
            cohort_now, cohort_then, _worked = selectors.cohorts_meanwhile(scope.counted, part, earlier, early)
        now.append((key, title, cohort_now))
        if cohort_then is not None:
            then.append((key, title, cohort_then))
    return now, then or None  # none when there is no month before


def _work_out_early(
    now: indicators.Cohort, then: indicators.Cohort | None, *, programmes: bool, municipalities: bool
) -> None:
    """What `_figures` will show of the cohorts that needs only their histories (as `_figures` asks
    for the side-by-side tables: municipalities for the whole, programmes for an overview)."""
    for cohort in (now, then):
        if cohort is not None:
            indicators.work_out_early(cohort, programmes=programmes, municipalities=municipalities)


Address = tuple[str, str, str, str]


def _figures(
    user: User,
    scope: access.ReportScope,
    p: selectors.ReportParameters,
    cohorts: list[tuple[str, str, indicators.Cohort]],
    *,
    suppressed: bool,
    k: int,
) -> tuple[list[tuple[str, str, list[indicators.Table]]], dict[Any, int | None], dict[Address, indicators.Cell]]:
    """Every part's tables as this reader gets them, each count by its address, and the enrollments
    behind each count."""
    computed = []
    values: dict[Any, int | None] = {}
    members: dict[Address, indicators.Cell] = {}
    for key, title, cohort in cohorts:
        tables = indicators.tables(cohort)
        if key == "geheel":
            for side_by_side in (
                indicators.programmes_side_by_side(cohort) if not p.programme_ids else None,
                indicators.municipalities_side_by_side(cohort),
            ):
                if side_by_side is not None:
                    tables.insert(1, side_by_side)
        _reasons_within_reach(tables, cohort, user, scope, suppressed=suppressed, k=k)
        if scope.role not in access.TEAM_ROLES:
            _sensitive_targets_unnamed(tables)
        computed.append((key, title, tables))
        for table in tables:
            for row in table.rows:
                for column, _label, kind in table.columns:
                    cell = row.get(column)
                    if kind == "count" and isinstance(cell, indicators.Cell):
                        address = (key, table.code, str(row["key"]), column)
                        values[address] = None if cell.value is None else int(cell.value)
                        if cell.has_list:
                            members[address] = cell
    return computed, values, members


REASON_TABLES = {
    "niet_gestart_per_reden": "niet_gestart",
    "uitgevallen_per_reden": "uitgevallen",
    "afgesloten_per_reden": "administratief_afgesloten",
    "pauzes_per_reden": "gepauzeerd",
}


def _sensitive_target(cohort: indicators.Cohort) -> bool:
    targets = {h.transferred_to for h in cohort.histories if h.transferred_to}
    return bool(targets) and Programme.objects.filter(pk__in=targets, is_sensitive=True).exists()


def _reasons_within_reach(
    tables: list[indicators.Table],
    cohort: indicators.Cohort,
    user: User,
    scope: access.ReportScope,
    *,
    suppressed: bool,
    k: int,
) -> None:
    """A reason says what it is about (a pregnancy is health data): its row keeps its words only for
    a reader who may see that category for everyone counted in it, or, where small counts are hidden,
    when the row is not small. Other rows are counted together in one row."""
    # who each enrollment is, worked out only when a row has to be checked or merged (hidden small
    # counts keep most rows without looking at anyone)
    participant_of = cache(lambda: {h.enrollment_id: h.participant_id for h in cohort.histories})
    visible: dict[str, set[int]] = {}
    for table in tables:
        step = REASON_TABLES.get(table.code)
        if step is None:
            continue
        kept: list[dict[str, Any]] = []
        merged_members: set[int] = set()
        for row in table.rows:
            cell = row["count"]
            category = reason_catalogue().category(step, str(row["key"]))
            if suppressed:  # aggregates only: a reason is named only next to a count that is not small
                keep = (cell.value or 0) >= k
            elif category in access.BASELINE:
                keep = True
            else:
                if category not in visible:
                    ids = set(participant_of().values())
                    visible[category] = set(
                        access.participants_visible_to(user, category).filter(pk__in=ids).values_list("pk", flat=True)
                    )
                whose = participant_of()
                keep = {whose[e] for e in cell.members or () if e in whose} <= visible[category]
            if keep:
                kept.append(row)
            else:
                merged_members.update(cell.members or ())
        if merged_members:
            kept.append(
                {
                    "key": "niet_gedeeld",
                    "label": str(_("Kleine aantallen samen") if suppressed else _("Reden niet met u gedeeld")),
                    "count": indicators.Cell(
                        len({participant_of()[e] for e in merged_members if e in participant_of()}),
                        frozenset(merged_members),
                    ),
                }
            )
        table.rows = kept


def _sensitive_targets_unnamed(tables: list[indicators.Table]) -> None:
    """Outside the team a sensitive programme is never named next to a count of the people who moved
    to it: such transfers are counted as "another programme"."""
    table = next((t for t in tables if t.code == "overgedragen_naar"), None)
    if table is None or not table.rows:
        return
    sensitive = {
        str(pk)
        for pk in Programme.objects.filter(
            pk__in=[int(r["key"]) for r in table.rows if str(r["key"]).isdigit()], is_sensitive=True
        ).values_list("pk", flat=True)
    }
    if not sensitive:
        return
    kept = [r for r in table.rows if str(r["key"]) not in sensitive]
    hidden = [r for r in table.rows if str(r["key"]) in sensitive]
    members = frozenset().union(*(r["count"].members or frozenset() for r in hidden))
    people = sum(r["count"].value or 0 for r in hidden)
    kept.append({"key": "ander", "label": str(_("Ander programma")), "count": indicators.Cell(people, members)})
    table.rows = kept


def _has_sensitive(scope: access.ReportScope, p: selectors.ReportParameters) -> bool:
    return selectors.cohort_enrollments(scope.counted, p).filter(programme__is_sensitive=True).exists()


def _growing(computed: list[tuple[str, str, list[indicators.Table]]]) -> frozenset[Address]:
    """The counts that can only grow from one month to the next, by the registry: a cumulative
    indicator's rows in the funnel and its breakdowns (per municipality: its row; per programme: its
    column), and every count of a cumulative table."""
    growing: set[Address] = set()
    registry = indicators.INDICATORS
    for key, _title, tables in computed:
        for table in tables:
            for row in table.rows:
                for column, _label, kind in table.columns:
                    if kind != "count":
                        continue
                    if table.code in (indicators.FUNNEL, "gemeenten"):
                        cumulative = registry.get(str(row["key"]))
                    elif table.code == "programmas":
                        cumulative = registry.get(column)
                    else:
                        cumulative = registry.get(table.code)
                    if cumulative is not None and cumulative.cumulative:
                        growing.add((key, table.code, str(row["key"]), column))
    return frozenset(growing)


def _relations(
    values: Mapping[tuple[str, str, str, str], int | None], computed: list[tuple[str, str, list[indicators.Table]]]
) -> list[suppression.Relation]:
    """The sums a reader could use to work back to a hidden count, as far as they hold exactly."""
    relations: list[suppression.Relation] = []

    def add(total: tuple, parts: Iterable[tuple], exact_only: bool = True) -> None:
        parts = tuple(parts)
        if total not in values or any(part not in values for part in parts) or not parts:
            return
        if exact_only and (values[total] or 0) != sum(values[part] or 0 for part in parts):
            return
        relations.append(suppression.Relation(total, parts))

    funnel_parts = (
        "wacht_op_start",
        "in_intake",
        "actief",
        "gepauzeerd",
        "niet_gestart",
        "uitgevallen",
        "afgerond_met_resultaat",
        "afgerond_zonder_resultaat",
        "overgedragen",
        "administratief_afgesloten",
    )
    for key, _title, tables in computed:
        f = indicators.FUNNEL

        def cell(table: str, row: str, column: str = "count", key: str = key) -> tuple[str, str, str, str]:
            return (key, table, row, column)

        add(cell(f, "aangemeld"), [cell(f, part) for part in funnel_parts])
        add(cell(f, "doorgestroomd"), [cell(f, "afgerond_met_resultaat")])
        add(cell(f, "afgerond_met_resultaat"), [cell(f, "doorgestroomd")])
        add(cell(f, "uitstroom_werk"), [cell("resultaten", "betaald_werk", "persons")])
        add(cell("resultaten", "betaald_werk", "persons"), [cell(f, "uitstroom_werk")])
        add(cell("resultaten", "totaal", "persons"), [cell(f, "doorgestroomd")])
        add(cell(f, "doorgestroomd"), [cell("resultaten", "totaal", "persons")])
        by_code = {t.code: t for t in tables}
        if "programmas" in by_code:  # each column: the programmes add up to the whole, where that holds
            for code in indicators.OVERVIEW_COLUMNS:
                add(cell(f, code), [cell("programmas", str(r["key"]), code) for r in by_code["programmas"].rows])
        if "gemeenten" in by_code:  # each step: the municipalities add up to the whole
            columns = [c for c, _label, kind in by_code["gemeenten"].columns if kind == "count"]
            for row in by_code["gemeenten"].rows:
                add(cell(f, str(row["key"])), [cell("gemeenten", str(row["key"]), c) for c in columns])
        for table_code, funnel_row in (
            ("niet_gestart_per_reden", "niet_gestart"),
            ("uitgevallen_per_reden", "uitgevallen"),
            ("afgesloten_per_reden", "administratief_afgesloten"),
            ("overgedragen_naar", "overgedragen"),
        ):
            rows = [str(r["key"]) for r in by_code[table_code].rows] if table_code in by_code else []
            add(cell(f, funnel_row), [cell(table_code, r) for r in rows])
        for r in by_code["werkwijze"].rows if "werkwijze" in by_code else []:
            # with and without a tag together are everyone started, and everyone doorgestroomd, where that holds
            add(cell(f, "gestart"), [cell("werkwijze", str(r["key"]), c) for c in ("with_n", "without_n")])
            add(cell(f, "doorgestroomd"), [cell("werkwijze", str(r["key"]), c) for c in ("with_k", "without_k")])
        outcome_rows = [str(r["key"]) for r in by_code["resultaten"].rows if r["key"] != "totaal"]
        add(cell("resultaten", "totaal", "mentions"), [cell("resultaten", r, "mentions") for r in outcome_rows])
        for table_code, total, parts in (
            ("taal_vooruitgang", "measured", ("rose",)),
            ("zrm_per_domein", "measured", ("improved", "worse")),
            ("doelen", "started", ("reached",)),
            ("werkwijze", "with_n", ("with_k",)),
            ("werkwijze", "without_n", ("without_k",)),
        ):
            for r in by_code[table_code].rows if table_code in by_code else []:
                row_key = str(r["key"])
                relations.append(
                    suppression.Relation(
                        cell(table_code, row_key, total),
                        tuple(cell(table_code, row_key, c) for c in parts),
                        exact=False,
                    )
                ) if cell(table_code, row_key, total) in values else None
    # a group shown as a whole and per programme: whole = sum of the routes, where that holds
    route_keys = [key for key, _t, _tables in computed if key != "geheel"]
    if route_keys:
        for address in [a for a in values if a[0] == "geheel"]:
            add(address, [(route, *address[1:]) for route in route_keys])
    return relations


def _table_out(
    part: str, table: indicators.Table, hidden: Mapping[Any, str], k: int, suppressed: bool
) -> dict[str, Any]:
    rows_out = []
    small_base = False
    for row in table.rows:
        counts = [(c, row.get(c)) for c, _l, kind in table.columns if kind == "count"]
        row_hidden = any((part, table.code, str(row["key"]), c) in hidden for c, _v in counts)
        if table.code == "blijvers" and suppressed:
            at_risk = row.get("at_risk")
            small_base = small_base or (isinstance(at_risk, indicators.Cell) and (at_risk.value or 0) < k)
            row_hidden = row_hidden or small_base
        cells: dict[str, Any] = {}
        for column, _label, kind in table.columns:
            if column == "label":
                continue
            cell = row.get(column)
            value = cell.value if isinstance(cell, indicators.Cell) else cell
            mark = hidden.get((part, table.code, str(row["key"]), column))
            if mark == suppression.CHANGED:
                mark = suppression.SECONDARY  # a reader is not told which "·" hides a change since last month
            if kind == "count":
                if mark is None and row_hidden and table.code == "blijvers":
                    mark = suppression.SECONDARY
                cells[column] = _cell_out(value, mark, k)
            else:
                cells[column] = _cell_out(value, suppression.SECONDARY if suppressed and row_hidden else None, k)
        rows_out.append({"key": str(row["key"]), "name": str(row["label"]), "cells": cells})
    if table.code == "blijvers" and suppressed and _departures_hidden(part, hidden):
        for row in rows_out:  # the curve would give the number of drop-outs away
            row["cells"] = {c: _cell_out(None, suppression.SECONDARY, k) for c in row["cells"]}
    return {
        "code": table.code,
        "title": table.title,
        "note": table.note,
        "chart": table.chart,
        "columns": [{"key": c, "name": label, "kind": kind} for c, label, kind in table.columns],
        "rows": rows_out,
    }


def _departures_hidden(part: str, hidden: Mapping[tuple, str]) -> bool:
    return any(
        (part, indicators.FUNNEL, row, "count") in hidden for row in ("uitgevallen", "administratief_afgesloten")
    )


def _cell_out(value: Any, mark: str | None, k: int) -> dict[str, Any]:
    if mark is not None:
        return {"value": None, "shown": suppression.shown_as(None, mark, k), "hidden": mark}
    return {"value": value, "shown": "" if value is None else _number(value), "hidden": None}


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",") if value != int(value) else str(int(value))
    return str(value)


# --- drill-down, adoption --------------------------------------------------------------------------


def report_drilldown(
    user: User, p: selectors.ReportParameters, *, part: str, table: str, row: str, column: str
) -> tuple[list[Participant], int]:
    """The participants behind one shown count that the reader may see by name, and how many more
    are counted but not listed. A suppressed cell has no list."""
    scope = access.report_scope(user)
    if not scope.case_access:
        raise access.Refusal(_("Met uw rol ziet u alleen totalen, geen namen."), code="role_ceiling")
    _report, members = report_compute(user, p)
    count = members.get((part, table, row, column))
    behind = count.members if count is not None else None
    if behind is None:
        raise DomainError(_("Achter dit getal staat geen lijst."), field="rij")
    listable = scope.listable.filter(pk__in=behind)
    participants = list(
        Participant.objects.filter(pk__in=listable.values("participant_id")).order_by("family_name", "given_name", "id")
    )
    everyone = len({pid for pid in scope.counted.filter(pk__in=behind).values_list("participant_id", flat=True)})
    access.record_report(user, what="report_drilldown", participants=participants)
    return participants, max(0, everyone - len(participants))


@transaction.atomic
def report_adopt(user: User, p: selectors.ReportParameters, *, title: str, note: str = "") -> AdoptedReport:
    """Freeze the figures as shown now, with the definition version: what was sent out can be shown
    again exactly."""
    if not title.strip():
        raise DomainError(_("Geef de rapportage een titel."), field="title")
    if user.organisation is None:
        raise DomainError(_("U hoort bij geen organisatie."), field="title")
    report, _members = report_compute(user, p)
    adopted = AdoptedReport.objects.create(
        title=title.strip()[:200],
        parameters=report["parameters"],
        figures=report,
        definition_version=indicators.DEFINITION_VERSION,
        adopted_by=user,
        organisation=user.organisation,
        note=note.strip()[:300],
    )
    access.record_report(user, what="report_adopted")
    return adopted


def parameters_query(shown: Mapping[str, Any]) -> dict[str, list[str]]:
    """The parameters of an adopted report as a query again (programme codes; municipalities by name
    are looked up again within the reader's reach)."""
    query: dict[str, list[str]] = {}
    if shown.get("programma"):
        query["programma"] = list(shown["programma"])
    names = shown.get("gemeente") or []
    if names:
        query["gemeente"] = [str(u) for u in Organisation.objects.filter(name__in=names).values_list("uuid", flat=True)]
    for key in ("basis", "van", "tot", "peildatum"):
        if shown.get(key):
            query[key] = [str(shown[key])]
    query["geheel"] = ["ja" if shown.get("geheel", True) else "nee"]
    return query


def compare(frozen: dict[str, Any], today: dict[str, Any] | None) -> dict[str, Any]:
    """The adopted figures, each cell with today's figure next to it where it differs now."""
    if today is None:
        return frozen
    now = {
        (part["key"], table["code"], row["key"], column): cell
        for part in today["parts"]
        for table in part["tables"]
        for row in table["rows"]
        for column, cell in row["cells"].items()
    }
    for part in frozen["parts"]:
        for table in part["tables"]:
            for row in table["rows"]:
                for column, cell in row["cells"].items():
                    current = now.get((part["key"], table["code"], row["key"], column))
                    if current is not None and current["shown"] != cell["shown"]:
                        cell["today"] = current["shown"]
    return frozen
