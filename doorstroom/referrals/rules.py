"""Referral rules as plain Python: the states of a referral and what makes a decision complete."""


def _(text: str) -> str:
    """Marks a label for the translation catalogue (`makemessages`); it is translated where shown."""
    return text


PENDING, ACCEPTED, DECLINED, WITHDRAWN = "open", "geaccepteerd", "afgewezen", "ingetrokken"
STATES = {
    PENDING: _("Wacht op antwoord"),
    ACCEPTED: _("Geaccepteerd"),
    DECLINED: _("Afgewezen"),
    WITHDRAWN: _("Ingetrokken"),
}
DECLINE_REASONS = {
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
        return {"reason": "Schrijf op waarom u de deelnemer aanmeldt en wat u vraagt."}
    if len(text) > TEXT_LIMIT:
        return {"reason": f"Houd dit korter dan {TEXT_LIMIT} tekens."}
    return {}


def decision_problems(*, accept: bool, decline_reason: str, note: str) -> dict[str, str]:
    """Accepting needs nothing more; declining needs a reason from the list, and a note when the
    reason is 'other'."""
    problems: dict[str, str] = {}
    if len(note) > TEXT_LIMIT:
        problems["note"] = f"Houd dit korter dan {TEXT_LIMIT} tekens."
    if accept:
        return problems
    if decline_reason not in DECLINE_REASONS:
        problems["decline_reason"] = "Kies waarom u de aanmelding afwijst."
    elif decline_reason == "overig" and not note.strip():
        problems["note"] = "Licht de reden toe."
    return problems
