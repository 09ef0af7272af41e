"""Writing and verifying the audit log.

Every access decision about personal data passes `record`, which appends one event (plus its
subjects) to an HMAC chain: hash = HMAC(key, prev_hash + canonical fields + subjects). A request's
context (channel, route, client address) comes from `AuditContextMiddleware`. If the write fails the
exception propagates: the caller gets no personal data (fail closed).
"""

import contextvars
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone

from doorstroom.core import metrics, per_request, prepared, shown
from doorstroom.core.errors import service_unavailable
from doorstroom.organisations.models import User

from . import checkpoints
from .models import AuditAction, AuditChainHead, AuditEvent, AuditResult, AuditSubject

GENESIS = "0" * 64


def genesis(lane: int) -> str:
    """Where a lane's chain starts: lane 1 where the single chain always started; every other lane
    somewhere of its own, so two lanes' first rows never share a hash even when their content does."""
    return GENESIS if lane == 1 else hashlib.sha256(f"doorstroom-audit-lane-{lane}".encode()).hexdigest()


class AuditUnavailable(Exception):
    """The audit log could not be written: no personal data may be returned (fail closed)."""


CHAINED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "organisation_id",
    "organisation_name",
    "on_behalf_of",
    "action",
    "result",
    "object_type",
    "object_id",
    "categories",
    "purpose",
    "legal_basis",
    "break_glass",
    "channel",
    "route",
    "origin",
    "subject_count",
)


@dataclass(frozen=True)
class RequestContext:
    channel: str = "command"
    route: str = ""
    origin: str = ""


COMMAND_CONTEXT = RequestContext()
_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "audit_context",
    default=COMMAND_CONTEXT,  # noqa: B039 - frozen dataclass, immutable
)


@dataclass
class PendingAccess:
    """An allowed access to a file whose row waits until the request knows what it did: a read
    until the redaction has said which categories it showed, a change until data is actually
    written (then in the same transaction as the write) — a refused save is a look, not a change."""

    participant_pk: int | None
    entry: dict[str, Any]
    change: bool
    categories: set[str]
    written: bool = False
    event_id: int | None = None  # the change row written inside the write's transaction
    settled: bool = False  # its change row was found committed: a later flush need not ask again


_pending: contextvars.ContextVar[list[PendingAccess] | None] = contextvars.ContextVar("audit_pending", default=None)
_method: contextvars.ContextVar[str] = contextvars.ContextVar("audit_request_method", default="GET")
_writing: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_writing", default=False)

#: tables whose writes are not a change of a participant's file (the session, the audit log itself)
_NOT_FILE_DATA = ("django_session", "access_audit", "otp_", "django_admin_log")
_WRITES = ("INSERT", "UPDATE", "DELETE")


def record_access(*, participant_pk: int | None, change: bool, **entry: Any) -> None:
    """An allowed access to one file: written at once outside a request; inside one, held until the
    request knows what it showed or wrote (see `PendingAccess`)."""
    pending = _pending.get()
    if pending is None:
        record(**entry)
        return
    pending.append(PendingAccess(participant_pk, entry, change, set(entry.get("categories", ()))))


def note_shown(participant_pk: int | None, category: str) -> None:
    """The redaction showed `category` of this participant's file in the current request."""
    shown.mark(participant_pk, category)  # also for a replay of this answer (core.idempotency)
    for access in _pending.get() or ():
        if access.participant_pk == participant_pk and not access.written:
            access.categories.add(category)


def _write(access: PendingAccess, savepoint: bool = True, **overrides: Any) -> AuditEvent:
    entry = dict(access.entry, categories=sorted(access.categories), **overrides)
    token = _writing.set(True)
    try:
        event = record(**entry, savepoint=savepoint)
    finally:
        _writing.reset(token)
    access.written = True
    return event


def flush_changes() -> None:
    """Data is being written: the waiting change rows go first, in the same transaction."""
    for access in _pending.get() or ():
        if access.change and not access.written:
            access.event_id = _write(access, savepoint=False).pk


def flush() -> None:
    """The request is about to answer: every waiting row is written. A change that wrote nothing is
    not logged as a change: a form shown (GET) is a look; a save that was refused, or whose write
    was rolled back, is a change "niet opgeslagen" — and that row survives the rollback."""
    pending = _pending.get() or ()
    rolled_back = set()
    written_changes = [a.event_id for a in pending if a.event_id is not None and not a.settled]
    if written_changes:
        kept = {pk for (pk,) in prepared.rows("audit.kept", _kept, written_changes)}
        rolled_back = {pk for pk in written_changes if pk not in kept}
        if not connection.in_atomic_block:  # committed: what is there now stays there
            for access in pending:
                access.settled = access.event_id in kept
    for access in pending:
        if access.event_id is not None and access.event_id in rolled_back:
            access.written, access.event_id = False, None
            _write(access, result=AuditResult.NOT_SAVED)
        elif not access.written and access.change:
            if _method.get() in ("GET", "HEAD", "OPTIONS"):
                _write(access, action=AuditAction.READ)
            else:
                _write(access, result=AuditResult.NOT_SAVED)
        elif not access.written:
            _write(access)


def _kept(ids: list[int]) -> QuerySet[AuditEvent, tuple[int]]:
    return AuditEvent.objects.filter(pk__in=ids).values_list("pk")


def _watch_writes(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    if not _writing.get() and sql.lstrip()[:6].upper() in _WRITES:
        pending = _pending.get() or ()
        if any(a.change and not a.written for a in pending) and not any(t in sql for t in _NOT_FILE_DATA):
            flush_changes()
    return execute(sql, params, many, context)


AUDIT_GONE = (
    "Doorstroom kan op dit moment niet vastleggen wie gegevens inziet; daarom tonen we niets. "
    "Probeer het later opnieuw."
)


def _unavailable(request: Any = None) -> HttpResponse:
    """503: no answer with data while the audit log cannot be written (in the API's error format there)."""
    return service_unavailable(request, AUDIT_GONE, "audit_unavailable")


SAVED_BUT_WITHHELD = (
    "Uw wijziging is opgeslagen, maar Doorstroom kan nu niet vastleggen wie het antwoord ziet; daarom tonen "
    "we het niet. Stuur het verzoek niet nog eens (of alleen met dezelfde Idempotency-Key)."
)


def _withheld(request: Any, response: Any) -> HttpResponse:
    """The audit rows after a committed change could not be written (the database went away after the
    commit): the change is stored with its own audit row, the answer is withheld, and the reader is
    told it was stored, so that a retry does not do it twice."""
    if response.status_code == 503:  # already answered so, before the template was rendered
        return response
    changed = any(a.change and a.event_id is not None for a in _pending.get() or ())
    if not (changed and 200 <= response.status_code < 300 and request.method not in ("GET", "HEAD", "OPTIONS")):
        return _unavailable(request)
    return service_unavailable(request, SAVED_BUT_WITHHELD, "saved_answer_withheld")


class AuditContextMiddleware:
    """Tells the audit log through which channel and route the current request came, and writes the
    request's access rows when it knows what it showed (before the answer is rendered) or the moment
    it writes data (in the same transaction). A failed audit write means no answer with data."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request):  # type: ignore[no-untyped-def]
        from django.db import connection

        channel = "api" if request.path.startswith("/api/") else "page"
        token = _context.set(RequestContext(channel=channel, origin=request.META.get("REMOTE_ADDR", "")))
        pending_token = _pending.set([])
        method_token = _method.set(request.method or "GET")
        try:
            with connection.execute_wrapper(_watch_writes), per_request.remembering():
                response = self.get_response(request)
            try:
                flush()
            except (AuditUnavailable, DatabaseError):
                return _withheld(request, response)
            return response
        finally:
            _method.reset(method_token)
            _pending.reset(pending_token)
            _context.reset(token)

    def process_template_response(self, request, response):  # type: ignore[no-untyped-def]
        from django.template import engines
        from django.template.response import SimpleTemplateResponse

        try:
            flush()
        except (AuditUnavailable, DatabaseError):
            unavailable = _withheld(request, response)
            return SimpleTemplateResponse(
                engines["django"].from_string(unavailable.content.decode()),
                status=503,
                content_type=unavailable["Content-Type"],
            )  # a template response, since Django renders what this hook returns
        return response

    def process_exception(self, request, exception):  # type: ignore[no-untyped-def]
        if isinstance(exception, AuditUnavailable):
            return _unavailable(request)
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):  # type: ignore[no-untyped-def]
        current = _context.get()
        route = request.resolver_match.view_name if request.resolver_match else ""
        _context.set(RequestContext(channel=current.channel, route=route[:100], origin=current.origin))


def _key() -> bytes:
    return (getattr(settings, "DOORSTROOM_AUDIT_KEY", "") or settings.SECRET_KEY).encode()


def _canonical(values: dict[str, Any], subjects: Iterable[str]) -> bytes:
    data = {name: values[name] for name in CHAINED_FIELDS}
    data["occurred_at"] = values["occurred_at"].isoformat()
    data["subjects"] = sorted(subjects)
    if values.get("detail") is not None:  # rows from before the field existed verify as they were
        data["detail"] = values["detail"]
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()


def chain_hash(prev_hash: str, values: dict[str, Any], subjects: Iterable[str]) -> str:
    return hmac.new(_key(), prev_hash.encode() + _canonical(values, subjects), hashlib.sha256).hexdigest()


def record(
    *,
    user: User | None,
    action: str,
    result: str,
    object_type: str,
    object_id: str = "",
    participants: Iterable[str] = (),
    categories: Iterable[str] = (),
    purpose: str = "",
    legal_basis: str = "",
    break_glass: bool = False,
    detail: dict[str, Any] | None = None,
    savepoint: bool = True,
) -> AuditEvent:
    """Append one event to the chain (in its own atomic block; raises if the database refuses).
    `savepoint=False` for a change row written with its change: if the row is refused the change
    must fail with it, so the savepoint's two round trips buy nothing (ADR 0026)."""
    subjects = sorted({str(p) for p in participants})
    context = _context.get()
    organisation = getattr(user, "organisation", None) if user is not None else None
    values: dict[str, Any] = {
        "occurred_at": timezone.now().replace(microsecond=0),
        "actor_id": user.pk if user is not None and user.pk else None,
        "actor_username": user.get_username() if user is not None and user.pk else "",
        "actor_role": getattr(user, "role", "") or "",
        "organisation_id": organisation.pk if organisation is not None else None,
        "organisation_name": organisation.name if organisation is not None else "",
        "on_behalf_of": "",
        "action": action,
        "result": result,
        "object_type": object_type,
        "object_id": str(object_id)[:64],
        "categories": sorted(set(categories)),
        "purpose": purpose,
        "legal_basis": legal_basis,
        "break_glass": break_glass,
        "channel": context.channel,
        "route": context.route,
        "origin": context.origin[:64],
        "subject_count": len(subjects),
        "detail": detail,
    }
    try:
        outer = connection.in_atomic_block
        with transaction.atomic(savepoint=savepoint):
            head = _take_lane(_lane_held() if outer else None)
            if outer:  # the transaction's further rows go to the lane it already holds
                _hold_lane(head.pk)
            digest = chain_hash(head.last_hash, values, subjects)
            event = AuditEvent(lane=head.pk, prev_hash=head.last_hash, hash=digest, **values)
            _append(event, subjects, head.length + 1)
            head.last_hash = digest
            head.length += 1
            lane, length = head.pk, head.length
            transaction.on_commit(lambda: checkpoints.after_append(length, digest, lane=lane))
            transaction.on_commit(metrics.AUDIT_WRITES.inc)  # counted once it is really there
    except DatabaseError as refused:
        raise AuditUnavailable(str(refused)) from refused
    return event


def _append(event: AuditEvent, subjects: list[str], length: int) -> None:
    """Insert the row and its subjects and move its lane's head as plain statements (every read of
    a file writes one, and the ORM's save path cost a file page about 2 ms of building, ADR 0022);
    on PostgreSQL as one statement, a round trip instead of three (ADR 0026). The values go through
    each field's own preparation, as a save would."""
    params = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in _EVENT_FIELDS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_APPEND_AT_ONCE, [*params, subjects, event.hash, length, event.lane])
            event.pk = cursor.fetchone()[0]
        else:
            cursor.execute(_EVENT_INSERT, params)
            event.pk = cursor.fetchone()[0]
            if subjects:
                cursor.executemany(_SUBJECTS_INSERT, [(event.pk, subject) for subject in subjects])
            cursor.execute(_HEAD_UPDATE, [event.hash, length, event.lane])
    event._state.adding = False
    event._state.db = connection.alias


_EVENT_FIELDS = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
_q = connection.ops.quote_name
_EVENT_COLUMNS = ", ".join(_q(f.column or f.name) for f in _EVENT_FIELDS)
_EVENT_INSERT = (
    f"INSERT INTO {_q(AuditEvent._meta.db_table)} ({_EVENT_COLUMNS}) "  # noqa: S608  # nosec B608
    f"VALUES ({', '.join(['%s'] * len(_EVENT_FIELDS))}) RETURNING {_q('id')}"
)
_SUBJECT_COLUMNS = f"{_q('event_id')}, {_q('participant_uuid')}"
_SUBJECTS_INSERT = f"INSERT INTO {_q(AuditSubject._meta.db_table)} ({_SUBJECT_COLUMNS}) VALUES (%s, %s)"  # noqa: S608  # nosec B608
_HEAD_UPDATE = f"UPDATE {_q(AuditChainHead._meta.db_table)} SET last_hash = %s, length = %s WHERE id = %s"  # noqa: S608  # nosec B608
#: PostgreSQL runs every data-modifying part of a WITH exactly once, whether or not the query reads it
_APPEND_AT_ONCE = (  # table and column names from the models only
    f"WITH event AS ({_EVENT_INSERT}), "  # noqa: S608  # nosec B608
    f"subjects AS (INSERT INTO {_q(AuditSubject._meta.db_table)} ({_SUBJECT_COLUMNS}) "
    "SELECT event.id, unnest(%s::varchar[]) FROM event), "
    f"head AS ({_HEAD_UPDATE}) SELECT id FROM event"
)


def lane_count() -> int:
    """How many lanes writers spread over: one on SQLite (it has one writer at a time anyway)."""
    return max(1, int(settings.DOORSTROOM_AUDIT_LANES)) if connection.vendor == "postgresql" else 1


def ensure_lanes() -> None:
    """Make the heads of all lanes (the migration does; a lane added later by the setting is made
    on first use, when its first writer may wait once for another that is making it too)."""
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=n, last_hash=genesis(n), length=0) for n in range(1, lane_count() + 1)],
        ignore_conflicts=True,
    )


def _new_head(lane: int) -> AuditChainHead:
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(
        pk=lane, defaults={"last_hash": genesis(lane), "length": 0}
    )
    return head


def _hold_lane(lane: int) -> None:
    # Kept with the transaction's list of commit hooks, which Django replaces when a transaction
    # commits or rolls back: a lane kept on the outer atomic block itself outlived its transaction
    # when that block was a service's `@transaction.atomic` (one object for every call), so every
    # later write through that service queued for the same lane instead of taking a free one.
    connection._doorstroom_audit_lane = (connection.run_on_commit, lane)  # type: ignore[attr-defined]


def _lane_held() -> int | None:
    """The lane this transaction already appended to, if any."""
    held = getattr(connection, "_doorstroom_audit_lane", None)
    return held[1] if held is not None and held[0] is connection.run_on_commit else None


def _take_lane(held: int | None) -> AuditChainHead:
    """Lock the head of a lane to append to: the lane this transaction already holds; else the
    first lane no other writer holds (SKIP LOCKED: no waiting); only when every lane is busy, wait
    for one (chosen by process, so waiting writers spread)."""
    lanes = lane_count()
    if held is not None:
        return _new_head(held)
    if lanes == 1:
        return _new_head(1)
    for _attempt in range(2):
        free = prepared.instances("audit.free_lane", _free_lane, range(1, lanes + 1))
        if free:
            return free[0]
        if AuditChainHead.objects.filter(pk__lte=lanes).count() == lanes:
            break  # all there and all busy
        ensure_lanes()
    return _new_head(os.getpid() % lanes + 1)


def _free_lane(lanes: list[int]) -> QuerySet[AuditChainHead]:
    """The first of these lanes no other writer holds (compiled once: every read of a file asks)."""
    return AuditChainHead.objects.select_for_update(skip_locked=True).filter(pk__in=lanes).order_by("pk")[:1]


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None  # id of the first event that does not verify
    reason: str = ""
    #: per lane: (rows, last hash) of what was verified
    tails: dict[int, tuple[int, str]] = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_rows(rows: Iterable[dict[str, Any]], subjects: dict[int, list[str]]) -> ChainReport:
    """Recompute every link of rows in id order, each lane a chain of its own: an edited, deleted,
    inserted, moved or re-laned row breaks it."""
    tails: dict[int, tuple[int, str]] = {}
    checked = 0
    for row in rows:
        checked += 1
        lane = int(row.get("lane", 1))
        count, previous = tails.get(lane, (0, genesis(lane)))
        if row["prev_hash"] != previous:
            return ChainReport(checked, row["id"], "de keten is onderbroken (regel ontbreekt of is verplaatst)")
        if chain_hash(previous, row, subjects.get(row["id"], [])) != row["hash"]:
            return ChainReport(checked, row["id"], "de inhoud van de regel is gewijzigd")
        tails[lane] = (count + 1, row["hash"])
    return ChainReport(checked, None, tails=tails)


def verify_chain(checkpoint: "checkpoints.Checkpoint | None" = None) -> ChainReport:
    """Verify the stored chain: every link of every lane, each lane's head (hash and length), and
    that each lane still holds its latest signed checkpoint kept outside the database (a removed
    tail, a wiped log or a reset head cannot hide behind a consistent-looking database). A given
    `checkpoint` replaces the file's for its lane."""
    latest = checkpoints.latest_by_lane()
    if checkpoint is not None:
        latest[checkpoint.lane] = checkpoint
    subjects: dict[int, list[str]] = {}
    for event_id, participant_uuid in AuditSubject.objects.values_list("event_id", "participant_uuid").iterator():
        subjects.setdefault(event_id, []).append(participant_uuid)
    rows = (
        AuditEvent.objects.order_by("id")
        .values("id", "lane", "prev_hash", "hash", "detail", *CHAINED_FIELDS)
        .iterator()
    )
    at_checkpoint: dict[int, str] = {}
    positions: dict[int, int] = {}

    def watched(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            lane = row["lane"]
            positions[lane] = positions.get(lane, 0) + 1
            mark = latest.get(lane)
            if mark is not None and positions[lane] == mark.length:
                at_checkpoint[lane] = row["hash"]
            yield row

    report = verify_rows(watched(rows), subjects)
    if not report.intact:
        return report
    heads = {head.pk: head for head in AuditChainHead.objects.all()}
    for lane in sorted(set(heads) | set(report.tails)):
        rows_in_lane, last = report.tails.get(lane, (0, genesis(lane)))
        head = heads.get(lane)
        if head is None and rows_in_lane:
            return ChainReport(report.checked, -1, f"baan {lane} van het auditlog heeft geen kop")
        if head is not None and (head.last_hash != last or head.length != rows_in_lane):
            return ChainReport(report.checked, -1, "de laatste regels ontbreken")
    for lane, mark in sorted(latest.items()):
        if mark.length <= 0:
            continue
        rows_in_lane = report.tails.get(lane, (0, ""))[0]
        if rows_in_lane < mark.length:
            return ChainReport(
                report.checked,
                -1,
                f"het auditlog telt {rows_in_lane} regels in baan {lane}, het controlepunt van {mark.at} er "
                f"{mark.length}: regels zijn verwijderd of het log is gewist",
            )
        if at_checkpoint.get(lane) != mark.last_hash:
            return ChainReport(
                report.checked, -1, f"regel {mark.length} van baan {lane} wijkt af van het controlepunt van {mark.at}"
            )
    return ChainReport(report.checked, None, tails=report.tails)


RESET_FOR_TESTS = {"allowed": False}


def reset_allowed() -> int:
    """Called by the SQLite trigger: 1 only inside the test suite's sanctioned reset path."""
    return 1 if RESET_FOR_TESTS["allowed"] else 0


@contextmanager
def protection_enforced() -> Iterator[None]:
    """For tests of the protection itself: no reset path, whatever the suite set."""
    before = RESET_FOR_TESTS["allowed"]
    RESET_FOR_TESTS["allowed"] = False
    try:
        yield
    finally:
        RESET_FOR_TESTS["allowed"] = before


class _Probe(Exception):
    """Undoes the probe row of `writable`."""


def writable() -> str:
    """Whether an audit row can be written now (the health check): a probe row is appended under the
    chain's lock and rolled back, so the chain is not touched; and the checkpoint file, when there is
    one, can be appended to. Returns "" when all is well, else what is wrong."""
    try:
        with transaction.atomic():
            head = _take_lane(None)
            AuditEvent.objects.create(
                lane=head.pk,
                prev_hash=head.last_hash,
                hash=GENESIS,
                occurred_at=timezone.now(),
                action=AuditAction.READ,
                result=AuditResult.ALLOWED,
                object_type="health_probe",
            )
            raise _Probe
    except _Probe:
        pass
    except DatabaseError as refused:
        return f"audit: {refused.__class__.__name__}"
    return checkpoints.writable()
