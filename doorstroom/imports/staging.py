"""The rows of one import, staged on disk while it is checked and written (ADR 0017, amendment of
the ninth session).

Every row is checked before anything is written, so the rows of a file have to be kept somewhere
until the end. Kept in the process, memory grew with the file (about 0.6 KB a row); here they go to
a scratch SQLite database in a private temporary folder, and the import takes them back one group of
participants at a time (`window`), so what it holds does not grow with the file.

A second place for personal data, so nothing in it is readable without this process: each row's
values are encrypted (AES-GCM) with a key made for this import and held only in memory, and the
external ids it groups on are stored as keyed hashes (BLAKE2 with a key) under another such key. The folder is
removed when the import ends; after a `kill -9` what is left is unreadable, and the next import
clears folders left by imports that no longer run.
"""

import hashlib
import os
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .rules import Row, pack, unpack

#: the tables of an import, in the order a spreadsheet user thinks of them
TABLES = ("deelnemers", "trajecten", "gebeurtenissen", "metingen", "contacten")
#: per table: the column holding a row's own external id, and the one naming its participant
_KEY = {"deelnemers": "extern_id", "trajecten": "extern_id", "gebeurtenissen": "traject", "metingen": "extern_id"}
_KEY["contacten"] = "extern_id"
_PARTICIPANT = {"deelnemers": "extern_id", "trajecten": "deelnemer", "metingen": "deelnemer", "contacten": "deelnemer"}
_PREFIX = "doorstroom-import-"
_BATCH = 2000
#: SQLite takes at most this many values in one statement (999 in older builds)
_IN = 900


class Staging:
    """A scratch store for one import's rows. Use as a context manager: the folder goes on exit."""

    def __init__(self) -> None:
        _clear_abandoned()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))  # mode 0700
        self._db = sqlite3.connect(self.folder / "rows.sqlite3", isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-4096", "temp_store=FILE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute(
            "CREATE TABLE row (seq INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, file INTEGER NOT NULL,"
            " number INTEGER NOT NULL, key BLOB, owner BLOB, owner_text BLOB, data BLOB NOT NULL)"
        )
        # what earlier imports made of the external ids in the files (`keep_known`, `known`)
        self._db.execute(
            "CREATE TABLE known (tbl TEXT NOT NULL, key BLOB NOT NULL, pk INTEGER NOT NULL, object_id INTEGER NOT NULL,"
            " fingerprint TEXT NOT NULL, PRIMARY KEY (tbl, key))"
        )
        self._cipher = AESGCM(AESGCM.generate_key(bit_length=128))
        self._hash_key = os.urandom(32)
        self._nonce = 0
        self.files: list[str] = []
        self._pending: list[tuple[Any, ...]] = []
        self._indexed = False

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- writing rows ----------------------------------------------------------------------------

    def add(self, table: str, row: Row) -> None:
        """A row just read and parsed (its values are final but for the checks' notes)."""
        if row.file not in self.files:
            self.files.append(row.file)
        values = row.values
        key = _text(values.get(_KEY[table]))
        owner = _text(values.get(_PARTICIPANT[table])) if table in _PARTICIPANT else ""
        self._pending.append(
            (
                TABLES.index(table),
                self.files.index(row.file),
                row.number,
                self._hash(key),
                self._hash(owner),
                self._seal(owner.encode()) if owner else None,
                self._seal(pack(values)),
            )
        )
        if len(self._pending) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._db.executemany(
                "INSERT INTO row (tbl, file, number, key, owner, owner_text, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                self._pending,
            )
            self._pending.clear()

    # --- whose rows are whose --------------------------------------------------------------------

    def settle(self, owners_known_before: Callable[[list[str]], dict[str, str]]) -> None:
        """Give every row its participant: an event that of its traject in the files, else the one
        an earlier import knows (`owners_known_before`: traject -> participant, asked in parts); all
        rows of a measurement that of its first row (so a measurement is checked whole)."""
        self._flush()
        db = self._db
        db.execute("CREATE INDEX row_key ON row (tbl, key, seq)")
        events, trajecten, metingen = (TABLES.index(t) for t in ("gebeurtenissen", "trajecten", "metingen"))
        for table in (events, metingen):
            source = trajecten if table == events else metingen
            db.execute(
                "UPDATE row SET (owner, owner_text) = (SELECT o.owner, o.owner_text FROM row o WHERE o.tbl = ?"
                " AND o.key = row.key ORDER BY o.seq LIMIT 1) WHERE tbl = ? AND EXISTS (SELECT 1 FROM row o"
                " WHERE o.tbl = ? AND o.key = row.key)",
                (source, table, source),
            )
        unsettled = db.execute(
            "SELECT key, min(seq) FROM row WHERE tbl = ? AND owner IS NULL GROUP BY key", (events,)
        ).fetchall()
        for part in _parts(unsettled, _IN):
            trajects = {
                values["traject"]: key
                for key, values in zip(
                    (key for key, _seq in part), self._values_of([seq for _key, seq in part]), strict=True
                )
            }
            found = owners_known_before([str(t) for t in trajects if t])
            db.executemany(
                "UPDATE row SET owner = ?, owner_text = ? WHERE tbl = ? AND key = ?",
                [
                    (self._hash(owner), self._seal(owner.encode()), events, trajects[traject])
                    for traject, owner in found.items()
                ],
            )
        db.execute("CREATE INDEX row_owner ON row (owner, seq)")
        self._indexed = True

    def duplicates(self, table: str) -> Iterator[tuple[str, int, int]]:
        """Rows whose external id an earlier row of the table has too: (file, row, that earlier row)."""
        for file, number, first in self._db.execute(
            "SELECT r.file, r.number, (SELECT f.number FROM row f WHERE f.tbl = r.tbl AND f.key = r.key ORDER BY"
            " f.seq LIMIT 1) FROM row r WHERE r.tbl = ? AND r.key IS NOT NULL AND r.seq > (SELECT min(f.seq) FROM"
            " row f WHERE f.tbl = r.tbl AND f.key = r.key) ORDER BY r.seq",
            (TABLES.index(table),),
        ):
            yield self.files[file], number, first

    def holds(self, table: str, external_id: str) -> bool:
        """Whether some row of `table` has this external id (in any group of participants)."""
        found = self._db.execute(
            "SELECT 1 FROM row WHERE tbl = ? AND key = ? LIMIT 1", (TABLES.index(table), self._hash(external_id))
        ).fetchone()
        return found is not None

    def participants(self) -> list[str]:
        """Every participant the rows are about, in the order of their first row (file name, then
        row number), as the writer has always taken them."""
        self._flush()
        self._db.execute("CREATE TEMP TABLE file_rank (file INTEGER PRIMARY KEY, rank INTEGER)")
        self._db.executemany(
            "INSERT INTO file_rank VALUES (?, ?)",
            [(self.files.index(name), rank) for rank, name in enumerate(sorted(self.files))],
        )
        firsts = self._db.execute(
            "SELECT owner_text FROM (SELECT owner_text, rank, number, row_number() OVER (PARTITION BY owner"
            " ORDER BY rank, number) AS place FROM row JOIN file_rank USING (file) WHERE owner IS NOT NULL)"
            " WHERE place = 1 ORDER BY rank, number"
        )
        return [self._open(text).decode() for (text,) in firsts]

    # --- reading rows back -----------------------------------------------------------------------

    def window(self, participants: Sequence[str]) -> dict[str, list[Row]]:
        """The rows of these participants per table, in the order they were read."""
        rows: dict[str, list[Row]] = defaultdict(list)
        hashes = [self._hash(p) for p in participants]
        found: list[tuple[int, int, int, int, bytes]] = []
        for part in _parts(hashes, _IN):
            found.extend(
                self._db.execute(
                    f"SELECT seq, tbl, file, number, data FROM row WHERE owner IN ({','.join('?' * len(part))})",  # noqa: S608  # nosec B608
                    part,
                )
            )
        for _seq, table, file, number, data in sorted(found):
            rows[TABLES[table]].append(Row(self.files[file], number, unpack(self._open(data))))
        return rows

    def ownerless(self) -> dict[str, list[Row]]:
        """Rows no participant could be found for (an event of an unknown traject)."""
        rows: dict[str, list[Row]] = defaultdict(list)
        for table, file, number, data in self._db.execute(
            "SELECT tbl, file, number, data FROM row WHERE owner IS NULL ORDER BY seq"
        ):
            rows[TABLES[table]].append(Row(self.files[file], number, unpack(self._open(data))))
        return rows

    def in_parts(self, size: int) -> Iterator[dict[str, list[Row]]]:
        """Every row, `size` at a time in the order read, per table."""
        self._flush()
        last = 0
        while True:
            part = self._db.execute(
                "SELECT seq, tbl, file, number, data FROM row WHERE seq > ? ORDER BY seq LIMIT ?", (last, size)
            ).fetchall()
            if not part:
                return
            rows: dict[str, list[Row]] = defaultdict(list)
            for _seq, table, file, number, data in part:
                rows[TABLES[table]].append(Row(self.files[file], number, unpack(self._open(data))))
            last = part[-1][0]
            yield rows

    def keep_known(self, records: Iterable[tuple[str, str, int, int, str]]) -> None:
        """Records of earlier imports (table, external id, record id, object id, fingerprint)."""
        self._db.executemany(
            "INSERT OR IGNORE INTO known VALUES (?, ?, ?, ?, ?)",
            (
                (table, self._hash(external_id), pk, object_id, print_)
                for table, external_id, pk, object_id, print_ in records
            ),
        )

    def known(self, wanted: dict[str, set[str]]) -> Iterator[tuple[str, str, int, int, str]]:
        """Of the external ids wanted per table, those `keep_known` was given."""
        for table, external_ids in wanted.items():
            by_hash = {self._hash(e): e for e in external_ids if e}
            hashes = list(by_hash)
            for part in _parts(hashes, _IN):
                marks = ",".join("?" * len(part))
                for key, pk, object_id, print_ in self._db.execute(
                    f"SELECT key, pk, object_id, fingerprint FROM known WHERE tbl = ? AND key IN ({marks})",  # noqa: S608  # nosec B608
                    (table, *part),
                ):
                    yield table, by_hash[key], pk, object_id, print_

    def _values_of(self, seqs: Sequence[int]) -> list[dict[str, Any]]:
        """The values of these rows, in the order asked, in one read."""
        marks = ",".join("?" * len(seqs))
        found = dict(self._db.execute(f"SELECT seq, data FROM row WHERE seq IN ({marks})", seqs))  # noqa: S608  # nosec B608
        return [unpack(self._open(found[seq])) for seq in seqs]

    # --- sealing ---------------------------------------------------------------------------------

    def _hash(self, text: str) -> bytes | None:
        if not text:
            return None
        return hashlib.blake2b(text.encode(), key=self._hash_key, digest_size=16).digest()

    def _seal(self, plain: bytes) -> bytes:
        self._nonce += 1
        nonce = self._nonce.to_bytes(12, "big")
        return nonce + self._cipher.encrypt(nonce, plain, None)

    def _open(self, sealed: bytes) -> bytes:
        return self._cipher.decrypt(sealed[:12], sealed[12:], None)


def _text(value: Any) -> str:
    return str(value) if value not in (None, "") else ""


def _parts(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _clear_abandoned() -> None:
    """Remove the folders of imports whose process is gone (killed, or the machine stopped): what
    they hold cannot be read any more, but they take space."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        try:
            pid = int(folder.name[len(_PREFIX) :].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and not _running(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
