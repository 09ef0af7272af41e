"""The instruments Doorstroom ships with, as data (loaded by a data migration; functioneel beheer can
add versions in the admin). Labels are our own short Dutch names; no instrument texts are copied."""

from typing import Any

from doorstroom.participants.models import DataCategory

from . import rules

M, HEALTH, JUSTICE = DataCategory.MEASUREMENTS.value, DataCategory.HEALTH.value, DataCategory.JUSTICE.value
YES_NO = {"0": "nee", "1": "ja"}
RUNGS = {
    "1": "1 Geïsoleerd",
    "2": "2 Sociale contacten buitenshuis",
    "3": "3 Georganiseerde activiteiten",
    "4": "4 Onbetaald werk",
    "5": "5 Betaald werk met ondersteuning",
    "6": "6 Betaald werk",
}

INSTRUMENTS: list[dict[str, Any]] = [
    {
        "code": "taalniveau",
        "name": "Taalniveau Nederlands (ERK)",
        "kind": "taalniveau",
        "position": 10,
        "description": "Het niveau per vaardigheid, van A0 (nog geen basiskennis) tot C2. Nooit één niveau voor alles.",
        "version": "ERK",
        "value_labels": {str(i): level for i, level in enumerate(rules.CEFR_LEVELS)},
        "items": [
            {"code": "lezen", "label": "Lezen", "min": 0, "max": 6, "category": M},
            {"code": "luisteren", "label": "Luisteren", "min": 0, "max": 6, "category": M},
            {"code": "schrijven", "label": "Schrijven", "min": 0, "max": 6, "category": M},
            {"code": "spreken", "label": "Spreken", "min": 0, "max": 6, "category": M},
        ],
    },
    {
        "code": "participatieladder",
        "name": "Participatieladder",
        "kind": "participatieladder",
        "position": 20,
        "description": "De trede volgt uit de antwoorden; een andere trede kiezen kan, met een reden.",
        "version": "2011",
        "value_labels": RUNGS,
        "items": [
            {
                "code": "betaald_werk",
                "label": "Heeft betaald werk (contract of eigen bedrijf)",
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {
                "code": "ondersteuning_bij_werk",
                "label": "Met steun bij dat werk (instrument van de gemeente, aanvullende uitkering of beschut werk)",
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {
                "code": "onbetaald_werk",
                "label": "Doet elke week onbetaald werk waarin anderen op hem of haar rekenen",
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {
                "code": "georganiseerde_activiteit",
                "label": "Doet elke week mee aan een cursus, les of vereniging",
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {
                "code": "sociaal_contact",
                "label": "Heeft elke week contact met mensen buiten het eigen huis",
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {"code": "trede", "label": "Trede", "min": 1, "max": 6, "category": M},
            {"code": "groeipotentieel", "label": "Haalbare trede over een jaar", "min": 1, "max": 6, "category": M},
        ],
    },
    {
        "code": "zrm",
        "name": "Zelfredzaamheid-Matrix",
        "kind": "zrm",
        "position": 30,
        "description": (
            "Dertien domeinen, elk van 1 (acuut probleem) tot 5 (volledig zelfredzaam). "
            "Alleen scores, geen matrixteksten."
        ),
        "version": "2017",
        "value_labels": {
            "1": "1 Acuut probleem",
            "2": "2 Niet zelfredzaam",
            "3": "3 Beperkt zelfredzaam",
            "4": "4 Voldoende zelfredzaam",
            "5": "5 Volledig zelfredzaam",
        },
        "items": [
            {"code": code, "label": label, "min": 1, "max": 5, "category": category}
            for code, label, category in (
                ("FIN", "Financiën", M),
                ("WRK", "Werk en opleiding", M),
                ("TIJ", "Dagbesteding", M),
                ("HUI", "Huisvesting", M),
                ("REL", "Relaties thuis", M),
                ("GGZ", "Geestelijke gezondheid", HEALTH),
                ("LGZ", "Lichamelijke gezondheid", HEALTH),
                ("MID", "Middelengebruik", HEALTH),
                ("BADL", "Basale zelfzorg", M),
                ("IADL", "Dagelijkse huishoudelijke taken", M),
                ("NET", "Sociaal netwerk", M),
                ("MPA", "Meedoen in de samenleving", M),
                ("JUS", "Justitie", JUSTICE),
            )
        ],
    },
]


INSTRUMENTS += [
    {
        "code": "positieve-gezondheid",
        "name": "Positieve Gezondheid",
        "kind": "positieve_gezondheid",
        "position": 40,
        "description": (
            "Zes dimensies, elk als gemiddelde van 0 tot 10 zoals de deelnemer het zelf invult. "
            "Alleen de scores per dimensie, geen vragen uit het instrument."
        ),
        "version": "1",
        "value_labels": {},
        "items": [
            {"code": code, "label": label, "min": 0, "max": 10, "category": HEALTH}
            for code, label in (
                ("LICH", "Lichaam"),
                ("MENT", "Mentaal welbevinden"),
                ("ZING", "Zingeving"),
                ("KWAL", "Kwaliteit van leven"),
                ("MEED", "Meedoen"),
                ("DAGF", "Dagelijks leven"),
            )
        ],
    },
    {
        "code": "talentscan",
        "name": "Talentscan",
        "kind": "talentscan",
        "position": 50,
        "description": "Vijf kanten van talent, elk van 1 (nog weinig zichtbaar) tot 5 (duidelijk aanwezig).",
        "version": "1",
        "value_labels": {"1": "1 weinig", "2": "2", "3": "3 gemiddeld", "4": "4", "5": "5 sterk"},
        "items": [
            {"code": code, "label": label, "min": 1, "max": 5, "category": M}
            for code, label in (
                ("leerbaarheid", "Leerbaarheid"),
                ("interesses", "Interesses"),
                ("drijfveren", "Drijfveren"),
                ("welbevinden", "Welbevinden"),
                ("competenties", "Competenties"),
            )
        ],
    },
    {
        "code": "belemmeringen",
        "name": "Belemmeringen",
        "kind": "belemmeringen",
        "position": 60,
        "description": "Wat staat werk of school nu in de weg? Ja of nee per onderwerp.",
        "version": "1",
        "value_labels": YES_NO,
        "items": [
            {"code": code, "label": label, "min": 0, "max": 1, "category": category}
            for code, label, category in (
                ("kinderopvang", "Kinderopvang", M),
                ("vervoer", "Vervoer", M),
                ("schulden", "Schulden", DataCategory.DEBTS.value),
                ("gezondheid", "Gezondheid", HEALTH),
                ("huisvesting", "Huisvesting", M),
                ("netwerk", "Sociaal netwerk", M),
                ("geletterdheid", "Lezen en schrijven", M),
            )
        ],
    },
]


def load(apps: Any, schema_editor: Any = None) -> None:
    """Create or update the shipped instruments (idempotent; used by the data migration)."""
    measurement_type_model = apps.get_model("measurements", "MeasurementType")
    scale_model = apps.get_model("measurements", "ScaleVersion")
    for spec in INSTRUMENTS:
        instrument, _ = measurement_type_model.objects.update_or_create(
            code=spec["code"],
            defaults={k: spec[k] for k in ("name", "kind", "position", "description")},
        )
        scale_model.objects.update_or_create(
            measurement_type=instrument,
            version=spec["version"],
            defaults={"items": spec["items"], "value_labels": spec["value_labels"], "is_current": True},
        )
