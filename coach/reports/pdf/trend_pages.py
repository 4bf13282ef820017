"""The progress pages: per exercise, movement and symmetry over the patient's sessions against the
therapist's targets, synkinesis against the warning limit, and how even the resting face has become.

The series come from `coach.records.trends` (the same numbers the app charts); this module only
lays them out for print. The dotted vertical line on every chart marks the session reported on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from coach.base.i18n import N_, tr
from coach.base.palette import BAND_COLOUR, LEFT_LABEL, RESTING_STYLES, RIGHT_LABEL, SYMMETRY_COLOUR, TARGET_COLOUR
from coach.records.models import SessionDetail
from coach.records.trends import ExerciseTrend, RestingTrend, exercise_trends, oldest_first, resting_trend, wall_clock
from coach.reports.formats import date_text, month_short_text, number_text, short_number_text
from coach.reports.pdf.flow import Block, Section, heading, paragraph
from coach.reports.pdf.layout import (
    CONTENT_W,
    HEADING_PT,
    LEFT_LINE,
    MARGIN_X,
    RIGHT_LINE,
    SMALL_PT,
    SUBHEADING_PT,
    chart_axes,
    draw_text,
    fx,
    fy,
    line_height,
    wrap,
)
from coach.reports.pdf.wording import local_time, measure_label, resting_label
from coach.session import engine

SYNKINESIS_HEADER = N_("Synkinesis: unwanted movement as % of the region at rest (mean per session)")
LIMIT_LINE = {"color": "#000000", "linewidth": 1.2, "linestyle": (0, (5, 3))}
SYNKINESIS_ROW_H = 2.1  # header, legend, panel titles, panels and their dates
EXERCISE_CHARTS_H = 2.55  # title, legends, the movement and symmetry charts and their dates


#: stands for the month's abbreviation in a date format, until the catalogue names it
_MONTH = "\x01%m\x01"


def _named_months(label: str) -> str:
    return re.sub("\x01(\\d+)\x01", lambda found: month_short_text(int(found[1])), label)


class _DateTicks(mdates.ConciseDateFormatter):
    """ConciseDateFormatter with months named from the catalogue (Mär, Mai), not the process locale."""

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        return [_named_months(label) for label in super().format_ticks(values)]

    def get_offset(self) -> str:
        return _named_months(super().get_offset())


def _date_axis(ax: Axes) -> None:
    """Dates that read alone ("08 Jan", not "08"), with the year (and the day, under hours) once at the end."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    day_month = tr("{day} {month}", day="%d", month=_MONTH)
    day_month_year = tr("{day} {month} {year}", day="%d", month=_MONTH, year="%Y")
    formatter = _DateTicks(
        locator,
        formats=["%Y", _MONTH, day_month, "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", _MONTH, day_month, "%H:%M", "%H:%M"],
        offset_formats=["", "%Y", "%Y", day_month_year, day_month_year, day_month_year],
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


def _finish_chart(ax: Axes) -> None:
    _date_axis(ax)
    ax.grid(color="#DDDDDD", linewidth=0.5)


def _mark_this_session(ax: Axes, x_now: float) -> None:
    ax.axvline(x_now, color="#555555", linewidth=1.0, linestyle=":")


def _marker_size(points: int) -> float:
    """Markers small enough that a hundred sessions still read as a line."""
    return 4.5 if points <= 30 else 3.0 if points <= 80 else 2.2


def _synkinesis_row(fig: Figure, y: float, trend: ExerciseTrend, x_now: float) -> None:
    """One small chart per watched measure: left vs right mean synkinesis, with the dashed warning limit."""
    x = mdates.date2num(trend.when)
    series = trend.synkinesis_series()
    draw_text(fig, MARGIN_X, y, tr(SYNKINESIS_HEADER), SMALL_PT, fontweight="bold")
    limits = np.array(trend.synkinesis_limit_pct)
    constant = len({round(v, 6) for v in limits}) == 1
    limit_label = (
        tr("Warning limit {percent} %", percent=short_number_text(limits[0])) if constant else tr("Warning limit")
    )
    size = _marker_size(len(x))
    handles = [
        Line2D([], [], **{**LEFT_LINE, "markersize": size}, label=tr(LEFT_LABEL)),
        Line2D([], [], **{**RIGHT_LINE, "markersize": size}, label=tr(RIGHT_LABEL)),
        Line2D([], [], **LIMIT_LINE, label=limit_label),
    ]
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(fx(MARGIN_X), fy(y + 0.22)), ncol=3,
        fontsize=SMALL_PT, frameon=False, borderaxespad=0.0, borderpad=0.0,
    )  # fmt: skip
    columns = max(2, len(series))
    gap = 0.8 if columns == 2 else 0.7
    chart_w = (CONTENT_W - 0.55 - (columns - 1) * gap) / columns
    for index, (name, (left, right)) in enumerate(series.items()):
        ax = chart_axes(fig, MARGIN_X + 0.55 + index * (chart_w + gap), y + 0.7, chart_w, 0.95)
        ax.set_title(measure_label(name), fontsize=SMALL_PT, loc="left", pad=3)
        if constant:
            ax.axhline(limits[0], **LIMIT_LINE)
        else:
            ax.plot(x, limits, drawstyle="steps-mid", **LIMIT_LINE)
        ax.plot(x, left, **{**LEFT_LINE, "markersize": size})
        ax.plot(x, right, **{**RIGHT_LINE, "markersize": size})
        _mark_this_session(ax, x_now)
        top = float(np.nanmax([*left, *right, *limits, 1.0]))
        ax.set_ylim(0, top * 1.15)
        ax.set_ylabel("%", fontsize=SMALL_PT)
        _finish_chart(ax)


def _legend_above(ax: Axes, columns: int) -> None:
    ax.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=columns, fontsize=SMALL_PT, frameon=False, borderaxespad=0.0
    )


def _movement_chart(ax: Axes, trend: ExerciseTrend, x: np.ndarray, x_now: float) -> None:
    """Each side's mean peak movement per session over the target range."""
    low, high = np.array(trend.target_low_mm), np.array(trend.target_high_mm)
    if np.isfinite(low).any():
        ax.fill_between(x, low, high, step="mid", color=BAND_COLOUR, alpha=0.3, linewidth=0, label=tr("Target range"))
    size = _marker_size(len(x))
    ax.plot(x, trend.left_mm, label=tr(LEFT_LABEL), **{**LEFT_LINE, "markersize": size})
    ax.plot(x, trend.right_mm, label=tr(RIGHT_LABEL), **{**RIGHT_LINE, "markersize": size})
    _mark_this_session(ax, x_now)
    ax.set_ylabel(tr("Mean peak movement (mm)"), fontsize=SMALL_PT)
    ax.set_ylim(bottom=min(0.0, float(np.nanmin([*trend.left_mm, *trend.right_mm, 0.0]))))
    _legend_above(ax, 2)
    _finish_chart(ax)


def _symmetry_chart(ax: Axes, trend: ExerciseTrend, x: np.ndarray, x_now: float) -> None:
    """Mean symmetry per session against the target symmetry."""
    wanted = np.array(trend.target_symmetry_pct)
    if np.isfinite(wanted).any():
        ax.plot(
            x, wanted, drawstyle="steps-mid", color=TARGET_COLOUR, linewidth=1.4, linestyle="-.",
            label=tr("Target symmetry"),
        )  # fmt: skip
    ax.plot(
        x, trend.symmetry_pct, color=SYMMETRY_COLOUR, marker="D", markersize=_marker_size(len(x)), linewidth=1.4,
        label=tr("Symmetry (weaker ÷ stronger)"),
    )  # fmt: skip
    _mark_this_session(ax, x_now)
    ax.set_ylim(0, 105)
    ax.set_ylabel(tr("Symmetry (%)"), fontsize=SMALL_PT)
    _legend_above(ax, 1)
    _finish_chart(ax)


def _exercise_trend_block(trend: ExerciseTrend, x_now: float) -> Block:
    """Two charts side by side: per-side movement with its target, and symmetry with its target;
    under them, when synkinesis was measured, a row of small synkinesis charts with the warning limit."""
    height = EXERCISE_CHARTS_H
    x = mdates.date2num(trend.when)
    with_synkinesis = any(trend.synkinesis_pct)

    def draw(fig: Figure, y: float) -> None:
        draw_text(fig, MARGIN_X, y, trend.name, SUBHEADING_PT, fontweight="bold")
        chart_w = (CONTENT_W - 1.35) / 2
        _movement_chart(chart_axes(fig, MARGIN_X + 0.55, y + 0.62, chart_w, height - 1.1), trend, x, x_now)
        symmetry = chart_axes(fig, MARGIN_X + 0.55 + chart_w + 0.8, y + 0.62, chart_w, height - 1.1)
        _symmetry_chart(symmetry, trend, x, x_now)
        if with_synkinesis:
            _synkinesis_row(fig, y + height, trend, x_now)

    return Block(height + 0.15 + (SYNKINESIS_ROW_H if with_synkinesis else 0.0), draw)


def _resting_trend_block(trend: RestingTrend, x_now: float) -> Block | None:
    """|L − R| of each resting measure over time: is the resting face becoming more even?"""
    if not trend.difference_mm:
        return None
    x = mdates.date2num(trend.when)
    series = {name: np.array(values) for name, values in trend.difference_mm.items()}
    columns = 2
    panel_w, panel_h, gap_x, gap_y = (CONTENT_W - 1.3) / 2, 1.35, 0.75, 0.8
    rows = math.ceil(len(series) / columns)
    note = wrap(
        tr(
            "|Left (patient's) − Right (patient's)| in mm, one point per session; dashed line: typical noise "
            "({noise} mm). Lower is more even.",
            noise=number_text(engine.NOISE_FLOOR_MM, 1),
        ),
        CONTENT_W,
        SMALL_PT,
    )
    top = 0.32 + len(note) * line_height(SMALL_PT) + 0.3
    height = top + rows * (panel_h + gap_y)

    def draw(fig: Figure, y: float) -> None:
        title = tr("Resting face: difference between the patient's sides")
        draw_text(fig, MARGIN_X, y, title, SUBHEADING_PT, fontweight="bold")
        for line, text in enumerate(note):
            draw_text(fig, MARGIN_X, y + 0.32 + line * line_height(SMALL_PT), text, SMALL_PT)
        for index, (style, (name, values)) in enumerate(zip(RESTING_STYLES, series.items(), strict=False)):
            row, column = divmod(index, columns)
            left = MARGIN_X + 0.55 + column * (panel_w + gap_x)
            ax = chart_axes(fig, left, y + top + row * (panel_h + gap_y), panel_w, panel_h)
            ax.set_title(resting_label(name), fontsize=SMALL_PT, loc="left", pad=4)
            ax.axhline(engine.NOISE_FLOOR_MM, color="#555555", linewidth=1.0, linestyle=(0, (6, 3)))
            ax.plot(x, values, linewidth=1.4, markersize=_marker_size(len(x)), **{**style, "linestyle": "-"})
            _mark_this_session(ax, x_now)
            ax.set_ylim(0, max(1.0, float(np.nanmax(values, initial=0.0)) * 1.15))
            ax.set_ylabel(tr("|L − R| mm"), fontsize=SMALL_PT)
            _finish_chart(ax)

    return Block(height, draw)


def history_up_to(session: SessionDetail, history: Sequence[SessionDetail]) -> list[SessionDetail]:
    """This patient's sessions up to this one, oldest → newest, this one included once.
    Another patient's sessions are never drawn into the trends, whatever the caller passes."""
    by_id = {past.id: past for past in history if past.patient_id == session.patient_id}
    by_id[session.id] = session
    return oldest_first(past for past in by_id.values() if past.started_at <= session.started_at)


def _this_session_first(session: SessionDetail, trends: dict[str, ExerciseTrend]) -> list[ExerciseTrend]:
    """The exercises of the reported session in its order, then any others the patient has done."""
    order = dict.fromkeys([*(exercise.exercise_id for exercise in session.exercises), *trends])
    return [trends[exercise_id] for exercise_id in order if exercise_id in trends]


def trend_sections(session: SessionDetail, history: Sequence[SessionDetail]) -> list[Section]:
    """The progress pages, from the patient's sessions up to this one (`history` in any order)."""
    past = history_up_to(session, history)
    intro = heading(tr("Progress over time"), HEADING_PT)
    if len(past) < 2:
        return [
            Section([intro, paragraph(tr("Only this session so far: trend charts appear from the second session on."))])
        ]
    first, last = (local_time(past[i].started_at) for i in (0, -1))
    x_now = float(mdates.date2num(wall_clock(session.started_at)))
    sections = [
        Section(
            [
                intro,
                paragraph(
                    tr(
                        "{count} sessions from {first} to {last}. Each point is the mean of one exercise's "
                        "repetitions in one session; the shaded band and the dash-dot line are the therapist's "
                        "targets at the time; the dotted vertical line marks this session; on the synkinesis "
                        "charts the dashed line is the exercise's warning limit.",
                        count=len(past),
                        first=date_text(first),
                        last=date_text(last),
                    ),
                    after=0.15,
                ),
            ],
            new_page=True,
        )
    ]
    sections += [
        Section([_exercise_trend_block(trend, x_now)]) for trend in _this_session_first(session, exercise_trends(past))
    ]
    resting = _resting_trend_block(resting_trend(past), x_now)
    if resting is not None:
        sections.append(Section([resting]))
    return sections
