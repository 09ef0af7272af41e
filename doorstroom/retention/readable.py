"""The access-request export as a document a participant can read: every value of the JSON export,
with a label in words for every key and every code, dates as "2 december 2026", times in Dutch
local time, in the reader's language (Dutch, or English when chosen).

One walk over the same data the JSON export holds, so the PDF cannot leave out what the JSON has
(tested leaf by leaf): records become tables, records with lists inside become blocks with their own
tables.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from doorstroom.access.models import AuditAction
from doorstroom.organisations.models import Role
from doorstroom.participants import rules as participant_rules
from doorstroom.participants.models import DataCategory, LegalBasis, Participant
from doorstroom.plans import rules as plan_rules
from doorstroom.programmes.models import OutcomeType

#: (section key in the JSON, title, what it holds) in the order of the document
SECTIONS: list[tuple[str, Any, Any]] = [
    ("deelnemer", _("Uw persoonsgegevens"), _("Wat wij over u hebben vastgelegd.")),
    ("trajecten", _("Uw trajecten"), _("De programma's waarin u zit of zat, met alles wat er gebeurde.")),
    ("plan", _("Uw plan van aanpak"), _("Elke versie van uw plan, met de doelen en afspraken.")),
    ("gezinsplan", _("Uw doelen in het gezinsplan"), _("Uw eigen doelen in het plan van uw huishouden.")),
    ("metingen", _("Metingen"), _("Metingen van bijvoorbeeld uw taalniveau of zelfredzaamheid.")),
    ("taalscreenings", _("Taalscreenings"), ""),
    ("contactmomenten", _("Contactmomenten"), _("Gesprekken en afspraken met uw begeleiders, met hun notities.")),
    ("signalen", _("Signalen"), _("Momenten waarop het systeem uw begeleider vroeg om op te letten.")),
    ("team", _("Wie met u werkt"), ""),
    ("huishoudens", _("Uw huishouden"), ""),
    ("schoolinschrijvingen", _("Schoolinschrijvingen"), ""),
    ("aanmeldingen", _("Aanmeldingen bij andere organisaties"), ""),
    ("gegevensdelingen", _("Met wie uw gegevens gedeeld worden"), ""),
    ("ontvangers", _("Organisaties die uw gegevens hebben ontvangen"), ""),
    ("wijzigingen", _("Wijzigingen in uw gegevens"), ""),
    ("noodtoegang", _("Toegang in een noodsituatie"), ""),
    ("inzage_in_dossier", _("Wie uw dossier heeft bekeken of gewijzigd"), ""),
]

#: every key of the export, in words
KEY_LABELS: dict[str, Any] = {
    "huishouden": _("Huishouden"),
    "relatie": _("Relatie"),
    "organisatie": _("Organisatie"),
    "gegevens": _("Gegevens"),
    "grondslag": _("Grondslag"),
    "vanaf": _("Vanaf"),
    "ingetrokken_op": _("Ingetrokken op"),
    "medewerker": _("Medewerker"),
    "rol": _("Rol"),
    "tot_en_met": _("Tot en met"),
    "programma": _("Programma"),
    "stand": _("Stand"),
    "fase": _("Fase"),
    "aangemeld_op": _("Aangemeld op"),
    "afgesloten_op": _("Afgesloten op"),
    "gebeurtenissen": _("Wat er gebeurde"),
    "datum": _("Datum"),
    "gebeurtenis": _("Gebeurtenis"),
    "reden": _("Reden"),
    "naar_programma": _("Naar programma"),
    "resultaten": _("Resultaten"),
    "toelichting": _("Toelichting"),
    "niet_gedeeld": _("Niet met deze lezer gedeeld"),
    "vastgelegd_door": _("Vastgelegd door"),
    "vastgelegd_op": _("Vastgelegd op"),
    "versie": _("Versie"),
    "wanneer": _("Wanneer"),
    "wie": _("Wie"),
    "rectificatie": _("Op uw verzoek verbeterd"),
    "waarden_voor_en_na": _("Wat veranderde (voor → na)"),
    "velden_niet_gedeeld": _("Velden niet met deze lezer gedeeld"),
    "instrument": _("Instrument"),
    "moment": _("Moment"),
    "scores": _("Uitkomsten"),
    "bron": _("Bron"),
    "andere_trede_omdat": _("Andere trede gekozen omdat"),
    "correctie_van_een_eerdere_meting": _("Correctie van een eerdere meting"),
    "opgesteld_op": _("Opgesteld op"),
    "door": _("Door"),
    "akkoord_op": _("Akkoord gegeven op"),
    "evaluatiedatum": _("Evaluatiedatum"),
    "wat_veranderde": _("Wat veranderde"),
    "pip_besluit_op": _("Besluit over het PIP op"),
    "leerroute": _("Leerroute"),
    "map": _("Module Arbeidsmarkt en Participatie (MAP)"),
    "pvt": _("Participatieverklaringstraject (PVT)"),
    "ontzorgen_tot": _("Ontzorgen tot"),
    "reden_wijziging_pip": _("Reden van de wijziging van het PIP"),
    "doelen": _("Doelen"),
    "afspraken": _("Afspraken"),
    "life_domain": _("Leefgebied"),
    "description": _("Doel"),
    "target_on": _("Streefdatum"),
    "status": _("Stand"),
    "what": _("Wie doet wat"),
    "due_on": _("Klaar op"),
    "monitor": _("Wie houdt het bij"),
    "if_not_kept": _("Als het niet lukt"),
    "look_back_on": _("Terugkijken op"),
    "school": _("School"),
    "sinds": _("Sinds"),
    "tot": _("Tot"),
    "van": _("Van"),
    "naar": _("Naar"),
    "waarom": _("Waarom"),
    "beantwoord_op": _("Beantwoord op"),
    "reden_afwijzing": _("Reden van afwijzing"),
    "signaal": _("Signaal"),
    "geopend_op": _("Geopend op"),
    "gesloten_op": _("Gesloten op"),
    "afhandeling": _("Afhandeling"),
    "wat": _("Wat"),
    "notitie": _("Notitie"),
    "soort": _("Soort"),
    "aanwezigheid": _("Aanwezigheid"),
    "minuten": _("Minuten"),
    "uitkomst": _("Uitkomst"),
    "doorverwezen_naar": _("Doorverwezen naar"),
    "beoordeeld_op": _("Beoordeeld op"),
    "doel": _("Doel"),
    "volledig": _("Volledig overzicht"),
}

#: why someone looked at a file (the audit log's purpose codes), in words
PURPOSES: dict[str, Any] = {
    "regie": _("regie over uw traject"),
    "begeleiding": _("begeleiding"),
    "onderwijs": _("onderwijs"),
    "plaatsing": _("werk of stage"),
    "opdracht_intermediair": _("opdracht als sleutelpersoon"),
    "teamoverzicht": _("overzicht van het team"),
    "eigen_dossier": _("uw eigen dossier"),
    "noodtoegang": _("noodsituatie"),
    "inzageverzoek": _("uw inzageverzoek"),
    "gebruikersbeheer": _("gebruikersbeheer"),
    "gegevensbehoefte": _("gegevensbehoefte van een programma"),
}

#: participant fields whose model label is not plain words
PERSON_LABELS: dict[str, Any] = {
    "municipality": _("Gemeente"),
    "languages": _("Talen"),
    "created_at": _("Geregistreerd op"),
    "updated_at": _("Laatst gewijzigd op"),
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]

    @property
    def lines(self) -> list[str]:
        """Each row as one line of "label: value" pairs (for long lists)."""
        return [" · ".join(f"{c}: {v}" for c, v in zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class Block:
    heading: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[str, Table]] = field(default_factory=list)


@dataclass
class Section:
    anchor: str
    title: str
    intro: str
    empty: bool
    table: Table | None = None
    blocks: list[Block] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)


def label(key: str) -> str:
    return str(KEY_LABELS.get(key, key.replace("_", " ").capitalize()))


def _codes() -> dict[str, str]:
    """Codes that can appear as values, with their words in the active language."""
    words: dict[str, str] = {}
    for choices in (DataCategory.choices, Role.choices, LegalBasis.choices, OutcomeType.choices):
        words.update({code: str(text) for code, text in choices})
    words.update({code: gettext(text) for code, text in plan_rules.LIFE_DOMAINS.items()})
    words.update({code: gettext(text) for code, text in plan_rules.GOAL_STATUSES.items()})
    words.update({code: gettext(text) for code, text in plan_rules.AGREEMENT_STATUSES.items()})
    words.update({code: str(text) for code, text in PURPOSES.items()})
    words.update({code: str(text) for code, text in AuditAction.choices})
    return words


def local_date(value: date) -> str:
    return formats.date_format(value, "j F Y")


def local_datetime(value: datetime) -> str:
    moment = value.astimezone(ZoneInfo(settings.TIME_ZONE)) if value.tzinfo else value
    return f"{formats.date_format(moment, 'j F Y')}, {moment:%H:%M}"


class Words:
    """Turns values of the export into words; one per document (the code table is built once)."""

    def __init__(self) -> None:
        self.codes = _codes()
        self.yes, self.no = gettext("ja"), gettext("nee")

    def value(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "–"
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, int | float):
            return str(value)
        if isinstance(value, list):
            return ", ".join(self.value(key, v) for v in value)
        if isinstance(value, dict):
            return "; ".join(f"{self.key_or_code(k)}: {self.value(k, v)}" for k, v in value.items())
        text = str(value)
        if _DATE.match(text):
            return local_date(date.fromisoformat(text))
        if _DATETIME.match(text):
            return local_datetime(datetime.fromisoformat(text))
        if key in ("rol", "gegevens", "doel", "life_domain", "status", "resultaten", "grondslag", "wat"):
            return self.codes.get(text, text)
        return text

    def key_or_code(self, key: str) -> str:
        return str(KEY_LABELS[key]) if key in KEY_LABELS else self.codes.get(key, key)


def _nothing(value: Any) -> bool:
    """No content: empty, or only zero counts of what was withheld."""
    if isinstance(value, dict):
        return all(_nothing(v) or v == 0 for v in value.values())
    return value is None or value == "" or value == []


def _is_scalar(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_scalar(v) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, dict | list) for v in value)
    return True


def _table(records: list[dict[str, Any]], words: Words) -> Table:
    """A table of records; a column that is empty in every row is left out (nothing to read)."""
    columns: list[str] = []
    for record in records:
        columns.extend(k for k in record if k not in columns)
    columns = [c for c in columns if any(not _nothing(record.get(c)) for record in records)]
    return Table(
        columns=[label(c) for c in columns],
        rows=[[words.value(c, record.get(c)) for c in columns] for record in records],
    )


def _blocks(records: list[dict[str, Any]], words: Words) -> list[Block]:
    blocks = []
    for number, record in enumerate(records, 1):
        scalars = {k: v for k, v in record.items() if _is_scalar(v)}
        nested = {k: v for k, v in record.items() if not _is_scalar(v)}
        title_key = next(iter(scalars), "")
        heading = words.value(title_key, scalars[title_key]) if title_key else str(number)
        if title_key and isinstance(scalars[title_key], int):  # "Versie 2", not "2"
            heading = f"{label(title_key)} {heading}"
        facts = [(label(k), words.value(k, v)) for k, v in scalars.items() if not (isinstance(v, dict) and _nothing(v))]
        block = Block(heading=heading, facts=facts)
        for key, value in nested.items():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                block.tables.append((label(key), _table(value, words)))
            elif isinstance(value, dict):  # e.g. changed fields: before and after
                rows = [[str(k), words.value(k, v)] for k, v in value.items()]
                block.tables.append((label(key), Table(columns=[gettext("Veld"), gettext("Waarde")], rows=rows)))
        blocks.append(block)
    return blocks


def _person(person: dict[str, Any], words: Words) -> list[tuple[str, str]]:
    facts = []
    for name, value in person.items():
        if name in {"uuid", "processing_restriction_reason"} or value in (None, "", []):
            continue
        model_field = Participant._meta.get_field(name) if name != "municipality" else None
        title = str(PERSON_LABELS.get(name) or getattr(model_field, "verbose_name", name))
        choices = dict(getattr(model_field, "choices", None) or [])
        if name == "languages":
            shown = ", ".join(participant_rules.language_name(code, get_language() or "nl") for code in value)
        elif choices and value in choices:
            shown = str(choices[value])
        else:
            shown = words.value(name, value)
        facts.append((title[:1].upper() + title[1:], shown))
    return facts


def readable_export(data: dict[str, Any]) -> list[Section]:
    """The export's sections in reading order, every value in words."""
    words = Words()
    sections = []
    for key, title, intro in SECTIONS:
        value = data.get(key)
        section = Section(anchor=key, title=str(title), intro=str(intro) if intro else "", empty=not value)
        if key == "deelnemer":
            section.facts = _person(value or {}, words)
            section.empty = not section.facts
        elif key == "ontvangers":
            section.facts = [(gettext("Organisatie"), name) for name in value or []]
        elif value and all(_is_scalar(r) for r in value):
            section.table = _table(value, words)
        elif value:
            section.blocks = _blocks(value, words)
        sections.append(section)
    return sections
