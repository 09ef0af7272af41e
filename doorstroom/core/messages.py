"""Messages for people, written in Dutch where the rule lives and shown in the reader's language.

`_("Houd dit korter dan %(limit)s tekens.", limit=1000)` returns the Dutch text (a `str`, so rules
and tests treat it as one) that also remembers its template and values. `makemessages` finds the
template through the `_` call; `shown()` translates it where the message reaches a person. Plain
Python, so the pure rules modules can use it.
"""

from collections.abc import Callable
from typing import Any


class Message(str):
    """A Dutch message that keeps its template and values for translation."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, params: dict[str, Any] | None = None) -> "Message":
        text = template % params if params else template
        message = super().__new__(cls, text)
        message.template = template
        message.params = dict(params or {})
        return message


def _(template: str, **params: Any) -> Message:
    """Mark a message (or a label) for the catalogue; values fill `%(name)s` placeholders."""
    return Message(template, params)


def shown(message: str, translate: Callable[[str], str]) -> str:
    """The message in the reader's language: the translated template with its values (values that
    are messages themselves translated too), or the message itself when it was not marked."""
    if isinstance(message, Message):
        if not message.template:
            return str(message)
        if not message.params:
            return translate(message.template)
        values = {k: shown(v, translate) if isinstance(v, Message) else v for k, v in message.params.items()}
        return translate(message.template) % values
    return translate(message) if message else message
