"""Pure rules for personal data: BSN 11-proef, languages, dates. No Django, no database."""

import functools
import gettext
from datetime import date

import pycountry
from stdnum.nl import bsn as stdnum_bsn

from doorstroom.core.messages import _


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
        return _("Een BSN bestaat alleen uit cijfers.")
    if len(digits) != 9:
        return _("Een BSN heeft 9 cijfers.")
    if set(digits) == {"0"}:
        return _("Dit BSN bestaat niet.")
    if not stdnum_bsn.is_valid(digits):
        return _("Dit BSN klopt niet (het voldoet niet aan de elfproef).")
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
        return _("'%(code)s' is geen bekende ISO 639-taalcode.", code=code)
    return None


@functools.cache
def _language_names(locale: str) -> gettext.NullTranslations:
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[locale], fallback=True)


#: languages without a two-letter code that participants in Dutch municipalities often speak
EXTRA_LANGUAGES = ("rom", "pap", "srn", "ckb", "kmr", "tzm", "prs", "hbs", "aii", "syc")


@functools.cache
def language_choices(locale: str = "nl") -> tuple[tuple[str, str], ...]:
    """Every language to choose from, by its name in the interface language (ISO 639 codes
    underneath): all languages with a two-letter code, and the common ones without."""
    codes = [lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2")]
    codes += [code for code in EXTRA_LANGUAGES if pycountry.languages.get(alpha_3=code) is not None]
    named = [(code, language_name(code, locale)) for code in codes]
    return tuple(sorted(named, key=lambda pair: pair[1].casefold()))


def language_name(code: str, locale: str = "nl") -> str:
    """The language's name in the interface language (pycountry ships the ISO 639 translations)."""
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else pycountry.languages.get(alpha_3=code)
    if found is None:
        return code
    return _language_names(locale).gettext(found.name)


def date_of_birth_problem(value: date, *, today: date) -> str | None:
    if value > today:
        return _("De geboortedatum ligt in de toekomst.")
    if value.year < today.year - 120:
        return _("De geboortedatum ligt meer dan 120 jaar terug.")
    return None


def age_on(date_of_birth: date, on: date) -> int:
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


#: The school year ends on 31 July (domain-standards §5 marks the exact day as unconfirmed).
SCHOOL_YEAR_LAST_MONTH, SCHOOL_YEAR_LAST_DAY = 7, 31


def _birthday(date_of_birth: date, years: int) -> date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:  # 29 February in a year without one
        return date(date_of_birth.year + years, 3, 1)


def compulsory_education_period(date_of_birth: date) -> tuple[date, date]:
    """Leerplicht: from the first day of the month after the fifth birthday until the end of the
    school year in which the child turns sixteen (first and last day, inclusive)."""
    fifth = _birthday(date_of_birth, 5)
    starts = date(fifth.year + fifth.month // 12, fifth.month % 12 + 1, 1)
    sixteenth = _birthday(date_of_birth, 16)
    end_year = sixteenth.year + (
        1 if (sixteenth.month, sixteenth.day) > (SCHOOL_YEAR_LAST_MONTH, SCHOOL_YEAR_LAST_DAY) else 0
    )
    return starts, date(end_year, SCHOOL_YEAR_LAST_MONTH, SCHOOL_YEAR_LAST_DAY)


def is_of_compulsory_school_age(date_of_birth: date, on: date) -> bool:
    starts, ends = compulsory_education_period(date_of_birth)
    return starts <= on <= ends


def school_registration_problems(
    *, school: str, starts_on: date | None, ends_on: date | None, today: date
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not school.strip():
        problems["school"] = _("Vul de naam van de school in.")
    elif len(school.strip()) > 200:
        problems["school"] = _("Houd de naam korter dan 200 tekens.")
    if starts_on is None:
        problems["starts_on"] = _("Vul in sinds wanneer het kind op deze school staat ingeschreven.")
    elif starts_on > today:
        problems["starts_on"] = _("Deze datum ligt in de toekomst.")
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        problems["ends_on"] = _("De einddatum ligt voor de begindatum.")
    return problems


def looks_like_bsn(value: str) -> bool:
    """Eight or nine digits (after normalising): a BSN, or close enough that it must not be
    treated as a name or put in an address."""
    return value.isdigit() and len(value) in (8, 9)
