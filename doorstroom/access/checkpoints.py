"""Signed checkpoints of the audit chain, kept outside the database.

The database refuses to edit or delete audit rows and lets the chain head only move forward, but
someone who controls the database server can switch its triggers off. So whoever appends to the
chain also writes, every DOORSTROOM_AUDIT_CHECKPOINT_ROWS rows or DOORSTROOM_AUDIT_CHECKPOINT_SECONDS
seconds, a checkpoint (the chain's length and last hash, signed with the audit key) to an
append-only destination outside the database: a file, or the system log. `verify_audit_chain`
checks the chain against the latest checkpoint, so a removed tail, a wiped log or a reset head is
reported; what could go unnoticed is bounded by the interval (docs/operations.md).
"""

import hashlib
import hmac
import json
import os
import syslog
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

SYSLOG = "syslog"


def _key() -> bytes:
    return (getattr(settings, "DOORSTROOM_AUDIT_KEY", "") or settings.SECRET_KEY).encode()


@dataclass(frozen=True)
class Checkpoint:
    length: int
    last_hash: str
    at: str  # ISO time of writing
    signature: str
    lane: int = 1  # the lane of the chain it marks (ADR 0021); lane 1's lines read as before lanes

    @staticmethod
    def _message(lane: int, length: int, last_hash: str, at: str) -> bytes:
        return (f"{length}:{last_hash}:{at}" if lane == 1 else f"{lane}:{length}:{last_hash}:{at}").encode()

    @staticmethod
    def signed(length: int, last_hash: str, at: str, lane: int = 1) -> "Checkpoint":
        message = Checkpoint._message(lane, length, last_hash, at)
        return Checkpoint(length, last_hash, at, hmac.new(_key(), message, hashlib.sha256).hexdigest(), lane)

    @property
    def valid(self) -> bool:
        expected = self.signed(self.length, self.last_hash, self.at, self.lane).signature
        return hmac.compare_digest(expected, self.signature)

    def line(self) -> str:
        data: dict[str, object] = {"length": self.length, "hash": self.last_hash, "at": self.at}
        if self.lane != 1:
            data["lane"] = self.lane
        data["signature"] = self.signature
        return json.dumps(data, separators=(",", ":"))

    @staticmethod
    def parse(line: str) -> "Checkpoint | None":
        """A checkpoint from one line of the destination, or None when it is not one or its
        signature does not hold (a forged line is ignored, never believed)."""
        start = line.find("{")
        try:
            data = json.loads(line[start:]) if start >= 0 else {}
            checkpoint = Checkpoint(
                int(data["length"]),
                str(data["hash"]),
                str(data["at"]),
                str(data["signature"]),
                int(data.get("lane", 1)),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        return checkpoint if checkpoint.valid else None


def destination() -> str:
    return str(getattr(settings, "DOORSTROOM_AUDIT_CHECKPOINTS", "") or "")


def write(length: int, last_hash: str, lane: int = 1) -> Checkpoint | None:
    """Append one checkpoint of a lane to the destination (nothing when none is set)."""
    target = destination()
    if not target:
        return None
    checkpoint = Checkpoint.signed(length, last_hash, timezone.now().isoformat(timespec="seconds"), lane)
    if target == SYSLOG:
        syslog.openlog("doorstroom", 0, syslog.LOG_AUTH)
        syslog.syslog(syslog.LOG_NOTICE, "doorstroom-audit-checkpoint " + checkpoint.line())
    else:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(descriptor, (checkpoint.line() + "\n").encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    _STATE[lane] = {"length": length, "at": timezone.now()}
    return checkpoint


def latest_by_lane(path: str | None = None) -> dict[int, Checkpoint]:
    """Per lane, the checkpoint with the longest chain in a file destination (or the given file)."""
    target = path or destination()
    if not target or target == SYSLOG or not Path(target).exists():
        return {}
    best: dict[int, Checkpoint] = {}
    with open(target, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            checkpoint = Checkpoint.parse(line)
            if checkpoint is not None and (
                checkpoint.lane not in best or checkpoint.length > best[checkpoint.lane].length
            ):
                best[checkpoint.lane] = checkpoint
    return best


def latest(path: str | None = None, lane: int = 1) -> Checkpoint | None:
    """The checkpoint with the longest chain of one lane in a file destination."""
    return latest_by_lane(path).get(lane)


_STATE: dict[int, dict[str, object]] = {}
_LOCK = threading.Lock()


def after_append(length: int, last_hash: str, lane: int = 1) -> None:
    """Called once an appended audit row is committed: write a checkpoint of its lane when the lane
    has grown by the row interval, or the time interval has passed, since this process last knew of
    one."""
    if not destination():
        return
    with _LOCK:
        if lane not in _STATE:
            known = latest(lane=lane)
            _STATE[lane] = {
                "length": known.length if known else 0,
                "at": datetime.fromisoformat(known.at) if known else timezone.now() - timedelta(days=1),
            }
        state = _STATE[lane]
        grown = length - int(state["length"])  # type: ignore[call-overload]
        waited = timezone.now() - state["at"]  # type: ignore[operator]
        rows = settings.DOORSTROOM_AUDIT_CHECKPOINT_ROWS
        seconds = settings.DOORSTROOM_AUDIT_CHECKPOINT_SECONDS
        if grown >= rows or (grown > 0 and waited.total_seconds() >= seconds):
            write(length, last_hash, lane)


def forget() -> None:
    """Start afresh (a new destination in tests)."""
    _STATE.clear()


def writable() -> str:
    """ "" when checkpoints can be written (or none are kept here), else what is wrong."""
    path = destination()
    if not path or path == "syslog":
        return ""
    target = Path(path)
    if target.exists():
        return "" if os.access(target, os.W_OK) else "audit: checkpoint file not writable"
    return "" if os.access(target.parent, os.W_OK) else "audit: checkpoint folder not writable"
