"""Charts drawn on the server as SVG with matplotlib (ADR 0016): the same picture in the page (as an
image, so the Content-Security-Policy stays strict) and in the PDF (WeasyPrint runs no JavaScript).
A chart only ever draws what its table shows: a hidden count is not drawn, it is named below the bars.
"""

import textwrap
from typing import Any

from django.utils.translation import gettext as _

from matplotlib.figure import Figure

from doorstroom.core.charts import BAR, LINE, TEXT, as_svg


def _value_column(table: dict[str, Any]) -> dict[str, Any] | None:
    """The column a chart draws: the share for progress tables, otherwise the first count."""
    columns = [c for c in table["columns"] if c["kind"] in ("count", "share", "number")]
    for kind in ("share", "count"):
        chosen = next((c for c in columns if c["kind"] == kind), None)
        if chosen is not None and (kind == "count" or table["chart"] == "line" or table["code"] in SHARE_TABLES):
            return chosen
    return columns[0] if columns else None


SHARE_TABLES = {"taal_vooruitgang", "doelen", "blijvers"}


def svg(table: dict[str, Any]) -> str | None:
    """The chart of one report table, or None when it has no chart or nothing to draw."""
    if not table.get("chart") or not table["rows"]:
        return None
    column = _value_column(table)
    if column is None:
        return None
    labels, values, hidden = [], [], []
    for row in table["rows"]:
        cell = row["cells"].get(column["key"], {})
        if cell.get("hidden"):
            hidden.append(row["name"])
        elif cell.get("value") is not None:
            labels.append(row["name"])
            values.append(float(cell["value"]))
    if not values:
        return None
    figure = Figure(figsize=(7.2, 0.45 * len(values) + 1.4) if table["chart"] == "bar" else (7.2, 3.4), dpi=96)
    axes = figure.add_subplot()
    if table["chart"] == "line":
        axes.plot(range(len(values)), values, color=LINE, marker="o", linewidth=2)
        axes.set_xticks(range(len(values)), labels, rotation=0, fontsize=8)
        axes.set_ylim(0, 105)
        axes.set_ylabel(column["name"], color=TEXT)
    else:
        positions = list(range(len(values)))[::-1]
        axes.barh(positions, values, color=BAR)
        axes.set_yticks(positions, labels, fontsize=9)
        axes.set_xlabel(column["name"], color=TEXT)
        for y, v in zip(positions, values, strict=True):
            axes.text(v, y, f" {v:g}".replace(".", ","), va="center", fontsize=8, color=TEXT)
    axes.spines[["top", "right"]].set_visible(False)
    if hidden:
        note = textwrap.fill(_("Niet getekend (klein aantal): %(rows)s") % {"rows": ", ".join(hidden)}, width=130)
        figure.text(0.01, 0.01, note, fontsize=7, va="bottom")
    lines = (note.count("\n") + 1) if hidden else 0
    figure.tight_layout(rect=(0, min(0.3, 0.05 * lines), 1, 1))
    return as_svg(figure)
