"""Referral rules as plain Python: the states of a referral and what makes a decision complete."""

from doorstroom.core.messages import _

PENDING, ACCEPTED, DECLINED, WITHDRAWN = "open", "geaccepteerd", "afgewezen", "ingetrokken"
STATES: dict[str, str] = {
    PENDING: _("Wacht op antwoord"),
    ACCEPTED: _("Geaccepteerd"),
    DECLINED: _("Afgewezen"),
    WITHDRAWN: _("Ingetrokken"),
}
DECLINE_REASONS: dict[str, str] = {
    "geen_plek": _("Er is nu geen plek"),
    "past_niet": _("Ons aanbod past niet bij de vraag"),
    "buiten_werkgebied": _("Buiten ons werkgebied"),
    "deelnemer_wil_niet": _("De deelnemer wil het niet"),
    "overig": _("Andere reden (zie toelichting)"),
}
TEXT_LIMIT = 1000


def reason_problems(reason: str) -> dict[str, str]:
    text = reason.strip()
    if not text:
        return {"reason": _("Schrijf op waarom u de deelnemer aanmeldt en wat u vraagt.")}
    if len(text) > TEXT_LIMIT:
        return {"reason": _("Houd dit korter dan %(limit)s tekens.", limit=TEXT_LIMIT)}
    return {}


def decision_problems(*, accept: bool, decline_reason: str, note: str) -> dict[str, str]:
    """Accepting needs nothing more; declining needs a reason from the list, and a note when the
    reason is 'other'."""
    problems: dict[str, str] = {}
    if len(note) > TEXT_LIMIT:
        problems["note"] = _("Houd dit korter dan %(limit)s tekens.", limit=TEXT_LIMIT)
    if accept:
        return problems
    if decline_reason not in DECLINE_REASONS:
        problems["decline_reason"] = _("Kies waarom u de aanmelding afwijst.")
    elif decline_reason == "overig" and not note.strip():
        problems["note"] = _("Licht de reden toe.")
    return problems
