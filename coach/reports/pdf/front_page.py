"""Page 1: who and when, the resting face, an overview of the session's exercises, and what the numbers mean."""

from __future__ import annotations

from typing import Any

from coach import __version__
from coach.base.palette import LEFT_LABEL, RIGHT_LABEL
from coach.records.models import SessionDetail
from coach.records.trends import exercise_means
from coach.reports.pdf.explanation import about_box
from coach.reports.pdf.flow import Block, Column, Section, Table, heading, key_values, paragraph
from coach.reports.pdf.layout import MARGIN_X, SMALL_PT, SUBHEADING_PT, TITLE_PT, draw_rule, draw_text
from coach.reports.pdf.wording import (
    DASH,
    RESTING_LABELS,
    affected_side_text,
    field_value,
    local_time,
    mm_text,
    onset_text,
    percent_text,
    signed_mm_text,
    status_text,
    text_or_dash,
    weaker_side_text,
)


def _duration_text(session: SessionDetail) -> str:
    if session.ended_at is None:
        return DASH
    minutes = max(0.0, (session.ended_at - session.started_at).total_seconds() / 60)
    return f"{minutes:.0f} min" if minutes >= 1 else "under 1 min"


def _header(session: SessionDetail, patient: dict[str, Any] | None) -> list[Block | Table]:
    """Title, then the patient (left) and the session (right) as label–value lists."""
    started = local_time(session.started_at)
    repetitions = sum(len(exercise.repetitions) for exercise in session.exercises)
    patient_column = [
        ("Patient code", text_or_dash(field_value(patient, "code"))),
        ("Name", text_or_dash(field_value(patient, "display_name"))),
        ("Affected side", affected_side_text(field_value(patient, "affected_side"))),
        ("Onset", onset_text(field_value(patient, "onset_date"), session)),
        ("Cause", text_or_dash(field_value(patient, "cause"))),
    ]
    session_column = [
        ("Date", f"{started:%A %d %B %Y}"),
        ("Time", f"{started:%H:%M} (local, {started:%Z})".replace(" ()", "")),
        ("Duration", _duration_text(session)),
        ("Programme", session.programme_name or session.programme_id or "single exercise"),
        ("Kind", "live (webcam)" if session.kind == "live" else "recorded video"),
        ("Source", session.source),
        ("Status", status_text(session.status)),
        ("Recorded", f"{len(session.exercises)} exercise(s), {repetitions} repetition(s)"),
    ]
    return [
        Block(
            0.42,
            lambda fig, y: draw_text(fig, MARGIN_X, y, "Facial exercise session report", TITLE_PT, fontweight="bold"),
        ),
        paragraph(f"Facial Symmetry Coach {__version__} · home practice record", SMALL_PT, after=0.05),
        Block(0.12, lambda fig, y: draw_rule(fig, y + 0.04, 1.2)),
        key_values([patient_column, session_column]),
    ]


def _resting_face(session: SessionDetail) -> list[Block | Table]:
    """Each resting measure per side and their difference."""
    items: list[Block | Table] = [heading("Resting face", SUBHEADING_PT)]
    if not session.resting:
        items.append(paragraph(f"Resting measures: {DASH} (none were recorded in this session)."))
        return items
    rows = []
    for name, sides in session.resting.items():
        left, right = sides.get("left"), sides.get("right")
        difference = sides.get("difference")
        if difference is None and left is not None and right is not None:
            difference = left - right
        rows.append([RESTING_LABELS.get(name, name), mm_text(left), mm_text(right), signed_mm_text(difference)])
    columns = [
        Column("Measure (mm)", 3.0, "left"),
        Column(LEFT_LABEL, 1.3),
        Column(RIGHT_LABEL, 1.3),
        Column("L − R", 1.0),
    ]
    items.append(Table(columns, rows))
    return items


def _exercise_overview(session: SessionDetail) -> list[Block | Table]:
    """One row per exercise: status, repetitions and mean movement per side."""
    items: list[Block | Table] = [heading("Exercises in this session", SUBHEADING_PT)]
    if not session.exercises:
        items.append(paragraph(f"Exercises: {DASH} (none were started)."))
        return items
    rows = []
    for number, exercise in enumerate(session.exercises, 1):
        means = exercise_means(exercise)
        rows.append(
            [
                str(number),
                exercise.exercise_name,
                status_text(exercise.status).split(" (")[0],
                str(len(exercise.repetitions)),
                mm_text(means.left_mm),
                mm_text(means.right_mm),
                percent_text(means.symmetry),
                weaker_side_text(means.weaker_side, means.symmetry, short=True),
            ]
        )
    columns = [
        Column("#", 0.3),
        Column("Exercise", 1.7, "left"),
        Column("Status", 0.95, "left"),
        Column("Reps", 0.5),
        Column("Left (patient's) mean mm", 0.85),
        Column("Right (patient's) mean mm", 0.85),
        Column("Symmetry", 0.82),
        Column("Weaker side (patient's)", 0.9, "left"),
    ]
    items.append(Table(columns, rows))
    return items


def front_sections(session: SessionDetail, patient: dict[str, Any] | None) -> list[Section]:
    """Page 1's sections; `patient` as `coach.reports.exports.patient_fields` gives it (None: no patient)."""
    return [
        Section(_header(session, patient)),
        Section(_resting_face(session)),
        Section(_exercise_overview(session)),
        Section([about_box()]),
    ]
