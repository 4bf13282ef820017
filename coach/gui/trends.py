"""A patient's progress as charts inside the therapist's window.

Per exercise (chosen in a combo box), in a 2 × 2 grid: the mean peak movement of each
side against the target range, the mean symmetry of each session against the target
symmetry, the mean synkinesis of each side per watched measure against the exercise's
warning limit (dashed), and how uneven the resting face is (|left − right| of each
resting measure).

What each chart shows (series, clipping, target band, axis range and labels, titles) comes
from `coach.reports.charts`, the chart model the PDF report draws too, built on the trends of
`coach.records.trends`, each point dated by its session's start; this module only draws it.

Why matplotlib on a Qt canvas: the PDF report draws the same charts with matplotlib, so
the therapist sees the same pictures on screen and on paper. Left and right are the
patient's anatomical sides, told apart by colour AND marker AND line style (blue
circles, solid / vermillion squares, dashed: Okabe–Ito colours, safe for colour-blind
readers), and labelled "(patient's)".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from matplotlib import dates as mdates
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from coach.base.formats import month_short_text
from coach.base.i18n import N_, tr, trn
from coach.base.palette import BAND_COLOUR, LEFT_COLOUR, RIGHT_COLOUR, SYMMETRY_COLOUR, TARGET_COLOUR
from coach.gui.labels import set_font_size
from coach.plans.shown_names import shown_exercise_name
from coach.records.models import FiledGrading, SessionDetail
from coach.records.trends import ExerciseTrend, RestingTrend, exercise_trends, resting_trend
from coach.reports.chart_drawing import draw_level, resting_style
from coach.reports.charts import Chart, ExerciseCharts, exercise_charts, grading_chart, resting_chart

#: left and right are the patient's sides, told apart by colour AND marker AND line style
SIDE_STYLES = {
    "left": {"color": LEFT_COLOUR, "marker": "o", "linestyle": "-", "linewidth": 1.6, "markersize": 6},
    "right": {"color": RIGHT_COLOUR, "marker": "s", "linestyle": "--", "linewidth": 1.6, "markersize": 6},
}
SYMMETRY_STYLE = {"color": SYMMETRY_COLOUR, "marker": "D", "markersize": 6, "linewidth": 1.6}
TARGET_STYLE = {"color": TARGET_COLOUR, "linewidth": 1.6, "linestyle": "-."}
NOISE_STYLE = {"color": "#555555", "linewidth": 1.0, "linestyle": (0, (6, 3))}
LIMIT_STYLE = {"color": "#000000", "linewidth": 1.3, "linestyle": (0, (5, 3))}
EMPTY_TEXT = N_(
    "No sessions with measurements yet for this patient.\n\n"
    "Charts appear here once a session has been recorded at home or a video has been analysed "
    "(tab “Analyse a recorded video”)."
)
FONT_PT = 9
#: a month number marked in a date format (plain ASCII, for any locale), replaced by the month's name once formatted
_MONTH = "@%m@"
_MARKED_MONTH = re.compile("@([0-9]{2})@")


def _month_names(text: str) -> str:
    """A formatted date with its marked month numbers turned into month names, in the user's
    language whatever the computer's own language is."""
    return _MARKED_MONTH.sub(lambda found: month_short_text(int(found[1])), text)


class _DateFormatter(mdates.ConciseDateFormatter):
    """Matplotlib's concise dates, with the month named in the user's language (not the system's)."""

    def __init__(self, locator: Any) -> None:
        plain = mdates.ConciseDateFormatter(locator)
        formats, zeros, offsets = (
            [text.replace("%b", _MONTH) for text in kind]
            for kind in (plain.formats, plain.zero_formats, plain.offset_formats)
        )
        super().__init__(locator, formats=formats, zero_formats=zeros, offset_formats=offsets)

    def format_ticks(self, values: Any) -> list[str]:
        return [_month_names(label) for label in super().format_ticks(values)]

    def get_offset(self) -> str:
        return _month_names(super().get_offset())


def _dates(when: Sequence[datetime]) -> list[float]:
    return [float(mdates.date2num(moment)) for moment in when]


def _date_axis(ax: Any, x: list[float]) -> None:
    """Dates below each chart. Sessions within a day or two are labelled one by one (date and
    time) instead of with a clock axis of empty hours; a lone session gets room either side."""
    low, high = min(x), max(x)
    ax.tick_params(labelsize=FONT_PT)
    ax.grid(color="#DDDDDD", linewidth=0.6)
    distinct = sorted(set(x))
    if high - low < 2.0 and len(distinct) <= 3:
        ax.set_xticks(distinct)
        ax.set_xticklabels([_month_names(mdates.num2date(v).strftime(f"%d {_MONTH} %Y\n%H:%M")) for v in distinct])
        pad = max((high - low) * 0.25, 0.25)
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(_DateFormatter(locator))
        pad = max((high - low) * 0.05, 0.02)
    ax.set_xlim(low - pad, high + pad)


def _legend(ax: Any, columns: int) -> None:
    """Above the chart, under its title: never over the data."""
    ax.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=columns, fontsize=FONT_PT, frameon=False, borderaxespad=0.0
    )


def _legend_right(ax: Any) -> None:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=FONT_PT, frameon=False, borderaxespad=0.0)


def _sides(ax: Any, x: list[float], chart: Chart) -> None:
    """The chart's left and right series, told apart by colour, marker and line style."""
    for series in chart.series:
        ax.plot(x, series.values, label=series.label, **SIDE_STYLES[series.role])


def draw_movement(ax: Any, chart: Chart) -> None:
    """Each side's mean peak movement per session, with the target range as a grey band."""
    x = _dates(chart.when)
    band = chart.band
    if band is not None and band.constant is not None:
        ax.axhspan(*band.constant, color=BAND_COLOUR, alpha=0.25, linewidth=0, label=band.label)
    elif band is not None:
        ax.fill_between(
            x, band.low, band.high, step="mid", color=BAND_COLOUR, alpha=0.25, linewidth=0, label=band.label
        )
    _sides(ax, x, chart)
    ax.set_ylim(*chart.y_range)
    ax.set_ylabel(chart.y_label, fontsize=FONT_PT)
    _date_axis(ax, x)
    # left and right side by side on the first row, the target under them (legends fill by column)
    left_label, right_label = (series.label for series in chart.series)
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(left_label), *(i for i, t in enumerate(labels) if t not in (left_label, right_label))]
    order.insert(1 if len(order) == 1 else 2, labels.index(right_label))
    ax.legend(
        [handles[i] for i in order], [labels[i] for i in order], loc="lower left", bbox_to_anchor=(0.0, 1.01),
        ncol=2, fontsize=FONT_PT, frameon=False, borderaxespad=0.0,
    )  # fmt: skip


def draw_symmetry(ax: Any, chart: Chart) -> None:
    """Mean symmetry per session (weaker ÷ stronger), with the target symmetry as a line."""
    x = _dates(chart.when)
    for level in chart.levels:
        draw_level(ax, x, level, TARGET_STYLE, level.label)
    (symmetry,) = chart.series
    ax.plot(x, symmetry.values, label=symmetry.label, **SYMMETRY_STYLE)
    ax.set_ylim(*chart.y_range)
    ax.set_ylabel(chart.y_label, fontsize=FONT_PT)
    _date_axis(ax, x)
    _legend(ax, 1)


def synkinesis_handles(chart: Chart) -> list[Line2D]:
    """The legend shared by the synkinesis panels: the two sides and the warning limit."""
    sides = [Line2D([], [], label=series.label, **SIDE_STYLES[series.role]) for series in chart.series]
    return [*sides, *(Line2D([], [], label=level.label, **LIMIT_STYLE) for level in chart.levels)]


def draw_synkinesis(ax: Any, chart: Chart) -> None:
    """One watched measure: each side's mean synkinesis per session, with the warning limit dashed."""
    x = _dates(chart.when)
    for level in chart.levels:
        draw_level(ax, x, level, LIMIT_STYLE, level.name)
    _sides(ax, x, chart)
    ax.set_title(chart.title, fontsize=10, loc="left", pad=4)
    ax.set_ylim(*chart.y_range)
    _date_axis(ax, x)


def draw_resting(ax: Any, chart: Chart) -> None:
    """How uneven the face is at rest: lower is more even; the dashed line is typical noise."""
    x = _dates(chart.when)
    for level in chart.levels:
        draw_level(ax, x, level, NOISE_STYLE, level.label)
    for index, series in enumerate(chart.series):
        ax.plot(x, series.values, linewidth=1.4, markersize=6, label=series.label, **resting_style(index))
    ax.set_ylim(*chart.y_range)
    ax.set_ylabel(chart.y_label, fontsize=FONT_PT)
    _date_axis(ax, x)
    _legend_right(ax)


def draw_grading(ax: Any, chart: Chart) -> None:
    """The totals filed over time, a line (with its points: filings may be far apart) per scale."""
    x = _dates(chart.when)
    for series in chart.series:
        values = np.array(series.values, dtype=float)
        known = ~np.isnan(values)
        ax.plot(np.array(x)[known], values[known], marker="o", label=series.label)
    ax.set_ylim(*chart.y_range)
    ax.set_ylabel(chart.y_label, fontsize=FONT_PT)
    ax.set_title(chart.title, fontsize=10, loc="left", pad=34)  # room for the legend above, as the others
    _date_axis(ax, x)
    _legend(ax, 1)


SESSION_NOTE = N_("Each point is one session: the mean of that exercise's repetitions.")
GRADING_NOTE = N_("Each point is one grading a clinician filed (a measurement aid suggested it; the clinician graded).")
#: the chooser's entry for the gradings (no exercise has this id: ids are lower-case words)
GRADING_ENTRY = "Grading"


class TrendsView(QWidget):
    """The "Trends" tab: an exercise chooser over one figure, or a plain message when there is nothing to draw."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions: list[SessionDetail] = []
        self.gradings: list[FiledGrading] = []
        self.trends: dict[str, ExerciseTrend] = {}
        self.resting = RestingTrend()
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.exercise = QComboBox()
        self.exercise.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        row.addWidget(QLabel(tr("Exercise:")))
        row.addWidget(self.exercise)
        self.note = QLabel(tr(SESSION_NOTE))
        self.note.setWordWrap(True)
        row.addWidget(self.note, 1)
        layout.addLayout(row)
        self.stack = QStackedWidget()
        self.message = QLabel(tr(EMPTY_TEXT))
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_font_size(self.message, 13)
        self.figure = Figure(layout="constrained")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.canvas)
        layout.addWidget(self.stack, 1)
        self.exercise.currentIndexChanged.connect(lambda _index: self.redraw())
        self.set_sessions([])

    def set_sessions(self, sessions: list[SessionDetail]) -> None:
        """Show these sessions (one patient's, any order); keeps the chosen exercise if it is still there."""
        chosen = self.exercise.currentData()
        self.sessions = list(sessions)
        self.trends = exercise_trends(self.sessions)
        self.resting = resting_trend(self.sessions)
        self.exercise.blockSignals(True)
        try:
            self.exercise.clear()
            for exercise_id, trend in self.trends.items():
                done = len(trend.when)
                name = shown_exercise_name(exercise_id, trend.name)
                label = trn("{exercise} ({count} session)", "{exercise} ({count} sessions)", done, exercise=name)
                self.exercise.addItem(label, exercise_id)
            if self.gradings:
                self.exercise.addItem(tr("Grading (Sunnybrook, eFACE)"), GRADING_ENTRY)
            index = self.exercise.findData(chosen)
            self.exercise.setCurrentIndex(index if index >= 0 else 0 if self.exercise.count() else -1)
            self.exercise.setEnabled(self.exercise.count() > 0)
            if not self.exercise.count():
                self.exercise.addItem(tr("No exercise measured yet"))
        finally:
            self.exercise.blockSignals(False)
        self.text_scale_changed()
        self.redraw()

    def set_gradings(self, gradings: list[FiledGrading]) -> None:
        """The patient's filed gradings, charted under their own entry of the chooser."""
        self.gradings = list(gradings)
        self.set_sessions(self.sessions)

    def text_scale_changed(self) -> None:
        """The exercise box as wide as its longest entry, at the text size in use."""
        self.exercise.setMinimumWidth(max(240, self.exercise.sizeHint().width()))

    def select_exercise(self, exercise_id: str) -> bool:
        index = self.exercise.findData(exercise_id)
        if index >= 0:
            self.exercise.setCurrentIndex(index)
        return index >= 0

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._draw_if_shown()

    def _draw_if_shown(self) -> None:
        """Draw only on screen: a hidden canvas has no size, and a layout squeezed to nothing only warns."""
        if self.canvas.isVisible() and self.canvas.width() > 50 and self.canvas.height() > 50:
            self.canvas.draw_idle()

    def redraw(self) -> None:
        """Rebuild the figure for the chosen exercise (drawn on screen when the tab is showing)."""
        self.figure.clear()
        grading = grading_chart(self.gradings) if self.exercise.currentData() == GRADING_ENTRY else None
        self.note.setText(tr(GRADING_NOTE if grading is not None else SESSION_NOTE))
        if grading is not None:
            self.stack.setCurrentWidget(self.canvas)
            draw_grading(self.figure.add_subplot(1, 1, 1), grading)
            self._draw_if_shown()
            return
        trend = self.trends.get(self.exercise.currentData()) if self.trends else None
        charts = exercise_charts(trend) if trend is not None else None
        resting_face = resting_chart(self.resting)
        if charts is None and resting_face is None:
            self.stack.setCurrentWidget(self.message)
            return
        self.stack.setCurrentWidget(self.canvas)
        if charts is not None and charts.synkinesis:
            self._draw_with_synkinesis(charts, resting_face)
        else:
            self._draw_without_synkinesis(charts, resting_face)
        self._draw_if_shown()

    def _draw_with_synkinesis(self, charts: ExerciseCharts, resting_face: Chart | None) -> None:
        """A 2 × 2 grid; rows and bottom cells are sub-figures so each lays out its own legends."""
        upper, lower = self.figure.subfigures(2, 1, height_ratios=(1.1, 1.0))
        movement, symmetry = upper.subplots(1, 2)
        below, right = lower.subfigures(1, 2, width_ratios=(0.85, 1.15))
        self._draw_exercise(charts, movement, symmetry)
        if resting_face is not None:
            self._draw_resting(right.add_subplot(1, 1, 1), resting_face)
        panels = below.subplots(1, len(charts.synkinesis), sharey=True, squeeze=False)[0]
        for panel, chart in zip(panels, charts.synkinesis, strict=True):
            draw_synkinesis(panel, chart)
        first = charts.synkinesis[0]
        panels[0].set_ylabel(first.y_label, fontsize=FONT_PT)
        below.legend(handles=synkinesis_handles(first), loc="outside upper left", ncol=2, fontsize=FONT_PT,
                     frameon=False)  # fmt: skip

    def _draw_without_synkinesis(self, charts: ExerciseCharts | None, resting_face: Chart | None) -> None:
        """Movement and symmetry side by side over the resting face, or whichever of them there is."""
        if charts is not None and resting_face is not None:
            grid = self.figure.add_gridspec(2, 2, height_ratios=(1.25, 1.0))
            movement, symmetry = self.figure.add_subplot(grid[0, 0]), self.figure.add_subplot(grid[0, 1])
            self._draw_resting(self.figure.add_subplot(grid[1, :]), resting_face)
        elif charts is not None:
            grid = self.figure.add_gridspec(1, 2)
            movement, symmetry = self.figure.add_subplot(grid[0, 0]), self.figure.add_subplot(grid[0, 1])
        elif resting_face is not None:
            self._draw_resting(self.figure.add_subplot(1, 1, 1), resting_face)
        if charts is not None:
            self._draw_exercise(charts, movement, symmetry)

    @staticmethod
    def _draw_resting(ax: Any, chart: Chart) -> None:
        ax.set_title(chart.title, fontsize=10, loc="left", pad=6)
        draw_resting(ax, chart)

    @staticmethod
    def _draw_exercise(charts: ExerciseCharts, movement: Any, symmetry: Any) -> None:
        for ax, chart, draw in ((movement, charts.movement, draw_movement), (symmetry, charts.symmetry, draw_symmetry)):
            ax.set_title(chart.title, fontsize=10, loc="left", pad=34)
            draw(ax, chart)
