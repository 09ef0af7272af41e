"""Settings for `make run`: the local demo on SQLite."""

from .base import *  # noqa: F403

# `make run` runs as a municipality would see it: no technical error pages (DOORSTROOM_DEBUG=1 to debug)
DEBUG = env_bool("DOORSTROOM_DEBUG", False)  # noqa: F405

# the demo keeps its audit checkpoints next to its database file (`make reset` removes both)
DOORSTROOM_AUDIT_CHECKPOINTS = env("DOORSTROOM_AUDIT_CHECKPOINTS") or (  # noqa: F405
    f"{SQLITE_PATH}.audit-checkpoints.log"  # noqa: F405
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"  # noqa: F405
    else str(BASE_DIR / "var" / "audit-checkpoints.log")  # noqa: F405
)
