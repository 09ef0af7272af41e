"""Input fields that refuse what they do not understand, instead of coercing it."""

from typing import Any

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """Text only: a number or a list where text is expected is a 400 naming the field, not "0"."""

    default_error_messages = {"not_text": "Geef tekst."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_text")
        return str(super().to_internal_value(data))
