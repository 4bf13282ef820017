"""Stored sessions as CSV (one row per repetition) and JSON (everything), for therapists' own tools.

A repetition the therapist set aside is exported with why (`discarded_reason`; empty or null: it
counts); the JSON of a session also holds what was done to it while it ran (`steering`).

The store keeps full precision; rounding happens only here, to what the measurement
can support (mm to 2 decimals, symmetry to 3), so a spreadsheet does not show noise
digits as if they meant something. Left and right are the patient's anatomical sides,
as everywhere in the store. Files are written to a temporary name and then renamed,
so an export interrupted half-way never leaves a truncated file under the real name,
and only the user can read them (`coach.base.private_files`).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from coach.base.private_files import atomic_private_open, write_private_text
from coach.grading import scales
from coach.records.models import (
    PATIENT_FIELDS,
    ExerciseRecord,
    FiledGrading,
    Patient,
    RepetitionRecord,
    SessionDetail,
    SteeringRecord,
)

EXPORT_FORMAT = "facecoach-history"
EXPORT_VERSION = 1

MM_DIGITS = 2
SYMMETRY_DIGITS = 3
SECONDS_DIGITS = 3
PERCENT_DIGITS = 1

#: CSV columns every repetition row has, in this order; per-measure columns follow
BASE_COLUMNS = (
    "session_id",
    "session_uid",
    "session_date",
    "session_started_at",
    "session_status",
    "programme_id",
    "programme_name",
    "kind",
    "source",
    "exercise_position",
    "exercise_id",
    "exercise_name",
    "exercise_status",
    "primary_measure",
    "target_mm_low",
    "target_mm_high",
    "target_symmetry",
    "rep_number",
    "recorded_at",
    "start_s",
    "peak_s",
    "end_s",
    "left_mm",
    "right_mm",
    "symmetry",
    "weaker_side",
    "hold_s",
    "complete",
)
#: CSV columns added since, after every other column, so an older reader's columns keep their places
LATER_COLUMNS = (
    #: empty: the repetition counts; else why the therapist set it aside (left out of every score)
    "discarded_reason",
)


# --------------------------------------------------------------------------- shared helpers


def local_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in the computer's local time with its UTC offset: readable, and unambiguous."""
    return None if moment is None else moment.astimezone().isoformat(timespec="seconds")


def patient_fields(patient: Mapping[str, Any] | object | None) -> dict[str, Any] | None:
    """A patient record (mapping, dataclass or any object with PATIENT_FIELDS attributes)
    as plain JSON-able values; None when there is no patient."""
    if patient is None:
        return None
    if isinstance(patient, Patient):
        fields = patient.to_json()  # as the files name its fields
    elif isinstance(patient, Mapping):
        fields = dict(patient)
    elif dataclasses.is_dataclass(patient) and not isinstance(patient, type):
        fields = {f.name: getattr(patient, f.name) for f in dataclasses.fields(patient)}
    else:
        fields = {name: getattr(patient, name, None) for name in PATIENT_FIELDS}
    return {str(key): _plain(value) for key, value in fields.items()}


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays
    return tolist() if callable(tolist) else str(value)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _measure_digits(name: str) -> int:
    """Decimals for a named per-side measure, from its unit suffix."""
    if name.endswith("_pct") or name.endswith("_deg"):
        return PERCENT_DIGITS
    if name.endswith("_mm"):
        return MM_DIGITS
    return SYMMETRY_DIGITS  # fractions and anything unitless


def _target_range(target: Mapping[str, Any]) -> tuple[float | None, float | None]:
    band = target.get("target_mm")
    if isinstance(band, list | tuple) and len(band) == 2:
        return float(band[0]), float(band[1])
    return None, None


# --------------------------------------------------------------------------- CSV


def _side_columns(table: Mapping[str, Mapping[str, float]]) -> dict[str, float | None]:
    return {
        f"{name}_{side}": _round(sides.get(side), _measure_digits(name))
        for name, sides in table.items()
        for side in ("left", "right")
    }


def _rep_row(
    session: SessionDetail, exercise: ExerciseRecord, record: RepetitionRecord
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(base and later columns, synkinesis columns, per-measure columns) of one repetition."""
    rep = record.repetition
    low, high = _target_range(exercise.target)
    base: dict[str, Any] = {
        "session_id": session.id,
        "session_uid": session.uid,
        "session_date": session.started_at.astimezone().date().isoformat(),
        "session_started_at": local_iso(session.started_at),
        "session_status": session.status,
        "programme_id": session.programme_id,
        "programme_name": session.programme_name,
        "kind": session.kind,
        "source": session.source,
        "exercise_position": exercise.position,
        "exercise_id": exercise.exercise_id,
        "exercise_name": exercise.exercise_name,
        "exercise_status": exercise.status,
        "primary_measure": exercise.primary_measure,
        "target_mm_low": low,
        "target_mm_high": high,
        "target_symmetry": _round(exercise.target.get("target_symmetry"), SYMMETRY_DIGITS),
        "rep_number": record.number,
        "recorded_at": local_iso(record.recorded_at),
        "start_s": _round(rep.start_s, SECONDS_DIGITS),
        "peak_s": _round(rep.peak_s, SECONDS_DIGITS),
        "end_s": _round(rep.end_s, SECONDS_DIGITS),
        "left_mm": _round(rep.left_mm, MM_DIGITS),
        "right_mm": _round(rep.right_mm, MM_DIGITS),
        "symmetry": _round(rep.symmetry, SYMMETRY_DIGITS),
        "weaker_side": rep.weaker_side,
        "hold_s": _round(rep.hold_s, SECONDS_DIGITS),
        "complete": bool(rep.complete),
        "discarded_reason": record.discarded_reason,
    }
    return base, _side_columns(rep.synkinesis), _side_columns(rep.measures)


def _grouped_rows(session: SessionDetail) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
    for exercise in session.exercises:
        for record in exercise.repetitions:
            yield _rep_row(session, exercise, record)


def session_rows(session: SessionDetail) -> list[dict[str, Any]]:
    """One flat row per repetition (exercises without repetitions give no row); synkinesis
    and per-measure values as `<measure>_left` / `<measure>_right`."""
    return [base | synkinesis | measures for base, synkinesis, measures in _grouped_rows(session)]


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv(path: Path, sessions: list[SessionDetail]) -> int:
    """All repetitions of `sessions` in one UTF-8 CSV; returns the number of rows.

    Columns: BASE_COLUMNS, then synkinesis columns, then per-measure columns, each group sorted by name, so the
    same kind of data lands in the same column whatever order the sessions come in; LATER_COLUMNS last.
    """
    rows: list[dict[str, Any]] = []
    synkinesis_names: set[str] = set()
    measure_names: set[str] = set()
    for session in sessions:
        for base, synkinesis, measures in _grouped_rows(session):
            synkinesis_names.update(synkinesis)
            measure_names.update(measures)
            rows.append(base | synkinesis | measures)
    columns = [*BASE_COLUMNS, *sorted(synkinesis_names), *sorted(measure_names - synkinesis_names), *LATER_COLUMNS]
    with atomic_private_open(path, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _csv_value(value) for key, value in row.items()})
    return len(rows)


# --------------------------------------------------------------------------- JSON


def _resting_to_json(resting: Mapping[str, Mapping[str, float]] | None) -> dict[str, dict[str, float | None]] | None:
    """Per side, and L − R (computed when an older record lacks it)."""
    if resting is None:
        return None
    out: dict[str, dict[str, float | None]] = {}
    for name, sides in resting.items():
        left, right = sides.get("left"), sides.get("right")
        difference = sides.get("difference")
        if difference is None and left is not None and right is not None:
            difference = left - right
        out[name] = {
            "left": _round(left, MM_DIGITS),
            "right": _round(right, MM_DIGITS),
            "difference": _round(difference, MM_DIGITS),
        }
    return out


def _repetition_to_json(record: RepetitionRecord) -> dict[str, Any]:
    # the engine's own rounding (mm 2, symmetry 3, synkinesis % 1): one definition of "sensible"
    return {
        "number": record.number,
        "recorded_at": local_iso(record.recorded_at),
        **record.repetition.to_json(),
        "discarded_reason": record.discarded_reason,
    }


def steering_to_json(record: SteeringRecord) -> dict[str, Any]:
    """One change or note of a session as stored (its action and detail as data, not words: a
    reader's own tool words them, or `coach.session.steering_words` does)."""
    return {
        "at_s": _round(record.at_s, SECONDS_DIGITS),
        "origin": record.origin,
        "action": record.action,
        "position": record.position,
        "detail": _plain(record.detail),
        "text": record.text,
        "recorded_at": local_iso(record.recorded_at),
    }


def _exercise_to_json(exercise: ExerciseRecord) -> dict[str, Any]:
    return {
        "id": exercise.id,
        "position": exercise.position,
        "exercise_id": exercise.exercise_id,
        "exercise_name": exercise.exercise_name,
        "primary_measure": exercise.primary_measure,
        "status": exercise.status,
        "started_at": local_iso(exercise.started_at),
        "ended_at": local_iso(exercise.ended_at),
        "target": _plain(exercise.target),
        "summary": None if exercise.summary is None else exercise.summary.to_json(),
        "repetitions": [_repetition_to_json(record) for record in exercise.repetitions],
    }


def session_to_json(session: SessionDetail) -> dict[str, Any]:
    """Everything stored about one session, as plain JSON values (left/right: the patient's)."""
    return {
        "id": session.id,
        "uid": session.uid,
        "patient_id": session.patient_id,
        "started_at": local_iso(session.started_at),
        "ended_at": local_iso(session.ended_at),
        "status": session.status,
        "programme_id": session.programme_id,
        "programme_name": session.programme_name,
        "kind": session.kind,
        "source": session.source,
        "app_version": session.app_version,
        "resting": _resting_to_json(session.resting),
        "rest_accepted": session.rest_accepted,
        "exercises": [_exercise_to_json(exercise) for exercise in session.exercises],
        "steering": [steering_to_json(record) for record in session.steering],
    }


def history_to_json(
    sessions: list[SessionDetail],
    patient: Mapping[str, Any] | object | None = None,
    gradings: Sequence[FiledGrading] = (),
) -> dict[str, Any]:
    """The document `write_json` writes: versioned, so an importer can tell what it reads."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "sides": "left and right are the patient's anatomical sides",
        "patient": patient_fields(patient),
        "sessions": [session_to_json(session) for session in sessions],
        "gradings": [grading_to_json(grading) for grading in gradings],
    }


def grading_to_json(grading: FiledGrading) -> dict[str, Any]:
    """A filed grading: the values as the clinician filed them, and the measured suggestions beside."""
    return {
        "scale": grading.scale,
        "graded_at": grading.graded_at.isoformat(),
        "graded_by": grading.graded_by,
        "session_uid": grading.session_uid,
        "values": grading.values,
        "suggested": grading.suggested,
        "suggested_is": "a measurement aid, not a diagnosis",
        "total": round(grading.total, 1),
    }


#: the gradings CSV: one row per graded item
GRADING_COLUMNS = ("graded_at", "graded_by", "scale", "section", "item", "value", "suggested", "total", "session_uid")


def write_gradings_csv(path: Path, gradings: Sequence[FiledGrading]) -> int:
    """The patient's gradings as CSV, one row per item of each; returns how many rows."""
    rows = [
        {"graded_at": g.graded_at.isoformat(), "graded_by": g.graded_by, "scale": g.scale,
         "section": scales.ITEMS[g.scale][item].section, "item": item, "value": value,
         "suggested": g.suggested.get(item), "total": round(g.total, 1), "session_uid": g.session_uid}
        for g in gradings
        for item, value in g.values.items()
    ]  # fmt: skip
    with atomic_private_open(path, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=GRADING_COLUMNS, restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: "" if value is None else value for key, value in row.items()})
    return len(rows)


def _finite(value: object) -> object:
    """NaN or infinity (a measure of a face lost mid-frame) as null: strict JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def write_json(
    path: Path,
    sessions: list[SessionDetail],
    patient: Mapping[str, Any] | object | None = None,
    gradings: Sequence[FiledGrading] = (),
) -> None:
    """`history_to_json` as an indented UTF-8 file."""
    document = _finite(history_to_json(sessions, patient, gradings))
    text = json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)
    write_private_text(path, text + "\n")
