"""Login forms: password with throttling, and the second factor."""

import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from doorstroom.core.forms import Form

logger = logging.getLogger("doorstroom.security")


def _keys(request, username: str) -> list[str]:  # type: ignore[no-untyped-def]
    origin = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    return [f"login-fail:user:{username.lower()}", f"login-fail:ip:{origin}"]


class ThrottledAuthenticationForm(AuthenticationForm):
    """After too many failures for a username or a client address, even the right password is refused
    until the lock-out ends."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Te vaak een verkeerd wachtwoord. Probeer het over een kwartier opnieuw."),
    }

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username") or ""
        keys = _keys(self.request, username)
        if any((cache.get(key) or 0) >= settings.DOORSTROOM_LOGIN_ATTEMPTS for key in keys):
            logger.warning("login refused: locked out")
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            for key in keys:
                cache.add(key, 0, settings.DOORSTROOM_LOGIN_LOCKOUT_SECONDS)
                failures = cache.incr(key)
                if failures == settings.DOORSTROOM_LOGIN_ATTEMPTS:
                    logger.warning("login lock-out started (%s)", key.split(":")[1])
            raise


class SecondFactorForm(Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("De zes cijfers uit uw authenticator-app, of een eenmalige herstelcode."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
