"""Post-processing of the OpenAPI schema: every operation documents the error answers it can give,
in the one error format of `errors.py`, so clients (and schemathesis) know what to expect."""

from typing import Any

ERRORS_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message", "code"],
                "properties": {
                    "field": {
                        "type": ["string", "null"],
                        "description": "Het veld of de parameter; leeg als het om het hele verzoek gaat.",
                    },
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        }
    },
}

#: status -> (description, methods it applies to; None = all)
ERROR_RESPONSES: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "400": ("Ongeldige invoer; elk bericht noemt het veld of de parameter.", None),
    "401": ("Niet aangemeld.", None),
    "403": ("Aangemeld, maar deze handeling of gegevenscategorie is niet toegestaan.", None),
    "404": ("Niet gevonden, of buiten uw bereik (het systeem zegt niet welke van de twee).", None),
    "405": ("Deze methode bestaat niet voor dit adres.", None),
    "406": ("Het gevraagde antwoordformaat wordt niet ondersteund.", None),
    "409": (
        "Conflict: iemand anders heeft het gegeven intussen gewijzigd, of het bestaat al.",
        ("post", "put", "patch"),
    ),
    "412": ("De versie in If-Match is niet meer de huidige.", ("put", "patch")),
    "415": ("Het formaat van de invoer wordt niet ondersteund.", ("post", "put", "patch")),
    "422": ("Deze Idempotency-Key is al gebruikt voor een ander verzoek.", ("post",)),
    "429": ("Te veel verzoeken; probeer het na Retry-After seconden opnieuw.", None),
    "503": ("Tijdelijk niet beschikbaar (bijvoorbeeld: het auditlog kan niet schrijven).", None),
}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
    "description": (
        "Een eigen sleutel per verzoek (bijvoorbeeld een UUID). Stuurt u hetzelfde verzoek opnieuw met "
        "dezelfde sleutel, dan krijgt u het eerste antwoord terug (na een nieuwe toegangscontrole) en "
        "gebeurt het maar één keer. Dezelfde sleutel met een ander verzoek: 422; terwijl het eerste nog "
        "loopt: 409. Een sleutel wordt een dag bewaard."
    ),
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOK: add the shared error answers to every operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOutput", ERRORS_SCHEMA)
    reference = {"$ref": "#/components/schemas/ErrorOutput"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method == "post":  # every POST honours an Idempotency-Key (core/idempotency.py)
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            responses = operation.setdefault("responses", {})
            for status, (description, methods) in ERROR_RESPONSES.items():
                if methods is not None and method not in methods:
                    continue
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": reference}}}
                )
    return result
