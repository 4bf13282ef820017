"""How names and values read in the report: status words, numbers with their units (a measure's
name comes from the measure itself: `coach.measure.measures.measure_label`).

A missing value reads as DASH everywhere; left and right are always the patient's sides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from coach.base.formats import date_text, date_time_text, number_text
from coach.base.i18n import N_, tr
from coach.base.palette import LEFT_LABEL, RIGHT_LABEL
from coach.records.models import SessionDetail

DASH = "-"  # what a missing value reads as, everywhere

STATUS_WORDS = {
    "completed": N_("completed"),
    "skipped": N_("skipped"),
    "stopped": N_("stopped early"),
    "interrupted": N_("interrupted (app closed or crashed)"),
    "in_progress": N_("in progress"),
    "not_done": N_("not done: no movement was seen in several tries"),
}
#: where a table cell has no room for the reason
SHORT_STATUS_WORDS = {**STATUS_WORDS, "interrupted": N_("interrupted"), "not_done": N_("not done")}
#: the patient's sides where a column header already says "(patient's)"
SHORT_SIDES = {"left": N_("Left"), "right": N_("Right")}
SIDES = {"left": LEFT_LABEL, "right": RIGHT_LABEL}


def mm_text(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else number_text(value, 1)


def signed_mm_text(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else number_text(value, 1, signed=True).replace("-", "−")


def percent_text(fraction: float | None) -> str:
    return DASH if fraction is None or not math.isfinite(fraction) else f"{100 * fraction:.0f} %"


def seconds_text(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else number_text(value, 1)


def weaker_side_text(side: str | None, symmetry: float | None, short: bool = False) -> str:
    """The weaker side: 'even' when the sides are within the noise, '-' when nothing moved.
    `short` drops "(patient's)" for table cells whose column header carries it."""
    if side in ("left", "right"):
        return tr((SHORT_SIDES if short else SIDES)[side])
    return DASH if symmetry is None else tr("even")


def status_text(status: str, short: bool = False) -> str:
    """The status in words (`short`: without the reason, for a table cell)."""
    words = SHORT_STATUS_WORDS if short else STATUS_WORDS
    return tr(words[status]) if status in words else status


def local_time(moment: datetime) -> datetime:
    """The moment in this computer's time zone (the patient's wall clock)."""
    return moment.astimezone()


def session_stamp(session: SessionDetail) -> str:
    """The session's start as the report names it: date and local time to the minute."""
    return date_time_text(local_time(session.started_at))


def field_value(fields: Mapping[str, Any] | None, name: str) -> Any:
    """One of the patient's fields, None when there is no patient or no such field."""
    return None if fields is None else fields.get(name)


def text_or_dash(value: Any) -> str:
    if value is None or value == "":
        return DASH
    return str(value)


def affected_side_text(value: Any) -> str:
    text = str(value).strip().lower() if value is not None else ""
    if text in SIDES:
        return tr(SIDES[text])
    if text in ("both", "bilateral"):
        return tr("Both sides")
    if text == "unknown":
        return tr("Not recorded")
    return text_or_dash(value)


def _as_date(value: Any) -> date | None:
    """A date from a date, datetime or ISO text; None when the text is not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def onset_text(value: Any, session: SessionDetail) -> str:
    """The onset date and how long before this session it was (recovery time matters)."""
    if value is None or value == "":
        return DASH
    when = _as_date(value)
    if when is None:
        return str(value)
    days = (local_time(session.started_at).date() - when).days
    if days < 0:
        return date_text(when)
    if days < 70:
        return tr("{date} ({days} days before this session)", date=date_text(when), days=days)
    if days < 730:
        return tr("{date} ({weeks} weeks before this session)", date=date_text(when), weeks=days // 7)
    return tr("{date} ({years} years before this session)", date=date_text(when), years=number_text(days / 365.25))
