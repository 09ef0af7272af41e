"""Dutch first: the interface is Dutch unless the user chose English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language; for a municipal system the
working language is Dutch whatever the browser says, and English is a choice (kept in a cookie).
"""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from doorstroom.core import touched
from doorstroom.core.second_factor import needs_second_factor


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES) and request.path.startswith("/api/"):
            # a program calling the API says which language it wants (Accept-Language); Dutch otherwise
            chosen = _accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


def _accepted_language(header: str) -> str:
    """The first language of an Accept-Language header that Doorstroom speaks (by weight), or ''."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    supported = dict(settings.LANGUAGES)
    for code, _weight in parse_accept_lang_header(header[:200]):
        base = code.split("-")[0].lower()
        if base in supported:
            return base
    return ""


# Paths a logged-in staff member may reach before the second factor: logging in and out, assets.
OPEN_PREFIXES = ("/inloggen/", "/uitloggen/", "/static/", "/i18n/", "/api/")


class SecondFactorMiddleware:
    """Staff reach nothing but the login steps until their session is verified with a second factor,
    and a session ends after its absolute lifetime. (The API checks its own: see api.permissions.)"""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        from django.contrib.auth import logout
        from django.shortcuts import redirect
        from django.utils import timezone

        user = request.user
        if user.is_authenticated:
            started = request.session.setdefault("doorstroom_login_at", int(timezone.now().timestamp()))
            if timezone.now().timestamp() - started > settings.DOORSTROOM_SESSION_MAX_SECONDS:
                logout(request)
                return redirect("login")
            if needs_second_factor(user, request.session) and not request.path.startswith(OPEN_PREFIXES):
                return redirect(f"{settings.LOGIN_URL_SECOND_FACTOR}?next={request.get_full_path()}")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy without inline scripts on every response, and no caching of pages
    that may hold personal data."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.DOORSTROOM_CONTENT_SECURITY_POLICY)
        if request.user.is_authenticated or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store"
        return response


class SignalsKeepUpMiddleware:
    """Signals keep up with the work (ADR 0012): the domain services mark the participants whose
    contacts, events, plans or measurements a request recorded (`core.touched`); before the page or
    API answer is rendered, and otherwise before the request ends, the signal engine re-evaluates
    exactly those participants (and their households), so a closed condition is gone at once."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        with touched.collecting() as marked:
            request._touched_participants = marked  # type: ignore[attr-defined]
            response = self.get_response(request)
            self._refresh(marked)
        return response

    def process_template_response(self, request: HttpRequest, response):  # type: ignore[no-untyped-def]
        marked = getattr(request, "_touched_participants", None)
        if marked is not None:
            self._refresh(marked)
        return response

    @staticmethod
    def _refresh(marked: touched.Marks) -> None:
        if not marked:
            return
        import logging

        from doorstroom.core import clock
        from doorstroom.signalering import services as signal_services

        ids, written = sorted(marked.participants), set(marked.written)
        marked.clear()
        try:
            signal_services.signals_refresh(today=clock.today(), among=ids, written=written)
        except Exception:  # the work itself is saved; the scheduled refresh catches up
            logging.getLogger("doorstroom.signals").exception("re-evaluating signals after a write failed")


class SessionRenewalMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE) runs from the last renewal, and a session is renewed
    at most once a minute: saving it on every request (SESSION_SAVE_EVERY_REQUEST) made every page
    a database write with its own commit. A session so ends between 29 and 30 minutes after the
    last click instead of at exactly 30."""

    RENEW_AFTER_SECONDS = 60
    KEY = "doorstroom_renewed_at"

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        import time

        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.RENEW_AFTER_SECONDS:
                session.renewal_only = not session.modified  # a lost renewal is no outage (web.sessions)
                session[self.KEY] = now  # modified: SessionMiddleware saves it with a fresh expiry
        return response
