"""Messages are Dutch where the rule lives and shown in the reader's language."""

from django.utils import translation
from django.utils.translation import gettext

from doorstroom.core.errors import DomainError
from doorstroom.core.messages import Message, _, shown


def test_a_message_is_its_dutch_text_and_keeps_template_and_values():
    message = _("Houd dit korter dan %(limit)s tekens.", limit=300)
    assert message == "Houd dit korter dan 300 tekens." and isinstance(message, str)
    assert isinstance(message, Message) and message.template == "Houd dit korter dan %(limit)s tekens."
    assert shown(message, lambda text: text.replace("Houd dit korter dan", "Keep this under")) == (
        "Keep this under 300 tekens."
    )
    assert shown("plain text", str.upper) == "PLAIN TEXT"  # unmarked: translated as it is


def test_a_domain_error_is_shown_in_the_active_language():
    error = DomainError(_("Houd dit korter dan %(limit)s tekens.", limit=300), field="note")
    with translation.override("en"):
        assert error.shown == "Keep this shorter than 300 characters."
        assert gettext(_("Kies een reden uit de lijst.").template) == "Choose a reason from the list."
    with translation.override("nl"):
        assert error.shown == "Houd dit korter dan 300 tekens."


def test_a_message_inside_a_message_is_translated_too():
    inner = _("het systeem")
    outer = _(
        "%(message)s Gewijzigd door %(who)s op %(when)s: %(fields)s.", message="x", who=inner, when="1", fields="y"
    )
    with translation.override("en"):
        assert DomainError(outer).shown == "x Changed by the system on 1: y."
