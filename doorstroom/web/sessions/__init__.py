"""Session engines: Django's, except that a lost database connection while saving a session is not
reported as an interrupted session (400). A save that only renewed the idle timeout is skipped (the
next request renews it); any other save reports the outage as what it is (503, assurance F3)."""

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.db import InterfaceError, OperationalError

logger = logging.getLogger("doorstroom.sessions")


class ConnectionLossIsNotInterruption:
    #: set by web.middleware.SessionRenewalMiddleware when renewing was the only change
    renewal_only = False

    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)  # type: ignore[misc]
        except UpdateError as interrupted:
            lost = interrupted.__context__
            if not isinstance(lost, OperationalError | InterfaceError):
                raise
            if self.renewal_only:
                logger.warning("sessie niet verlengd: de databaseverbinding viel weg")
                return
            raise lost from None
