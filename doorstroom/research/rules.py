"""Pseudonyms and generalisation for evaluators' extracts, as plain Python (no Django).

A pseudonym is a keyed hash (HMAC-SHA256) of a record's public id with the study's own secret: the
same person gets the same pseudonym in every extract of one study, and an unrelated one in another
study. Quasi-identifiers are generalised step by step until every combination occurs at least `k`
times; rows that stay unique with everything generalised are left out (and counted).
"""

import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from doorstroom.core.messages import _

K = 5
SUPPRESSED = "*"


def pseudonym(secret: bytes, kind: str, public_id: str) -> str:
    """16 hexadecimal characters: enough to be unique in any study, too short to be a secret."""
    return hmac.new(secret, f"{kind}:{public_id}".encode(), hashlib.sha256).hexdigest()[:16]


def year_band(width: int) -> Callable[[str], str]:
    def band(value: str) -> str:
        if not value.isdigit():
            return SUPPRESSED
        start = int(value) // width * width
        return f"{start}-{start + width - 1}"

    return band


RESIDENCE_GROUPS = {
    "nederlander": "nl_eu",
    "eu": "nl_eu",
    "asiel": "vergunning",
    "regulier": "vergunning",
    "procedure": "overig",
    "geen": "overig",
    "onbekend": "overig",
}


@dataclass(frozen=True)
class QuasiIdentifier:
    """A column that, combined with others, could single someone out; its generalisation steps,
    from the exact value to the last step before leaving it out ("*")."""

    column: str
    steps: tuple[Callable[[str], str], ...]
    meaning: str  # for the codebook: what each step does


QUASI_IDENTIFIERS: tuple[QuasiIdentifier, ...] = (
    QuasiIdentifier(
        "geboortejaar",
        (lambda v: v, year_band(5), year_band(10)),
        _("geboortejaar; zo nodig een groep van 5 of 10 jaar, of *"),
    ),
    QuasiIdentifier(
        "verblijfsstatus",
        (lambda v: v, lambda v: RESIDENCE_GROUPS.get(v, "overig")),
        _("verblijfsstatus; zo nodig samengevoegd (nl_eu, vergunning, overig), of *"),
    ),
    QuasiIdentifier("gemeente", (lambda v: v,), _("gemeente, of *")),
    QuasiIdentifier("geslacht", (lambda v: v,), _("niet vastgelegd in Doorstroom; altijd leeg")),
    QuasiIdentifier("postcode4", (lambda v: v,), _("niet vastgelegd in Doorstroom; altijd leeg")),
    QuasiIdentifier("programma", (lambda v: v,), _("programmacode, of *")),
)


@dataclass
class Generalised:
    rows: list[dict[str, str]]
    left_out: int
    steps_used: Counter[str]


def _value(qi: QuasiIdentifier, raw: str, level: int) -> str:
    if raw == "":
        return ""
    return qi.steps[level](raw) if level < len(qi.steps) else SUPPRESSED


def generalise(rows: Sequence[dict[str, str]], k: int = K) -> Generalised:
    """Raise the generalisation of the rows in too-small groups one column at a time (in the order
    of QUASI_IDENTIFIERS) until every group of equal quasi-identifiers holds at least `k` rows; rows
    still alone with everything at "*" are left out."""
    levels = [dict.fromkeys((qi.column for qi in QUASI_IDENTIFIERS), 0) for _row in rows]

    def key(i: int) -> tuple[str, ...]:
        return tuple(_value(qi, rows[i].get(qi.column, ""), levels[i][qi.column]) for qi in QUASI_IDENTIFIERS)

    remaining = list(range(len(rows)))
    for qi in QUASI_IDENTIFIERS:
        for _step in range(len(qi.steps)):
            sizes = Counter(key(i) for i in remaining)
            small = [i for i in remaining if sizes[key(i)] < k]
            if not small:
                break
            for i in small:
                levels[i][qi.column] += 1
    sizes = Counter(key(i) for i in remaining)
    kept = [i for i in remaining if sizes[key(i)] >= k]
    steps_used: Counter[str] = Counter()
    out = []
    for i in kept:
        row = dict(rows[i])
        for qi in QUASI_IDENTIFIERS:
            row[qi.column] = _value(qi, rows[i].get(qi.column, ""), levels[i][qi.column])
            if levels[i][qi.column]:
                steps_used[qi.column] += 1
        out.append(row)
    return Generalised(out, len(rows) - len(kept), steps_used)


def smallest_group(rows: Sequence[dict[str, str]]) -> int:
    """The size of the smallest group of rows with equal quasi-identifiers (0 for no rows)."""
    sizes = Counter(tuple(row.get(qi.column, "") for qi in QUASI_IDENTIFIERS) for row in rows)
    return min(sizes.values()) if sizes else 0
