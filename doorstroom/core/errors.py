"""The one exception type for broken business rules.

Views turn it into a form error, the API into HTTP 400 JSON naming the field. The message is Dutch
where it is raised; `shown` gives it in the reader's language (see `core.messages`).
"""

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext

from .messages import shown


class DomainError(Exception):
    """A business rule refused the request; `field` names the input that caused it, if any."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return self.message

    @property
    def shown(self) -> str:
        """The message in the active language."""
        return shown(self.message, gettext)


class DomainErrors(DomainError):
    """Several independent rules refused one submission: all of them are reported at once (a missing
    name does not hide an invalid BSN). Behaves as its first error where one is expected."""

    def __init__(self, errors: list[DomainError]) -> None:
        first = errors[0]
        super().__init__(first.message, field=first.field, code=first.code)
        self.errors = errors


def raise_all(errors: list[DomainError]) -> None:
    """Raise nothing, the one error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise DomainErrors(errors)


def service_unavailable(request: Any, message: Any, code: str, *, retry_after: int | None = None) -> HttpResponse:
    """503 without any data: in the API's error format on the API, as plain text on pages (the audit
    log that cannot write, the database that went away)."""
    response: HttpResponse
    if request is not None and request.path.startswith("/api/"):
        response = JsonResponse({"errors": [{"field": None, "message": str(message), "code": code}]}, status=503)
    else:
        response = HttpResponse(str(message), status=503, content_type="text/plain; charset=utf-8")
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
