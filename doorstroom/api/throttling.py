"""Rate limits for the API (assurance D6): over the limit a client gets 429 with Retry-After.

The rates are read from the settings on every request (DOORSTROOM_API_RATE_USER and
DOORSTROOM_API_RATE_ANON), not frozen when the class is defined, so an operator can change them
per environment and a test can lower them."""

from typing import Any

from django.conf import settings

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class PerUserApiThrottle(UserRateThrottle):
    scope = "user"

    def get_rate(self) -> str | None:
        return settings.DOORSTROOM_API_RATE_USER

    def allow_request(self, request: Any, view: Any) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class AnonymousApiThrottle(AnonRateThrottle):
    scope = "anon"

    def get_rate(self) -> str | None:
        return settings.DOORSTROOM_API_RATE_ANON

    def allow_request(self, request: Any, view: Any) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class RateLimitedFirst(BasePermission):
    """Applies the rate limits before the authentication check, so that a flood of unauthenticated
    or wrongly authenticated calls (guessing tokens) is limited too; DRF would otherwise answer 401
    without ever counting them. Listed first among the permission classes."""

    def has_permission(self, request: Any, view: Any) -> bool:
        for throttle in (PerUserApiThrottle(), AnonymousApiThrottle()):
            if not throttle.allow_request(request, view):
                raise exceptions.Throttled(wait=throttle.wait())
        return True
