"""The grading pages of an examination's report: each scale as the clinician filed it beside the
measured suggestions (the reading and how sure each is), and the patient's gradings over time.

A suggestion is labelled a measurement aid, not a diagnosis, as everywhere. Worded by
`coach.reports.grading_text`, as the printout and the form word it.
"""

from __future__ import annotations

from collections.abc import Sequence

from coach.base.formats import date_text, number_text
from coach.base.i18n import N_, tr
from coach.grading import scales
from coach.grading.suggestions import GradingSuggestions
from coach.records.models import FiledGrading, SessionDetail
from coach.reports.grading_text import AID, certainty_text, reading_text
from coach.reports.pdf.flow import Block, Column, Section, Table, heading, paragraph
from coach.reports.pdf.layout import CONTENT_W, SMALL_PT
from coach.reports.pdf.wording import DASH

GRADING_HEADING = N_("Grading: {scale}")
TREND_HEADING = N_("Gradings over time")
NOT_FILED = N_("Not graded yet: the values below are the suggestions only.")


def _value(value: int | None) -> str:
    return DASH if value is None else str(value)


def _scale_blocks(
    scale: str, suggestions: GradingSuggestions | None, filed: FiledGrading | None
) -> list[Block | Table]:
    item_w, value_w, read_w = 2.7, 0.65, 0.75
    columns = [
        Column(tr("Item"), item_w, "left", wrap=True),
        Column(tr("Graded"), value_w),
        Column(tr("Suggested"), value_w + 0.15),
        Column(tr("Read"), read_w),
        Column(tr("How sure"), CONTENT_W - item_w - 2 * value_w - 0.15 - read_w, "left", wrap=True),
    ]
    rows = []
    for item_id, item in scales.ITEMS[scale].items():
        s = suggestions.items[scale][item_id] if suggestions is not None else None
        graded = filed.values.get(item_id) if filed is not None else None
        rows.append([
            f"{tr(scales.SECTION_NAMES[item.section])}: {tr(item.label)}",
            _value(graded),
            _value(s.value) if s is not None else DASH,
            reading_text(s) if s is not None else DASH,
            certainty_text(s) if s is not None else DASH,
        ])  # fmt: skip
    title = tr(GRADING_HEADING, scale=tr(scales.SCALE_NAMES[scale]))
    blocks: list[Block | Table] = [heading(title)]
    if filed is not None:
        who = tr("Graded by {who} on {date}.", who=filed.graded_by, date=date_text(filed.graded_at))
        blocks.append(paragraph(who, SMALL_PT, after=0.08))
    else:
        blocks.append(paragraph(tr(NOT_FILED), SMALL_PT, after=0.08))
    blocks.append(Table(columns, rows, caption=title))
    totals = []
    if filed is not None:
        totals.append(tr("graded: {total}", total=number_text(filed.total, 0)))
    if suggestions is not None:
        totals.append(tr("suggested: {total}", total=number_text(suggestions.scores(scale).total, 0)))
    line = f"{tr(scales.TOTAL_NAMES[scale])}: " + "; ".join(totals)
    blocks.append(paragraph(line, after=0.2, fontweight="bold"))
    return blocks


def _trend_blocks(gradings: Sequence[FiledGrading]) -> list[Block | Table]:
    """Each filing of either scale, oldest first: the total over time."""
    columns = [
        Column(tr("Date"), 1.3, "left"),
        Column(tr("Graded by"), 2.0, "left", wrap=True),
        Column(tr("Scale"), 2.2, "left", wrap=True),
        Column(tr("Total"), CONTENT_W - 5.5),
    ]
    rows = [
        [date_text(g.graded_at), g.graded_by, tr(scales.SCALE_NAMES[g.scale]), number_text(g.total, 0)]
        for g in gradings
    ]
    return [heading(tr(TREND_HEADING)), Table(columns, rows, caption=tr(TREND_HEADING))]


def grading_sections(
    session: SessionDetail, suggestions: GradingSuggestions | None, gradings: Sequence[FiledGrading]
) -> list[Section]:
    """For an examination: a page with both scales (the last filing of this session beside the
    suggestions), and the patient's gradings over time; nothing for other sessions."""
    mine = [g for g in gradings if g.session_uid == session.uid]
    if suggestions is None and not mine:
        return []
    blocks: list[Block | Table] = [paragraph(tr(AID), SMALL_PT, after=0.15)]
    for scale in scales.ITEMS:
        last = next((g for g in reversed(mine) if g.scale == scale), None)
        blocks += _scale_blocks(scale, suggestions, last)
    sections = [Section(blocks, new_page=True)]
    until = [g for g in gradings if g.graded_at <= max((m.graded_at for m in mine), default=g.graded_at)]
    if until:
        sections.append(Section(_trend_blocks(until)))
    return sections
