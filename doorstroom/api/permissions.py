"""API permissions on top of the access door."""

from rest_framework.permissions import BasePermission

from doorstroom.core.second_factor import needs_second_factor


class SecondFactorForSessions(BasePermission):
    """A browser session must be verified with a second factor; an API token is its own credential."""

    message = "Log eerst in met uw tweede factor."

    def has_permission(self, request, view):  # type: ignore[no-untyped-def]
        if request.auth is not None:  # token authentication
            return True
        return not needs_second_factor(request.user, getattr(request._request, "session", None))
