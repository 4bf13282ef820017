"""How names and values read in the report: measure labels, status words, numbers with their units.

A missing value reads as DASH everywhere; left and right are always the patient's sides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from coach.records.models import SessionDetail

DASH = "-"  # what a missing value reads as, everywhere

RESTING_LABELS = {
    "brow_height_mm": "Brow height above the iris",
    "palpebral_fissure_mm": "Eye opening (palpebral fissure)",
    "commissure_height_mm": "Mouth corner below the eyes",
    "mouth_half_width_mm": "Mouth corner to the midline",
}
MEASURE_LABELS = {
    "brow_lift_mm": "brow lift",
    "brow_frown_mm": "frown (medial brow)",
    "eye_closure_mm": "eye closure",
    "commissure_excursion_mm": "mouth-corner movement",
    "corner_medial_mm": "mouth corner towards the midline",
    "upper_lip_elevation_mm": "upper lip and nose lift",
    "lower_lip_depression_mm": "lower lip lowering",
    "eye_narrowing_pct": "Eye narrowing",
    "mouth_corner_pull_pct": "Mouth-corner pull",
    "brow_movement_pct": "Brow movement",
}
STATUS_WORDS = {
    "completed": "completed",
    "skipped": "skipped",
    "stopped": "stopped early",
    "interrupted": "interrupted (app closed or crashed)",
    "in_progress": "in progress",
}


def mm_text(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else f"{value:.1f}"


def signed_mm_text(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else f"{value:+.1f}".replace("-", "−")


def percent_text(fraction: float | None) -> str:
    return DASH if fraction is None or not math.isfinite(fraction) else f"{100 * fraction:.0f} %"


def seconds_text(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else f"{value:.1f}"


def weaker_side_text(side: str | None, symmetry: float | None, short: bool = False) -> str:
    """The weaker side: 'even' when the sides are within the noise, '-' when nothing moved.
    `short` drops "(patient's)" for table cells whose column header carries it."""
    if side in ("left", "right"):
        return side.capitalize() if short else f"{side.capitalize()} (patient's)"
    return DASH if symmetry is None else "even"


def status_text(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def local_time(moment: datetime) -> datetime:
    """The moment in this computer's time zone (the patient's wall clock)."""
    return moment.astimezone()


def session_stamp(session: SessionDetail) -> str:
    """The session's start as the report names it: date and local time to the minute."""
    return f"{local_time(session.started_at):%Y-%m-%d %H:%M}"


def measure_label(name: str | None) -> str:
    if not name:
        return DASH
    return MEASURE_LABELS.get(name, name.removesuffix("_mm").removesuffix("_pct").replace("_", " "))


def field_value(fields: Mapping[str, Any] | None, name: str) -> Any:
    """One of the patient's fields, None when there is no patient or no such field."""
    return None if fields is None else fields.get(name)


def text_or_dash(value: Any) -> str:
    if value is None or value == "":
        return DASH
    return str(value)


def affected_side_text(value: Any) -> str:
    text = str(value).strip().lower() if value is not None else ""
    if text in ("left", "right"):
        return f"{text.capitalize()} (patient's)"
    if text in ("both", "bilateral"):
        return "Both sides"
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
        return when.isoformat()
    span = f"{days} days" if days < 70 else f"{days // 7} weeks" if days < 730 else f"{days / 365.25:.1f} years"
    return f"{when.isoformat()} ({span} before this session)"
