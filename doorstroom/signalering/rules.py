"""Signal rules that need no database: how a user may handle a signal."""

from doorstroom.core.messages import _

OPEN, ACKNOWLEDGED, RESOLVED, CLOSED = "open", "gezien", "opgepakt", "gesloten"


def handling_problem(*, state: str, action: str, note: str) -> tuple[str, str] | None:
    """(field, message) when a user cannot handle the signal this way."""
    if state == CLOSED:
        return "action", _("Dit signaal is al gesloten.")
    if action not in (ACKNOWLEDGED, RESOLVED):
        return "action", _("Kies gezien of opgepakt.")
    if action == RESOLVED and len(note.strip()) < 5:
        return "note", _("Schrijf kort op wat u heeft gedaan.")
    if len(note) > 1000:
        return "note", _("Houd de notitie korter dan 1000 tekens.")
    return None
