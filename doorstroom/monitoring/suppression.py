"""Small-count suppression with complementary suppression (plain Python).

A count from 1 up to the threshold (5 by default) is shown as "<5" (primary). Then, for every linear
relation a reader could use (a total and its parts, a funnel cell and its breakdown by reason, a group
of programmes and its routes), more cells are hidden (secondary, shown as "·") until no hidden count
can be worked out from what is shown: the relations are solved the way an attacker would, and while
any hidden cell has only one possible value, another cell of one of its relations is hidden too.

A zero is shown (it says nobody, which is no one's data), except as a part of a small total: there
every part is hidden, because the marks alone can solve it (a total "<5" split into four "<5" is four
ones). The reader knows a primary cell lies in 1..threshold-1, a secondary one is at least the
threshold and a part of a small total lies in 0..threshold-1; the audit takes that knowledge into
account.

Last month's report is out there too. A count shown then and shown now gives away its change, and a
change of 1 up to the threshold is a small count like any other (two people referred in the month). So
after the report's own suppression, every count that was shown last month and changed by fewer than the
threshold is hidden as well (`CHANGED`, shown as "·"), and complementary suppression runs again, only
adding. The reader knows last month's shown figures; a changed cell looks like a protecting one ("·"), and
what the reader can tell of both is the same (at least the threshold: a figure shown last month was 0
or at least the threshold, and a small count now is primary). Between two months there is no sum, so a
hidden cell's change is as unknown as the cell itself (for counts that only grow there is an
inequality: see below). Hidden cells are only ever added to, so last
month's report computed without its own month before hides no more than the one that was published:
taking its shown cells as known overestimates the reader, which is the safe side.

Some counts can only grow as the peildatum moves on (everyone referred, started, dropped out by then:
the definitions say so, and a reader can know them). For those a reader has an inequality between the
months: this month's figure is at least last month's. Combined with each month's sums that can pin a
hidden cell down (last month hidden as "·" between 8 and 11, this month shown as 8: it was 8, and the
small count beside it follows). So the last step solves both months together, with last month's report
as published (its figures and marks) and the inequality for every growing count where it holds, and
hides more of this month's cells while any hidden cell of either month can be worked out.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import cast

Address = Hashable

PRIMARY = "primary"
SECONDARY = "secondary"
#: a part of a total that is itself a small count: its parts are all hidden, zeros too, because the
#: marks alone would give them away (four people in four states: "<5" five times means 1, 1, 1, 1)
WITHIN_SMALL = "within_small"
#: shown last month and changed by fewer than the threshold since: showing it would show that change
CHANGED = "changed"


@dataclass(frozen=True)
class Relation:
    """total = sum(parts). A relation with `exact=False` says total >= sum(parts) (a person with
    several outcomes is one person in the total)."""

    total: Address
    parts: tuple[Address, ...]
    exact: bool = True


@dataclass(frozen=True)
class Published:
    """Last month's report as it went out: every count, the marks of the hidden ones, its relations,
    and the addresses of the counts that can only grow."""

    values: Mapping[Address, int | None]
    hidden: Mapping[Address, str]
    relations: Sequence[Relation]
    growing: frozenset[Address] = frozenset()

    def shown(self) -> dict[Address, int | None]:
        return {a: None if a in self.hidden else v for a, v in self.values.items()}


def suppress(
    values: Mapping[Address, int | None],
    relations: Sequence[Relation],
    threshold: int = 5,
    last_month: Mapping[Address, int | None] | None = None,
    *,
    published: Published | None = None,
) -> dict[Address, str]:
    """Which cells to hide and why: {address: PRIMARY | SECONDARY | WITHIN_SMALL | CHANGED}.

    `last_month` is what last month's report showed: a number per address, None where it was hidden;
    an address it did not have counted nobody then (0). `published` is that report in full (it stands
    for `last_month` too): with it, both months are also solved together."""
    if published is not None:
        last_month = published.shown()
    hidden: dict[Address, str] = {a: PRIMARY for a, v in values.items() if v is not None and 0 < v < threshold}
    _hide_within_small(values, relations, hidden)
    relevant = [r for r in relations if r.total in values and all(p in values for p in r.parts)]
    safe: set[Address] = set()
    _complement(values, relevant, hidden, threshold, safe)
    if last_month is not None:
        for address, now in values.items():
            then = last_month.get(address, 0)
            if address not in hidden and now is not None and then is not None and 0 < abs(now - then) < threshold:
                hidden[address] = CHANGED
        _complement(values, relevant, hidden, threshold, safe)
    if published is not None:
        _hold_growth(values, relevant, hidden, threshold, published)
    return hidden


NOW, THEN = "nu", "toen"


def _hold_growth(
    values: Mapping[Address, int | None],
    relations: Sequence[Relation],
    hidden: dict[Address, str],
    threshold: int,
    published: Published,
) -> None:
    """Both months solved together: each month's relations, and this month's figure at least last
    month's for every growing count where that holds. While a hidden cell of either month can be
    worked out, another of this month's cells is hidden (last month's report is out: it stays)."""
    growing = [
        a
        for a in published.growing
        if values.get(a) is not None
        and published.values.get(a) is not None
        and (values[a] or 0) >= (published.values[a] or 0)
    ]
    if not any(a in hidden or a in published.hidden for a in growing):
        return  # every growing count shown in both months: the inequality tells nothing new
    joint_values: dict[Address, int | None] = {(NOW, a): v for a, v in values.items()}
    joint_values |= {(THEN, a): v for a, v in published.values.items()}
    joint_relations = [Relation((NOW, r.total), tuple((NOW, p) for p in r.parts), r.exact) for r in relations]
    joint_relations += [
        Relation((THEN, r.total), tuple((THEN, p) for p in r.parts), r.exact)
        for r in published.relations
        if r.total in published.values and all(p in published.values for p in r.parts)
    ]
    joint_relations += [Relation((NOW, a), ((THEN, a),), exact=False) for a in growing]
    safe: set[Address] = set()
    beyond_help: set[Address] = set()
    for _round in range(2 * len(values) + 1):
        joint_hidden: dict[Address, str] = {(NOW, a): m for a, m in hidden.items()}
        joint_hidden |= {(THEN, a): m for a, m in published.hidden.items()}
        cell = _determined(joint_values, joint_relations, joint_hidden, threshold, skip=beyond_help, safe=safe)
        if cell is None:
            return
        extra = _complement_for(cell, joint_values, joint_relations, joint_hidden, choosable=_this_month)
        if extra is None:
            beyond_help.add(cell)
            continue
        _month, address = cast(tuple[str, Address], extra)
        hidden[address] = SECONDARY


def _this_month(address: Address) -> bool:
    return isinstance(address, tuple) and address[0] == NOW


def _complement(
    values: Mapping[Address, int | None],
    relations: Sequence[Relation],
    hidden: dict[Address, str],
    threshold: int,
    safe: set[Address],
) -> None:
    """Hide more cells (secondary) while any hidden cell can be worked out. `safe` collects the cells
    found to have two possible values: hiding more only widens what a reader can consider, so they
    need no second look."""
    beyond_help: set[Address] = set()  # determined, but every linked cell is already hidden or zero
    for _round in range(2 * len(values) + 1):
        cell = _determined(values, relations, hidden, threshold, skip=beyond_help, safe=safe)
        if cell is None:
            break
        extra = _complement_for(cell, values, relations, hidden)
        if extra is None:
            beyond_help.add(cell)
            continue
        hidden[extra] = SECONDARY


def mark_range(mark: str, threshold: int, everything: int) -> tuple[int, int]:
    """The values a reader can consider for a cell with this mark. A changed cell looks like a
    protecting one ("·") and is at least the threshold too: last month it was shown, so it was 0 or at
    least the threshold then, and a count of 1 up to the threshold is primary whatever it was."""
    if mark == PRIMARY:
        return (1, threshold - 1)
    if mark == WITHIN_SMALL:
        return (0, threshold - 1)
    return (threshold, everything)


def _hide_within_small(
    values: Mapping[Address, int | None], relations: Sequence[Relation], hidden: dict[Address, str]
) -> None:
    """Every part of a small total is hidden (zeros too), and so on down: a total of 1 to 4 split
    into parts shown as "<5" or 0 can often be solved exactly from the marks alone."""
    changed = True
    while changed:
        changed = False
        for r in relations:
            if len(r.parts) < 2 or r.total not in hidden or hidden[r.total] not in (PRIMARY, WITHIN_SMALL):
                continue  # one part equal to (or within) its total says no more than the total's mark
            for part in r.parts:
                if part in values and hidden.get(part) != WITHIN_SMALL:
                    hidden[part] = WITHIN_SMALL
                    changed = True


def _complement_for(
    cell: Address,
    values: Mapping[Address, int | None],
    relations: Sequence[Relation],
    hidden: Mapping[Address, str],
    choosable: Callable[[Address], bool] | None = None,
) -> Address | None:
    """The smallest shown non-zero cell in a relation that touches `cell` or a hidden cell linked
    to it (least information lost), a part before a total; only cells that are `choosable`, if given."""
    linked = _component(cell, relations, hidden)
    totals = {r.total for r in relations}
    candidates = []
    for relation in relations:
        members = (relation.total, *relation.parts)
        if not linked.intersection(members):
            continue
        for member in members:
            value = values.get(member)
            if member not in hidden and value and (choosable is None or choosable(member)):
                # a total (the number of people in the cohort) is the last thing a reader should lose
                candidates.append((member in totals, value, str(member), member))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[0], c[1], c[2]))[3]


def _determined(
    values: Mapping[Address, int | None],
    relations: Sequence[Relation],
    hidden: Mapping[Address, str],
    threshold: int,
    skip: set[Address],
    safe: set[Address],
) -> Address | None:
    """A hidden cell whose value follows from what is shown, or None. Every solution found on the way
    is a way the reader could fill in the hidden cells: a cell it gives another value than the true one
    can take two values (the true one is always possible), so it needs no search of its own."""
    touching = _touching(relations)
    for cell in sorted(hidden, key=str):
        if cell in skip or cell in safe:
            continue
        witnesses: list[dict[Address, tuple[int, int]]] = []
        found = possible_values(cell, values, relations, hidden, threshold, touching=touching, witnesses=witnesses)
        if len(found) <= 1:
            return cell
        safe.add(cell)
        for solution in witnesses:
            safe.update(
                a for a, (low, high) in solution.items() if low == high and a in hidden and low != (values.get(a) or 0)
            )
    return None


def possible_values(
    cell: Address,
    values: Mapping[Address, int | None],
    relations: Sequence[Relation],
    hidden: Mapping[Address, str],
    threshold: int,
    limit: int = 2,
    touching: Mapping[Address, list[int]] | None = None,
    witnesses: list[dict[Address, tuple[int, int]]] | None = None,
) -> set[int]:
    """The values a reader could consider for a hidden cell, given the shown cells, the relations
    and the meaning of the marks (stops at `limit`: two values already mean it is not given away).
    Depth-first search over the hidden cells linked to it, narrowing every cell's range through the
    relations after each choice, so a dead end is seen early."""
    linked = _component(cell, relations, hidden, touching)
    everything = sum(v or 0 for v in values.values()) + threshold
    bounds: dict[Address, tuple[int, int]] = {}
    for address in values:
        if address in linked:
            bounds[address] = mark_range(hidden[address], threshold, everything)
        elif address in hidden:
            bounds[address] = (1, everything)  # hidden, but not linked: whatever the marks allow
        else:
            value = values[address] or 0
            bounds[address] = (value, value)
    constraints = [r for r in relations if any(m in linked for m in (r.total, *r.parts))]
    found: set[int] = set()
    in_constraints = _touching(constraints)
    if not _narrow(bounds, constraints, in_constraints):  # cut every range down first: few values are left to try
        return found
    low, high = bounds[cell]
    truth = values.get(cell) or 0
    # lazily: a range can run to the size of the whole region, and two values are usually enough
    tries = chain([truth] if low <= truth <= high else [], (v for v in range(low, high + 1) if v != truth))
    others = sorted((a for a in linked if a != cell), key=str)
    budget = [SEARCH_BUDGET]
    try:
        for value in tries:  # the true value first: it is always possible, and its solution is a witness
            trial = dict(bounds)
            trial[cell] = (value, value)
            solution = _solvable(trial, constraints, others, in_constraints, cell, budget)
            if solution is not None:
                found.add(value)
                if witnesses is not None:
                    witnesses.append(solution)
                if len(found) >= limit:
                    break
    except _SearchTooLong:
        pass  # what was found stands; fewer than two values counts as given away, the safe side
    return found


def _touching(relations: Sequence[Relation]) -> dict[Address, list[int]]:
    """For each cell, the relations it is in (by position)."""
    touching: dict[Address, list[int]] = {}
    for index, r in enumerate(relations):
        for member in (r.total, *r.parts):
            touching.setdefault(member, []).append(index)
    return touching


def _narrow(
    bounds: dict[Address, tuple[int, int]],
    relations: Sequence[Relation],
    touching: Mapping[Address, list[int]] | None = None,
    moved_cell: Address | None = None,
) -> bool:
    """Tighten the ranges through the relations until nothing changes; False if one becomes empty. A
    relation is looked at again only when a range of one of its cells changed (at first: all, or those
    of `moved_cell`)."""
    if touching is None:
        touching = _touching(relations)
    waiting = list(range(len(relations))) if moved_cell is None else list(touching.get(moved_cell, ()))
    queued = set(waiting)
    while waiting:
        index = waiting.pop()
        queued.discard(index)
        r = relations[index]
        moved: list[Address] = []
        t_lo, t_hi = bounds[r.total]
        lows = [bounds[p][0] for p in r.parts]
        highs = [bounds[p][1] for p in r.parts]
        sum_lows, sum_highs = sum(lows), sum(highs)
        new_t = (max(t_lo, sum_lows), min(t_hi, sum_highs) if r.exact else t_hi)
        if new_t[0] > new_t[1]:
            return False
        if new_t != (t_lo, t_hi):
            bounds[r.total] = new_t
            moved.append(r.total)
            t_lo, t_hi = new_t
        for i, part in enumerate(r.parts):
            lo, hi = lows[i], highs[i]
            new_hi = min(hi, t_hi - (sum_lows - lo))
            new_lo = max(lo, t_lo - (sum_highs - hi)) if r.exact else lo
            if (new_lo, new_hi) != (lo, hi):
                if new_lo > new_hi:
                    return False
                bounds[part] = (new_lo, new_hi)
                sum_lows += new_lo - lo
                sum_highs += new_hi - hi
                lows[i], highs[i] = new_lo, new_hi
                moved.append(part)
        for address in moved:
            for other in touching[address]:
                if other not in queued:
                    queued.add(other)
                    waiting.append(other)
    return True


#: steps the search may take for one cell: a search that would take longer (possible in a system of
#: many small hidden counts) stops, and the cell counts as given away, so more is hidden (the safe side)
SEARCH_BUDGET = 500


class _SearchTooLong(Exception):
    pass


def _solvable(
    bounds: dict[Address, tuple[int, int]],
    relations: Sequence[Relation],
    free: list[Address],
    touching: Mapping[Address, list[int]],
    moved_cell: Address,
    budget: list[int],
) -> dict[Address, tuple[int, int]] | None:
    """A full assignment of the linked cells within `bounds` that meets every relation, or None."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _SearchTooLong
    if not _narrow(bounds, relations, touching, moved_cell):
        return None
    open_cells = [a for a in free if bounds[a][0] < bounds[a][1]]
    if not open_cells:
        meets = all(
            (bounds[r.total][0] == sum(bounds[p][0] for p in r.parts))
            if r.exact
            else bounds[r.total][0] >= sum(bounds[p][0] for p in r.parts)
            for r in relations
        )
        return bounds if meets else None
    address = min(open_cells, key=lambda a: bounds[a][1] - bounds[a][0])  # the narrowest first: fewest tries
    open_cells.remove(address)
    low, high = bounds[address]
    for value in range(low, high + 1):
        trial = dict(bounds)
        trial[address] = (value, value)
        solution = _solvable(trial, relations, open_cells, touching, address, budget)
        if solution is not None:
            return solution
    return None


def _component(
    cell: Address,
    relations: Sequence[Relation],
    hidden: Mapping[Address, str],
    touching: Mapping[Address, list[int]] | None = None,
) -> set[Address]:
    """The cells linked to `cell` through relations that contain a hidden cell."""
    if touching is None:
        touching = _touching(relations)
    seen = {cell}
    frontier = [cell]
    while frontier:
        current = frontier.pop()
        for index in touching.get(current, ()):
            r = relations[index]
            for member in (r.total, *r.parts):
                if member not in seen and member in hidden:
                    seen.add(member)
                    frontier.append(member)
    return seen


def shown_as(value: int | None, mark: str | None, threshold: int) -> str:
    """How a count is written: the number, "<5" for a small count, "·" for a protecting cell or a
    part of a small total."""
    if mark == PRIMARY:
        return f"<{threshold}"
    if mark in (SECONDARY, WITHIN_SMALL, CHANGED):
        return "·"
    return "" if value is None else str(value)


def rows_hidden(row_cells: Iterable[Address], hidden: Mapping[Address, str]) -> bool:
    return any(cell in hidden for cell in row_cells)
