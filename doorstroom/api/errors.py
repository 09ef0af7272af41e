"""One error format for the whole API: {"errors": [{"field": ..., "message": ..., "code": ...}]}."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from doorstroom.core.errors import DomainError


def _flatten(detail: Any, field: str | None = None) -> list[dict[str, Any]]:
    if isinstance(detail, dict):
        out: list[dict[str, Any]] = []
        for key, value in detail.items():
            if key in ("non_field_errors", "detail"):
                name = field
            elif str(key).isdigit() and field:  # a row of a list, as DRF reports it for many=True
                name = f"{field}[{key}]"
            else:
                name = f"{field}.{key}" if field else str(key)
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for index, value in enumerate(detail):
            nested = isinstance(value, dict | list)
            out.extend(_flatten(value, f"{field}[{index}]" if nested and field else field))
        return out
    code = getattr(detail, "code", "invalid")
    return [{"field": field, "message": str(detail), "code": code}]


#: a business refusal's code -> HTTP status (the rest is 400)
DOMAIN_ERROR_STATUS = {
    "conflict": status.HTTP_409_CONFLICT,
    # data of a category the caller may not see or change (named in `field`)
    "not_shared": status.HTTP_403_FORBIDDEN,
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        code = DOMAIN_ERROR_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST)
        errors = getattr(exc, "errors", None) or [exc]
        return Response(
            {"errors": [{"field": e.field, "message": e.shown, "code": e.code} for e in errors]}, status=code
        )
    if isinstance(exc, exceptions.ParseError):
        # never the parser's own English words: say what is wrong in the reader's language
        message = gettext("De inhoud van het verzoek is geen geldige JSON. Controleer aanhalingstekens en komma's.")
        return Response({"errors": [{"field": None, "message": message, "code": "parse_error"}]}, status=400)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        message = gettext("Stuur de inhoud als JSON (Content-Type: application/json).")
        return Response({"errors": [{"field": None, "message": message, "code": "unsupported_media_type"}]}, status=415)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(gettext("Niet gevonden."))
    elif isinstance(exc, PermissionDenied):
        reason = _refusal_shown(exc)
        if reason is not None:
            message, reason_code = reason
            return Response({"errors": [{"field": None, "message": message, "code": reason_code}]}, status=403)
        exc = exceptions.PermissionDenied(str(exc) or "U mag dit niet doen.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": _flatten(exc.detail)}
    else:
        detail = getattr(exc, "detail", str(exc))
        response.data = {"errors": [{"field": None, "message": str(detail), "code": getattr(detail, "code", "error")}]}
    return response


def _refusal_shown(exc: Exception) -> tuple[str, str] | None:
    """A refusal that says why (`access.policy.Refusal`), in the reader's language, with its code."""
    from django.utils.translation import gettext

    from doorstroom.core.messages import shown

    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None)
    if not isinstance(code, str) or not isinstance(message, str):
        return None
    return shown(message, gettext), code


def bad_request(request: Any, exception: Exception) -> Any:
    """handler400: a Dutch page that says what to do and reveals nothing; JSON under /api/."""
    from django.http import HttpResponseBadRequest, JsonResponse
    from django.template import loader

    if _is_api(request):
        message = gettext("Dit verzoek kunnen we niet lezen.")
        return JsonResponse({"errors": [{"field": None, "message": message, "code": "bad_request"}]}, status=400)
    return HttpResponseBadRequest(loader.get_template("400.html").render({}, request))


def permission_denied(request: Any, exception: Exception) -> Any:
    """handler403: the API's error format under /api/; elsewhere the page says why, when the door
    said so (which data is not shared, and whom to ask), and never blames a role it did not check."""
    from django.http import HttpResponseForbidden, JsonResponse
    from django.template import loader

    reason = _refusal_shown(exception)
    if _is_api(request):
        message, code = reason or ("U mag dit niet doen.", "permission_denied")
        return JsonResponse({"errors": [{"field": None, "message": message, "code": code}]}, status=403)
    template = loader.get_template("403.html")
    return HttpResponseForbidden(template.render({"reason": reason[0] if reason else ""}, request))


def _is_api(request: Any) -> bool:
    return str(request.path).startswith("/api/")


def not_found(request: Any, exception: Exception) -> Any:
    """handler404: addresses under /api/ that match no route answer in the API's error format."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if _is_api(request):
        return JsonResponse({"errors": [{"field": None, "message": "Niet gevonden.", "code": "not_found"}]}, status=404)
    return page_not_found(request, exception)


def server_error(request: Any) -> Any:
    """handler500: the API's error format under /api/, the friendly page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import server_error as page_server_error

    if _is_api(request):
        message = "Er ging iets mis aan onze kant. Probeer het later opnieuw."
        return JsonResponse({"errors": [{"field": None, "message": message, "code": "server_error"}]}, status=500)
    return page_server_error(request)
