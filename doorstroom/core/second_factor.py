"""Whether a logged-in user still owes a second factor (used by the page middleware and the API)."""

from django.conf import settings


def needs_second_factor(user) -> bool:  # type: ignore[no-untyped-def]
    """Staff must be verified with a second factor; participants log in differently (later: DigiD)."""
    return bool(
        settings.DOORSTROOM_REQUIRE_2FA
        and user.is_authenticated
        and getattr(user, "role", "") != "deelnemer"
        and not user.is_verified()
    )
