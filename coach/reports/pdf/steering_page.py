"""The page of what the therapist (or the patient, or the app) did to the session while it ran:
one row per change or note, in order, with the time in the session, who did it and the exercise
it concerned. Notes are in bold: they are what the therapist wrote for later.

Worded by `coach.reports.steering_log` (and so `coach.session.steering_words`), as the app's
windows word them. A session nobody steered has no such page.
"""

from __future__ import annotations

from coach.base.i18n import N_, tr
from coach.records.models import SessionDetail
from coach.reports.pdf.flow import Column, RowStyle, Section, Table, heading, paragraph
from coach.reports.pdf.layout import CONTENT_W, SMALL_PT
from coach.reports.pdf.wording import DASH
from coach.reports.steering_log import STEERING_HEADING, steering_entries

STEERING_INTRO = N_(
    "What was done to this session while it ran, in order: the time from the session's start (minutes:seconds), "
    "who did it and the exercise it concerned. Repetitions set aside stay on their exercise's page, struck "
    "through, and are left out of its results and of the progress charts."
)
NOTES_IN_BOLD = N_("The therapist's notes are in bold.")


def steering_section(session: SessionDetail) -> Section | None:
    """The notes and changes of `session` on a page of their own; None when there were none."""
    entries = steering_entries(session)
    if not entries:
        return None
    time_w, who_w, exercise_w = 0.75, 1.5, 1.65
    columns = [
        Column(tr("Time in session"), time_w, "left"),
        Column(tr("Who"), who_w, "left", wrap=True),
        Column(tr("Exercise"), exercise_w, "left", wrap=True),
        Column(tr("What"), CONTENT_W - time_w - who_w - exercise_w, "left", wrap=True),
    ]
    rows = [[entry.clock, entry.who, entry.exercise or DASH, entry.what] for entry in entries]
    styles = [RowStyle(bold=entry.is_note) for entry in entries]
    intro = tr(STEERING_INTRO)
    if any(entry.is_note for entry in entries):
        intro += " " + tr(NOTES_IN_BOLD)
    table = Table(columns, rows, caption=tr(STEERING_HEADING), styles=styles)
    return Section([heading(tr(STEERING_HEADING)), paragraph(intro, SMALL_PT, after=0.15), table], new_page=True)
