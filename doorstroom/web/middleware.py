"""Dutch first: the interface is Dutch unless the user chose English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language; for a municipal system the
working language is Dutch whatever the browser says, and English is a choice (kept in a cookie).
"""

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
