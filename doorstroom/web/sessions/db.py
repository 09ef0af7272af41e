from django.contrib.sessions.backends import db

from . import ConnectionLossIsNotInterruption


class SessionStore(ConnectionLossIsNotInterruption, db.SessionStore):
    """Sessions in the database (`make run`, the tests)."""
