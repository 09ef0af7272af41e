"""Studies and their pseudonymised extracts (ADR 0018): an evaluator asks, the privacy officer
decides, and only an approved study yields an extract: keyed pseudonyms with the study's own
secret, birth year instead of date, months instead of days, codes instead of words, no names, BSN
or free text, and quasi-identifiers generalised until every combination occurs at least five times.
Every request, decision and extract is audited; an extract names the participants it holds."""

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from openpyxl import Workbook

from doorstroom.access import policy as access
from doorstroom.core import clock, replica
from doorstroom.core.crypto import decrypt, encrypt
from doorstroom.core.errors import DomainError, raise_all
from doorstroom.core.messages import _
from doorstroom.enrollments.models import Enrollment
from doorstroom.monitoring import rules as history_rules
from doorstroom.monitoring import selectors as report_selectors
from doorstroom.monitoring.exports import neutralised
from doorstroom.organisations.models import User
from doorstroom.participants.models import Participant
from doorstroom.programmes.models import Programme, reason_catalogue

from . import rules
from .models import Study, StudyExtract, StudyState

#: The extract's columns and what they hold (the codebook).
CODEBOOK: list[tuple[str, str]] = [
    (
        "deelnemer",
        _("Pseudoniem van de deelnemer: gelijk in elke levering van dit onderzoek, anders in elk ander onderzoek."),
    ),
    ("traject", _("Pseudoniem van het traject (inschrijving).")),
    ("geboortejaar", _("Geboortejaar; waar nodig een groep van 5 of 10 jaar, of * (zie veralgemening).")),
    ("geslacht", _("Niet vastgelegd in Doorstroom; altijd leeg.")),
    ("postcode4", _("Niet vastgelegd in Doorstroom; altijd leeg.")),
    ("gemeente", _("Gemeente van de deelnemer, of *.")),
    (
        "verblijfsstatus",
        _(
            "nederlander, eu, asiel, regulier, procedure, geen, onbekend; of samengevoegd: "
            "nl_eu, vergunning, overig; of *."
        ),
    ),
    ("programma", _("Code van het programma, of *.")),
    ("aangemeld", _("Maand van aanmelding (JJJJ-MM).")),
    ("gestart", _("Maand van de start, leeg als niet gestart.")),
    ("geeindigd", _("Maand van het einde, leeg als het traject op de peildatum loopt.")),
    (
        "stand",
        _(
            "Stand op de peildatum: aangemeld, intake, actief, gepauzeerd, afgerond, uitgevallen, "
            "niet_gestart, overgedragen, administratief_afgesloten."
        ),
    ),
    (
        "reden",
        _(
            "Code van de reden van het einde, alleen als die over het traject gaat; 'beschermd' als de "
            "reden gezondheid, schulden of justitie raakt."
        ),
    ),
    ("resultaten", _("Codes van de positieve resultaten bij afronden, gescheiden door |.")),
    ("doorgestroomd", _("1 als het traject afrondde met minstens één positief resultaat, anders 0.")),
    ("actieve_weken", _("Weken tussen start en einde (of peildatum), zonder pauzes; één decimaal.")),
    ("gepauzeerde_weken", _("Weken in pauze tot de peildatum; één decimaal.")),
    ("begeleidingsuren", _("Uren gehouden contact tussen start en einde (of peildatum); één decimaal.")),
    ("kenmerken", _("Codes van de kenmerken van de werkwijze, gescheiden door |.")),
]


def _check_request(
    *, title: str, purpose: str, programmes: list[Programme], period_from: date, period_until: date
) -> None:
    errors = []
    if not title.strip():
        errors.append(DomainError(_("Geef het onderzoek een titel."), field="title"))
    if len(purpose.strip()) < 20:
        errors.append(
            DomainError(_("Beschrijf doel en vraag van het onderzoek (minstens 20 tekens)."), field="purpose")
        )
    if not programmes:
        errors.append(DomainError(_("Kies minstens één programma."), field="programmes"))
    if period_until < period_from:
        errors.append(DomainError(_("De periode eindigt voor ze begint."), field="period_until"))
    if period_from > clock.today():
        errors.append(DomainError(_("De periode begint in de toekomst."), field="period_from"))
    raise_all(errors)


@transaction.atomic
def study_request(
    *, user: User, title: str, purpose: str, programmes: list[Programme], period_from: date, period_until: date
) -> Study:
    if not access.may_request_study(user):
        raise access.Refusal(_("Alleen een onderzoeker of projectleider vraagt een onderzoek aan."), "role_ceiling")
    _check_request(
        title=title, purpose=purpose, programmes=programmes, period_from=period_from, period_until=period_until
    )
    assert user.organisation is not None  # may_request_study
    study = Study.objects.create(
        title=title.strip(),
        purpose=purpose.strip(),
        period_from=period_from,
        period_until=period_until,
        requested_by=user,
        organisation=user.organisation,
        secret=encrypt(secrets.token_hex(32)),
    )
    study.programmes.set(programmes)
    access.record_study(user, what="study_request", study=str(study.uuid))
    return study


@transaction.atomic
def study_decide(*, user: User, study: Study, approve: bool, note: str = "") -> Study:
    """The privacy officer approves or declines a requested study (once; a second answer names who
    answered first)."""
    locked = Study.objects.select_for_update().get(pk=study.pk)
    if not access.study_deciders_allowed(user, locked.requested_by):
        raise access.Refusal(_("Alleen de privacyfunctionaris besluit over dit onderzoek."), "role_ceiling")
    if locked.state != StudyState.REQUESTED:
        who = locked.decided_by.get_full_name() if locked.decided_by else ""
        raise DomainError(
            _("Over dit onderzoek is al besloten door %(name)s.", name=who), field="state", code="conflict"
        )
    if not approve and len(note.strip()) < 5:
        raise DomainError(_("Geef aan waarom het onderzoek wordt afgewezen."), field="note")
    locked.state = StudyState.APPROVED if approve else StudyState.DECLINED
    locked.decided_by, locked.decided_at, locked.decision_note = user, timezone.now(), note.strip()
    locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    access.record_study(user, what="study_decision", study=str(locked.uuid), detail={"besluit": locked.state})
    return locked


@dataclass
class Extract:
    rows: list[dict[str, str]]
    left_out: int
    generalised: dict[str, int]
    on: date


def _month(value: date | None) -> str:
    return value.strftime("%Y-%m") if value else ""


def extract_rows(study: Study, *, on: date | None = None) -> Extract:
    """The study's rows, pseudonymised and generalised (nothing stored, nothing audited: see
    `study_extract`)."""
    on = on or clock.today()
    secret = bytes.fromhex(decrypt(study.secret))
    programme_ids = tuple(study.programmes.values_list("pk", flat=True))
    parameters = report_selectors.ReportParameters(
        on=on, programme_ids=programme_ids, period_from=study.period_from, period_until=study.period_until, whole=False
    )
    cohort = report_selectors.cohort(access.study_enrollments(study.requested_by), parameters)
    enrollment_ids = [h.enrollment_id for h in cohort.histories]
    uuids = dict(Enrollment.objects.filter(pk__in=enrollment_ids).values_list("pk", "uuid"))
    people = {
        pk: (uuid, born, municipality, status)
        for pk, uuid, born, municipality, status in Participant.objects.filter(
            pk__in={h.participant_id for h in cohort.histories}
        ).values_list("pk", "uuid", "date_of_birth", "municipality__name", "residence_status")
    }
    codes = dict(Programme.objects.filter(pk__in=programme_ids).values_list("pk", "code"))
    raw = []
    for h in cohort.histories:
        uuid, born, municipality, status = people[h.participant_id]
        reason = ""
        if h.ending_reason:
            category = reason_catalogue().category(h.ending, h.ending_reason)
            reason = h.ending_reason if category in access.BASELINE else "beschermd"
        raw.append(
            {
                "deelnemer": rules.pseudonym(secret, "deelnemer", str(uuid)),
                "traject": rules.pseudonym(secret, "traject", str(uuids[h.enrollment_id])),
                "geboortejaar": str(born.year),
                "geslacht": "",
                "postcode4": "",
                "gemeente": municipality,
                "verblijfsstatus": status,
                "programma": codes.get(h.programme_id, ""),
                "aangemeld": _month(h.referred_on),
                "gestart": _month(h.started_on),
                "geeindigd": _month(h.ended_on),
                "stand": h.state,
                "reden": reason,
                "resultaten": "|".join(sorted(h.outcomes)),
                "doorgestroomd": "1" if h.with_outcome else "0",
                "actieve_weken": f"{history_rules.active_days(h, on) / 7:.1f}" if h.started_on else "",
                "gepauzeerde_weken": f"{_paused_weeks(h, on):.1f}",
                "begeleidingsuren": f"{cohort.guidance_minutes.get(h.enrollment_id, 0) / 60:.1f}",
                "kenmerken": "|".join(sorted(h.tags)),
                "_participant": str(uuid),
            }
        )
    generalised = rules.generalise(raw)
    return Extract(generalised.rows, generalised.left_out, dict(generalised.steps_used), on)


def _paused_weeks(h: history_rules.History, on: date) -> float:
    if h.referred_on is None:
        return 0.0
    until = min(h.ended_on, on) if h.ended_on else on
    return history_rules.paused_days(h.pauses, h.referred_on, until) / 7


@transaction.atomic
def study_extract(*, user: User, study: Study, file_format: str = "xlsx") -> tuple[bytes, str]:
    """Make the extract of an approved study for its requester (or a colleague of the same role
    and organisation): the file and its name. Audited with every participant it holds."""
    if study.state != StudyState.APPROVED:
        raise DomainError(_("Dit onderzoek is (nog) niet goedgekeurd door de privacyfunctionaris."), field="state")
    if not (
        access.may_request_study(user)
        and user.organisation_id == study.organisation_id
        and user.role == study.requested_by.role
    ):
        raise access.Refusal(
            _("Alleen de aanvrager of een collega met dezelfde rol haalt de levering op."), "role_ceiling"
        )
    with replica.reads_from_replica():  # the rows of an approved study: read where reports read
        extract = extract_rows(study)
    participants = sorted({row.pop("_participant") for row in extract.rows})
    content = _xlsx(study, extract) if file_format == "xlsx" else _csv(extract)
    digest = hashlib.sha256(content).hexdigest()
    made = StudyExtract.objects.create(
        study=study, made_by=user, rows=len(extract.rows), left_out=extract.left_out, sha256=digest
    )
    access.record_study(
        user,
        what="study_extract",
        study=str(study.uuid),
        participants=participants,
        detail={"rijen": len(extract.rows), "weggelaten": extract.left_out, "levering": str(made.uuid)},
    )
    name = f"onderzoek-{study.uuid.hex[:8]}-{extract.on:%Y%m%d}.{file_format}"
    return content, name


def codebook(study: Study, extract: Extract | None = None) -> list[list[str]]:
    """The codebook: the study, the rules the extract follows, and every column."""
    lines = [
        [str(_("Onderzoek")), study.title],
        [str(_("Programma's")), ", ".join(study.programmes.values_list("code", flat=True))],
        [str(_("Aangemeld in")), f"{study.period_from:%Y-%m-%d} – {study.period_until:%Y-%m-%d}"],
        [
            str(_("Pseudoniemen")),
            str(_("Sleutel-hash (HMAC-SHA256) met een geheim van dit onderzoek; niet terug te rekenen.")),
        ],
        [
            str(_("Veralgemening")),
            str(
                _(
                    "Elke combinatie van geboortejaar, geslacht, postcode4, gemeente, verblijfsstatus en "
                    "programma komt minstens 5 keer voor."
                )
            ),
        ],
    ]
    if extract is not None:
        lines.append([str(_("Peildatum")), f"{extract.on:%Y-%m-%d}"])
        lines.append([str(_("Rijen weggelaten (bleven uniek)")), str(extract.left_out)])
        for column, count in sorted(extract.generalised.items()):
            lines.append([str(_("Veralgemeend: %(column)s", column=column)), str(count)])
    lines.append([])
    lines.append([str(_("Kolom")), str(_("Betekenis"))])
    lines += [[column, str(meaning)] for column, meaning in CODEBOOK]
    return lines


def _xlsx(study: Study, extract: Extract) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "levering"
    columns = [c for c, _m in CODEBOOK]
    sheet.append(columns)
    for row in extract.rows:
        sheet.append([_typed(column, row[column]) for column in columns])
    book_sheet = book.create_sheet("codeboek")
    for line in codebook(study, extract):
        book_sheet.append([neutralised(cell) for cell in line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed(column: str, value: str) -> Any:
    if column in ("actieve_weken", "gepauzeerde_weken", "begeleidingsuren") and value:
        return float(value)
    if column == "doorgestroomd":
        return int(value)
    return neutralised(value)


def _csv(extract: Extract) -> bytes:
    out = io.StringIO()
    columns = [c for c, _m in CODEBOOK]
    writer = csv.writer(out, delimiter=";")
    writer.writerow(columns)
    for row in extract.rows:
        writer.writerow([neutralised(row[c]) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
