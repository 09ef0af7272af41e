"""The instruments Doorstroom ships with, as data (loaded by a data migration; functioneel beheer can
add versions in the admin). Labels are our own short Dutch names; no instrument texts are copied."""

from typing import Any

from django.utils.translation import gettext_noop

from doorstroom.participants.models import DataCategory

from . import rules

M, HEALTH, JUSTICE = DataCategory.MEASUREMENTS.value, DataCategory.HEALTH.value, DataCategory.JUSTICE.value
YES_NO = {"0": gettext_noop("nee"), "1": gettext_noop("ja")}
RUNGS = {
    "1": gettext_noop("1 Geïsoleerd"),
    "2": gettext_noop("2 Sociale contacten buitenshuis"),
    "3": gettext_noop("3 Georganiseerde activiteiten"),
    "4": gettext_noop("4 Onbetaald werk"),
    "5": gettext_noop("5 Betaald werk met ondersteuning"),
    "6": gettext_noop("6 Betaald werk"),
}

INSTRUMENTS: list[dict[str, Any]] = [
    {
        "code": "taalniveau",
        "name": gettext_noop("Taalniveau Nederlands (ERK)"),
        "kind": "taalniveau",
        "position": 10,
        "description": gettext_noop(
            "Het niveau per vaardigheid, van A0 (nog geen basiskennis) tot C2. Nooit één niveau voor alles."
        ),
        "version": "ERK",
        "value_labels": {str(i): level for i, level in enumerate(rules.CEFR_LEVELS)},
        "items": [
            {"code": "lezen", "label": gettext_noop("Lezen"), "min": 0, "max": 6, "category": M},
            {"code": "luisteren", "label": gettext_noop("Luisteren"), "min": 0, "max": 6, "category": M},
            {"code": "schrijven", "label": gettext_noop("Schrijven"), "min": 0, "max": 6, "category": M},
            {"code": "spreken", "label": gettext_noop("Spreken"), "min": 0, "max": 6, "category": M},
            {
                # optional: the KNM exam part of the Wet inburgering, passed or not; not a CEFR level
                "code": "knm",
                "label": gettext_noop("Kennis van de Nederlandse maatschappij (KNM)"),
                "min": 0,
                "max": 1,
                "category": M,
                "labels": {"0": gettext_noop("nog niet behaald"), "1": gettext_noop("behaald")},
            },
        ],
    },
    {
        "code": "participatieladder",
        "name": gettext_noop("Participatieladder"),
        "kind": "participatieladder",
        "position": 20,
        "description": gettext_noop("De trede volgt uit de antwoorden; een andere trede kiezen kan, met een reden."),
        "version": "2011",
        "value_labels": RUNGS,
        "items": [
            {
                "code": "betaald_werk",
                "label": gettext_noop("Heeft betaald werk (contract of eigen bedrijf)"),
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {
                "code": "ondersteuning_bij_werk",
                "label": gettext_noop(
                    "Met steun bij dat werk (instrument van de gemeente, aanvullende uitkering of beschut werk)"
                ),
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {
                "code": "onbetaald_werk",
                "label": gettext_noop("Doet elke week onbetaald werk waarin anderen op hem of haar rekenen"),
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {
                "code": "georganiseerde_activiteit",
                "label": gettext_noop("Doet elke week mee aan een cursus, les of vereniging"),
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {
                "code": "sociaal_contact",
                "label": gettext_noop("Heeft elke week contact met mensen buiten het eigen huis"),
                "min": 0,
                "max": 1,
                "category": M,
                "labels": YES_NO,
                "required": True,
            },
            {"code": "trede", "label": gettext_noop("Trede"), "min": 1, "max": 6, "category": M},
            {
                "code": "groeipotentieel",
                "label": gettext_noop("Haalbare trede over een jaar"),
                "min": 1,
                "max": 6,
                "category": M,
            },
        ],
    },
    {
        "code": "zrm",
        "name": gettext_noop("Zelfredzaamheid-Matrix"),
        "kind": "zrm",
        "position": 30,
        "description": gettext_noop(
            "Dertien domeinen, elk van 1 (acuut probleem) tot 5 (volledig zelfredzaam). "
            "Alleen scores, geen matrixteksten."
        ),
        "version": "2017",
        "value_labels": {
            "1": gettext_noop("1 Acuut probleem"),
            "2": gettext_noop("2 Niet zelfredzaam"),
            "3": gettext_noop("3 Beperkt zelfredzaam"),
            "4": gettext_noop("4 Voldoende zelfredzaam"),
            "5": gettext_noop("5 Volledig zelfredzaam"),
        },
        "items": [
            {"code": code, "label": label, "min": 1, "max": 5, "category": category}
            for code, label, category in (
                ("FIN", gettext_noop("Financiën"), M),
                ("WRK", gettext_noop("Werk en opleiding"), M),
                ("TIJ", gettext_noop("Dagbesteding"), M),
                ("HUI", gettext_noop("Huisvesting"), M),
                ("REL", gettext_noop("Relaties thuis"), M),
                ("GGZ", gettext_noop("Geestelijke gezondheid"), HEALTH),
                ("LGZ", gettext_noop("Lichamelijke gezondheid"), HEALTH),
                ("MID", gettext_noop("Middelengebruik"), HEALTH),
                ("BADL", gettext_noop("Basale zelfzorg"), M),
                ("IADL", gettext_noop("Dagelijkse huishoudelijke taken"), M),
                ("NET", gettext_noop("Sociaal netwerk"), M),
                ("MPA", gettext_noop("Meedoen in de samenleving"), M),
                ("JUS", gettext_noop("Justitie"), JUSTICE),
            )
        ],
    },
]


INSTRUMENTS += [
    {
        "code": "positieve-gezondheid",
        "name": gettext_noop("Positieve Gezondheid"),
        "kind": "positieve_gezondheid",
        "position": 40,
        "description": gettext_noop(
            "Zes dimensies, elk als gemiddelde van 0 tot 10 zoals de deelnemer het zelf invult. "
            "Alleen de scores per dimensie, geen vragen uit het instrument."
        ),
        "version": "1",
        "value_labels": {},
        "items": [
            {"code": code, "label": label, "min": 0, "max": 10, "category": HEALTH}
            for code, label in (
                ("LICH", gettext_noop("Lichaam")),
                ("MENT", gettext_noop("Mentaal welbevinden")),
                ("ZING", gettext_noop("Zingeving")),
                ("KWAL", gettext_noop("Kwaliteit van leven")),
                ("MEED", gettext_noop("Meedoen")),
                ("DAGF", gettext_noop("Dagelijks leven")),
            )
        ],
    },
    {
        "code": "talentscan",
        "name": gettext_noop("Talentscan"),
        "kind": "talentscan",
        "position": 50,
        "description": gettext_noop(
            "Vijf kanten van talent, elk van 1 (nog weinig zichtbaar) tot 5 (duidelijk aanwezig)."
        ),
        "version": "1",
        "value_labels": {
            "1": gettext_noop("1 weinig"),
            "2": "2",
            "3": gettext_noop("3 gemiddeld"),
            "4": "4",
            "5": gettext_noop("5 sterk"),
        },
        "items": [
            {"code": code, "label": label, "min": 1, "max": 5, "category": M}
            for code, label in (
                ("leerbaarheid", gettext_noop("Leerbaarheid")),
                ("interesses", gettext_noop("Interesses")),
                ("drijfveren", gettext_noop("Drijfveren")),
                ("welbevinden", gettext_noop("Welbevinden")),
                ("competenties", gettext_noop("Competenties")),
            )
        ],
    },
    {
        "code": "belemmeringen",
        "name": gettext_noop("Belemmeringen"),
        "kind": "belemmeringen",
        "position": 60,
        "description": gettext_noop("Wat staat werk of school nu in de weg? Ja of nee per onderwerp."),
        "version": "1",
        "value_labels": YES_NO,
        "items": [
            {"code": code, "label": label, "min": 0, "max": 1, "category": category}
            for code, label, category in (
                ("kinderopvang", gettext_noop("Kinderopvang"), M),
                ("vervoer", gettext_noop("Vervoer"), M),
                ("schulden", gettext_noop("Schulden"), DataCategory.DEBTS.value),
                ("gezondheid", gettext_noop("Gezondheid"), HEALTH),
                ("huisvesting", gettext_noop("Huisvesting"), M),
                ("netwerk", gettext_noop("Sociaal netwerk"), M),
                ("geletterdheid", gettext_noop("Lezen en schrijven"), M),
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
