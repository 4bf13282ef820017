"""Dates and numbers as the reader's language writes them (29.11.2026 and 11,7 in German).

From CLDR, the Unicode locale data every platform uses, through Babel: the names of days and
months, the order of a date's parts, the decimal mark. Never from the process locale, so a
report reads the same whichever program (command line or Qt app) writes it; a new language
needs no code here. English is British English (the app's spelling), with dates in figures
written year first (2026-11-29: a record read in any English-speaking country).
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime

from babel import Locale
from babel.dates import format_date, get_date_format, get_month_names
from babel.numbers import format_decimal, get_decimal_symbol

from coach.base.i18n import language

#: the CLDR locale of each language the app speaks
LOCALES = {"en": "en_GB", "de": "de_DE", "es": "es_ES"}
#: dates in figures in English: year first, unambiguous
ISO_DATE = "yyyy-MM-dd"


def _locale() -> Locale:
    return _parsed(LOCALES.get(language(), language()))


@functools.cache
def _parsed(code: str) -> Locale:
    """Parsed once per language: the live bars write their numbers 30 times a second."""
    return Locale.parse(code)


def decimal_mark() -> str:
    return get_decimal_symbol(_locale())


def number_text(value: float, digits: int = 1, signed: bool = False) -> str:
    """`value` with `digits` decimals in the language's way ('+' first when `signed`)."""
    if not math.isfinite(value):
        return f"{value}"
    pattern = "0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=f"+{pattern};-{pattern}" if signed else pattern, locale=_locale())


def short_number_text(value: float) -> str:
    """As few digits as the value needs (3, 2.5), in the language's way."""
    return format_decimal(value, format="0.###", locale=_locale()) if math.isfinite(value) else f"{value}"


def date_text(day: date | datetime) -> str:
    """The date in figures: 2026-11-29 in English, 29.11.2026 in German, 29/11/2026 in Spanish."""
    return format_date(day, _figures_pattern(), locale=_locale())


def _figures_pattern() -> str:
    """The language's short date with the year in full (CLDR's short date has two digits)."""
    if language() == "en":
        return ISO_DATE
    pattern = get_date_format("short", locale=_locale()).pattern
    return pattern.replace("yyyy", "y").replace("yy", "y").replace("y", "yyyy")


def date_time_text(moment: datetime) -> str:
    """Date and time to the minute (the moment as given: convert to local time first)."""
    return f"{date_text(moment)} {moment:%H:%M}"


def long_date_text(day: date | datetime) -> str:
    """The date with its weekday and month named: Sunday, 29 November 2026; Sonntag, 29. November 2026."""
    return format_date(day, "full", locale=_locale())


def month_short_text(month: int) -> str:
    """The month's abbreviation (1 = January): Mar, März, mar."""
    return get_month_names("abbreviated", locale=_locale())[month]
