"""Pure rules for personal data: BSN 11-proef, languages, dates. No Django, no database."""

import functools
import gettext
from datetime import date

import pycountry
from stdnum.nl import bsn as stdnum_bsn


def normalise_bsn(value: str) -> str:
    """Digits only; a historic 8-digit number gets its leading zero back."""
    digits = "".join(ch for ch in value if not ch.isspace() and ch not in ".-")
    if len(digits) == 8 and digits.isdigit():
        digits = "0" + digits
    return digits


def bsn_problem(value: str) -> str | None:
    """Why a BSN is not valid, in plain Dutch, or None when it passes the 11-proef."""
    digits = normalise_bsn(value)
    if not digits.isdigit():
        return "Een BSN bestaat alleen uit cijfers."
    if len(digits) != 9:
        return "Een BSN heeft 9 cijfers."
    if set(digits) == {"0"}:
        return "Dit BSN bestaat niet."
    if not stdnum_bsn.is_valid(digits):
        return "Dit BSN klopt niet (het voldoet niet aan de elfproef)."
    return None


def language_problem(code: str) -> str | None:
    """Languages are stored as ISO 639 codes (two letters, or three where no two-letter code exists)."""
    code = code.strip().lower()
    if len(code) == 2:
        found = pycountry.languages.get(alpha_2=code)
    elif len(code) == 3:
        found = pycountry.languages.get(alpha_3=code)
    else:
        found = None
    if found is None:
        return f"'{code}' is geen bekende ISO 639-taalcode."
    return None


@functools.cache
def _language_names(locale: str) -> gettext.NullTranslations:
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[locale], fallback=True)


def language_name(code: str, locale: str = "nl") -> str:
    """The language's name in the interface language (pycountry ships the ISO 639 translations)."""
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if found is None:
        return code
    return _language_names(locale).gettext(found.name)


def date_of_birth_problem(value: date, *, today: date) -> str | None:
    if value > today:
        return "De geboortedatum ligt in de toekomst."
    if value.year < today.year - 120:
        return "De geboortedatum ligt meer dan 120 jaar terug."
    return None


def age_on(date_of_birth: date, on: date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years
