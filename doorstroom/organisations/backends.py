"""Signing in with a username and password, and finding the signed-in user on every request."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import QuerySet

from doorstroom.core import prepared

from .models import User


class AccountBackend(ModelBackend):
    """Django's own backend, except that the user of a session is read with their organisation in
    one query compiled once (`core.prepared`): every request asks, and almost every page then asks
    for the organisation too (the access policy, the audit row)."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = prepared.instances("organisations.session_user", _users, [pk])
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


def _users(ids: list[int]) -> QuerySet[User]:
    return User._default_manager.filter(pk__in=ids).select_related("organisation")
