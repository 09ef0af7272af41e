"""The indicator registry: the one place where every figure Doorstroom reports is defined (code,
Dutch name, definition, numerator, denominator, unit) and computed from enrollment histories.
Reports, exports, the API and the `report` command read it; docs/monitoring.md explains the same
definitions in words, and a test keeps the two in step. Later capabilities (placements, aftercare,
intermediaries) add their indicators with `register` without touching the report engine.

Plain Python on a `Cohort` (histories as `rules.History`), so each definition is tested on hand-made
histories; the selectors build the cohort from the database in a fixed number of queries.
"""

import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, partial
from itertools import chain, compress, repeat
from typing import Any, NamedTuple

from doorstroom.core.messages import _

from . import rules

#: bumped whenever a definition changes: an adopted report keeps the version it was computed with
DEFINITION_VERSION = "2026.1"


@dataclass(frozen=True)
class ProgrammeFacts:
    id: int
    code: str
    name: str
    coaching_hours_per_week: float | None
    targets: dict[str, int]  # outcome code -> target percentage of started participants
    phases: dict[int, str]  # position -> name


class ScoreChange(NamedTuple):
    """The participants whose first and last score on an item, up to the reporting date, were `first`
    and `last` (items measured at least twice; the order is measurement date, then recording order;
    the selector counts them in the database)."""

    instrument: str  # "taalniveau" | "participatieladder" | "zrm"
    item: str
    first: int
    last: int
    participant_ids: tuple[int, ...]


@dataclass
class Cohort:
    """The enrollments a report counts, read on the reporting date `on`."""

    on: date
    histories: list[rules.History]
    programmes: dict[int, ProgrammeFacts] = field(default_factory=dict)  # the programmes reported on
    programme_names: dict[int, str] = field(default_factory=dict)  # also those transferred to
    guidance_minutes: dict[int, int] = field(default_factory=dict)  # enrollment id -> minutes
    score_changes: list[ScoreChange] = field(default_factory=list)
    outcome_labels: dict[str, str] = field(default_factory=dict)
    reason_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    item_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    municipality_of: dict[int, int] = field(default_factory=dict)  # participant id -> municipality id
    municipality_names: dict[int, str] = field(default_factory=dict)
    tag_labels: dict[str, str] = field(default_factory=dict)  # context tag code -> label
    _held: dict[str, list[rules.History]] = field(default_factory=dict, repr=False, compare=False)
    _standings_split: dict[str, list[tuple["Standing", dict[int | None, list[rules.History]]]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    #: tables worked out from the histories alone while the tags, minutes and changes were read
    #: (`work_out_early`), by code; `tables` takes them as they are
    worked_out: dict[str, "Table | None"] = field(default_factory=dict, repr=False, compare=False)

    def members_of(self, indicator: "Indicator") -> list[rules.History]:
        """The histories a count indicator holds in this cohort, worked out once: the funnel, the
        municipalities side by side and the overview of programmes all split the same lists."""
        held = self._held.get(indicator.code)
        if held is None:
            held = self._held[indicator.code] = list(indicator.members(self)) if indicator.members else []
        return held

    @cached_property
    def started(self) -> list[rules.History]:
        """The histories with a start on or before the reporting date, in the cohort's order (the
        hours, survival, targets and with/without tables all count among them)."""
        return [h for h in self.histories if h.started_on is not None]

    @cached_property
    def by_ending(self) -> dict[str, list[rules.History]]:
        """The histories by how they ended ("" while open), each list in the cohort's order: a table
        of one ending (reasons, transfers, outcomes) walks only those, not the whole cohort."""
        ended: dict[str, list[rules.History]] = defaultdict(list)
        for h in self.histories:
            ended[h.ending].append(h)
        return ended

    def ended_as(self, ending: str) -> list[rules.History]:
        return self.by_ending.get(ending, [])

    @cached_property
    def active_days(self) -> dict[int, int]:
        """Each started history's days since its start without its pauses, on the reporting date, by
        enrollment (the hours per week and the survival curve both read them)."""
        return dict(zip(map(_ENROLLMENT, self.started), self.started_active_days, strict=True))

    @cached_property
    def started_active_days(self) -> list[int]:
        """`active_days` of the started histories, in the order of `started`."""
        return rules.active_days_each(self.started, self.on)

    @cached_property
    def shared_participants(self) -> frozenset[int]:
        """The participants with more than one history in the cohort (two routes at once; a chain
        in a group is one history): only they can make a list's persons fewer than its histories."""
        seen: set[int] = set()
        shared: set[int] = set()
        for participant_id in map(_PARTICIPANT, self.histories):
            if participant_id in seen:
                shared.add(participant_id)
            else:
                seen.add(participant_id)
        return frozenset(shared)

    def persons(self, histories: list[rules.History]) -> int:
        """The distinct participants among histories of this cohort (each at most once in the list).
        Only the shared participants go in a set: everyone else has one history here, so appears at
        most once (a region's report counts a few hundred lists of up to a hundred thousand histories)."""
        shared = self.shared_participants
        if not shared:
            return len(histories)
        ids = list(map(_PARTICIPANT, histories))  # C-level passes: no Python step per history
        is_shared = list(map(shared.__contains__, ids))
        return len(histories) - sum(is_shared) + len(set(compress(ids, is_shared)))

    def count(self, histories: Iterable[rules.History]) -> "Cell":
        """Persons counted among histories of this cohort, with their enrollments behind the count."""
        chosen = histories if isinstance(histories, list) else list(histories)  # lists are not changed after
        return Cell(self.persons(chosen), behind=_enrollment_ids(chosen))

    @cached_property
    def standings(self) -> list[tuple["Standing", list[rules.History]]]:
        """The histories grouped by what the funnel's tests read (`Standing`), once per cohort."""
        return standings(self.histories)

    def split(self, indicator: "Indicator", by: str) -> dict[int | None, list[rules.History]]:
        """The histories a count holds, per municipality (`by="municipality"`) or per programme
        (`by="programme"`). A funnel count asks its test once per standing and takes each standing's
        histories already split; any other count splits its members one by one."""
        key = self._key(by)
        if indicator.standing_test is None:
            return _grouped(self.members_of(indicator), key)
        split: dict[int | None, list[rules.History]] = defaultdict(list)
        for standing, parts in self._standings_split_by(by):
            if indicator.standing_test(standing, self.on):
                for k, group in parts.items():
                    split[k].extend(group)
        return split

    def _standings_split_by(self, by: str) -> list[tuple["Standing", dict[int | None, list[rules.History]]]]:
        """Each standing's histories per programme and per municipality, both split in one pass
        (the overview's side-by-side tables ask for both)."""
        if not self._standings_split:
            municipality = self.municipality_of.get
            by_programme, by_municipality = [], []
            for standing, group in self.standings:
                programmes: dict[int | None, list[rules.History]] = defaultdict(list)
                municipalities: dict[int | None, list[rules.History]] = defaultdict(list)
                for h, programme_id, municipality_id in zip(
                    group, map(_PROGRAMME, group), map(municipality, map(_PARTICIPANT, group)), strict=True
                ):
                    programmes[programme_id].append(h)
                    municipalities[municipality_id].append(h)
                by_programme.append((standing, programmes))
                by_municipality.append((standing, municipalities))
            self._standings_split.update(programme=by_programme, municipality=by_municipality)
        return self._standings_split[by]

    def present(self, by: str) -> set[int | None]:
        """The programmes (`by="programme"`) or municipalities (None for a participant without one)
        that the cohort's histories lie in."""
        return set().union(*(parts.keys() for _standing, parts in self._standings_split_by(by)))

    def _key(self, by: str) -> Callable[[list[rules.History]], Iterable[int | None]]:
        """Each history's programme or municipality, for a list of them at once (C-level maps: a
        region's tables split a few hundred lists of up to a hundred thousand histories)."""
        if by == "programme":
            return lambda histories: map(_PROGRAMME, histories)
        municipality = self.municipality_of.get
        return lambda histories: map(municipality, map(_PARTICIPANT, histories))

    @cached_property
    def enrollments_of(self) -> "EnrollmentsOf":
        """Each participant's enrollments in the cohort (the members behind a count of persons)."""
        return EnrollmentsOf(self.histories)


class EnrollmentsOf:
    """Each participant's enrollments among some histories, worked out when a drill-down first asks.
    A count's list holds this, never the cohort: the cohort holds its tables (`worked_out`), so a
    cell holding the cohort would make a reference cycle, and a report's few hundred thousand objects
    would wait for the cycle collector instead of being freed when the report is done."""

    __slots__ = ("_histories", "_by_participant")

    def __init__(self, histories: list[rules.History]) -> None:
        self._histories = histories
        self._by_participant: dict[int, frozenset[int]] | None = None

    def __call__(self, participant_id: int) -> frozenset[int]:
        if self._by_participant is None:
            by_participant: dict[int, set[int]] = defaultdict(set)
            for h in self._histories:
                by_participant[h.participant_id].add(h.enrollment_id)
            self._by_participant = {k: frozenset(v) for k, v in by_participant.items()}
        return self._by_participant.get(participant_id, frozenset())


class Cell:
    """A count with the enrollments behind it (for the drill-down), or a plain number. The list behind
    a count is worked out only when something asks for it: a report shows hundreds of counts, and only
    a drill-down reads one list."""

    __slots__ = ("value", "_members", "_behind")

    def __init__(
        self,
        value: float | int | None,
        members: frozenset[int] | None = None,
        *,
        behind: Callable[[], Iterable[int]] | None = None,
    ) -> None:
        self.value = value
        self._members = members  # enrollment ids; None for a derived figure
        self._behind = behind  # gives the enrollment ids when first asked

    @property
    def members(self) -> frozenset[int] | None:
        if self._members is None and self._behind is not None:
            self._members = frozenset(self._behind())
            self._behind = None
        return self._members

    @property
    def has_list(self) -> bool:
        """Whether a list of enrollments stands behind this figure (a count, not a derived figure)."""
        return self._members is not None or self._behind is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and (self.value, self.members) == (other.value, other.members)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self.value)


@dataclass
class Table:
    code: str
    title: str
    columns: list[tuple[str, str, str]]  # (key, label, kind: "text" | "count" | "share" | "number")
    rows: list[dict[str, Any]]
    chart: str = ""  # "bar" | "line" | "" (no chart)
    note: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    section: str
    #: a count: the enrollments it holds (persons are the distinct participants among them), decided per
    #: history: the engine splits the whole cohort's list per programme and per municipality
    members: Callable[[Cohort], Iterable[rules.History]] | None = None
    #: a funnel count's test, asked of a `Standing` (its `members` are those it holds)
    standing_test: Callable[[Any, date], bool] | None = None
    #: a table (breakdowns, distributions, progress)
    table: Callable[[Cohort], Table] | None = None
    counts_persons: bool = True
    #: its counts can only grow as the peildatum moves on (what happened by then, in a cohort that only
    #: gains people): a reader who knows the definitions knows that, and the suppression takes it into
    #: account between months
    cumulative: bool = False
    #: what its table reads of the cohort besides the histories and the names (some of `LATER`); a
    #: table that reads none of them is worked out while those are read (a test holds each table
    #: that declares nothing to the same figures without them)
    reads: frozenset[str] = frozenset()


#: the parts of a cohort read after its histories (`selectors.cohorts_meanwhile`)
LATER = frozenset({"tags", "guidance_minutes", "score_changes"})


INDICATORS: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.code in INDICATORS:
        raise ValueError(f"indicator {indicator.code} is already registered")
    if (indicator.members is None) == (indicator.table is None):
        raise ValueError(f"indicator {indicator.code} needs either members or table")
    if not indicator.reads <= LATER:
        raise ValueError(f"indicator {indicator.code} reads {sorted(indicator.reads - LATER)}, not in LATER")
    INDICATORS[indicator.code] = indicator
    return indicator


_PARTICIPANT = operator.attrgetter("participant_id")
_PROGRAMME = operator.attrgetter("programme_id")
_ENROLLMENT = operator.attrgetter("enrollment_id")
_PAUSES = operator.attrgetter("pauses")
_ENDING = operator.attrgetter("ending")
_TAGS = operator.attrgetter("tags")
_WITH_OUTCOME = operator.attrgetter("with_outcome")


def _enrollment_ids(histories: list[rules.History]) -> Callable[[], Iterable[int]]:
    return lambda: (h.enrollment_id for h in histories)


def _listed(enrollment_ids: list[int]) -> Callable[[], Iterable[int]]:
    return lambda: iter(enrollment_ids)


# --- the funnel: counts of persons ----------------------------------------------------------------


def _holding(test: Callable[[rules.History, date], bool], cohort: "Cohort") -> list[rules.History]:
    """The histories for which `test` holds, asked of each: the reference for `_standing_in`."""
    on = cohort.on
    return [h for h in cohort.histories if test(h, on)]


class _Dated:
    """A date that is there, without its value: comparing it refuses (a funnel test may ask only
    whether there is a date)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        raise TypeError("a funnel test may only ask whether a date is there (`is not None`), not compare it")

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]


_DATED = _Dated()


class Standing:
    """What a funnel test may read of a history: whether it has a referral, an intake and a start,
    its state, its ending and its outcomes. Histories that agree on these are counted together and
    each test is asked once per group instead of once per history (a region's cohort has a hundred
    thousand histories and a few dozen standings). A test that reads anything else (a date's value,
    the pauses) fails at once instead of counting wrongly: nothing else is here, and the dates refuse
    comparison."""

    __slots__ = ("referred_on", "intake_on", "started_on", "state", "ending", "outcomes")

    with_outcome = rules.History.with_outcome  # the same definition, on the same two fields
    is_open = rules.History.is_open

    def __init__(self, key: tuple[bool, bool, bool, str, str, tuple[str, ...]]) -> None:
        referred, intake, started, self.state, self.ending, self.outcomes = key
        self.referred_on = _DATED if referred else None
        self.intake_on = _DATED if intake else None
        self.started_on = _DATED if started else None


def standings(histories: Iterable[rules.History]) -> list[tuple[Standing, list[rules.History]]]:
    """The histories grouped by their `Standing`, in the order each standing first occurs."""
    groups: dict[tuple[bool, bool, bool, str, str, tuple[str, ...]], list[rules.History]] = {}
    for h in histories:
        # what a `Standing` holds, in its order (written out here: a call per history costs a fifth more)
        key = (
            h.referred_on is not None,
            h.intake_on is not None,
            h.started_on is not None,
            h.state,
            h.ending,
            h.outcomes,
        )
        group = groups.get(key)
        if group is None:
            groups[key] = [h]
        else:
            group.append(h)
    return [(Standing(key), group) for key, group in groups.items()]


def _grouped(
    histories: list[rules.History], keys: Callable[[list[rules.History]], Iterable[int | None]]
) -> dict[int | None, list[rules.History]]:
    grouped: dict[int | None, list[rules.History]] = defaultdict(list)
    for k, h in zip(keys(histories), histories, strict=True):
        grouped[k].append(h)
    return grouped


def _standing_in(test: Callable[[Any, date], bool], cohort: "Cohort") -> list[rules.History]:
    """What `_holding` gives (as a set; the order is by standing), asking `test` once per standing."""
    on = cohort.on
    chosen: list[rules.History] = []
    for standing, group in cohort.standings:
        if test(standing, on):
            chosen.extend(group)
    return chosen


FUNNEL = "trechter"


def _count(
    code: str, name: str, definition: str, test: Callable[[rules.History, date], bool], *, cumulative: bool = True
) -> None:
    register(
        Indicator(
            code=code,
            cumulative=cumulative,
            name=name,
            definition=definition,
            numerator=_("deelnemers in het cohort waarvoor dit geldt"),
            denominator=_("aangemeld"),
            unit=_("deelnemers"),
            section=FUNNEL,
            members=partial(_standing_in, test),
            standing_test=test,
        )
    )


_count(
    "aangemeld",
    _("Aangemeld"),
    _("Deelnemers met een aanmelding in het cohort (de noemer van de trechter)."),
    lambda h, on: h.referred_on is not None,
)
_count(
    "intake_gehouden",
    _("Intake gehouden"),
    _("Deelnemers met een intake op of voor de peildatum."),
    lambda h, on: h.intake_on is not None,
)
_count(
    "in_intake",
    _("In intake op de peildatum"),
    _("Deelnemers van wie de intake is geweest, maar die op de peildatum nog niet zijn gestart of afgesloten."),
    lambda h, on: h.state == rules.STATE_INTAKE,
    cumulative=False,  # a state on the date: it comes and goes
)
_count(
    "wacht_op_start",
    _("Aangemeld, nog geen intake of start"),
    _("Deelnemers die op de peildatum alleen zijn aangemeld."),
    lambda h, on: h.state == rules.STATE_REFERRED,
    cumulative=False,  # a state on the date: it comes and goes
)
_count(
    "gestart",
    _("Gestart"),
    _("Deelnemers met een start op of voor de peildatum, ook als ze later zijn afgesloten."),
    lambda h, on: h.started_on is not None,
)
_count(
    "niet_gestart",
    _("Niet gestart"),
    _("Deelnemers van wie het traject is afgesloten zonder te starten."),
    lambda h, on: h.ending == rules.NOT_STARTED,
)
_count(
    "actief",
    _("Actief op de peildatum"),
    _("Deelnemers die op de peildatum in een fase zitten en niet gepauzeerd zijn."),
    lambda h, on: h.state == rules.STATE_ACTIVE,
    cumulative=False,  # a state on the date: it comes and goes
)
_count(
    "gepauzeerd",
    _("Gepauzeerd op de peildatum"),
    _("Deelnemers met een pauze die op de peildatum loopt; zij tellen niet mee bij actief of in een fase."),
    lambda h, on: h.state == rules.STATE_PAUSED,
    cumulative=False,  # a state on the date: it comes and goes
)
_count(
    "uitgevallen",
    _("Uitgevallen"),
    _("Deelnemers van wie het traject na de start is beëindigd door uitval."),
    lambda h, on: h.ending == rules.DROPPED_OUT,
)
_count(
    "afgerond_met_resultaat",
    _("Afgerond met resultaat"),
    _("Deelnemers die het traject hebben afgerond met minstens één positief resultaat."),
    lambda h, on: h.with_outcome,
)
_count(
    "afgerond_zonder_resultaat",
    _("Afgerond zonder vervolg"),
    _("Deelnemers die het traject hebben afgerond zonder positief resultaat."),
    lambda h, on: h.ending == rules.COMPLETED and not h.outcomes,
)
_count(
    "overgedragen",
    _("Overgedragen"),
    _("Deelnemers van wie het traject is beëindigd door overdracht aan een ander programma."),
    lambda h, on: h.ending == rules.TRANSFERRED,
)
_count(
    "administratief_afgesloten",
    _("Administratief afgesloten"),
    _("Deelnemers van wie het traject zonder inhoudelijk einde is gesloten (bijvoorbeeld overgenomen geschiedenis)."),
    lambda h, on: h.ending == rules.CLOSED,
)
_count(
    "doorgestroomd",
    _("Doorgestroomd"),
    _("Deelnemers die een traject hebben beëindigd met minstens één positief resultaat (personen, niet vermeldingen)."),
    lambda h, on: h.with_outcome,
)
_count(
    "uitstroom_werk",
    _("Uitstroom naar werk"),
    _(
        "Deelnemers die een traject hebben afgerond met betaald werk als resultaat. Dit is wat Doorstroom "
        "vastlegt; het is niet de CBS-maat (zie de uitleg bij de definities)."
    ),
    lambda h, on: bool(set(h.outcomes) & rules.WORK_OUTCOMES),
)


# --- breakdowns ------------------------------------------------------------------------------------


def _by_reason(ending: str, code: str, title: str) -> Callable[[Cohort], Table]:
    def table(cohort: Cohort) -> Table:
        groups: dict[str, list[rules.History]] = defaultdict(list)
        for h in cohort.ended_as(ending):
            groups[h.ending_reason or ""].append(h)
        rows = [
            {
                "key": reason,
                "label": cohort.reason_labels.get((ending, reason), reason or str(_("Geen reden vastgelegd"))),
                "count": cohort.count(members),
            }
            for reason, members in sorted(groups.items(), key=lambda item: (-cohort.persons(item[1]), item[0]))
        ]
        return Table(
            code, title, [("label", str(_("Reden")), "text"), ("count", str(_("Deelnemers")), "count")], rows, "bar"
        )

    return table


for _ending, _code, _title, _name in (
    (rules.NOT_STARTED, "niet_gestart_per_reden", _("Niet gestart, per reden"), _("Niet gestart per reden")),
    (rules.DROPPED_OUT, "uitgevallen_per_reden", _("Uitgevallen, per reden"), _("Uitgevallen per reden")),
    (rules.CLOSED, "afgesloten_per_reden", _("Administratief afgesloten, per reden"), _("Afgesloten per reden")),
):
    register(
        Indicator(
            code=_code,
            name=_name,
            definition=_("Per reden uit de redencatalogus: de deelnemers van wie het traject zo eindigde."),
            numerator=_("deelnemers met deze reden"),
            denominator=_("aangemeld"),
            unit=_("deelnemers"),
            section="redenen",
            table=_by_reason(_ending, _code, _title),
            cumulative=True,
        )
    )


def _pauses_by_reason(cohort: Cohort) -> Table:
    groups: dict[str, list[rules.History]] = defaultdict(list)
    for h in filter(_PAUSES, cohort.histories):  # most were never paused: passed over at C level
        for reason in dict.fromkeys(p.reason_code for p in h.pauses):
            groups[reason].append(h)
    rows = [
        {
            "key": reason,
            "label": cohort.reason_labels.get((rules.PAUSED, reason), reason),
            "count": cohort.count(members),
        }
        for reason, members in sorted(groups.items(), key=lambda item: (-cohort.persons(item[1]), item[0]))
    ]
    return Table(
        "pauzes_per_reden",
        str(_("Pauzes, per reden")),
        [("label", str(_("Reden")), "text"), ("count", str(_("Deelnemers")), "count")],
        rows,
        "bar",
    )


register(
    Indicator(
        code="pauzes_per_reden",
        cumulative=True,
        name=_("Pauzes per reden"),
        definition=_("Deelnemers met minstens één pauze tot de peildatum, per reden van de pauze."),
        numerator=_("deelnemers met een pauze om deze reden"),
        denominator=_("gestart"),
        unit=_("deelnemers"),
        section="redenen",
        table=_pauses_by_reason,
    )
)


def _transfers(cohort: Cohort) -> Table:
    groups: dict[int | None, list[rules.History]] = defaultdict(list)
    for h in cohort.ended_as(rules.TRANSFERRED):
        groups[h.transferred_to].append(h)
    cells = {target: cohort.count(members) for target, members in groups.items()}
    names = {target: cohort.programme_names.get(target or 0, str(_("Ander programma"))) for target in cells}
    rows: list[dict[str, Any]] = [
        {"key": str(target or ""), "label": names[target], "count": cells[target]}
        # most first, as the reasons; then by name
        for target in sorted(cells, key=lambda t: (-int(cells[t].value or 0), names[t], str(t or "")))
    ]
    return Table(
        "overgedragen_naar",
        str(_("Overgedragen, naar programma")),
        [("label", str(_("Naar programma")), "text"), ("count", str(_("Deelnemers")), "count")],
        rows,
        "bar",
    )


register(
    Indicator(
        code="overgedragen_naar",
        cumulative=True,
        name=_("Overgedragen naar programma"),
        definition=_("Deelnemers van wie het traject eindigde met een overdracht, per programma waarnaar."),
        numerator=_("overgedragen deelnemers per doelprogramma"),
        denominator=_("overgedragen"),
        unit=_("deelnemers"),
        section="redenen",
        table=_transfers,
    )
)


def _outcomes(cohort: Cohort) -> Table:
    person_sets: dict[str, list[rules.History]] = defaultdict(list)
    mentions: Counter[str] = Counter()
    completed = cohort.ended_as(rules.COMPLETED)
    for h in completed:
        for outcome in h.outcomes:
            mentions[outcome] += 1
        for outcome in dict.fromkeys(h.outcomes):  # a list of persons holds each history once
            person_sets[outcome].append(h)
    rows = [
        {
            "key": outcome,
            "label": cohort.outcome_labels.get(outcome, outcome),
            "persons": cohort.count(members),
            "mentions": Cell(mentions[outcome], behind=_enrollment_ids(members)),
        }
        for outcome, members in sorted(person_sets.items(), key=lambda item: (-mentions[item[0]], item[0]))
    ]
    everyone = [h for h in completed if h.outcomes]  # `with_outcome`: completed with an outcome
    rows.append(
        {
            "key": "totaal",
            "label": str(_("Totaal")),
            "persons": cohort.count(everyone),
            "mentions": Cell(sum(mentions.values()), behind=_enrollment_ids(everyone)),
        }
    )
    return Table(
        "resultaten",
        str(_("Resultaten: personen en vermeldingen")),
        [
            ("label", str(_("Resultaat")), "text"),
            ("persons", str(_("Deelnemers")), "count"),
            ("mentions", str(_("Vermeldingen")), "count"),
        ],
        rows,
        "bar",
        note=str(
            _("Eén deelnemer kan meer resultaten halen: de vermeldingen tellen op tot meer dan het aantal personen.")
        ),
    )


register(
    Indicator(
        code="resultaten",
        cumulative=True,
        name=_("Resultaten"),
        definition=_(
            "Per resultaat: het aantal deelnemers dat een traject afrondde met dit resultaat (personen) en het "
            "aantal keer dat het resultaat is vastgelegd (vermeldingen). De totaalregel telt personen met "
            "minstens één resultaat en alle vermeldingen."
        ),
        numerator=_("deelnemers (of vermeldingen) met dit resultaat"),
        denominator=_("gestart"),
        unit=_("deelnemers en vermeldingen"),
        section="resultaten",
        table=_outcomes,
    )
)


def _time_per_phase(cohort: Cohort) -> Table:
    rows = []
    # per phase: the weeks of each closed stay, and beside them whose stay it was
    for (programme_id, phase), (weeks_of_stays, stayed) in sorted(
        rules.closed_stays_per_phase(cohort.histories, cohort.on).items()
    ):
        facts = cohort.programmes.get(programme_id)
        name = facts.phases.get(phase, str(phase)) if facts else str(phase)
        label = f"{facts.name}: {name}" if facts and len(cohort.programmes) > 1 else name
        durations = sorted(weeks_of_stays)
        rows.append(
            {
                "key": f"{programme_id}:{phase}",
                "label": label,
                "count": Cell(len(stayed), behind=_listed(stayed)),
                "q1": Cell(_round(rules.quantile_of_sorted(durations, 0.25))),
                "median": Cell(_round(rules.quantile_of_sorted(durations, 0.5))),
                "q3": Cell(_round(rules.quantile_of_sorted(durations, 0.75))),
            }
        )
    return Table(
        "tijd_per_fase",
        str(_("Tijd per fase in weken, zonder pauzes")),
        [
            ("label", str(_("Fase")), "text"),
            ("count", str(_("Afgeronde verblijven")), "count"),
            ("q1", str(_("Eerste kwartiel")), "number"),
            ("median", str(_("Mediaan")), "number"),
            ("q3", str(_("Derde kwartiel")), "number"),
        ],
        rows,
        "bar",
    )


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


register(
    Indicator(
        code="tijd_per_fase",
        name=_("Tijd per fase"),
        definition=_(
            "Voor elke afgesloten periode in een fase (de deelnemer ging naar een volgende fase of het traject "
            "eindigde): de weken van binnenkomst tot vertrek, min de gepauzeerde dagen. Mediaan en kwartielen "
            "zoals PERCENTIEL.INC in Excel."
        ),
        numerator=_("weken in de fase zonder pauzes"),
        denominator=_("afgesloten verblijven in de fase"),
        unit=_("weken"),
        section="tijd",
        table=_time_per_phase,
    )
)


def _guidance_hours(cohort: Cohort) -> Table:
    rows = []
    # the started histories per programme: the funnel's split of "gestart", which the programmes side
    # by side have already made in an overview (same definition: a start on or before the peildatum)
    by_programme = cohort.split(INDICATORS["gestart"], "programme")
    active = cohort.active_days
    minutes_of = cohort.guidance_minutes.get
    for programme_id, histories in sorted((p, h) for p, h in by_programme.items() if p is not None):
        ids = list(map(_ENROLLMENT, histories))
        minutes = sum(map(minutes_of, ids, repeat(0)))
        weeks = sum(map(active.__getitem__, ids)) / 7
        facts = cohort.programmes.get(programme_id)
        per_week = minutes / 60 / weeks if weeks else None
        norm = facts.coaching_hours_per_week if facts else None
        rows.append(
            {
                "key": str(programme_id),
                "label": facts.name if facts else str(programme_id),
                "count": cohort.count(histories),
                "hours": Cell(round(minutes / 60, 1)),
                "weeks": Cell(round(weeks, 1)),
                "per_week": Cell(_round(per_week, 2)),
                "norm": Cell(norm),
            }
        )
    return Table(
        "begeleidingsuren",
        str(_("Begeleidingsuren per deelnemer-week")),
        [
            ("label", str(_("Programma")), "text"),
            ("count", str(_("Gestarte deelnemers")), "count"),
            ("hours", str(_("Uren begeleiding")), "number"),
            ("weeks", str(_("Deelnemer-weken zonder pauzes")), "number"),
            ("per_week", str(_("Uren per deelnemer-week")), "number"),
            ("norm", str(_("Norm per week")), "number"),
        ],
        rows,
        "bar",
    )


register(
    Indicator(
        code="begeleidingsuren",
        name=_("Begeleidingsuren per deelnemer-week"),
        definition=_(
            "De minuten van gehouden contactmomenten tussen start en einde (of de peildatum), gedeeld door de "
            "weken dat de deelnemers actief waren zonder pauzes; naast de norm van het programma."
        ),
        numerator=_("uren begeleiding van gestarte deelnemers"),
        denominator=_("deelnemer-weken actief, zonder pauzes"),
        unit=_("uren per deelnemer-week"),
        section="uren",
        table=_guidance_hours,
        reads=frozenset({"guidance_minutes"}),
    )
)


def _changes_per_item(cohort: Cohort, instrument: str) -> dict[str, list[ScoreChange]]:
    """Per item of the instrument: the changes from first to last score."""
    by_item: dict[str, list[ScoreChange]] = defaultdict(list)
    for change in cohort.score_changes:
        if change.instrument == instrument:
            by_item[change.item].append(change)
    return by_item


def _people(changes: Iterable[ScoreChange]) -> list[int]:
    return list(chain.from_iterable(change.participant_ids for change in changes))


def _cells(participant_ids: list[int], cohort: Cohort) -> Cell:
    """Persons counted, with their enrollments in the cohort behind the count. The ids come from the
    changes of one instrument's item, where a participant has one series and so one change: they are
    distinct, and counted without a set (a region's tables name a million ids)."""
    enrollments_of = cohort.enrollments_of  # not the cohort itself (see `EnrollmentsOf`)
    return Cell(len(participant_ids), behind=lambda: (e for p in participant_ids for e in enrollments_of(p)))


def _language_progress(cohort: Cohort) -> Table:
    changes = _changes_per_item(cohort, "taalniveau")
    rows = []
    for skill in sorted(changes):
        measured = _people(changes[skill])
        rose = _people(c for c in changes[skill] if c.last >= c.first + 1)
        share = len(rose) / len(measured) if measured else None
        rows.append(
            {
                "key": skill,
                "label": cohort.item_labels.get(("taalniveau", skill), skill),
                "measured": _cells(measured, cohort),
                "rose": _cells(rose, cohort),
                "share": Cell(_round(share * 100 if share is not None else None)),
            }
        )
    return Table(
        "taal_vooruitgang",
        str(_("Taalniveau: deelnemers die minstens één niveau stegen, per vaardigheid")),
        [
            ("label", str(_("Vaardigheid")), "text"),
            ("measured", str(_("Twee keer gemeten")), "count"),
            ("rose", str(_("Minstens één niveau hoger")), "count"),
            ("share", str(_("Percentage")), "share"),
        ],
        rows,
        "bar",
    )


register(
    Indicator(
        code="taal_vooruitgang",
        name=_("Vooruitgang in taalniveau (ERK)"),
        definition=_(
            "Per vaardigheid: van de deelnemers met minstens twee metingen tot de peildatum, het deel van wie de "
            "laatste meting minstens één ERK-niveau hoger ligt dan de eerste."
        ),
        numerator=_("deelnemers met een laatste meting minstens één niveau hoger"),
        denominator=_("deelnemers met minstens twee metingen van die vaardigheid"),
        unit=_("procent"),
        section="voortgang",
        table=_language_progress,
        reads=frozenset({"score_changes"}),
    )
)


def _ladder_transitions(cohort: Cohort) -> Table:
    rungs = range(1, 7)
    moved: dict[tuple[int, int], list[int]] = defaultdict(list)
    for change in _changes_per_item(cohort, "participatieladder").get("trede", []):
        moved[(change.first, change.last)].extend(change.participant_ids)
    rows = []
    for start in rungs:
        row: dict[str, Any] = {"key": str(start), "label": str(_("Van trede %(rung)s", rung=start))}
        for end in rungs:
            row[f"to_{end}"] = _cells(moved.get((start, end), []), cohort)
        rows.append(row)
    return Table(
        "ladder_overgangen",
        str(_("Participatieladder: van eerste naar laatste trede")),
        [("label", str(_("Eerste meting")), "text")]
        + [(f"to_{end}", str(_("Naar trede %(rung)s", rung=end)), "count") for end in rungs],
        rows,
        "",
        note=str(_("Boven de diagonaal zijn deelnemers gestegen, eronder gedaald.")),
    )


register(
    Indicator(
        code="ladder_overgangen",
        name=_("Overgangen op de Participatieladder"),
        definition=_(
            "Een kruistabel van de trede bij de eerste meting tegen de trede bij de laatste meting tot de "
            "peildatum, voor deelnemers met minstens twee metingen."
        ),
        numerator=_("deelnemers per combinatie van eerste en laatste trede"),
        denominator=_("deelnemers met minstens twee ladder-metingen"),
        unit=_("deelnemers"),
        section="voortgang",
        table=_ladder_transitions,
        reads=frozenset({"score_changes"}),
    )
)


def _zrm(cohort: Cohort) -> Table:
    changes = _changes_per_item(cohort, "zrm")
    rows = []
    for domain in sorted(changes):
        in_domain = changes[domain]
        measured = _people(in_domain)
        moved = sum((c.last - c.first) * len(c.participant_ids) for c in in_domain)
        rows.append(
            {
                "key": domain,
                "label": cohort.item_labels.get(("zrm", domain), domain),
                "measured": _cells(measured, cohort),
                "improved": _cells(_people(c for c in in_domain if c.last > c.first), cohort),
                "worse": _cells(_people(c for c in in_domain if c.last < c.first), cohort),
                "mean_change": Cell(_round(moved / len(measured), 2) if measured else None),
            }
        )
    return Table(
        "zrm_per_domein",
        str(_("Zelfredzaamheid-Matrix: verandering per domein")),
        [
            ("label", str(_("Domein")), "text"),
            ("measured", str(_("Twee keer gemeten")), "count"),
            ("improved", str(_("Vooruit")), "count"),
            ("worse", str(_("Achteruit")), "count"),
            ("mean_change", str(_("Gemiddelde verandering")), "number"),
        ],
        rows,
        "bar",
    )


register(
    Indicator(
        code="zrm_per_domein",
        name=_("Zelfredzaamheid per domein"),
        definition=_(
            "Per ZRM-domein, voor deelnemers met minstens twee metingen tot de peildatum: hoeveel er vooruit en "
            "achteruit gingen tussen de eerste en de laatste meting, en de gemiddelde verandering in punten."
        ),
        numerator=_("deelnemers met een hogere (of lagere) laatste score"),
        denominator=_("deelnemers met minstens twee metingen van dat domein"),
        unit=_("deelnemers en punten"),
        section="voortgang",
        table=_zrm,
        reads=frozenset({"score_changes"}),
    )
)


def _targets(cohort: Cohort) -> Table:
    rows = []
    started_in: dict[int, list[rules.History]] = defaultdict(list)  # one pass, whatever the number of programmes
    for h in cohort.started:
        started_in[h.programme_id].append(h)
    for programme_id, facts in sorted(cohort.programmes.items()):
        started = started_in.get(programme_id, [])
        for outcome, target in sorted(facts.targets.items()):
            reached = [h for h in started if outcome in h.outcomes]
            share = cohort.persons(reached) / cohort.persons(started) * 100 if started else None
            rows.append(
                {
                    "key": f"{programme_id}:{outcome}",
                    "label": f"{facts.name}: {cohort.outcome_labels.get(outcome, outcome)}",
                    "started": cohort.count(started),
                    "reached": cohort.count(reached),
                    "share": Cell(_round(share)),
                    "target": Cell(target),
                }
            )
    return Table(
        "doelen",
        str(_("Doelen van het programma")),
        [
            ("label", str(_("Doel")), "text"),
            ("started", str(_("Gestart")), "count"),
            ("reached", str(_("Behaald")), "count"),
            ("share", str(_("Percentage")), "share"),
            ("target", str(_("Streefpercentage")), "number"),
        ],
        rows,
        "bar",
    )


register(
    Indicator(
        code="doelen",
        name=_("Doelen behaald"),
        definition=_(
            "Per beoogde uitkomst met een streefpercentage: het deel van de gestarte deelnemers dat een traject "
            "afrondde met die uitkomst, naast het streefpercentage."
        ),
        numerator=_("gestarte deelnemers die de uitkomst behaalden"),
        denominator=_("gestarte deelnemers"),
        unit=_("procent"),
        section="doelen",
        table=_targets,
    )
)

SURVIVAL_WEEKS = (0, 4, 8, 13, 26, 39, 52, 78, 104)


def _survival(cohort: Cohort) -> Table:
    left = (rules.DROPPED_OUT, rules.CLOSED)
    started = cohort.started
    # (weeks observed, ended by leaving) per started history, by C-level passes in the started order
    durations = list(
        zip(
            map(operator.truediv, cohort.started_active_days, repeat(7)),
            map(left.__contains__, map(_ENDING, started)),
            strict=True,
        )
    )
    curve = rules.survival(durations, SURVIVAL_WEEKS)
    rows = [
        {
            "key": str(week),
            "label": str(_("Week %(week)s", week=week)),
            "at_risk": Cell(at_risk),
            "share": Cell(_round(share * 100 if share is not None else None)),
        }
        for week, share, at_risk in curve
    ]
    return Table(
        "blijvers",
        str(_("Nog in traject, naar weken sinds de start (zonder pauzes)")),
        [
            ("label", str(_("Weken sinds start")), "text"),
            ("at_risk", str(_("Nog gevolgd")), "count"),
            ("share", str(_("Percentage niet uitgevallen")), "share"),
        ],
        rows,
        "line",
        note=str(
            _(
                "Kaplan-Meier: wie op de peildatum nog loopt, afrondt of wordt overgedragen telt mee tot dat moment "
                "en daarna niet meer; alleen uitval en administratief afsluiten tellen als vertrek."
            )
        ),
    )


register(
    Indicator(
        code="blijvers",
        name=_("Blijvers na de start"),
        definition=_(
            "Het geschatte deel van de gestarte deelnemers dat na zoveel actieve weken nog niet is uitgevallen "
            "(Kaplan-Meier); afronden en overdragen gelden als einde van de waarneming, niet als vertrek."
        ),
        numerator=_("deelnemers nog niet uitgevallen na w weken"),
        denominator=_("gestarte deelnemers die w weken gevolgd konden worden"),
        unit=_("procent"),
        section="blijvers",
        table=_survival,
    )
)


def _percent_and_interval(successes: int, total: int) -> tuple[Cell, Cell, Cell]:
    interval = rules.wilson(successes, total)
    return (
        Cell(_round(successes / total * 100) if total else None),
        Cell(_round(interval[0] * 100) if interval else None),
        Cell(_round(interval[1] * 100) if interval else None),
    )


def _untagged(started: list[rules.History], code: str, *, through_only: bool = False) -> Iterable[int]:
    """The started trajectories without the tag `code` (with `through_only`: those doorgestroomd)."""
    return (h.enrollment_id for h in started if code not in h.tags and (h.with_outcome or not through_only))


def _with_and_without(cohort: Cohort) -> Table:
    started = cohort.started
    through_all = sum(map(_WITH_OUTCOME, started))
    tagged: dict[str, list[rules.History]] = defaultdict(list)  # one pass, whatever the number of tags
    tagged_through: dict[str, list[rules.History]] = defaultdict(list)
    for h in filter(_TAGS, started):  # those without a tag are passed over at C level
        through_h = h.with_outcome
        for code in h.tags:
            tagged[code].append(h)
            if through_h:
                tagged_through[code].append(h)
    rows = []
    for code in sorted(tagged, key=lambda c: cohort.tag_labels.get(c, c)):
        row: dict[str, Any] = {"key": code, "label": cohort.tag_labels.get(code, code)}
        group = tagged[code]
        through = tagged_through[code]
        # those without the tag are the others started: counted by difference, listed only when asked
        without = partial(_untagged, started, code)
        sides = (
            (
                "with",
                Cell(len(group), behind=_enrollment_ids(group)),
                Cell(len(through), behind=_enrollment_ids(through)),
            ),
            (
                "without",
                Cell(len(started) - len(group), behind=without),
                Cell(through_all - len(through), behind=partial(without, through_only=True)),
            ),
        )
        for side, n, k in sides:
            row[f"{side}_n"], row[f"{side}_k"] = n, k
            row[f"{side}_share"], row[f"{side}_low"], row[f"{side}_high"] = _percent_and_interval(
                int(k.value or 0), int(n.value or 0)
            )
        rows.append(row)
    columns = [("label", str(_("Kenmerk")), "text")]
    for side, word in (("with", _("Met")), ("without", _("Zonder"))):
        columns += [
            (f"{side}_n", str(_("%(side)s: gestart", side=word)), "count"),
            (f"{side}_k", str(_("%(side)s: doorgestroomd", side=word)), "count"),
            (f"{side}_share", str(_("%(side)s: percentage", side=word)), "share"),
            (f"{side}_low", str(_("%(side)s: 95%%-interval, ondergrens", side=word)), "share"),
            (f"{side}_high", str(_("%(side)s: 95%%-interval, bovengrens", side=word)), "share"),
        ]
    return Table(
        "werkwijze",
        str(_("Doorgestroomd met en zonder een kenmerk van de werkwijze")),
        columns,
        rows,
        "",
        note=str(
            _(
                "Dit laat samenhang zien, geen oorzaak: trajecten met een kenmerk kunnen ook op andere punten "
                "verschillen (wie een maatje kreeg, was misschien al gemotiveerder). Overlappende intervallen "
                "betekenen dat het verschil ook toeval kan zijn."
            )
        ),
    )


register(
    Indicator(
        code="werkwijze",
        name=_("Wat werkt voor wie: met en zonder kenmerk"),
        definition=_(
            "Per kenmerk van de werkwijze (zoals een maatje of een huisbezoek bij de start): van de gestarte "
            "trajecten met het kenmerk (vastgelegd op of voor de peildatum) en van die zonder, het aantal en deel "
            "dat afrondde met minstens één positief resultaat, met het 95%-betrouwbaarheidsinterval volgens Wilson."
        ),
        numerator=_("gestarte trajecten die afrondden met een positief resultaat"),
        denominator=_("gestarte trajecten met (of zonder) het kenmerk"),
        unit=_("trajecten en procent"),
        section="werkwijze",
        table=_with_and_without,
        reads=frozenset({"tags"}),
    )
)


def funnel(cohort: Cohort) -> Table:
    """The counts of the funnel section as one table (rows in registry order)."""
    rows = []
    for indicator in INDICATORS.values():
        if indicator.section != FUNNEL or indicator.members is None:
            continue
        rows.append(
            {"key": indicator.code, "label": str(indicator.name), "count": cohort.count(cohort.members_of(indicator))}
        )
    return Table(
        FUNNEL,
        str(_("Trechter")),
        [("label", str(_("Stap")), "text"), ("count", str(_("Deelnemers")), "count")],
        rows,
        "bar",
    )


def tables(cohort: Cohort) -> list[Table]:
    """Every table of a report: the funnel first, then each table indicator in registry order (those
    worked out early taken as they are)."""
    made = [_once(cohort, FUNNEL, funnel)]
    made.extend(_once(cohort, i.code, i.table) for i in INDICATORS.values() if i.table is not None)
    return [t for t in made if t is not None]  # a table indicator always makes a table


def work_out_early(cohort: Cohort, *, programmes: bool = False, municipalities: bool = False) -> None:
    """Work out the tables that read only the histories and the names (the funnel, every table
    indicator that `reads` nothing, and where asked the programmes or the municipalities side by
    side), for `tables` and the side-by-side functions to take later."""
    _once(cohort, FUNNEL, funnel)
    for i in INDICATORS.values():
        if i.table is not None and not i.reads:
            _once(cohort, i.code, i.table)
    if programmes:
        _once(cohort, PROGRAMMES_SIDE_BY_SIDE, _programmes_side_by_side)
    if municipalities:
        _once(cohort, MUNICIPALITIES_SIDE_BY_SIDE, _municipalities_side_by_side)


def _once(cohort: Cohort, code: str, make: "Callable[[Cohort], Table | None]") -> "Table | None":
    if code not in cohort.worked_out:
        cohort.worked_out[code] = make(cohort)
    return cohort.worked_out[code]


PROGRAMMES_SIDE_BY_SIDE = "programmas"
MUNICIPALITIES_SIDE_BY_SIDE = "gemeenten"


def municipalities_side_by_side(cohort: Cohort) -> Table | None:
    """The funnel once per municipality, in columns (None when the cohort lies in one municipality)."""
    return _once(cohort, MUNICIPALITIES_SIDE_BY_SIDE, _municipalities_side_by_side)


def programmes_side_by_side(cohort: Cohort) -> Table | None:
    """An overview: the main funnel figures once per programme, in rows (None for one programme)."""
    return _once(cohort, PROGRAMMES_SIDE_BY_SIDE, _programmes_side_by_side)


def _municipalities_side_by_side(cohort: Cohort) -> Table | None:
    present = sorted(
        cohort.present("municipality") - {None},
        key=lambda m: cohort.municipality_names.get(m or 0, ""),
    )
    if len(present) < 2:
        return None
    columns = [("label", str(_("Stap")), "text")] + [
        (f"m{m}", cohort.municipality_names.get(m or 0, str(m)), "count") for m in present
    ]
    rows = []
    for indicator in INDICATORS.values():
        if indicator.section != FUNNEL or indicator.members is None:
            continue
        by_municipality = cohort.split(indicator, "municipality")
        row: dict[str, Any] = {"key": indicator.code, "label": str(indicator.name)}
        for m in present:
            row[f"m{m}"] = cohort.count(by_municipality.get(m, []))
        rows.append(row)
    return Table("gemeenten", str(_("Gemeenten naast elkaar")), columns, rows, "")


OVERVIEW_COLUMNS = (
    "aangemeld",
    "gestart",
    "actief",
    "gepauzeerd",
    "uitgevallen",
    "afgerond_met_resultaat",
    "doorgestroomd",
)


def _programmes_side_by_side(cohort: Cohort) -> Table | None:
    present = sorted(
        (p for p in cohort.present("programme") if p is not None), key=lambda p: cohort.programme_names.get(p, "")
    )
    if len(present) < 2:
        return None
    columns = [("label", str(_("Programma")), "text")] + [
        (code, str(INDICATORS[code].name), "count") for code in OVERVIEW_COLUMNS
    ]
    by_programme = {code: cohort.split(INDICATORS[code], "programme") for code in OVERVIEW_COLUMNS}
    rows = []
    for programme_id in present:
        row: dict[str, Any] = {"key": str(programme_id), "label": cohort.programme_names.get(programme_id, "")}
        for code in OVERVIEW_COLUMNS:
            row[code] = cohort.count(by_programme[code].get(programme_id, []))
        rows.append(row)
    return Table("programmas", str(_("Programma's naast elkaar")), columns, rows, "")
