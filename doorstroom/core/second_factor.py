"""Whether a logged-in user still owes a second factor (used by the page middleware and the API)."""

from django.conf import settings

#: set in the session when the municipality's identity provider vouched for a multi-factor login
IDP_MFA_SESSION_KEY = "doorstroom_idp_mfa"


def needs_second_factor(user, session=None) -> bool:  # type: ignore[no-untyped-def]
    """Staff must be verified with a second factor (our TOTP, or the identity provider's own
    multi-factor login); participants log in differently (later: DigiD)."""
    return bool(
        settings.DOORSTROOM_REQUIRE_2FA
        and user.is_authenticated
        and getattr(user, "role", "") != "deelnemer"
        and not user.is_verified()
        and not (session is not None and session.get(IDP_MFA_SESSION_KEY))
    )
