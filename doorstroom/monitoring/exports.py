"""A report written as CSV (semicolon for Dutch Excel, comma on request), Excel (typed cells, one
sheet per table) or JSON. Every text cell that a spreadsheet would run as a formula is neutralised.

Sits beside `services` (it writes what `services.report_compute` produced and never reads the
database itself)."""

import csv
import io
import json
from typing import Any

from doorstroom.core.messages import _

#: a cell starting with one of these is a formula in Excel, LibreOffice and Google Sheets
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading formula character gets a quote before it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _rows(report: dict[str, Any]) -> list[tuple[str, str, list[str], list[list[Any]]]]:
    """(part title, table title, header, rows) with the figures as shown (hidden cells as marks)."""
    out = []
    for part in report["parts"]:
        for table in part["tables"]:
            header = [column["name"] for column in table["columns"]]
            rows = []
            for row in table["rows"]:
                values: list[Any] = [row["name"]]
                for column in table["columns"][1:]:
                    cell = row["cells"][column["key"]]
                    values.append(cell["shown"] if cell["hidden"] else cell["value"])
                rows.append(values)
            out.append((part["title"], table["title"], header, rows))
    return out


def _heading(report: dict[str, Any]) -> list[str]:
    p = report["parameters"]
    lines = [
        str(_("Doorstroom rapportage, stand per %(on)s", on=p["peildatum"])),
        str(_("Programma's: %(codes)s", codes=", ".join(p["programma"]) or str(_("alle")))),
        str(_("Definities versie %(version)s", version=report["definition_version"])),
    ]
    if report["suppressed"]:
        lines.append(
            str(_("Kleine aantallen verborgen (<%(k)s); · is verborgen ter bescherming.", k=report["threshold"]))
        )
    if report.get("outside"):
        lines.append(str(_("Gemaakt voor gebruik buiten de organisatie.")))
    return lines


def as_csv(report: dict[str, Any], *, delimiter: str = ";") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for line in _heading(report):
        writer.writerow([neutralised(line)])
    for part, title, header, rows in _rows(report):
        writer.writerow([])
        writer.writerow([neutralised(f"{part}: {title}" if part else title)])
        writer.writerow([neutralised(h) for h in header])
        for row in rows:
            writer.writerow([_csv_value(v, delimiter) for v in row])
    return "\ufeff" + buffer.getvalue()  # a BOM, so Excel reads UTF-8


def _csv_value(value: Any, delimiter: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if delimiter == ";" else text
    if isinstance(value, int):
        return str(value)
    return neutralised(str(value))


def as_xlsx(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    about = book.active
    about.title = str(_("Over"))[:31]
    for line in _heading(report):
        about.append([neutralised(line)])
    used: set[str] = {about.title}
    for index, (part, title, header, rows) in enumerate(_rows(report), start=1):
        name = _sheet_name(f"{index} {title}", used)
        sheet = book.create_sheet(name)
        if part:
            sheet.append([neutralised(part)])
        sheet.append([neutralised(title)])
        sheet.append([neutralised(h) for h in header])
        for row in rows:
            sheet.append([v if isinstance(v, int | float) or v is None else neutralised(str(v)) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(wanted: str, used: set[str]) -> str:
    clean = "".join(c for c in wanted if c not in "[]:*?/\\")[:31]
    name, n = clean, 2
    while name in used:
        suffix = f" {n}"
        name = clean[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def as_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2)


def with_cells_in_order(report: dict[str, Any]) -> dict[str, Any]:
    """Each row's cells in column order (`row["ordered"]`), as the templates show them."""
    for part in report["parts"]:
        for table in part["tables"]:
            for row in table["rows"]:
                row["ordered"] = [dict(row["cells"][c["key"]]) for c in table["columns"] if c["key"] != "label"]
    return report


def as_pdf(report: dict[str, Any]) -> bytes:
    """The report as PDF: the same tables and the same charts, drawn on the server and placed in the
    document itself (the PDF fetches nothing)."""
    from doorstroom.core.pdf import render_pdf

    from . import charts

    for part in report["parts"]:
        for table in part["tables"]:
            drawn = charts.svg(table)
            table["chart_svg"] = drawn[drawn.index("<svg") :] if drawn else ""
    return render_pdf("monitoring/report_pdf.html", {"report": with_cells_in_order(report)})
