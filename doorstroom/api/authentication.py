"""Personal API tokens: `Authorization: Bearer ds_…` (or `Token ds_…`). Only the hash is stored;
an expired or revoked token, or one of a deactivated account, is refused like a wrong one."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from doorstroom.organisations import services as account_services


class PersonalTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request: Any) -> tuple[Any, str] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Geef het token na het woord Bearer.")
        user = account_services.api_token_user(header[1].decode(errors="replace"))
        if user is None:
            raise exceptions.AuthenticationFailed("Dit token is onbekend, verlopen of ingetrokken.")
        return user, "personal-token"

    def authenticate_header(self, request: Any) -> str:
        return "Bearer"


class PersonalTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    target_class = "doorstroom.api.authentication.PersonalTokenAuthentication"
    name = "persoonlijkToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Maak een persoonlijk token op de pagina 'API-tokens' (menu rechtsboven) en stuur het "
            "mee als 'Authorization: Bearer <token>'. Het token verloopt na 90 dagen.",
        }
