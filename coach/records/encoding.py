"""How values are written into the database's columns and read back: times as fixed-width
ISO-8601 UTC text, JSON for nested values, uids, and the engine's summaries and repetitions.

Full precision throughout (rounding is for reports), and keys spelled out, so renaming a
field in the engine cannot silently change what is stored.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import UTC, datetime
from typing import Any

from coach.base.i18n import tr
from coach.records.models import SIDES, RepetitionRecord
from coach.session.engine import Repetition, Summary


def utc_now() -> datetime:
    return datetime.now(UTC)


def checked_utc(moment: datetime) -> datetime:
    """A moment from the store's clock, as UTC; the clock must give aware datetimes."""
    if moment.tzinfo is None:
        raise ValueError("the store's clock must give timezone-aware datetimes")
    return moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    # fixed width (always microseconds, always +00:00), so text order is time order
    return moment.isoformat(timespec="microseconds")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def parse_optional_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def stored_time(moment: datetime) -> str:
    """A time from elsewhere (an imported session) in the stored form: aware, as UTC."""
    if not isinstance(moment, datetime):
        raise ValueError(tr("expected a date and time, not {value}", value=repr(moment)))
    if moment.tzinfo is None:
        raise ValueError(tr("an imported time must be timezone-aware, not {time}", time=moment.isoformat()))
    return format_time(moment.astimezone(UTC))


def stored_optional_time(moment: datetime | None) -> str | None:
    return None if moment is None else stored_time(moment)


def new_uid() -> str:
    """A session's or programme's identity on every device: a UUID4 as 32 lower-case hex digits."""
    return uuid.uuid4().hex


def check_uid(uid: object) -> None:
    if not isinstance(uid, str) or len(uid) != 32 or uid.strip("0123456789abcdef"):
        raise ValueError(tr("a uid is 32 lower-case hex digits (a UUID4's hex), not {uid}", uid=repr(uid)))


def check_weaker_side(rep: Repetition) -> None:
    if rep.weaker_side not in (None, *SIDES):
        raise ValueError(tr("weaker_side must be None, 'left' or 'right', not {side}", side=repr(rep.weaker_side)))


def _json_default(value: object) -> object:
    # numpy scalars and arrays (np.float32 is not a float) become plain numbers and lists
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    raise TypeError(f"cannot store a {type(value).__name__} as JSON")


def to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def summary_to_json(summary: Summary) -> dict[str, object]:
    """An exercise's summary as its summary_json column holds it."""

    def number(value: float | None) -> float | None:
        return None if value is None else float(value)

    return {
        "reps": int(summary.reps),
        "left_mm": number(summary.left_mm),
        "right_mm": number(summary.right_mm),
        "symmetry": number(summary.symmetry),
        "weaker_side": summary.weaker_side,
    }


def summary_from_json(data: dict[str, Any]) -> Summary:
    return Summary(
        reps=data["reps"],
        left_mm=data.get("left_mm"),
        right_mm=data.get("right_mm"),
        symmetry=data.get("symmetry"),
        weaker_side=data.get("weaker_side"),
    )


def repetition_columns(rep: Repetition) -> tuple[object, ...]:
    """A repetition's columns from start_s to measures_json, in the table's order."""
    return (
        float(rep.start_s),
        float(rep.peak_s),
        float(rep.end_s),
        float(rep.left_mm),
        float(rep.right_mm),
        None if rep.symmetry is None else float(rep.symmetry),
        rep.weaker_side,
        float(rep.hold_s),
        int(bool(rep.complete)),
        to_json(rep.synkinesis),
        to_json(rep.measures),
    )


def repetition_record(row: sqlite3.Row) -> RepetitionRecord:
    return RepetitionRecord(
        id=row["id"],
        number=row["number"],
        recorded_at=parse_time(row["recorded_at"]),
        repetition=Repetition(
            start_s=row["start_s"],
            peak_s=row["peak_s"],
            end_s=row["end_s"],
            left_mm=row["left_mm"],
            right_mm=row["right_mm"],
            symmetry=row["symmetry"],
            weaker_side=row["weaker_side"],
            hold_s=row["hold_s"],
            complete=bool(row["complete"]),
            synkinesis=json.loads(row["synkinesis_json"]),
            measures=json.loads(row["measures_json"]),
        ),
        discarded_reason=row["discarded_reason"],
    )
