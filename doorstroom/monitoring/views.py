"""Report pages: the parameters, the figures with their tables, a count followed to the people behind
it, and adopting a report. The figures come from `services`, through the reader's report scope."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doorstroom.access import policy as access
from doorstroom.core.errors import DomainError
from doorstroom.monitoring import charts, exports, selectors, services

CELL_NAMES = ("deel", "tabel", "rij", "kolom")


def _query(request: Any, leave_out: tuple[str, ...] = ()) -> dict[str, list[str]]:
    return {
        key: request.GET.getlist(key)
        for key in request.GET
        if key not in leave_out and any(v.strip() for v in request.GET.getlist(key))
    }


def _errors(error: DomainError) -> list[DomainError]:
    return list(getattr(error, "errors", None) or [error])


def _choices(user: Any) -> dict[str, Any]:
    return {
        "programmes": access.programmes_reportable_by(user).order_by("name"),
        "municipalities": selectors.municipalities(services.municipalities_of(user)),
    }


@login_required
def report(request: access.AuthenticatedRequest) -> HttpResponse:
    """The report page: choose programme(s), municipality, cohort and date; read the figures."""
    scope = access.report_scope(request.user)
    query = _query(request)
    context: dict[str, Any] = {
        "nav": "reports",
        "query": query,
        "case_access": scope.case_access,
        **_choices(request.user),
    }
    status = 200
    try:
        parameters = services.parameters_from(request.user, query)
    except DomainError as error:
        context["errors"] = _errors(error)
        status = 400
    else:
        figures, members = services.report_compute(request.user, parameters)
        access.record_report(request.user, what="report")
        cache.set(_chart_key(request.user.pk, query), figures, CHART_SECONDS)  # the page's charts draw from it
        context.update(
            report=_for_page(figures, members, query),
            query_string=urlencode(query, doseq=True),
            parameters=parameters,
            effective_on=date.fromisoformat(figures["parameters"]["peildatum"]),
        )
    return TemplateResponse(request, "monitoring/report.html", context, status=status)


@login_required
def report_people(request: access.AuthenticatedRequest) -> HttpResponse:
    """The participants behind one count, for those who may see them; the rest counted, never listed."""
    query = _query(request, leave_out=CELL_NAMES)
    cell = {name: request.GET.get(name, "") for name in CELL_NAMES}
    try:
        parameters = services.parameters_from(request.user, query)
        people, more = services.report_drilldown(
            request.user, parameters, part=cell["deel"], table=cell["tabel"], row=cell["rij"], column=cell["kolom"]
        )
    except DomainError as error:
        raise Http404 from error
    return TemplateResponse(
        request,
        "monitoring/report_people.html",
        {"nav": "reports", "people": people, "more": more, "back": urlencode(query, doseq=True), "cell": cell},
    )


@login_required
@require_POST
def report_adopt(request: access.AuthenticatedRequest) -> HttpResponse:
    """Adopt ("vaststellen") the report with these parameters: its figures are frozen as shown now."""
    access.report_scope(request.user)
    query = {key: request.POST.getlist(key) for key in services.PARAMETER_NAMES if request.POST.getlist(key)}
    try:
        parameters = services.parameters_from(request.user, query)
        adopted = services.report_adopt(
            request.user, parameters, title=request.POST.get("title", ""), note=request.POST.get("note", "")
        )
    except DomainError as error:
        for problem in _errors(error):
            messages.error(request, problem.shown)
        return redirect(f"{_report_url()}?{urlencode(query, doseq=True)}")
    messages.success(request, _("De rapportage is vastgesteld."))
    return redirect("monitoring:adopted", report_uuid=adopted.uuid)


def _for_page(figures: dict[str, Any], members: dict[Any, Any], query: dict[str, list[str]]) -> dict[str, Any]:
    """The report with its cells in column order, each count that leads to names with its link."""
    from django.urls import reverse

    people = reverse("monitoring:report_people")
    for part in figures["parts"]:
        for table in part["tables"]:
            for row in table["rows"]:
                ordered = []
                for column in table["columns"]:
                    if column["key"] == "label":
                        continue
                    cell = dict(row["cells"][column["key"]])
                    address = (part["key"], table["code"], row["key"], column["key"])
                    if address in members and cell["value"]:
                        cell["link"] = f"{people}?" + urlencode(
                            {**query, **dict(zip(CELL_NAMES, address, strict=True))}, doseq=True
                        )
                    ordered.append(cell)
                row["ordered"] = ordered
            if table["chart"] and query:
                table["chart_url"] = f"{reverse('monitoring:report_chart')}?" + urlencode(
                    {**query, "deel": part["key"], "tabel": table["code"]}, doseq=True
                )
    return figures


def _report_url() -> str:
    from django.urls import reverse

    return reverse("monitoring:report")


@login_required
def adopted_list(request: access.AuthenticatedRequest) -> HttpResponse:
    access.report_scope(request.user)
    reports = selectors.adopted_reports_of(request.user.organisation_id)
    return TemplateResponse(request, "monitoring/adopted_list.html", {"nav": "reports", "reports": reports})


@login_required
def adopted(request: access.AuthenticatedRequest, report_uuid: str) -> HttpResponse:
    """An adopted report exactly as it was, next to today's figure wherever corrections changed it."""
    access.report_scope(request.user)
    frozen = selectors.adopted_reports_of(request.user.organisation_id).filter(uuid=report_uuid).first()
    if frozen is None:
        raise Http404
    today_figures = None
    try:
        parameters = services.parameters_from(request.user, services.parameters_query(frozen.parameters))
        today_figures, _members = services.report_compute(request.user, parameters)
    except DomainError:
        today_figures = None
    access.record_report(request.user, what="report_adopted_shown")
    return TemplateResponse(
        request,
        "monitoring/adopted.html",
        {
            "nav": "reports",
            "adopted": frozen,
            "report": _for_page(services.compare(frozen.figures, today_figures), {}, {}),
        },
    )


CHART_SECONDS = 120


def _chart_key(user_id: int, query: dict[str, list[str]]) -> str:
    """The figures a page showed this reader, kept briefly so its charts need not compute the report
    again (a chart is drawn from exactly the table the reader saw)."""
    import hashlib

    wanted = urlencode(sorted((k, v) for k, values in query.items() for v in values))
    return "report-figures:" + hashlib.sha256(f"{user_id}|{wanted}".encode()).hexdigest()


FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "csv-komma": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}


@login_required
def report_export(request: access.AuthenticatedRequest) -> HttpResponse:
    """The report as a file. A copy for use outside the organisation is always suppressed and says
    so; for project leaders and evaluators every copy is such a copy."""
    scope = access.report_scope(request.user)
    query = _query(request, leave_out=("formaat", "buiten"))
    chosen = request.GET.get("formaat", "csv")
    if chosen not in FORMATS:
        return HttpResponse(_("Onbekend formaat: kies csv, csv-komma, xlsx, pdf of json."), status=400)
    try:
        parameters = services.parameters_from(request.user, query)
    except DomainError as error:
        problems = "; ".join(f"{e.field}: {e.shown}" for e in _errors(error))
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    outside = request.GET.get("buiten") == "ja" or not scope.case_access
    figures, _members = services.report_compute(request.user, parameters, outside=outside)
    access.record_report(request.user, what="report_export")
    content_type, extension = FORMATS[chosen]
    if chosen == "xlsx":
        body: bytes | str = exports.as_xlsx(figures)
    elif chosen == "pdf":
        body = exports.as_pdf(figures)
    elif chosen == "json":
        body = exports.as_json(figures)
    else:
        body = exports.as_csv(figures, delimiter="," if chosen == "csv-komma" else ";")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="rapportage-{parameters.on.isoformat()}.{extension}"'
    return response


@login_required
def report_chart(request: access.AuthenticatedRequest) -> HttpResponse:
    """One table's chart as an SVG image. Drawn from the table as shown to this reader, so it never
    shows more than the table."""
    access.report_scope(request.user)
    query = _query(request, leave_out=("deel", "tabel"))
    try:
        parameters = services.parameters_from(request.user, query)
    except DomainError as error:
        raise Http404 from error
    figures = cache.get(_chart_key(request.user.pk, query))
    if figures is None:  # not just shown on the page: compute it for this reader
        figures, _members = services.report_compute(request.user, parameters)
    table = next(
        (
            t
            for part in figures["parts"]
            if part["key"] == request.GET.get("deel", "geheel")
            for t in part["tables"]
            if t["code"] == request.GET.get("tabel")
        ),
        None,
    )
    drawn = charts.svg(table) if table else None
    if drawn is None:
        raise Http404
    response = HttpResponse(drawn, content_type="image/svg+xml; charset=utf-8")
    # an image runs no script; its own styles are allowed inside it, nothing else
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
