"""The session report written to a file: pages planned, drawn one by one, saved as one PDF.

Drawn with matplotlib alone: one `Figure` on an explicit Agg canvas, cleared and reused
for every page, saved through `PdfPages`. No pyplot, so no GUI backend or global figure
manager is involved and the Qt app's own backend choice does not matter; rcParams are
changed only inside an `rc_context` while a report is drawn (one report at a time:
matplotlib's settings and fonts are process-wide).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from coach import __version__
from coach.base.i18n import tr
from coach.base.private_files import atomic_private_path
from coach.grading.suggestions import GradingSuggestions
from coach.records.models import FiledGrading, SessionDetail
from coach.reports.exports import patient_fields
from coach.reports.pdf.exercise_pages import exercise_section
from coach.reports.pdf.flow import Page, Section, paginate
from coach.reports.pdf.front_page import front_sections
from coach.reports.pdf.grading_page import grading_sections
from coach.reports.pdf.layout import (
    BODY_PT,
    CONTENT_W,
    FONT_FAMILY,
    MARGIN_BOTTOM,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    SMALL_PT,
    draw_rule,
    draw_text,
)
from coach.reports.pdf.steering_page import steering_section
from coach.reports.pdf.trend_pages import trend_sections
from coach.reports.pdf.wording import DASH, field_value, session_stamp, text_or_dash
from coach.session.snapshots import Snapshot
from coach.session.steering_words import ASKING_ACTIONS

#: an examination's suggested grading (None for other sessions) and the patient's filed gradings
Grading = tuple[GradingSuggestions | None, Sequence[FiledGrading]]

_RC = {
    "pdf.fonttype": 42,  # TrueType: crisp at any zoom, text selectable and searchable
    "font.family": FONT_FAMILY,
    "font.size": BODY_PT,
    "text.color": "black",
    "axes.labelcolor": "black",
    "axes.edgecolor": "black",
    "xtick.color": "black",
    "ytick.color": "black",
    "hatch.linewidth": 0.7,
    "legend.handlelength": 2.6,  # long enough to show dashed vs solid
}


def _footer(fig: Figure, patient_code: str, session: SessionDetail, number: int, total: int) -> None:
    y = PAGE_H - MARGIN_BOTTOM + 0.35
    draw_rule(fig, y - 0.08, 0.6)
    stamp = session_stamp(session)
    if patient_code == DASH:
        who = tr("No patient recorded · session {started}", started=stamp)
    else:
        who = tr("Patient {code} · session {started}", code=patient_code, started=stamp)
    draw_text(fig, MARGIN_X, y, who, SMALL_PT)
    draw_text(
        fig, MARGIN_X + CONTENT_W, y, tr("page {page} of {pages}", page=number, pages=total), SMALL_PT, ha="right"
    )


def _sections(
    session: SessionDetail,
    history: list[SessionDetail],
    fields: dict[str, Any] | None,
    snapshots: Mapping[int, Snapshot],
    grading: Grading,
) -> list[Section]:
    """Page 1, the therapist's notes and changes (if any) on a page of their own, each exercise (the
    first on a new page), the grading of an examination, then the progress pages."""
    sections = front_sections(session, fields)
    steering = steering_section(session)
    if steering is not None:
        sections.append(steering)
    for number, exercise in enumerate(session.exercises, 1):
        changed = any(
            record.position == exercise.position and record.action in ASKING_ACTIONS for record in session.steering
        )
        section = exercise_section(number, exercise, snapshots.get(exercise.id), session.kind, changed)
        section.new_page = number == 1
        sections.append(section)
    return sections + grading_sections(session, *grading) + trend_sections(session, history)


def _save(target: Path, pages: list[Page], metadata: dict[str, str], session: SessionDetail, code: str) -> None:
    """Draw every page in memory, then write the bytes to a private file beside `target` and
    rename it: complete or not at all. Drawn straight to the file, a full disk failed inside the
    PDF library's compressor (a `zlib.error`, not the disk's own error); written at once, it is the
    disk's `OSError`, said like every other write."""
    drawn = io.BytesIO()
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(PAGE_W, PAGE_H))
        FigureCanvasAgg(figure)  # explicitly Agg, whatever backend pyplot may have chosen
        with PdfPages(drawn, metadata=metadata) as pdf:
            for number, page in enumerate(pages, 1):
                figure.clear()
                for block, y in page.placed:
                    block.draw(figure, y)
                _footer(figure, code, session, number, len(pages))
                pdf.savefig(figure)
    with atomic_private_path(target) as temporary:
        temporary.write_bytes(drawn.getvalue())


def write_session_report(
    pdf_path: Path | str,
    session: SessionDetail,
    history: list[SessionDetail],
    patient: Mapping[str, Any] | object | None = None,
    snapshots: Mapping[int, Snapshot] | None = None,
    grading: Grading = (None, ()),
) -> int:
    """Write the session's report to `pdf_path` and return its page count.

    history: the patient's sessions for the trend charts (this one is added if missing;
    later ones, and any of another patient, are left out). patient: a mapping or an
    object with code, display_name, affected_side, onset_date, cause (any may be
    missing). snapshots: the pictures kept at the peak of exercises, keyed by
    `ExerciseRecord.id` (`SessionStore.pictures.of_session`); drawn with their measured
    regions. There are some only where the person chose to keep pictures. grading: for an
    examination, its suggested grading and the patient's filed gradings (a page of their own).
    The file appears complete or not at all (written aside, then renamed), readable by
    this user alone (`coach.base.private_files`).
    """
    fields = patient_fields(patient)
    code = text_or_dash(field_value(fields, "code"))
    pages = paginate(_sections(session, history, fields, snapshots or {}, grading))
    metadata = {
        "Title": tr("Session report {code} {started}", code=code, started=session_stamp(session)),
        "Subject": tr("Facial exercise session: per-side movement, symmetry and synkinesis (patient's sides)"),
        "Creator": f"Facial Symmetry Coach {__version__}",
    }
    _save(Path(pdf_path), pages, metadata, session, code)
    return len(pages)
