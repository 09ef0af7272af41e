"""Optional login through a municipality's identity provider (OpenID Connect, authorization code
flow with PKCE), switched on and configured with environment variables (docs/configuration.md).

The provider says who someone is; Doorstroom's functional management decides their role and
organisation. So only an existing, active staff account whose username equals the provider's
username claim can log in this way; no account is ever created from a login. The provider's own
multi-factor login counts as the second factor only when its token says so (`amr` or `acr` holds
one of the configured values); otherwise Doorstroom still asks for its own code."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from doorstroom.core.second_factor import IDP_MFA_SESSION_KEY

logger = logging.getLogger(__name__)


class MunicipalIdentityProviderBackend(OIDCAuthenticationBackend):
    def _username(self, claims: dict[str, Any]) -> str:
        return str(claims.get(str(settings.DOORSTROOM_OIDC_USERNAME_CLAIM)) or "").strip()

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(self._username(claims))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        username = self._username(claims)
        if not username:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(username__iexact=username, is_active=True).exclude(role="deelnemer")

    def create_user(self, claims: dict[str, Any]) -> None:
        return None  # accounts come from functional management, never from a login

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        """A token with a bad signature or nonce ends in the ordinary 'login failed' page."""
        try:
            return super().verify_token(token, **kwargs)
        except SuspiciousOperation:
            logger.warning("OIDC: token refused (signature or nonce)")
            return None

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            proof = {str(v) for v in (payload.get("amr") or [])} | {str(payload.get("acr") or "")}
            if proof & set(settings.DOORSTROOM_OIDC_MFA_VALUES):
                self.request.session[IDP_MFA_SESSION_KEY] = True
        return user


def _only_when_enabled(view: Any) -> Any:
    def wrapped(request: HttpRequest) -> HttpResponse:
        if not settings.DOORSTROOM_OIDC_ENABLED:
            raise Http404
        return view(request)

    return wrapped


login_start = _only_when_enabled(OIDCAuthenticationRequestView.as_view())
login_callback = _only_when_enabled(OIDCAuthenticationCallbackView.as_view())
