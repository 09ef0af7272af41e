"""Translating labels that live as data: the pure rules modules keep Dutch labels in plain dicts
(marked with an identity `_` so `makemessages` finds them), and the interface translates them
where they are shown."""

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


def translated_choices(labels: Mapping[str, str]) -> list[tuple[str, Promise]]:
    """Model or form choices from a rules dict, with each label translated when rendered."""
    return [(code, gettext_lazy(label)) for code, label in labels.items()]
