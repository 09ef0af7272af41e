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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.utils import timezone

from doorstroom.core import metrics
from doorstroom.core.errors import service_unavailable
from doorstroom.organisations.models import User

from . import checkpoints
from .models import AuditAction, AuditChainHead, AuditEvent, AuditResult, AuditSubject

GENESIS = "0" * 64


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
    for access in _pending.get() or ():
        if access.participant_pk == participant_pk and not access.written:
            access.categories.add(category)


def _write(access: PendingAccess, **overrides: Any) -> AuditEvent:
    entry = dict(access.entry, categories=sorted(access.categories), **overrides)
    token = _writing.set(True)
    try:
        event = record(**entry)
    finally:
        _writing.reset(token)
    access.written = True
    return event


def flush_changes() -> None:
    """Data is being written: the waiting change rows go first, in the same transaction."""
    for access in _pending.get() or ():
        if access.change and not access.written:
            access.event_id = _write(access).pk


def flush() -> None:
    """The request is about to answer: every waiting row is written. A change that wrote nothing is
    not logged as a change: a form shown (GET) is a look; a save that was refused, or whose write
    was rolled back, is a change "niet opgeslagen" — and that row survives the rollback."""
    pending = _pending.get() or ()
    rolled_back = set()
    written_changes = [a.event_id for a in pending if a.event_id is not None]
    if written_changes:
        kept = set(AuditEvent.objects.filter(pk__in=written_changes).values_list("pk", flat=True))
        rolled_back = {pk for pk in written_changes if pk not in kept}
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
            with connection.execute_wrapper(_watch_writes):
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
) -> AuditEvent:
    """Append one event to the chain (in its own atomic block; raises if the database refuses)."""
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
        with transaction.atomic():
            head, _created = AuditChainHead.objects.select_for_update().get_or_create(
                pk=1, defaults={"last_hash": GENESIS, "length": 0}
            )
            digest = chain_hash(head.last_hash, values, subjects)
            event = AuditEvent.objects.create(prev_hash=head.last_hash, hash=digest, **values)
            AuditSubject.objects.bulk_create([AuditSubject(event=event, participant_uuid=s) for s in subjects])
            head.last_hash = digest
            head.length += 1
            head.save(update_fields=["last_hash", "length"])
            length = head.length
            transaction.on_commit(lambda: checkpoints.after_append(length, digest))
            transaction.on_commit(metrics.AUDIT_WRITES.inc)  # counted once it is really there
    except DatabaseError as refused:
        raise AuditUnavailable(str(refused)) from refused
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None  # id of the first event that does not verify
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_rows(rows: Iterable[dict[str, Any]], subjects: dict[int, list[str]]) -> ChainReport:
    """Recompute every link of rows in id order: an edited, deleted, inserted or moved row breaks it."""
    previous = GENESIS
    checked = 0
    for row in rows:
        checked += 1
        if row["prev_hash"] != previous:
            return ChainReport(checked, row["id"], "de keten is onderbroken (regel ontbreekt of is verplaatst)")
        if chain_hash(previous, row, subjects.get(row["id"], [])) != row["hash"]:
            return ChainReport(checked, row["id"], "de inhoud van de regel is gewijzigd")
        previous = row["hash"]
    return ChainReport(checked, None, previous)


def verify_chain(checkpoint: "checkpoints.Checkpoint | None" = None) -> ChainReport:
    """Verify the stored chain: every link, the head's hash and length, and that the chain still
    holds the latest signed checkpoint kept outside the database (a removed tail, a wiped log or a
    reset head cannot hide behind a consistent-looking database)."""
    checkpoint = checkpoint or checkpoints.latest()
    subjects: dict[int, list[str]] = {}
    for event_id, participant_uuid in AuditSubject.objects.values_list("event_id", "participant_uuid").iterator():
        subjects.setdefault(event_id, []).append(participant_uuid)
    rows = AuditEvent.objects.order_by("id").values("id", "prev_hash", "hash", "detail", *CHAINED_FIELDS).iterator()
    at_checkpoint: dict[str, str] = {}

    def watched(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for position, row in enumerate(rows, 1):
            if checkpoint is not None and position == checkpoint.length:
                at_checkpoint["hash"] = row["hash"]
            yield row

    report = verify_rows(watched(rows), subjects)
    if not report.intact:
        return report
    head = AuditChainHead.objects.filter(pk=1).first()
    last = report.reason or GENESIS
    if head is not None and (head.last_hash != last or head.length != report.checked):
        return ChainReport(report.checked, -1, "de laatste regels ontbreken")
    if checkpoint is not None and checkpoint.length > 0:
        if report.checked < checkpoint.length:
            return ChainReport(
                report.checked,
                -1,
                f"het auditlog telt {report.checked} regels, het controlepunt van {checkpoint.at} er "
                f"{checkpoint.length}: regels zijn verwijderd of het log is gewist",
            )
        if at_checkpoint.get("hash") != checkpoint.last_hash:
            return ChainReport(
                report.checked, -1, f"regel {checkpoint.length} wijkt af van het controlepunt van {checkpoint.at}"
            )
    return ChainReport(report.checked, None)


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
            head, _created = AuditChainHead.objects.select_for_update().get_or_create(
                pk=1, defaults={"last_hash": GENESIS, "length": 0}
            )
            AuditEvent.objects.create(
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
