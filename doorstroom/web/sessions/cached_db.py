from django.contrib.sessions.backends import cached_db

from . import ConnectionLossIsNotInterruption


class SessionStore(ConnectionLossIsNotInterruption, cached_db.SessionStore):
    """Sessions in Redis, backed by the database (`make serve`)."""
