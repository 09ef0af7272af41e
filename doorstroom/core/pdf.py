"""Readable PDF documents from Django templates (WeasyPrint), for what a participant takes home:
the access-request overview now, the plan later.

WeasyPrint needs the Pango library of the operating system; it is imported only when a PDF is
asked for, so the rest of the application runs without it, and a missing library gives a clear
error instead of a crash at start-up."""

from typing import Any

from django.template.loader import render_to_string

from .errors import DomainError
from .messages import _


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except OSError as missing:  # the Pango system library is absent
        raise DomainError(
            _("PDF maken lukt niet op deze server: de systeembibliotheek Pango ontbreekt."), field=None, code="pdf"
        ) from missing
    html = render_to_string(template_name, context)
    # no protocol allowed: the document loads nothing from the network or the file system
    document = HTML(string=html, base_url=None, url_fetcher=URLFetcher(allowed_protocols=()))
    return bytes(document.write_pdf())


def pdf_response(template_name: str, context: dict[str, Any], filename: str) -> Any:
    """The PDF as a download, or a plain 503 naming the missing system library."""
    from django.http import HttpResponse

    try:
        document = render_pdf(template_name, context)
    except DomainError as error:
        return HttpResponse(error.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
