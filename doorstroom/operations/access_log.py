"""gunicorn's access log without personal data: no client address, user, referrer or user agent,
no query string (a search for a name or a BSN travels there), and in the path every id (a
participant's UUID, a number) replaced by a placeholder. What stays is enough to see load and errors:
time, method, the shape of the path, status, size and duration."""

import re
from typing import Any

from gunicorn.glogging import Logger

from doorstroom.core.log_redaction import redact

UUID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")
NUMBER = re.compile(r"\d{2,}")
KEPT = frozenset({"t", "s", "m", "H", "b", "B", "T", "D", "M", "L", "p"})


def path_shape(path: str) -> str:
    """/deelnemers/3f2a…/ → /deelnemers/:id/ (and a number → :n)."""
    return NUMBER.sub(":n", redact(UUID.sub(":id", path)))


class AccessLogWithoutPersonalData(Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        found = super().atoms(resp, req, environ, request_time)
        shape = path_shape(environ.get("PATH_INFO") or "")
        atoms = {k: v for k, v in found.items() if k in KEPT}
        atoms.update(
            {
                "h": "-",
                "l": "-",
                "u": "-",
                "f": "-",
                "a": "-",
                "q": "",
                "U": shape,
                "r": f"{environ.get('REQUEST_METHOD', '')} {shape} {environ.get('SERVER_PROTOCOL', '')}",
            }
        )
        return atoms
