"""API input that refuses what it does not understand: a field the serializer does not know, or one it
only shows (read-only), is a 400 naming it, never silently dropped."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Base for every API input serializer (nested ones too, so a goal row is checked as well)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            problems: dict[str, list[serializers.ErrorDetail]] = {}
            for name in data:
                field = self.fields.get(name)
                if field is None:
                    problems[str(name)] = [serializers.ErrorDetail(gettext("Onbekend veld."), code="unknown_field")]
                elif field.read_only:
                    problems[str(name)] = [
                        serializers.ErrorDetail(gettext("Dit veld kunt u niet meesturen."), code="read_only_field")
                    ]
            if problems:
                raise serializers.ValidationError(problems)
        return super().to_internal_value(data)
