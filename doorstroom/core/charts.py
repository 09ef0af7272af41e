"""Charts drawn on the server as SVG with matplotlib (ADR 0016), one look for every page and PDF:
the report charts (`monitoring.charts`) and a participant's progress (`measurements`). Text stays
text, the same figures give the same file, and colours keep their contrast on white."""

import base64
import io

import matplotlib

matplotlib.use("Agg")

from matplotlib import rcParams  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

rcParams["svg.fonttype"] = "none"  # text stays text: readable, searchable, small
rcParams["svg.hashsalt"] = "doorstroom"  # the same figures give the same file
rcParams["font.family"] = "DejaVu Sans"

#: colours with at least 4.5:1 contrast on white (WCAG 2.1 AA for graphics needs 3:1)
BAR = "#01689b"
SECOND = "#8f4a00"
LINE = "#01689b"
TEXT = "#1a1a1a"


def as_svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def data_uri(svg: str) -> str:
    """An SVG as an image address the page can show without serving a file (img-src allows data:)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def paired_bars(labels: list[str], first: list[float], second: list[float], names: tuple[str, str], xlabel: str) -> str:
    """Two bars per row (e.g. baseline and latest measurement), values as percentages of the scale."""
    figure = Figure(figsize=(7.2, 0.55 * len(labels) + 1.3), dpi=96)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))[::-1]
    height = 0.38
    axes.barh([p + height / 2 for p in positions], first, height=height, color=BAR, label=names[0])
    axes.barh([p - height / 2 for p in positions], second, height=height, color=SECOND, label=names[1])
    axes.set_yticks(positions, labels, fontsize=9)
    axes.set_xlim(0, 100)
    axes.set_xlabel(xlabel, color=TEXT)
    axes.legend(loc="lower right", fontsize=8, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return as_svg(figure)
