"""Model fields for encrypted text and blind indexes."""

from typing import Any

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stored encrypted (Fernet); Python code sees the plain text. Cannot be filtered on: use a
    blind index for exact matches."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)


class BlindIndexField(models.CharField):
    """Keeps a keyed hash of another field (`source`) in step on every save, bulk inserts included."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        plain = getattr(model_instance, self.source)
        value = crypto.blind_index(plain) if plain else None
        setattr(model_instance, self.attname, value)
        return value
