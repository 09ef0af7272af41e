"""Rate limits for the API (assurance D6): over the limit a client gets 429 with Retry-After.

The rates are read from the settings on every request (DOORSTROOM_API_RATE_USER and
DOORSTROOM_API_RATE_ANON), not frozen when the class is defined, so an operator can change them
per environment and a test can lower them."""

from typing import Any

from django.conf import settings

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class RateFromSettings:
    """Reads the rate from the named setting on every request."""

    setting = ""

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting))

    def allow_request(self, request: Any, view: Any) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)  # type: ignore[attr-defined]
        return super().allow_request(request, view)  # type: ignore[misc]


class PerUserApiThrottle(RateFromSettings, UserRateThrottle):
    scope = "user"
    setting = "DOORSTROOM_API_RATE_USER"


class AnonymousApiThrottle(RateFromSettings, AnonRateThrottle):
    scope = "anon"
    setting = "DOORSTROOM_API_RATE_ANON"


class RateLimitedFirst(BasePermission):
    """Applies the rate limits before the authentication check, so that a flood of unauthenticated
    or wrongly authenticated calls (guessing tokens) is limited too; DRF would otherwise answer 401
    without ever counting them. Listed first among the permission classes."""

    def has_permission(self, request: Any, view: Any) -> bool:
        for throttle in (PerUserApiThrottle(), AnonymousApiThrottle()):
            if not throttle.allow_request(request, view):
                raise exceptions.Throttled(wait=throttle.wait())
        return True
