"""The progress pages: per exercise, movement and symmetry over the patient's sessions against the
therapist's targets, synkinesis against the warning limit, and how even the resting face has become.

What each chart shows (series, clipping, target band, axis range and labels) comes from
`coach.reports.charts`, the chart model the app's Trends tab draws too; this module only lays it
out for print. The dotted vertical line on every chart marks the session reported on.
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

from coach.base.formats import date_text, month_short_text, number_text
from coach.base.i18n import N_, tr
from coach.base.palette import BAND_COLOUR, SYMMETRY_COLOUR, TARGET_COLOUR
from coach.records.models import SessionDetail
from coach.records.trends import ExerciseTrend, exercise_trends, oldest_first, resting_trend, wall_clock
from coach.reports.chart_drawing import draw_level, resting_style
from coach.reports.charts import Chart, ExerciseCharts, exercise_charts, resting_chart
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
from coach.reports.pdf.wording import local_time
from coach.session import engine

SYNKINESIS_HEADER = N_("Synkinesis: unwanted movement as % of the region at rest (mean per session)")
LIMIT_LINE = {"color": "#000000", "linewidth": 1.2, "linestyle": (0, (5, 3))}
TARGET_LINE = {"color": TARGET_COLOUR, "linewidth": 1.4, "linestyle": "-."}
NOISE_LINE = {"color": "#555555", "linewidth": 1.0, "linestyle": (0, (6, 3))}
SYMMETRY_LINE = {"color": SYMMETRY_COLOUR, "marker": "D", "linewidth": 1.4}
SIDE_LINES = {"left": LEFT_LINE, "right": RIGHT_LINE}
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


def _sides(ax: Axes, x: np.ndarray, chart: Chart, label: bool = True) -> None:
    """The chart's left and right series (`label`: named for a legend of their own axes)."""
    size = _marker_size(len(x))
    for series in chart.series:
        style = {**SIDE_LINES[series.role], "markersize": size}
        ax.plot(x, series.values, label=series.label if label else None, **style)


def _synkinesis_row(fig: Figure, y: float, charts: tuple[Chart, ...], x_now: float) -> None:
    """One small chart per watched measure: left vs right mean synkinesis, with the dashed warning limit;
    each titled by its measure and labelled with its unit (the header above says what they show)."""
    x = mdates.date2num(charts[0].when)
    draw_text(fig, MARGIN_X, y, tr(SYNKINESIS_HEADER), SMALL_PT, fontweight="bold")
    size = _marker_size(len(x))
    handles = [
        *(Line2D([], [], **{**SIDE_LINES[s.role], "markersize": size}, label=s.label) for s in charts[0].series),
        *(Line2D([], [], **LIMIT_LINE, label=level.label) for level in charts[0].levels),
    ]
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(fx(MARGIN_X), fy(y + 0.22)), ncol=3,
        fontsize=SMALL_PT, frameon=False, borderaxespad=0.0, borderpad=0.0,
    )  # fmt: skip
    columns = max(2, len(charts))
    gap = 0.8 if columns == 2 else 0.7
    chart_w = (CONTENT_W - 0.55 - (columns - 1) * gap) / columns
    for index, chart in enumerate(charts):
        ax = chart_axes(fig, MARGIN_X + 0.55 + index * (chart_w + gap), y + 0.7, chart_w, 0.95)
        ax.set_title(chart.measure_label, fontsize=SMALL_PT, loc="left", pad=3)
        for level in chart.levels:
            draw_level(ax, x, level, LIMIT_LINE)
        _sides(ax, x, chart, label=False)
        _mark_this_session(ax, x_now)
        ax.set_ylim(*chart.y_range)
        ax.set_ylabel(chart.unit, fontsize=SMALL_PT)
        _finish_chart(ax)


def _legend_above(ax: Axes, columns: int) -> None:
    ax.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=columns, fontsize=SMALL_PT, frameon=False, borderaxespad=0.0
    )


def _movement_chart(ax: Axes, chart: Chart, x: np.ndarray, x_now: float) -> None:
    """Each side's mean peak movement per session over the target range."""
    band = chart.band
    if band is not None:
        low, high = np.array(band.low), np.array(band.high)
        ax.fill_between(x, low, high, step="mid", color=BAND_COLOUR, alpha=0.3, linewidth=0, label=band.label)
    _sides(ax, x, chart)
    _mark_this_session(ax, x_now)
    ax.set_ylabel(chart.y_label, fontsize=SMALL_PT)
    ax.set_ylim(*chart.y_range)
    _legend_above(ax, 2)
    _finish_chart(ax)


def _symmetry_chart(ax: Axes, chart: Chart, x: np.ndarray, x_now: float) -> None:
    """Mean symmetry per session against the target symmetry."""
    for level in chart.levels:
        draw_level(ax, x, level, TARGET_LINE, level.label)
    (symmetry,) = chart.series
    ax.plot(x, symmetry.values, markersize=_marker_size(len(x)), label=symmetry.label, **SYMMETRY_LINE)
    _mark_this_session(ax, x_now)
    ax.set_ylim(*chart.y_range)
    ax.set_ylabel(chart.y_label, fontsize=SMALL_PT)
    _legend_above(ax, 1)
    _finish_chart(ax)


def _exercise_trend_block(charts: ExerciseCharts, x_now: float) -> Block:
    """Two charts side by side under the exercise's heading: per-side movement with its target, and
    symmetry with its target; under them, when synkinesis was measured, a row of small synkinesis
    charts with the warning limit."""
    height = EXERCISE_CHARTS_H
    x = mdates.date2num(charts.movement.when)

    def draw(fig: Figure, y: float) -> None:
        draw_text(fig, MARGIN_X, y, charts.heading, SUBHEADING_PT, fontweight="bold")
        chart_w = (CONTENT_W - 1.35) / 2
        movement = chart_axes(fig, MARGIN_X + 0.55, y + 0.62, chart_w, height - 1.1)
        _movement_chart(movement, charts.movement, x, x_now)
        symmetry = chart_axes(fig, MARGIN_X + 0.55 + chart_w + 0.8, y + 0.62, chart_w, height - 1.1)
        _symmetry_chart(symmetry, charts.symmetry, x, x_now)
        if charts.synkinesis:
            _synkinesis_row(fig, y + height, charts.synkinesis, x_now)

    return Block(height + 0.15 + (SYNKINESIS_ROW_H if charts.synkinesis else 0.0), draw)


def _resting_trend_block(chart: Chart | None, x_now: float) -> Block | None:
    """|L − R| of each resting measure over time, a panel each on one scale: is the resting face becoming more even?"""
    if chart is None:
        return None
    x = mdates.date2num(chart.when)
    columns = 2
    panel_w, panel_h, gap_x, gap_y = (CONTENT_W - 1.3) / 2, 1.35, 0.75, 0.8
    rows = math.ceil(len(chart.series) / columns)
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
        draw_text(fig, MARGIN_X, y, chart.title, SUBHEADING_PT, fontweight="bold")
        for line, text in enumerate(note):
            draw_text(fig, MARGIN_X, y + 0.32 + line * line_height(SMALL_PT), text, SMALL_PT)
        for index, series in enumerate(chart.series):
            row, column = divmod(index, columns)
            left = MARGIN_X + 0.55 + column * (panel_w + gap_x)
            ax = chart_axes(fig, left, y + top + row * (panel_h + gap_y), panel_w, panel_h)
            ax.set_title(series.label, fontsize=SMALL_PT, loc="left", pad=4)
            for level in chart.levels:
                draw_level(ax, x, level, NOISE_LINE)
            style = {**resting_style(index), "linestyle": "-"}  # one line per panel: solid reads best
            ax.plot(x, series.values, linewidth=1.4, markersize=_marker_size(len(x)), **style)
            _mark_this_session(ax, x_now)
            ax.set_ylim(*chart.y_range)
            ax.set_ylabel(chart.y_label, fontsize=SMALL_PT)
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
        Section([_exercise_trend_block(exercise_charts(trend), x_now)])
        for trend in _this_session_first(session, exercise_trends(past))
    ]
    resting = _resting_trend_block(resting_chart(resting_trend(past)), x_now)
    if resting is not None:
        sections.append(Section([resting]))
    return sections
