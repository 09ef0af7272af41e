"""Settings for `make run`: the local demo on SQLite."""

from .base import *  # noqa: F403

DEBUG = env_bool("DOORSTROOM_DEBUG", True)  # noqa: F405

# the demo keeps its audit checkpoints next to its database file (`make reset` removes both)
DOORSTROOM_AUDIT_CHECKPOINTS = env("DOORSTROOM_AUDIT_CHECKPOINTS") or (  # noqa: F405
    f"{SQLITE_PATH}.audit-checkpoints.log"  # noqa: F405
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"  # noqa: F405
    else str(BASE_DIR / "var" / "audit-checkpoints.log")  # noqa: F405
)
