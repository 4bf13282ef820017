"""Dates and numbers as the reader's language writes them (29.11.2026 and 11,7 in German).

Names of days and months come from the catalogue (`tr`), never from the process locale, so a
report reads the same whichever program (command line or Qt app) writes it. Date orders are
catalogue texts with named placeholders; the decimal mark is the language's.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from coach.base.i18n import N_, language, tr

#: languages that write a decimal comma (11,7 mm); the others a decimal point
DECIMAL_COMMA = frozenset({"de"})

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))
MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
    N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip
MONTHS_SHORT = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip


def decimal_mark() -> str:
    return "," if language() in DECIMAL_COMMA else "."


def number_text(value: float, digits: int = 1, signed: bool = False) -> str:
    """`value` with `digits` decimals and the language's decimal mark ('+' first when `signed`)."""
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text.replace(".", decimal_mark())


def short_number_text(value: float) -> str:
    """As few digits as the value needs (3, 2.5), with the language's decimal mark."""
    return f"{value:g}".replace(".", decimal_mark()) if math.isfinite(value) else f"{value}"


def date_text(day: date | datetime) -> str:
    """The date in figures: 2026-11-29 in English, 29.11.2026 in German."""
    return tr("{year}-{month}-{day}", year=f"{day.year:04d}", month=f"{day.month:02d}", day=f"{day.day:02d}")


def date_time_text(moment: datetime) -> str:
    """Date and time to the minute (the moment as given: convert to local time first)."""
    return f"{date_text(moment)} {moment:%H:%M}"


def long_date_text(day: date | datetime) -> str:
    """The date with its weekday and month named: Sunday 29 November 2026, Sonntag, 29. November 2026."""
    return tr(
        "{weekday} {day} {month} {year}",
        weekday=tr(WEEKDAYS[day.weekday()]),
        day=day.day,
        month=tr(MONTHS[day.month - 1]),
        year=day.year,
    )


def month_short_text(month: int) -> str:
    """The month's abbreviation (1 = January): Mar, Mär."""
    return tr(MONTHS_SHORT[month - 1])
