"""Page 1: who and when, the resting face, an overview of the session's exercises, and what the numbers mean."""

from __future__ import annotations

from typing import Any

from coach import __version__
from coach.base.formats import long_date_text
from coach.base.i18n import tr, trn
from coach.base.palette import LEFT_LABEL, RIGHT_LABEL
from coach.measure.measures import measure_label
from coach.plans.shown_names import shown_exercise_name, shown_programme_name
from coach.records.models import SessionDetail
from coach.records.trends import exercise_means
from coach.reports.pdf.explanation import about_box
from coach.reports.pdf.flow import Block, Column, Page, Section, Table, heading, key_values, paragraph
from coach.reports.pdf.layout import MARGIN_X, SMALL_PT, SUBHEADING_PT, TITLE_PT, draw_rule, draw_text
from coach.reports.pdf.wording import (
    DASH,
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
from coach.reports.steering_log import set_aside_count


def _duration_text(session: SessionDetail) -> str:
    if session.ended_at is None:
        return DASH
    minutes = max(0.0, (session.ended_at - session.started_at).total_seconds() / 60)
    return tr("{minutes} min", minutes=f"{minutes:.0f}") if minutes >= 1 else tr("under 1 min")


def _time_text(session: SessionDetail) -> str:
    """The local start time, with the time zone's name when the computer gives one."""
    started = local_time(session.started_at)
    zone = f"{started:%Z}"
    if not zone:
        return tr("{time} (local time)", time=f"{started:%H:%M}")
    return tr("{time} (local, {zone})", time=f"{started:%H:%M}", zone=zone)


def _kind_text(session: SessionDetail) -> str:
    return tr("live (webcam)") if session.kind == "live" else tr("recorded video")


def _steering_text(session: SessionDetail) -> str:
    """How much was changed and noted while the session ran (listed on a page of their own)."""
    notes = len(session.notes)
    changes = trn("{count} change", "{count} changes", len(session.steering) - notes)
    return tr("{changes}, {notes} while it ran", changes=changes, notes=trn("{count} note", "{count} notes", notes))


def _header(session: SessionDetail, patient: dict[str, Any] | None) -> list[Block | Table]:
    """Title, then the patient (left) and the session (right) as label–value lists."""
    started = local_time(session.started_at)
    repetitions = sum(len(exercise.repetitions) for exercise in session.exercises)
    patient_column = [
        (tr("Patient code"), text_or_dash(field_value(patient, "code"))),
        (tr("Name"), text_or_dash(field_value(patient, "display_name"))),
        (tr("Affected side"), affected_side_text(field_value(patient, "affected_side"))),
        (tr("Onset"), onset_text(field_value(patient, "onset_date"), session)),
        (tr("Cause"), text_or_dash(field_value(patient, "cause"))),
    ]
    set_aside = set_aside_count(session.exercises)
    recorded = tr(
        "{exercises}, {repetitions}",
        exercises=trn("{count} exercise", "{count} exercises", len(session.exercises)),
        repetitions=trn("{count} repetition", "{count} repetitions", repetitions),
    )
    if set_aside:
        recorded = tr("{recorded}, {set_aside} of them set aside", recorded=recorded, set_aside=set_aside)
    session_column = [
        (tr("Date"), long_date_text(started)),
        (tr("Time"), _time_text(session)),
        (tr("Duration"), _duration_text(session)),
        (
            tr("Programme"),
            shown_programme_name(session.programme_id, session.programme_name)
            or session.programme_id
            or tr("single exercise"),
        ),
        (tr("Kind"), _kind_text(session)),
        (tr("Source"), session.source),
        (tr("Status"), status_text(session.status)),
        (tr("Recorded"), recorded),
    ]
    if session.steering:
        session_column.append((tr("Changes"), _steering_text(session)))
    return [
        Block(
            0.42,
            lambda fig, y: draw_text(
                fig, MARGIN_X, y, tr("Facial exercise session report"), TITLE_PT, fontweight="bold"
            ),
        ),
        paragraph(
            tr("Facial Symmetry Coach {version} · home practice record", version=__version__)
            if session.kind == "live"
            else tr("Facial Symmetry Coach {version} · recorded video, measured afterwards", version=__version__),
            SMALL_PT,
            after=0.05,
        ),
        Block(0.12, lambda fig, y: draw_rule(fig, y + 0.04, 1.2)),
        key_values([patient_column, session_column]),
    ]


def _resting_face(session: SessionDetail) -> list[Block | Table]:
    """Each resting measure per side and their difference."""
    items: list[Block | Table] = [heading(tr("Resting face"), SUBHEADING_PT)]
    if not session.resting:
        items.append(paragraph(tr("Resting measures: {dash} (none were recorded in this session).", dash=DASH)))
        return items
    rows = []
    for name, sides in session.resting.items():
        left, right = sides.get("left"), sides.get("right")
        difference = sides.get("difference")
        if difference is None and left is not None and right is not None:
            difference = left - right
        rows.append([measure_label(name), mm_text(left), mm_text(right), signed_mm_text(difference)])
    columns = [
        Column(tr("Measure (mm)"), 3.0, "left"),
        Column(tr(LEFT_LABEL), 1.3),
        Column(tr(RIGHT_LABEL), 1.3),
        Column(tr("L − R"), 1.0),
    ]
    items.append(Table(columns, rows))
    if session.rest_accepted:
        items.append(
            paragraph(
                tr(
                    "This resting face was accepted as it was: it did not stay still while relaxing, "
                    "so these measures, and the movements measured from them, may include some movement."
                )
            )
        )
    return items


def _exercise_overview(session: SessionDetail) -> list[Block | Table]:
    """One row per exercise: status, repetitions and mean movement per side."""
    items: list[Block | Table] = [heading(tr("Exercises in this session"), SUBHEADING_PT)]
    if not session.exercises:
        items.append(paragraph(tr("Exercises: {dash} (none were started).", dash=DASH)))
        return items
    rows = []
    for number, exercise in enumerate(session.exercises, 1):
        means = exercise_means(exercise)
        rows.append(
            [
                str(number),
                shown_exercise_name(exercise.exercise_id, exercise.exercise_name),
                status_text(exercise.status, short=True),
                str(len(exercise.counted_repetitions)),
                mm_text(means.left_mm),
                mm_text(means.right_mm),
                percent_text(means.symmetry),
                weaker_side_text(means.weaker_side, means.symmetry, short=True),
            ]
        )
    columns = [
        Column("#", 0.3),
        Column(tr("Exercise"), 1.7, "left"),
        Column(tr("Status"), 0.95, "left"),
        Column(tr("Reps"), 0.5),
        Column(tr("Left (patient's) mean mm"), 0.85),
        Column(tr("Right (patient's) mean mm"), 0.85),
        Column(tr("Symmetry"), 0.82),
        Column(tr("Weaker side (patient's)"), 0.9, "left"),
    ]
    items.append(Table(columns, rows))
    set_aside = set_aside_count(session.exercises)
    if set_aside:
        note = trn(
            "Reps and means leave out the {count} repetition the therapist set aside; they are "
            "shown, struck through, on the exercise pages.",
            "Reps and means leave out the {count} repetitions the therapist set aside; they are "
            "shown, struck through, on the exercise pages.",
            set_aside,
        )
        items.append(paragraph(note, SMALL_PT))
    return items


def front_sections(session: SessionDetail, patient: dict[str, Any] | None) -> list[Section]:
    """Page 1's sections; `patient` as `coach.reports.exports.patient_fields` gives it (None: no patient).
    What the numbers are (and are not) is always on page 1: after the tables where all fits, else
    before them (a longer language's wording, or a long programme, would push it to page 2)."""
    header, about = Section(_header(session, patient)), Section([about_box()])
    tables = [Section(_resting_face(session)), Section(_exercise_overview(session))]
    if header.height + sum(table.height for table in tables) + about.height <= Page().room():
        return [header, *tables, about]
    return [header, about, *tables]
