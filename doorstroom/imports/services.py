"""Bringing an organisation's existing histories in: every row through the same domain services,
lifecycle rules and access policy as a page; all or nothing; the same file again changes nothing;
an updated file adds what is new and corrects what changed with correcting events.

`import_files` first reads and checks every row (shape, codes, references, dates). Only a file
without such problems goes on to the domain services, inside one transaction, participant by
participant (a savepoint each, so every participant's problem is reported); any problem, or a
preview, rolls the whole transaction back. The rows wait in a scratch store on disk (`staging`) and
are checked and written one group of participants at a time, so memory does not grow with the file.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet

from doorstroom.access import policy as access
from doorstroom.contacts import services as contact_services
from doorstroom.contacts.models import Attendance, ContactKind, ContactMoment, ContactStatus
from doorstroom.core import bulk, clock
from doorstroom.core.errors import DomainError, DomainErrors
from doorstroom.core.messages import _
from doorstroom.enrollments import rules as lifecycle
from doorstroom.enrollments import services as enrollment_services
from doorstroom.enrollments.models import Enrollment, EnrollmentEvent, TeamAssignment, TeamRole
from doorstroom.measurements import services as measurement_services
from doorstroom.measurements.models import LanguageSource, Measurement, MeasurementType, ScaleVersion
from doorstroom.measurements.series import series_refresh
from doorstroom.organisations.models import Organisation, User
from doorstroom.participants import services as participant_services
from doorstroom.participants.models import BenefitStatus, Participant, ResidenceStatus
from doorstroom.programmes.models import ContextTag, OutcomeType, Phase, Programme, ProgrammeGroup, reason_catalogue

from . import reading, staging
from .models import ImportBatch, ImportedRecord
from .rules import EVENT_NAMES, MAX_BYTES, MOMENT_NAMES, ORDER, Problem, Row

Category = access.Category

#: Where a domain service's field shows up in each table.
COLUMNS = {
    "deelnemers": {
        "given_name": "voornaam",
        "family_name": "achternaam",
        "family_name_prefix": "tussenvoegsel",
        "date_of_birth": "geboortedatum",
        "bsn": "bsn",
        "languages": "talen",
        "residence_status": "verblijfsstatus",
        "benefit_status": "uitkering",
        "civic_integration_duty": "inburgeringsplichtig",
        "email": "email",
        "phone": "telefoon",
        "municipality": "gemeente",
        "member": "regisseur",
        "role": "regisseur",
        "starts_on": "regisseur",
    },
    "trajecten": {
        "programme": "programma",
        "group": "doelgroep",
        "occurred_on": "aangemeld_op",
        "referred_by": "aangemeld_door",
        "tags": "kenmerken",
        "on": "aangemeld_op",
    },
    "gebeurtenissen": {
        "event_type": "gebeurtenis",
        "occurred_on": "datum",
        "reason_code": "reden",
        "phase": "fase",
        "outcomes": "resultaten",
        "target_programme": "naar_programma",
        "note": "notitie",
    },
    "metingen": {
        "measured_on": "datum",
        "moment": "moment",
        "source": "bron",
        "measurement_type": "instrument",
    },
    "contacten": {
        "kind": "soort",
        "status": "stand",
        "attendance": "aanwezigheid",
        "minutes": "minuten",
        "occurred_on": "datum",
        "note": "notitie",
    },
}
FIRST_COLUMN = {
    "deelnemers": "extern_id",
    "trajecten": "programma",
    "gebeurtenissen": "gebeurtenis",
    "metingen": "onderdeel",
    "contacten": "extern_id",
}

NEW, CHANGED, SAME = "nieuw", "gewijzigd", "ongewijzigd"


@dataclass
class ImportOutcome:
    """What an import did or, for a preview or a refused import, would have done."""

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    encodings: dict[str, str] = field(default_factory=dict)
    participants: int = 0
    written: bool = False
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, table: str, what: str) -> None:
        per_table = self.counts.setdefault(table, {NEW: 0, CHANGED: 0, SAME: 0})
        per_table[what] += 1

    def summary(self) -> list[tuple[str, int, int, int]]:
        return [
            (table, self.counts[table][NEW], self.counts[table][CHANGED], self.counts[table][SAME])
            for table in ORDER
            if table in self.counts
        ]


class _Rollback(Exception):
    pass


def fingerprint(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def _row_print(values: dict[str, Any]) -> str:
    """A row's fingerprint: its cells as read, without the checker's own notes (`_` names)."""
    return fingerprint({k: val for k, val in values.items() if not k.startswith("_")})


def _measurement_print(rows: list[Row]) -> str:
    """A measurement's fingerprint: its head and every item's score."""
    head = {k: rows[0].values[k] for k in ("deelnemer", "instrument", "moment", "datum", "bron")}
    return fingerprint({"head": head, "scores": {str(r.values["onderdeel"]): r.values["_score"] for r in rows}})


# --- the plan: rows read, checked and grouped per participant -----------------------------------


class Known:
    """What the import needs of an external id imported before: the record's id, what it became and
    its fingerprint (a model object each would take a kilobyte; a file imported again has one for
    every participant, enrollment, history, measurement and contact)."""

    __slots__ = ("pk", "object_id", "fingerprint")

    def __init__(self, pk: int, object_id: int, fingerprint: str) -> None:
        self.pk, self.object_id, self.fingerprint = pk, object_id, fingerprint


def _known(records: QuerySet[ImportedRecord]) -> dict[tuple[str, str], Known]:
    return {
        (table, external_id): Known(pk, object_id, print_)
        for pk, table, external_id, object_id, print_ in records.values_list(
            "pk", "table", "external_id", "object_id", "fingerprint"
        )
    }


@dataclass
class Plan:
    """Every row of the files, checked, grouped per participant (by the participant's external id)."""

    user: User
    #: every row of the import (the plan holds one group of participants): rows of other groups
    staged: staging.Staging
    participants: dict[str, Row] = field(default_factory=dict)
    enrollments: dict[str, Row] = field(default_factory=dict)
    events: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    measurements: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    contacts: dict[str, Row] = field(default_factory=dict)
    known: dict[tuple[str, str], "Known"] = field(default_factory=dict)  # (table, external id)
    problems: list[Problem] = field(default_factory=list)

    owners: dict[str, str] = field(default_factory=dict)  # enrollment external id -> participant's
    #: per participant's external id, the keys of its rows in each table (`index_by_participant`)
    own: dict[str, "OwnRows"] = field(default_factory=dict)

    def owner_of_enrollment(self, external_id: str) -> str | None:
        return self.owners.get(external_id)

    def rows_of(self, participant: str) -> "OwnRows":
        return self.own.get(participant) or OwnRows()


@dataclass
class OwnRows:
    """One participant's rows in the files, in the order the writer takes them."""

    enrollments: list[str] = field(default_factory=list)  # trajecten rows, by referral date
    other_histories: list[str] = field(default_factory=list)  # events of trajecten imported before
    measurements: list[str] = field(default_factory=list)  # by measurement date
    contacts: list[str] = field(default_factory=list)  # by row
    first_referral: date | None = None


def index_by_participant(plan: Plan) -> None:
    """Group the rows per participant once (the writer would otherwise search every table for each
    participant, which grows with the square of the file)."""
    own: dict[str, OwnRows] = defaultdict(OwnRows)
    for key, row in plan.enrollments.items():
        rows = own[str(row.values["deelnemer"])]
        rows.enrollments.append(key)
        referred = row.values["aangemeld_op"]
        if rows.first_referral is None or referred < rows.first_referral:
            rows.first_referral = referred
    for rows in own.values():
        rows.enrollments.sort(
            key=lambda k: (
                plan.enrollments[k].values["aangemeld_op"],
                plan.enrollments[k].values["_target_of"],
                plan.enrollments[k].number,
            )
        )
    for traject in plan.events:
        owner = plan.owner_of_enrollment(traject)
        if traject not in plan.enrollments and owner is not None:
            own[owner].other_histories.append(traject)
    for key, measurement_rows in sorted(
        plan.measurements.items(), key=lambda item: (item[1][0].values["datum"], item[1][0].number)
    ):
        own[str(measurement_rows[0].values["deelnemer"])].measurements.append(key)
    for key, row in sorted(plan.contacts.items(), key=lambda item: item[1].number):
        own[str(row.values["deelnemer"])].contacts.append(key)
    plan.own = dict(own)


def _owners(plan: Plan) -> None:
    """Whose each enrollment is: from the trajecten rows, or (for one imported before) from the
    records of that import, in two queries."""
    plan.owners = {key: str(row.values["deelnemer"]) for key, row in plan.enrollments.items()}
    earlier = {
        rec.object_id: key
        for (table, key), rec in plan.known.items()
        if table == "trajecten" and key not in plan.owners
    }
    if not earlier:
        return
    participant_of = dict(Enrollment.objects.filter(pk__in=earlier).values_list("pk", "participant_id"))
    records = _known(
        ImportedRecord.objects.filter(
            organisation_id=plan.user.organisation_id or 0,
            table="deelnemers",
            object_id__in=set(participant_of.values()),
        )
    )
    external_of = {rec.object_id: external_id for (_table, external_id), rec in records.items()}
    for address, rec in records.items():
        plan.known.setdefault(address, rec)
    for enrollment_pk, key in earlier.items():
        owner = external_of.get(participant_of.get(enrollment_pk, 0))
        if owner is not None:
            plan.owners[key] = owner


@dataclass
class Lookups:
    """Codes the files may use, each read once."""

    municipalities: dict[str, Organisation]
    organisations: dict[str, Organisation]
    programmes: dict[str, Programme]
    directors: dict[str, User]
    instruments: dict[str, MeasurementType]
    tags: set[str]
    scales: dict[int, ScaleVersion]


def _lookups(user: User) -> Lookups:
    return Lookups(
        municipalities={o.name.lower(): o for o in access.import_municipalities(user)},
        organisations={o.name.lower(): o for o in access.organisations_visible_to(user)},
        programmes={p.code.lower(): p for p in access.programmes_usable_by(user)},
        directors={u.username.lower(): u for u in access.import_directors(user).select_related("organisation")},
        tags=set(ContextTag.objects.filter(is_active=True).values_list("code", flat=True)),
        instruments={m.code.lower(): m for m in MeasurementType.objects.filter(is_active=True)},
        scales={s.measurement_type_id: s for s in ScaleVersion.objects.filter(is_current=True)},
    )


def _check_rows(by_table: dict[str, list[Row]], plan: Plan, lookups: Lookups) -> None:
    """Every code, reference and date order of these rows (one group of participants, with all
    their rows) checked, before any write; each cell was parsed as it was read."""
    problems = plan.problems
    today = clock.today()
    plan.known = _known_for(by_table, plan)

    for row in by_table["deelnemers"]:
        _unique(plan.participants, row, "extern_id", problems)
        v = row.values
        if v["gemeente"] and str(v["gemeente"]).lower() not in lookups.municipalities:
            problems.append(row.problem("gemeente", _("U kunt voor deze gemeente geen deelnemers inlezen.")))
        if v["verblijfsstatus"] and v["verblijfsstatus"] not in ResidenceStatus.values:
            problems.append(row.problem("verblijfsstatus", _choose(ResidenceStatus.values)))
        if v["uitkering"] and v["uitkering"] not in BenefitStatus.values:
            problems.append(row.problem("uitkering", _choose(BenefitStatus.values)))
        if v["regisseur"] and str(v["regisseur"]).lower() not in lookups.directors:
            problems.append(
                row.problem(
                    "regisseur",
                    _("Geen klantregisseur van uw organisatie met deze gebruikersnaam."),
                )
            )
        elif not v["regisseur"] and plan.user.role != access.Role.DIRECTOR:
            problems.append(row.problem("regisseur", _("Vul de gebruikersnaam van de regisseur in.")))
        born = v.get("geboortedatum")
        if isinstance(born, date) and born > clock.today():
            problems.append(row.problem("geboortedatum", _("De geboortedatum ligt in de toekomst.")))

    targets: dict[str, Row] = {}
    for row in by_table["trajecten"]:
        _unique(plan.enrollments, row, "extern_id", problems)
        v = row.values
        _known_participant(plan, row, "deelnemer", problems)
        if v["programma"] and str(v["programma"]).lower() not in lookups.programmes:
            problems.append(row.problem("programma", _("Onbekend programma (gebruik de code van het programma).")))
        if v["aangemeld_door"] and str(v["aangemeld_door"]).lower() not in lookups.organisations:
            problems.append(
                row.problem("aangemeld_door", _("Onbekende organisatie (gebruik de naam zoals in Doorstroom)."))
            )
        _not_future(row, "aangemeld_op", problems, today)
        unknown_tags = sorted(set(v["kenmerken"] or []) - lookups.tags)
        if unknown_tags:
            problems.append(row.problem("kenmerken", _("Onbekend kenmerk: %(codes)s.", codes=", ".join(unknown_tags))))

    for row in by_table["gebeurtenissen"]:
        v = row.values
        traject = str(v["traject"] or "")
        plan.events[traject].append(row)
        enrollment = plan.enrollments.get(traject)
        if traject and enrollment is None and ("trajecten", traject) not in plan.known:
            problems.append(
                row.problem("traject", _("Dit traject staat niet in trajecten en is niet eerder ingelezen."))
            )
        if v["gebeurtenis"] and v["gebeurtenis"] not in EVENT_NAMES:
            problems.append(row.problem("gebeurtenis", _choose(EVENT_NAMES)))
        _not_future(row, "datum", problems, today)
        referred = enrollment.values["aangemeld_op"] if enrollment is not None else None
        if isinstance(v["datum"], date) and isinstance(referred, date) and v["datum"] < referred:
            problems.append(row.problem("datum", _("Deze datum ligt voor de aanmelding van het traject.")))
        programme = lookups.programmes.get(str(enrollment.values["programma"]).lower()) if enrollment else None
        unknown = [code for code in v["resultaten"] or [] if code not in OutcomeType.values]
        if unknown:
            problems.append(row.problem("resultaten", _("Onbekend resultaat: %(codes)s.", codes=", ".join(unknown))))
        if v["resultaten"] and v["gebeurtenis"] != "afgerond":
            problems.append(row.problem("resultaten", _("Resultaten horen alleen bij 'afgerond'.")))
        if (
            v["reden"]
            and v["gebeurtenis"] in EVENT_NAMES
            and programme is not None
            and reason_catalogue().find(v["gebeurtenis"], v["reden"], programme.pk) is None
        ):
            problems.append(row.problem("reden", _("Onbekende reden voor deze gebeurtenis.")))
        if v["gebeurtenis"] == "overgedragen":
            target = str(v["naar_programma"] or "").lower()
            if not target:
                problems.append(row.problem("naar_programma", _("Vul in naar welk programma is overgedragen.")))
            elif target not in lookups.programmes:
                problems.append(
                    row.problem("naar_programma", _("Onbekend programma (gebruik de code van het programma)."))
                )
            if v["naar_traject"]:
                follow = plan.enrollments.get(str(v["naar_traject"]))
                elsewhere = plan.staged.holds("trajecten", str(v["naar_traject"]))
                if follow is None and elsewhere:  # a traject of another participant in the files
                    problems.append(
                        row.problem(
                            "naar_traject",
                            _("Het vervolgtraject moet dezelfde deelnemer, dit programma en deze datum hebben."),
                        )
                    )
                elif follow is None and ("trajecten", str(v["naar_traject"])) not in plan.known:
                    problems.append(row.problem("naar_traject", _("Dit traject staat niet in trajecten.")))
                elif follow is not None and (
                    str(follow.values["programma"]).lower() != target
                    or follow.values["aangemeld_op"] != v["datum"]
                    or follow.values["deelnemer"] != (enrollment.values["deelnemer"] if enrollment else None)
                ):
                    problems.append(
                        row.problem(
                            "naar_traject",
                            _("Het vervolgtraject moet dezelfde deelnemer, dit programma en deze datum hebben."),
                        )
                    )
                else:
                    targets[str(v["naar_traject"])] = row
        elif v["naar_programma"] or v["naar_traject"]:
            problems.append(row.problem("naar_programma", _("Een vervolgprogramma hoort alleen bij 'overgedragen'.")))
    for external_id, row in plan.enrollments.items():
        row.note("_target_of", external_id in targets)  # the follow-up of a transfer
    _owners(plan)

    groups: dict[str, list[Row]] = defaultdict(list)
    for row in by_table["metingen"]:
        groups[str(row.values["extern_id"])].append(row)
        v = row.values
        _known_participant(plan, row, "deelnemer", problems)
        if v["instrument"] and str(v["instrument"]).lower() not in lookups.instruments:
            problems.append(row.problem("instrument", _("Onbekend meetinstrument (gebruik de code).")))
        if v["moment"] and str(v["moment"]).lower() not in MOMENT_NAMES:
            problems.append(row.problem("moment", _choose(tuple(MOMENT_NAMES))))
        if v["bron"] and v["bron"] not in LanguageSource.values:
            problems.append(row.problem("bron", _choose(LanguageSource.values)))
        _not_future(row, "datum", problems, today)
    for row in by_table["metingen"]:
        instrument = lookups.instruments.get(str(row.values["instrument"] or "").lower())
        if instrument is not None and row.values["waarde"] not in (None, ""):
            value = _score(lookups.scales.get(instrument.pk), str(row.values["waarde"]))
            if value is None:
                problems.append(
                    row.problem(
                        "waarde", _("Onbekende waarde voor dit meetinstrument (een getal of een niveau zoals A2).")
                    )
                )
            row.note("_score", value)
        else:
            row.note("_score", None)
    for external_id, rows in groups.items():
        first = rows[0]
        for row in rows[1:]:
            for name in ("deelnemer", "instrument", "moment", "datum", "bron"):
                if row.values[name] != first.values[name]:
                    problems.append(
                        row.problem(
                            name, _("Rijen van dezelfde meting (%(id)s) moeten hier gelijk zijn.", id=external_id)
                        )
                    )
        items = [str(r.values["onderdeel"]) for r in rows]
        for row in rows:
            if items.count(str(row.values["onderdeel"])) > 1:
                problems.append(row.problem("onderdeel", _("Dit onderdeel staat twee keer in deze meting.")))
                break
        plan.measurements[external_id] = rows

    for row in by_table["contacten"]:
        _unique(plan.contacts, row, "extern_id", problems)
        v = row.values
        _known_participant(plan, row, "deelnemer", problems)
        if v["soort"] and v["soort"] not in ContactKind.values:
            problems.append(row.problem("soort", _choose(ContactKind.values)))
        if v["stand"] and v["stand"] not in ContactStatus.values:
            problems.append(row.problem("stand", _choose(ContactStatus.values)))
        if v["aanwezigheid"] and v["aanwezigheid"] not in Attendance.values:
            problems.append(row.problem("aanwezigheid", _choose(Attendance.values)))


def _score(scale: ScaleVersion | None, text: str) -> int | None:
    """A score as a number, or as the label the scale gives it (a CEFR level such as B1)."""
    if text.lstrip("-").isdigit():
        return int(text)
    labels = {
        str(label).lower(): int(value)
        for value, label in (scale.value_labels if scale else {}).items()
        if str(value).lstrip("-").isdigit()
    }
    return labels.get(text.strip().lower())


def _ids_wanted(by_table: dict[str, list[Row]]) -> dict[str, set[str]]:
    """Per table, the external ids in these rows that can name one of its records."""

    def ids(table: str, *columns: str) -> set[str]:
        return {str(r.values[c]) for r in by_table.get(table, ()) for c in columns if r.values.get(c)}

    people = ids("deelnemers", "extern_id") | ids("trajecten", "deelnemer") | ids("metingen", "deelnemer")
    routes = ids("trajecten", "extern_id") | ids("gebeurtenissen", "traject", "naar_traject")
    wanted = {
        "deelnemers": people | ids("contacten", "deelnemer"),
        "trajecten": routes,
        "gebeurtenissen": routes,
        "metingen": ids("metingen", "extern_id"),
        "contacten": ids("contacten", "extern_id"),
    }
    # an event's own record is named "<traject>#<event>": only an id of that shape can be one
    wanted["gebeurtenis"] = {e for found in wanted.values() for e in found if "#" in e}
    return wanted


#: rows whose external ids are looked up in the records of earlier imports at once
KNOWN_PART = 10_000


def _learn_known(stage: staging.Staging, organisation_id: int) -> None:
    """What earlier imports made of every external id in the files, read once for the whole import
    (in parts of the files) and kept in the staging: asked per group of participants, the database
    would walk all the organisation's records again and again whenever its statistics are behind,
    as they are right after a large import."""
    for part in stage.in_parts(KNOWN_PART):
        wanted = _ids_wanted(part)
        stage.keep_known(
            ImportedRecord.objects.filter(
                organisation_id=organisation_id, external_id__in=set().union(*wanted.values())
            ).values_list("table", "external_id", "pk", "object_id", "fingerprint")
        )


def _known_for(by_table: dict[str, list[Row]], plan: Plan) -> dict[tuple[str, str], "Known"]:
    """What these rows' external ids became in earlier imports (`_learn_known` put it in the staging)."""
    return {
        (table, external_id): Known(pk, object_id, print_)
        for table, external_id, pk, object_id, print_ in plan.staged.known(_ids_wanted(by_table))
    }


def _choose(values: Iterable[str]) -> str:
    return _("Kies een van: %(values)s.", values=", ".join(values))


def _unique(seen: dict[str, Row], row: Row, column: str, problems: list[Problem]) -> None:
    key = str(row.values.get(column) or "")
    if not key:
        return
    if key in seen:
        problems.append(row.problem(column, _("Dit externe id staat ook in rij %(row)s.", row=seen[key].number)))
        return
    seen[key] = row


def _known_participant(plan: Plan, row: Row, column: str, problems: list[Problem]) -> None:
    """A row about a participant needs that participant in this file or from an earlier import."""
    key = str(row.values.get(column) or "")
    if (
        key
        and key not in plan.participants
        and ("deelnemers", key) not in plan.known
        and not plan.staged.holds("deelnemers", key)
    ):
        problems.append(row.problem(column, _("Deze deelnemer staat niet in deelnemers en is niet eerder ingelezen.")))


def _not_future(row: Row, column: str, problems: list[Problem], today: date) -> None:
    value = row.values.get(column)
    if isinstance(value, date) and value > today:
        problems.append(row.problem(column, _("Deze datum ligt in de toekomst.")))


# --- writing, participant by participant --------------------------------------------------------


@dataclass
class _Writer:
    user: User
    plan: Plan
    lookups: Lookups
    outcome: ImportOutcome
    batch: ImportBatch
    #: every participant the import created, changed or matched (for the audit row: the id is enough,
    #: a participant object each would grow with the file)
    touched: dict[int, UUID] = field(default_factory=dict)
    created: set[int] = field(default_factory=set)  # participants this import registered
    fresh: set[str] = field(default_factory=set)  # enrollments a transfer in this import created
    allowed: dict[int, frozenset[str]] = field(default_factory=dict)  # what may be written, per participant
    measured: set[int] = field(default_factory=set)  # participants whose score series are refreshed at the end

    def remember(self, table: str, external_id: str, object_id: int, print_: str) -> None:
        record = self.plan.known.get((table, external_id))
        if record is None:
            saved = ImportedRecord.objects.create(
                organisation_id=self.user.organisation_id or 0,
                table=table,
                external_id=external_id,
                object_id=object_id,
                fingerprint=print_,
                batch=self.batch,
            )
            self.plan.known[(table, external_id)] = Known(saved.pk, object_id, print_)
        elif record.object_id != object_id or record.fingerprint != print_:
            record.object_id, record.fingerprint = object_id, print_
            ImportedRecord.objects.filter(pk=record.pk).update(
                object_id=object_id, fingerprint=print_, batch=self.batch
            )

    def may(self, participant: Participant, category: str) -> bool:
        allowed = self.allowed.get(participant.pk)
        if allowed is None:  # asked once per participant (again after the import changed the team)
            allowed = self.allowed[participant.pk] = access.import_categories(self.user, participant)
        return category in allowed

    def require(self, participant: Participant, category: str, row: Row, column: str) -> None:
        if not self.may(participant, category):
            raise _RowError(
                row,
                column,
                _(
                    "U mag deze gegevens van deze deelnemer niet vastleggen (soort gegevens: %(category)s).",
                    category=category,
                ),
            )


class _RowError(Exception):
    def __init__(self, row: Row, column: str, message: str) -> None:
        super().__init__(message)
        self.row, self.column, self.message = row, column, message


def _participant_fields(lookups: Lookups, user: User, row: Row) -> tuple[Organisation, dict[str, Any], str, User]:
    """A deelnemers row as the participant services take it: municipality, data, the row's
    fingerprint and the regisseur it names (or the importer)."""
    v = row.values
    municipality = lookups.municipalities[str(v["gemeente"]).lower()]
    data = {
        "given_name": v["voornaam"],
        "family_name_prefix": v["tussenvoegsel"],
        "family_name": v["achternaam"],
        "date_of_birth": v["geboortedatum"],
        "bsn": v["bsn"] or None,
        "residence_status": v["verblijfsstatus"] or ResidenceStatus.UNKNOWN,
        "benefit_status": v["uitkering"] or BenefitStatus.UNKNOWN,
        "civic_integration_duty": bool(v["inburgeringsplichtig"]),
        "languages": list(v["talen"] or []),
        "email": v["email"],
        "phone": v["telefoon"],
    }
    print_ = _row_print(v)
    director = lookups.directors[str(v["regisseur"]).lower()] if v["regisseur"] else user
    return municipality, data, print_, director


def _first_day(plan: Plan, external_id: str) -> date:
    """A new participant's regisseur starts on the first referral in the files (today at the latest)."""
    first = plan.rows_of(external_id).first_referral
    return min(first, clock.today()) if first is not None else clock.today()


def _participant(w: _Writer, external_id: str) -> Participant:
    row = w.plan.participants.get(external_id)
    record = w.plan.known.get(("deelnemers", external_id))
    existing = (
        Participant.objects.filter(pk=record.object_id).select_related("municipality").first() if record else None
    )
    if row is None:
        if existing is None or not w.may(existing, Category.IDENTITY):
            raise DomainError(_("U heeft geen toegang (meer) tot deze deelnemer."), field="deelnemer")
        w.touched[existing.pk] = existing.uuid
        return existing
    municipality, data, print_, director = _participant_fields(w.lookups, w.user, row)
    if existing is not None:
        if not w.may(existing, Category.IDENTITY):
            raise _RowError(row, "extern_id", _("U heeft geen toegang (meer) tot deze deelnemer."))
        if existing.municipality_id != municipality.pk:
            raise _RowError(
                row, "gemeente", _("De gemeente van een ingelezen deelnemer verandert niet door een import.")
            )
        w.touched[existing.pk] = existing.uuid
        if record is not None and record.fingerprint == print_:
            w.outcome.count("deelnemers", SAME)
            return existing
        participant_services.participant_update(
            participant=existing,
            data=data,
            expected_version=existing.version,
            actor=w.user,
            reason=f"Import {row.file}, rij {row.number}",
        )
        _director(w, existing, director, row)
        w.allowed.pop(existing.pk, None)  # the team may have changed
        w.remember("deelnemers", external_id, existing.pk, print_)
        w.outcome.count("deelnemers", CHANGED)
        return existing
    ids, same_bsn = participant_services.possible_duplicate_ids(
        municipality=municipality,
        bsn=data["bsn"],
        given_name=str(data["given_name"]),
        family_name=str(data["family_name"]),
        date_of_birth=data["date_of_birth"],
    )
    if ids:
        visible, hidden = access.import_match_visible(w.user, ids)
        if hidden:  # whom to ask, not what matched: the same words for a BSN and for a name
            raise _RowError(
                row,
                "extern_id",
                _(
                    "Deze deelnemer kan niet worden ingelezen. Neem contact op met een klantregisseur van "
                    "%(municipality)s; die kan nagaan of deze persoon al bekend is.",
                    municipality=municipality.name,
                ),
            )
        if not (same_bsn and len(visible) == 1):
            raise _RowError(
                row,
                "bsn",
                _(
                    "Er bestaat mogelijk al een dossier voor deze persoon (zelfde naam en geboortedatum). "
                    "Vul het BSN in, zodat de import het dossier kan koppelen."
                ),
            )
        match = visible[0]
        w.touched[match.pk] = match.uuid
        w.remember("deelnemers", external_id, match.pk, print_)
        w.outcome.count("deelnemers", CHANGED)
        return match
    participant = participant_services.participant_register(municipality=municipality, data=data)
    enrollment_services.team_assign(
        participant=participant, member=director, role=TeamRole.DIRECTOR, starts_on=_first_day(w.plan, external_id)
    )
    w.touched[participant.pk] = participant.uuid
    w.created.add(participant.pk)
    w.remember("deelnemers", external_id, participant.pk, print_)
    w.outcome.count("deelnemers", NEW)
    return participant


def _director(w: _Writer, participant: Participant, director: User, row: Row) -> None:
    """A changed regisseur in the file is a handover today; the same one changes nothing."""
    today = clock.today()
    current = (
        TeamAssignment.objects.filter(participant=participant, role=TeamRole.DIRECTOR, starts_on__lte=today)
        .exclude(ends_on__lt=today)
        .values_list("member_id", flat=True)
        .first()
    )
    if current is None:
        enrollment_services.team_assign(
            participant=participant, member=director, role=TeamRole.DIRECTOR, starts_on=today
        )
    elif current != director.pk and row.values["regisseur"]:
        enrollment_services.director_handover(participant=participant, new_director=director, on=today)


def _event_fact(
    event_type: str, on: date, reason: str, phase: int | None, outcomes: Iterable[str], target: str, note: str
) -> tuple:
    return (
        event_type,
        on.isoformat(),
        reason or "",
        phase,
        tuple(sorted(outcomes)),
        target or "",
        (note or "").strip(),
    )


def _enrollment(w: _Writer, participant: Participant, external_id: str) -> None:
    row = w.plan.enrollments.get(external_id)
    record = w.plan.known.get(("trajecten", external_id))
    enrollment = Enrollment.objects.filter(pk=record.object_id).select_related("programme").first() if record else None
    if row is not None:
        v = row.values
        programme = w.lookups.programmes[str(v["programma"]).lower()]
        print_ = _row_print(v)
        w.require(participant, Category.TRAJECTORY, row, "programma")
        if enrollment is not None:
            if enrollment.participant_id != participant.pk or enrollment.programme_id != programme.pk:
                raise _RowError(
                    row,
                    "programma",
                    _(
                        "Deelnemer en programma van een ingelezen traject veranderen niet door een import; "
                        "corrigeer dit in Doorstroom."
                    ),
                )
            if enrollment.referred_on != v["aangemeld_op"]:
                raise _RowError(
                    row,
                    "aangemeld_op",
                    _(
                        "De aanmelddatum van een ingelezen traject verandert niet door een import; "
                        "corrigeer dit in Doorstroom."
                    ),
                )
            if external_id in w.fresh:
                w.outcome.count("trajecten", NEW)
                _tags(w, enrollment, row, v["aangemeld_op"])
            else:
                unchanged = record is not None and record.fingerprint == print_
                w.outcome.count("trajecten", SAME if unchanged else CHANGED)
                if not unchanged:
                    _tags(w, enrollment, row, clock.today())
            w.remember("trajecten", external_id, enrollment.pk, print_)
        else:
            group = None
            if v["doelgroep"]:
                group = ProgrammeGroup.objects.filter(programme=programme, name__iexact=v["doelgroep"]).first()
                if group is None:
                    raise _RowError(row, "doelgroep", _("Deze doelgroep hoort niet bij het programma."))
            referred_by = (
                w.lookups.organisations[str(v["aangemeld_door"]).lower()]
                if v["aangemeld_door"]
                else w.user.organisation
            )
            if referred_by is None:  # an importer always belongs to an organisation (may_import)
                raise _RowError(row, "aangemeld_door", _("Vul in welke organisatie aanmeldde."))
            try:
                enrollment = enrollment_services.enrollment_enrol(
                    participant=participant,
                    programme=programme,
                    actor=w.user,
                    referred_by=referred_by,
                    on=v["aangemeld_op"],
                    group=group,
                )
            except DomainError as refused:
                raise _as_row_error(refused, row, "trajecten") from refused
            w.remember("trajecten", external_id, enrollment.pk, print_)
            w.outcome.count("trajecten", NEW)
            _tags(w, enrollment, row, v["aangemeld_op"])
    if enrollment is None:
        raise DomainError(_("Dit traject is niet eerder ingelezen."), field="traject")
    _events(w, enrollment, external_id)


def _tags(w: _Writer, enrollment: Enrollment, row: Row, on: date) -> None:
    """The contexts and mechanisms the file names for this trajectory (none named: none set)."""
    codes = list(row.values["kenmerken"] or [])
    if not codes and not enrollment.tags.exists():
        return
    try:
        enrollment_services.enrollment_tags_set(enrollment=enrollment, actor=w.user, codes=codes, on=on)
    except DomainError as refused:
        raise _as_row_error(refused, row, "trajecten") from refused


def _wanted(rows: list[Row], phases: dict[int, Phase]) -> list[tuple[tuple, Row, Phase | None]]:
    """A trajectory's event rows (in date order) as facts to compare with what is stored, each with
    its row and the phase it leads to (named by number or name, or the next one)."""
    by_name = {p.name.lower(): p for p in phases.values()}
    wanted = []
    current = 0  # the phase the history is in, as the service will record it
    for row in rows:
        v = row.values
        phase = None
        if v["fase"]:
            text = str(v["fase"]).strip().lower()
            phase = phases.get(int(text)) if text.isdigit() else by_name.get(text)
            if phase is None:
                raise _RowError(
                    row, "fase", _("Deze fase hoort niet bij het programma (gebruik het nummer of de naam).")
                )
        if v["gebeurtenis"] in (lifecycle.EventType.STARTED, lifecycle.EventType.PHASE_CHANGED):
            if phase is None:
                phase = phases.get(1 if v["gebeurtenis"] == lifecycle.EventType.STARTED else current + 1)
            current = phase.position if phase else current
        else:
            phase = None
        wanted.append(
            (
                _event_fact(
                    v["gebeurtenis"],
                    v["datum"],
                    v["reden"],
                    phase.position if phase else None,
                    v["resultaten"] or [],
                    str(v["naar_programma"] or "").lower(),
                    v["notitie"],
                ),
                row,
                phase,
            )
        )
    return wanted


def _event_categories(participant: Participant, row: Row, w: _Writer) -> None:
    """An event row may be written only when the importer may write what it says: its reason's
    category (a health reason is health data) and, with a note, the note's."""
    v = row.values
    category: str = Category.TRAJECTORY
    if v["reden"]:
        category = reason_catalogue().category(v["gebeurtenis"], v["reden"])
    w.require(participant, category, row, "reden" if v["reden"] else "gebeurtenis")
    if v["notitie"]:
        w.require(participant, lifecycle.NOTE_CATEGORY, row, "notitie")


def _events(w: _Writer, enrollment: Enrollment, external_id: str) -> None:
    """The file's history of this enrollment against what earlier imports wrote: the same changes
    nothing; more is appended; a difference voids the imported events from there with correcting
    events and records the file's. Events recorded in Doorstroom itself are left alone."""
    rows = sorted(w.plan.events.get(external_id, []), key=lambda r: (r.values["datum"], r.number))
    if not rows:  # a traject without rows in gebeurtenissen keeps the events it has
        return
    wanted = _wanted(rows, {p.position: p for p in Phase.objects.filter(programme=enrollment.programme_id)})
    imported_ids = set(
        ImportedRecord.objects.filter(table="gebeurtenis", object_id__in=enrollment.events.values("pk")).values_list(
            "object_id", flat=True
        )
    )
    voided = set(
        enrollment.events.filter(event_type=lifecycle.EventType.CORRECTED).values_list("corrects_id", flat=True)
    )
    stored = [
        e
        for e in enrollment.events.select_related("phase", "target_programme").order_by("occurred_on", "id")
        if e.pk in imported_ids and e.pk not in voided and e.event_type != lifecycle.EventType.CORRECTED
    ]
    stored_facts = [
        _event_fact(
            e.event_type,
            e.occurred_on,
            e.reason_code,
            e.phase.position if e.phase else None,
            e.outcomes,
            e.target_programme.code.lower() if e.target_programme else "",
            e.note,
        )
        for e in stored
    ]
    same = 0
    while same < min(len(stored), len(wanted)) and stored_facts[same] == wanted[same][0]:
        same += 1
    print_ = fingerprint({"events": [fact for fact, _r, _p in wanted]})
    if same == len(stored) == len(wanted):
        w.outcome.counts.setdefault("gebeurtenissen", {NEW: 0, CHANGED: 0, SAME: 0})[SAME] += len(wanted)
        return
    participant = enrollment.participant
    for event in reversed(stored[same:]):
        try:
            enrollment_services.enrollment_correct(
                enrollment=enrollment,
                actor=w.user,
                wrong_event=event,
                reason=_("Gecorrigeerd door een nieuwere versie van het importbestand."),
            )
        except DomainError as refused:
            raise _as_row_error(refused, wanted[min(same, len(wanted) - 1)][1], "gebeurtenissen") from refused
        w.outcome.count("gebeurtenissen", CHANGED)
    w.outcome.counts.setdefault("gebeurtenissen", {NEW: 0, CHANGED: 0, SAME: 0})[SAME] += same
    pending: list[tuple[enrollment_services.Step, Row, tuple]] = []

    def record_pending() -> None:
        """The steps since the last transfer, recorded at once (one replay for the lot)."""
        if not pending:
            return
        try:
            created = enrollment_services.enrollment_record_many(
                enrollment=enrollment, actor=w.user, steps=[step for step, _row, _fact in pending]
            )
        except enrollment_services.StepRefused as refused:
            raise _as_row_error(refused, pending[refused.step][1], "gebeurtenissen") from refused
        ImportedRecord.objects.bulk_create(
            ImportedRecord(
                organisation_id=w.user.organisation_id or 0,
                table="gebeurtenis",
                external_id=f"{external_id}#{event.pk}",
                object_id=event.pk,
                fingerprint=fingerprint({"fact": fact}),
                batch=w.batch,
            )
            for event, (_step, _row, fact) in zip(created, pending, strict=True)
        )
        w.outcome.counts.setdefault("gebeurtenissen", {NEW: 0, CHANGED: 0, SAME: 0})[NEW] += len(created)
        pending.clear()

    for fact, row, phase in wanted[same:]:
        v = row.values
        _event_categories(participant, row, w)
        if v["gebeurtenis"] != lifecycle.EventType.TRANSFERRED:
            pending.append(
                (
                    enrollment_services.Step(
                        event_type=v["gebeurtenis"],
                        on=v["datum"],
                        note=v["notitie"] or "",
                        reason_code=v["reden"] or "",
                        phase=phase,
                        outcomes=tuple(v["resultaten"] or ()),
                    ),
                    row,
                    fact,
                )
            )
            continue
        record_pending()
        enrollment.refresh_from_db()
        try:
            follow = enrollment_services.enrollment_transfer(
                enrollment=enrollment,
                actor=w.user,
                target_programme=w.lookups.programmes[str(v["naar_programma"]).lower()],
                on=v["datum"],
                note=v["notitie"] or "",
                reason_code=v["reden"] or "",
            )
        except DomainError as refused:
            raise _as_row_error(refused, row, "gebeurtenissen") from refused
        event = enrollment.events.filter(event_type=lifecycle.EventType.TRANSFERRED).latest("id")
        if v["naar_traject"]:
            target_row = w.plan.enrollments.get(str(v["naar_traject"]))
            print_target = _row_print(target_row.values) if target_row else ""
            w.remember("trajecten", str(v["naar_traject"]), follow.pk, print_target)
            w.fresh.add(str(v["naar_traject"]))
        w.remember("gebeurtenis", f"{external_id}#{event.pk}", event.pk, fingerprint({"fact": fact}))
        w.outcome.count("gebeurtenissen", NEW)
    record_pending()
    w.remember("gebeurtenissen", external_id, enrollment.pk, print_)


def _measurement(w: _Writer, participant: Participant, external_id: str, rows: list[Row]) -> None:
    first = rows[0]
    v = first.values
    instrument = w.lookups.instruments[str(v["instrument"]).lower()]
    scale = w.lookups.scales.get(instrument.pk)
    categories = {item.get("category", Category.MEASUREMENTS) for item in (scale.items if scale else [])}
    for category in sorted(categories):
        w.require(participant, category, first, "instrument")
    scores = {str(r.values["onderdeel"]): r.values["_score"] for r in rows}
    print_ = _measurement_print(rows)
    record = w.plan.known.get(("metingen", external_id))
    corrects = None
    if record is not None:
        if record.fingerprint == print_:
            w.outcome.count("metingen", SAME)
            return
        corrects = Measurement.objects.filter(pk=record.object_id, participant=participant).first()
    try:
        measurement = measurement_services.measurement_record(
            participant=participant,
            measurement_type=instrument,
            moment=MOMENT_NAMES[str(v["moment"]).lower()],
            measured_on=v["datum"],
            scores=scores,
            actor=w.user,
            source=v["bron"] or "",
            corrects=corrects,
            correction_reason=_("Gecorrigeerd door een nieuwere versie van het importbestand.") if corrects else "",
            refresh_series=False,
        )
    except DomainError as refused:
        raise _as_measurement_error(refused, rows) from refused
    w.measured.add(participant.pk)
    w.remember("metingen", external_id, measurement.pk, print_)
    w.outcome.count("metingen", CHANGED if corrects else NEW)


def _contact(w: _Writer, participant: Participant, external_id: str, row: Row) -> None:
    v = row.values
    w.require(
        participant, Category.NOTES if v["notitie"] else Category.CONTACT, row, "notitie" if v["notitie"] else "soort"
    )
    fields = {
        "kind": v["soort"],
        "status": v["stand"] or ContactStatus.HELD,
        "occurred_on": v["datum"],
        "attendance": v["aanwezigheid"] or ("" if v["stand"] == ContactStatus.PLANNED else Attendance.ATTENDED),
        "minutes": v["minuten"],
        "note": v["notitie"] or "",
    }
    print_ = _row_print(v)
    record = w.plan.known.get(("contacten", external_id))
    try:
        if record is not None:
            if record.fingerprint == print_:
                w.outcome.count("contacten", SAME)
                return
            contact = ContactMoment.objects.get(pk=record.object_id, participant=participant)
            contact_services.contact_update(contact=contact, **fields)
            w.outcome.count("contacten", CHANGED)
        else:
            contact = contact_services.contact_record(participant=participant, actor=w.user, **fields)
            w.outcome.count("contacten", NEW)
    except DomainError as refused:
        raise _as_row_error(refused, row, "contacten") from refused
    w.remember("contacten", external_id, contact.pk, print_)


def _as_row_error(error: DomainError, row: Row, table: str) -> "_RowErrors":
    errors = error.errors if isinstance(error, DomainErrors) else [error]
    return _RowErrors(
        [
            Problem(row.file, row.number, COLUMNS[table].get(e.field or "", FIRST_COLUMN[table]), e.message)
            for e in errors
        ]
    )


def _as_measurement_error(error: DomainError, rows: list[Row]) -> "_RowErrors":
    errors = error.errors if isinstance(error, DomainErrors) else [error]
    problems = []
    for e in errors:
        target, column = rows[0], COLUMNS["metingen"].get(e.field or "", "onderdeel")
        if e.field and e.field.startswith("scores."):
            item = e.field.split(".", 1)[1]
            target = next((r for r in rows if str(r.values["onderdeel"]) == item), rows[0])
            column = (
                "waarde" if target is not rows[0] or item in {str(r.values["onderdeel"]) for r in rows} else "onderdeel"
            )
        problems.append(Problem(target.file, target.number, column, e.message))
    return _RowErrors(problems)


class _RowErrors(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def _write_participant(w: _Writer, key: str) -> None:
    plan = w.plan
    row = plan.participants.get(key)
    try:
        participant = _participant(w, key)
    except DomainError as refused:
        if row is None:
            raise
        raise _as_row_error(refused, row, "deelnemers") from refused
    own = plan.rows_of(key)
    for external_id in own.enrollments:
        if plan.enrollments[external_id].values["_target_of"] and ("trajecten", external_id) not in plan.known:
            continue  # created by the transfer of its predecessor, which comes first
        _enrollment(w, participant, external_id)
    for traject in own.other_histories:
        _enrollment(w, participant, traject)
    for external_id in own.measurements:
        _measurement(w, participant, external_id, plan.measurements[external_id])
    for external_id in own.contacts:
        _contact(w, participant, external_id, plan.contacts[external_id])


# --- writing new files in sets ---------------------------------------------------------------------

#: participants written together by `_write_set`
SET_SIZE = 500


class _NotInSets(Exception):
    """Something in a set needs the one-by-one path, which says exactly what (or writes it)."""


def _eligible_for_sets(plan: Plan, keys: list[str]) -> set[str]:
    """The participants whose rows can be written in sets as far as their own rows say: new (none
    of their rows was imported before) and without a transfer in their histories. Whether someone
    may be the same person is asked over the whole import (`_maybe_the_same`); everything else, and
    any set in which something is refused, goes one by one through the services, which then say
    what is wrong."""
    with_transfer = {
        traject
        for traject, rows in plan.events.items()
        if any(
            r.values["gebeurtenis"] == lifecycle.EventType.TRANSFERRED
            or r.values["naar_programma"]
            or r.values["naar_traject"]
            for r in rows
        )
    }
    chosen: set[str] = set()
    for key in keys:
        row = plan.participants.get(key)
        own = plan.rows_of(key)
        if (
            row is None
            or ("deelnemers", key) in plan.known
            or own.other_histories
            or any(
                ("trajecten", e) in plan.known or plan.enrollments[e].values["_target_of"] or e in with_transfer
                for e in own.enrollments
            )
            or any(("metingen", m) in plan.known for m in own.measurements)
            or any(("contacten", c) in plan.known for c in own.contacts)
        ):
            continue
        chosen.add(key)
    return chosen


@dataclass
class _SamePeople:
    """Every participant row of the import in the files' order, as the duplicate rule compares them
    (four fields each: a whole registration each would grow with the file), gathered group by group."""

    lookups: Lookups
    user: User
    registrations: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    positions: dict[int, str] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)

    def see(self, plan: Plan, keys: list[str]) -> None:
        for key in keys:  # an earlier row in the files may be the same person
            row = plan.participants.get(key)
            if row is None:
                continue
            municipality, data, _print, _director = _participant_fields(self.lookups, self.user, row)
            try:
                cleaned = participant_services.cleaned_for_registration(
                    participant_services.NewParticipant(municipality, data)
                )
            except DomainError:
                self.refused.add(key)
                continue
            self.positions[len(self.registrations)] = key
            self.registrations.append((municipality.pk, {k: cleaned[k] for k in participant_services.DUPLICATE_FIELDS}))

    def not_in_sets(self) -> set[str]:
        """Those who may be someone in the database or an earlier row, and those refused."""
        matched = participant_services.possible_duplicates_among(self.registrations)
        return self.refused | {self.positions[position] for position in matched}


def _write_set(w: _Writer, keys: list[str]) -> None:
    """New participants with their histories, measurements and contacts, through the set-based
    services (the same checks and lifecycle rules, a few statements for the lot) and the access
    policy for the set. Raises _NotInSets when anything is refused."""
    plan = w.plan
    prepared = [_participant_fields(w.lookups, w.user, plan.participants[key]) for key in keys]
    try:
        participants = participant_services.participants_register_many(
            [participant_services.NewParticipant(municipality, data) for municipality, data, _p, _d in prepared]
        )
        enrollment_services.directors_assign_many(
            [
                (participant, director, _first_day(plan, key))
                for key, participant, (_m, _d, _p, director) in zip(keys, participants, prepared, strict=True)
            ],
            sync_grants=False,  # once for the set, after the enrolments below
        )
    except DomainError as refused:
        raise _NotInSets from refused
    w.allowed.update(access.import_categories_of(w.user, participants))
    programme_ids = {
        w.lookups.programmes[str(plan.enrollments[e].values["programma"]).lower()].pk
        for k in keys
        for e in plan.rows_of(k).enrollments
    }
    phases: dict[int, dict[int, Phase]] = defaultdict(dict)
    groups: dict[tuple[int, str], ProgrammeGroup] = {}
    for phase in Phase.objects.filter(programme_id__in=programme_ids):
        phases[phase.programme_id][phase.position] = phase
    for target_group in ProgrammeGroup.objects.filter(programme_id__in=programme_ids).order_by(
        *(ProgrammeGroup._meta.ordering or ["pk"])  # the group `.first()` would find
    ):
        groups.setdefault((target_group.programme_id, target_group.name.lower()), target_group)
    histories: list[enrollment_services.NewHistory] = []
    written: list[tuple[str, str, list[tuple[tuple, Row, Phase | None]]]] = []  # (enrollment, its row's print, events)
    try:
        for key, participant in zip(keys, participants, strict=True):
            for external_id in plan.rows_of(key).enrollments:
                row = plan.enrollments[external_id]
                v = row.values
                programme = w.lookups.programmes[str(v["programma"]).lower()]
                w.require(participant, Category.TRAJECTORY, row, "programma")
                group: ProgrammeGroup | None = None
                if v["doelgroep"]:
                    group = groups.get((programme.pk, str(v["doelgroep"]).lower()))
                    if group is None:
                        raise _NotInSets
                referred_by = (
                    w.lookups.organisations[str(v["aangemeld_door"]).lower()]
                    if v["aangemeld_door"]
                    else w.user.organisation
                )
                if referred_by is None:
                    raise _NotInSets
                rows = sorted(plan.events.get(external_id, []), key=lambda r: (r.values["datum"], r.number))
                wanted = _wanted(rows, phases[programme.pk])
                for _fact, event_row, _phase in wanted:
                    _event_categories(participant, event_row, w)
                histories.append(
                    enrollment_services.NewHistory(
                        participant=participant,
                        programme=programme,
                        referred_by=referred_by,
                        on=v["aangemeld_op"],
                        group=group,
                        steps=[
                            enrollment_services.Step(
                                event_type=r.values["gebeurtenis"],
                                on=r.values["datum"],
                                note=r.values["notitie"] or "",
                                reason_code=r.values["reden"] or "",
                                phase=phase,
                                outcomes=tuple(r.values["resultaten"] or ()),
                            )
                            for _fact, r, phase in wanted
                        ],
                        tags=list(v["kenmerken"] or []),
                    )
                )
                written.append((external_id, _row_print(v), wanted))
        created = enrollment_services.enrollments_enrol_many(actor=w.user, histories=histories, sync_grants=False)
        enrollment_services.work_grants_sync([participant.pk for participant in participants])
    except (DomainError, _RowError) as refused:
        raise _NotInSets from refused
    organisation_id = w.user.organisation_id or 0
    batch_id = w.batch.pk
    records: list[tuple[int, str, str, int, str, int]] = []

    def record(table: str, external_id: str, object_id: int, print_: str) -> None:
        records.append((organisation_id, table, external_id, object_id, print_, batch_id))

    for key, participant, (_m, _d, print_, _director) in zip(keys, participants, prepared, strict=True):
        record("deelnemers", key, participant.pk, print_)
        w.touched[participant.pk] = participant.uuid
        w.created.add(participant.pk)
        w.outcome.count("deelnemers", NEW)
    for (external_id, print_, wanted), (enrollment, events) in zip(written, created, strict=True):
        record("trajecten", external_id, enrollment.pk, print_)
        w.outcome.count("trajecten", NEW)
        if not wanted:  # a traject without rows in gebeurtenissen
            continue
        for event, (fact, _row, _phase) in zip(events[1:], wanted, strict=True):  # the referral is the service's
            record("gebeurtenis", f"{external_id}#{event.pk}", event.pk, fingerprint({"fact": fact}))
        record("gebeurtenissen", external_id, enrollment.pk, fingerprint({"events": [fact for fact, _r, _p in wanted]}))
        w.outcome.counts.setdefault("gebeurtenissen", {NEW: 0, CHANGED: 0, SAME: 0})[NEW] += len(wanted)
    # the import's own bookkeeping, tens of thousands of rows: written as rows, not model objects; this
    # import never looks these up again (each external id is written once per import)
    bulk.write_rows(
        ImportedRecord, ("organisation_id", "table", "external_id", "object_id", "fingerprint", "batch_id"), records
    )
    try:
        for key, participant in zip(keys, participants, strict=True):
            own = plan.rows_of(key)
            for external_id in own.measurements:
                _measurement(w, participant, external_id, plan.measurements[external_id])
            for external_id in own.contacts:
                _contact(w, participant, external_id, plan.contacts[external_id])
    except (DomainError, _RowError, _RowErrors) as refused:
        raise _NotInSets from refused


def _same_candidates(plan: Plan, keys: list[str]) -> set[str]:
    """The participants whose every row is as an earlier import left it (the same fingerprints),
    so that only the database can still say otherwise (`_confirm_same`)."""

    def same(table: str, external_id: str, values: dict[str, Any]) -> bool:
        record = plan.known.get((table, external_id))
        return record is not None and record.fingerprint == _row_print(values)

    found = set()
    for key in keys:
        row = plan.participants.get(key)
        own = plan.rows_of(key)
        if row is None or not same("deelnemers", key, row.values):
            continue
        if not all(same("trajecten", e, plan.enrollments[e].values) for e in own.enrollments):
            continue
        if not all(("trajecten", e) in plan.known for e in own.other_histories):
            continue
        if not all(same("contacten", c, plan.contacts[c].values) for c in own.contacts):
            continue
        if all(
            (record := plan.known.get(("metingen", m))) is not None
            and record.fingerprint == _measurement_print(plan.measurements[m])
            for m in own.measurements
        ):
            found.add(key)
    return found


def _confirm_same(w: _Writer, keys: list[str]) -> list[str]:
    """Of participants whose rows all match what an earlier import wrote, count those the database
    confirms unchanged (the file, the access policy and the stored histories say what the one-by-one
    path would find: nothing to do), in a handful of queries for the set. Returns the others, which
    go one by one (to be corrected, or to be refused in the words of the services)."""
    plan = w.plan
    participant_ids = {key: plan.known[("deelnemers", key)].object_id for key in keys}
    participants = Participant.objects.only("pk", "uuid", "municipality_id", "account_id").in_bulk(
        participant_ids.values()
    )
    allowed = access.import_categories_of(w.user, participants.values())
    histories = {
        e: plan.known[("trajecten", e)].object_id
        for key in keys
        for e in (*plan.rows_of(key).enrollments, *plan.rows_of(key).other_histories)
    }
    enrollments = {
        pk: (participant_id, programme_id, referred_on)
        for pk, participant_id, programme_id, referred_on in Enrollment.objects.filter(
            pk__in=histories.values()
        ).values_list("pk", "participant_id", "programme_id", "referred_on")
    }
    phases: dict[int, dict[int, Phase]] = defaultdict(dict)
    for phase in Phase.objects.filter(programme_id__in={e[1] for e in enrollments.values()}):
        phases[phase.programme_id][phase.position] = phase
    events: dict[int, list[tuple]] = defaultdict(list)
    voided: set[int] = set()
    for event_id, enrollment_id, kind, on, reason, position, outcomes, target, note, corrects in (
        EnrollmentEvent.objects.filter(enrollment_id__in=enrollments)
        .order_by("enrollment_id", "occurred_on", "id")
        .values_list(
            "id",
            "enrollment_id",
            "event_type",
            "occurred_on",
            "reason_code",
            "phase__position",
            "outcomes",
            "target_programme__code",
            "note",
            "corrects_id",
        )
    ):
        if corrects is not None:
            voided.add(corrects)
        if kind != lifecycle.EventType.CORRECTED:
            fact = _event_fact(kind, on, reason, position, outcomes, (target or "").lower(), note)
            events[enrollment_id].append((event_id, fact))
    imported = set(
        ImportedRecord.objects.filter(
            table="gebeurtenis", object_id__in=[i for own in events.values() for i, _f in own]
        ).values_list("object_id", flat=True)
    )
    others: list[str] = []
    for key in keys:
        participant = participants.get(participant_ids[key])
        row = plan.participants[key]
        own = plan.rows_of(key)
        municipality = w.lookups.municipalities[str(row.values["gemeente"]).lower()]
        may = allowed.get(participant.pk, frozenset()) if participant is not None else frozenset()
        confirmed = (
            participant is not None and Category.IDENTITY in may and participant.municipality_id == municipality.pk
        )
        same_events = 0
        for external_id in (*own.enrollments, *own.other_histories) if confirmed else ():
            enrollment_id = histories[external_id]
            stored = enrollments.get(enrollment_id)
            enrollment_row = plan.enrollments.get(external_id)
            if enrollment_row is not None:
                v = enrollment_row.values
                programme = w.lookups.programmes[str(v["programma"]).lower()]
                if (
                    Category.TRAJECTORY not in may
                    or stored is None
                    or stored[:3] != (participant_ids[key], programme.pk, v["aangemeld_op"])
                ):
                    confirmed = False
                    break
            if stored is None:
                confirmed = False
                break
            rows = sorted(plan.events.get(external_id, []), key=lambda r: (r.values["datum"], r.number))
            if not rows:
                continue
            try:
                wanted = [fact for fact, _row, _phase in _wanted(rows, phases[stored[1]])]
            except _RowError:
                confirmed = False
                break
            kept = [
                fact
                for event_id, fact in events.get(enrollment_id, [])
                if event_id in imported and event_id not in voided
            ]
            if kept != wanted:
                confirmed = False
                break
            same_events += len(wanted)
        if not confirmed or participant is None:
            others.append(key)
            continue
        w.touched[participant.pk] = participant.uuid
        w.outcome.count("deelnemers", SAME)
        for _e in own.enrollments:
            w.outcome.count("trajecten", SAME)
        if same_events:
            w.outcome.counts.setdefault("gebeurtenissen", {NEW: 0, CHANGED: 0, SAME: 0})[SAME] += same_events
        for _m in own.measurements:
            w.outcome.count("metingen", SAME)
        for _c in own.contacts:
            w.outcome.count("contacten", SAME)
    return others


def _write_one_by_one(w: _Writer, key: str) -> None:
    """One participant through the services, in a savepoint: a refusal becomes the problem it names."""
    try:
        with transaction.atomic():
            _write_participant(w, key)
    except _RowErrors as refused:
        w.outcome.problems.extend(refused.problems)
    except _RowError as refused:
        w.outcome.problems.append(refused.row.problem(refused.column, refused.message))
    except DomainError as refused:
        w.outcome.problems.append(Problem("", 0, "deelnemer", f"{key}: {refused.message}"))


def _write_in_sets(w: _Writer, keys: list[str]) -> None:
    """`_write_set`, and when anything in the set is refused, the set again one by one (which then
    reports each problem as it would have without sets). The writer's own bookkeeping is put back."""
    counts = {table: dict(c) for table, c in w.outcome.counts.items()}
    touched, created, allowed, known = dict(w.touched), set(w.created), dict(w.allowed), len(w.plan.known)
    try:
        with transaction.atomic():
            _write_set(w, keys)
    except _NotInSets:
        w.outcome.counts, w.touched, w.created, w.allowed = counts, touched, created, allowed
        for added in list(reversed(w.plan.known))[: len(w.plan.known) - known]:
            del w.plan.known[added]
        for key in keys:
            _write_one_by_one(w, key)


def import_files(
    *,
    user: User,
    files: list[tuple[str, bytes]],
    write: bool,
    max_bytes: int = MAX_BYTES,
    progress: Callable[[int, int], None] | None = None,
    sets: bool = True,
    window: int = SET_SIZE,
) -> ImportOutcome:
    """Read, check and (when `write` and nothing is wrong) write the files; otherwise leave the
    database as it was. Returns what was (or would be) done and every problem found. New
    participants are written in sets (`sets=False`: all one by one, which the tests compare). The
    rows wait on disk (`staging`) and are checked, then written, `window` participants at a time."""
    if not access.may_import(user):
        raise access.Refusal(_("Alleen een klantregisseur of teamleider kan trajecten inlezen."), "import_role")
    outcome = ImportOutcome()
    with staging.Staging() as stage:
        read = reading.read_files(files, max_bytes=max_bytes, staging=stage)
        outcome.encodings = read.encodings
        if read.problems:
            outcome.problems = sorted(set(read.problems))
            return outcome
        lookups = _lookups(user)
        keys, not_in_sets, problems = _check_all(read, stage, user, lookups, window, sets=sets)
        if problems:
            outcome.problems = sorted(set(problems))
            return outcome
        _write_all(user, files, write, stage, lookups, keys, not_in_sets, outcome, progress, sets=sets, window=window)
    outcome.problems = sorted(set(outcome.problems))
    return outcome


def _groups(keys: list[str], window: int) -> Iterable[tuple[int, list[str]]]:
    for start in range(0, len(keys), window):
        yield start, keys[start : start + window]


def _plan_of(stage: staging.Staging, keys: list[str], user: User, lookups: Lookups) -> Plan:
    """One group of participants with all their rows, checked and grouped per participant."""
    plan = Plan(user=user, staged=stage)
    _check_rows(stage.window(keys), plan, lookups)
    index_by_participant(plan)
    return plan


def _check_all(
    read: reading.Reading, stage: staging.Staging, user: User, lookups: Lookups, window: int, *, sets: bool
) -> tuple[list[str], set[str], list[Problem]]:
    """Every row checked, group by group, before anything is written: the participants in the
    order of their first row, those that may not go in sets, and every problem."""
    problems = list(read.value_problems)  # each cell was parsed as it was read
    stage.settle(lambda trajects: _owners_known_before(user, trajects))
    _learn_known(stage, user.organisation_id or 0)
    for table in ("deelnemers", "trajecten", "contacten"):  # ids unique across groups too
        for file, number, first in stage.duplicates(table):
            problems.append(
                Problem(file, number, "extern_id", _("Dit externe id staat ook in rij %(row)s.", row=first))
            )
    keys = stage.participants()
    same_people = _SamePeople(lookups, user)
    for _start, part in _groups(keys, window):
        plan = _plan_of(stage, part, user, lookups)
        problems.extend(plan.problems)
        if sets and not problems:  # with problems nothing is written: no need to compare people
            same_people.see(plan, part)
    ownerless = Plan(user=user, staged=stage)  # events of trajecten nobody knows
    _check_rows(stage.ownerless(), ownerless, lookups)
    problems.extend(ownerless.problems)
    return keys, same_people.not_in_sets() if sets and not problems else set(), problems


def _owners_known_before(user: User, trajects: list[str]) -> dict[str, str]:
    """Whose each traject imported before is (its participant's external id), in three queries."""
    organisation_id = user.organisation_id or 0
    enrollments = dict(
        ImportedRecord.objects.filter(
            organisation_id=organisation_id, table="trajecten", external_id__in=trajects
        ).values_list("object_id", "external_id")
    )
    participant_of = dict(Enrollment.objects.filter(pk__in=enrollments).values_list("pk", "participant_id"))
    external_of = dict(
        ImportedRecord.objects.filter(
            organisation_id=organisation_id, table="deelnemers", object_id__in=set(participant_of.values())
        ).values_list("object_id", "external_id")
    )
    owners = {}
    for enrollment_pk, traject in enrollments.items():
        owner = external_of.get(participant_of.get(enrollment_pk, 0))
        if owner is not None:
            owners[traject] = owner
    return owners


def _write_all(
    user: User,
    files: list[tuple[str, bytes]],
    write: bool,
    stage: staging.Staging,
    lookups: Lookups,
    keys: list[str],
    not_in_sets: set[str],
    outcome: ImportOutcome,
    progress: Callable[[int, int], None] | None,
    *,
    sets: bool,
    window: int,
) -> None:
    """Write the checked rows group by group in one transaction; roll it back for a preview, the
    same files again, or any problem the services find."""
    writer: _Writer | None = None
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                organisation_id=user.organisation_id or 0,
                imported_by=user,
                files=[{"naam": name, "sha256": hashlib.sha256(data).hexdigest()} for name, data in files],
            )
            writer = _Writer(user, Plan(user=user, staged=stage), lookups, outcome, batch)
            for start, part in _groups(keys, window):
                writer.plan = _plan_of(stage, part, user, lookups)
                _write_group(writer, part, start, len(keys), not_in_sets, progress, sets=sets)
            series_refresh(writer.measured)  # once for the file, in the same transaction
            outcome.participants = len(writer.touched)
            changed = any(c[NEW] or c[CHANGED] for c in outcome.counts.values())
            if outcome.problems or not write or not changed:
                raise _Rollback  # refused, a preview, or the same file again: nothing to keep
            batch.counts = outcome.counts
            batch.participant_count = len(writer.touched)
            batch.save(update_fields=["counts", "participant_count"])
            access.record_import(
                user,
                participant_uuids=writer.touched.values(),
                batch=str(batch.uuid),
                written=True,
                detail={"bestanden": [f["naam"] for f in batch.files], "aantallen": outcome.counts},
            )
            outcome.written, outcome.batch = True, batch
    except _Rollback:
        if not outcome.problems and writer is not None:  # a look at the files it matched
            access.record_import(
                user,
                participant_uuids=[u for pk, u in writer.touched.items() if pk not in writer.created],
                batch="",
                written=False,
                detail={"bestanden": [name for name, _d in files], "aantallen": outcome.counts, "voorbeeld": not write},
            )


def _write_group(
    writer: _Writer,
    keys: list[str],
    before: int,
    total: int,
    not_in_sets: set[str],
    progress: Callable[[int, int], None] | None,
    *,
    sets: bool,
) -> None:
    """One group's participants: new ones in sets, those as imported before confirmed in sets, the
    rest one by one (the writer's plan holds this group)."""
    plan = writer.plan
    in_sets = _eligible_for_sets(plan, keys) - not_in_sets if sets else set()
    same = _same_candidates(plan, keys) if sets else set()
    pending: list[str] = []  # participants of one kind (new, or as imported before) in a row

    def flush(done: int) -> None:
        if not pending:
            return
        if pending[0] in in_sets:
            _write_in_sets(writer, pending)
        else:
            for key in _confirm_same(writer, pending):
                _write_one_by_one(writer, key)
        pending.clear()
        if progress is not None:
            progress(done, total)

    for done, key in enumerate(keys, start=before + 1):
        if key in in_sets or key in same:
            if pending and (pending[0] in in_sets) != (key in in_sets):
                flush(done - 1)
            pending.append(key)
            if len(pending) >= SET_SIZE:
                flush(done)
            continue
        flush(done - 1)
        _write_one_by_one(writer, key)
        if progress is not None:
            progress(done, total)
    flush(before + len(keys))
