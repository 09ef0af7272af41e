"""Pages of API results. Unlike DRF's own class, a malformed `limit` or `offset` is refused with a
400 naming the parameter, instead of being silently replaced by the default: a client that asks
for something it does not get should hear so."""

from typing import Any

from django.utils.translation import gettext as _

from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination


class StrictLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 200

    def _strict(self, request: Any, name: str, minimum: int) -> None:
        raw = request.query_params.getlist(name)
        if not raw:
            return
        if len(raw) > 1:
            raise exceptions.ValidationError({name: [_("Geef deze parameter één keer op.")]})
        value = raw[0]
        if not (value.isascii() and value.isdigit()) or int(value) < minimum:
            raise exceptions.ValidationError(
                {name: [_("Geef een geheel getal van %(min)s of hoger.") % {"min": minimum}]}
            )
        if name == self.limit_query_param and int(value) > self.max_limit:
            raise exceptions.ValidationError({name: [_("Ten hoogste %(max)s per pagina.") % {"max": self.max_limit}]})

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self._strict(request, self.limit_query_param, 1)
        self._strict(request, self.offset_query_param, 0)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_limit})
            if parameter["name"] == self.offset_query_param:
                parameter["schema"]["minimum"] = 0
        return parameters
