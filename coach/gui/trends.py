"""A patient's progress as charts inside the therapist's window.

Per exercise (chosen in a combo box), in a 2 × 2 grid: the mean peak movement of each
side against the target range, the mean symmetry of each session against the target
symmetry, the mean synkinesis of each side per watched measure against the exercise's
warning limit (dashed), and how uneven the resting face is (|left − right| of each
resting measure).

The series come from `coach.records.trends`, the same numbers the PDF report charts, each
dated by its session's start; this module only draws them.

Why matplotlib on a Qt canvas: the PDF report draws the same charts with matplotlib, so
the therapist sees the same pictures on screen and on paper. Left and right are the
patient's anatomical sides, told apart by colour AND marker AND line style (blue
circles, solid / vermillion squares, dashed: Okabe–Ito colours, safe for colour-blind
readers), and labelled "(patient's)".
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from matplotlib import dates as mdates
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from coach.base.i18n import N_, tr
from coach.base.palette import (
    BAND_COLOUR,
    LEFT_COLOUR,
    LEFT_LABEL,
    RESTING_STYLES,
    RIGHT_COLOUR,
    RIGHT_LABEL,
    SYMMETRY_COLOUR,
    TARGET_COLOUR,
)
from coach.gui.labels import set_font_size
from coach.records.models import SessionDetail
from coach.records.trends import ExerciseTrend, RestingTrend, exercise_trends, resting_trend
from coach.session import engine

LEFT_STYLE = {"color": LEFT_COLOUR, "marker": "o", "linestyle": "-", "linewidth": 1.6, "markersize": 6}
RIGHT_STYLE = {"color": RIGHT_COLOUR, "marker": "s", "linestyle": "--", "linewidth": 1.6, "markersize": 6}
#: the names of the measures drawn (translated where shown)
RESTING_LABELS = {
    "brow_height_mm": N_("Brow height"),
    "palpebral_fissure_mm": N_("Eye opening"),
    "commissure_height_mm": N_("Mouth-corner height"),
    "mouth_half_width_mm": N_("Mouth corner to midline"),
}
SYNKINESIS_LABELS = {
    "eye_narrowing_pct": N_("Eye narrowing"),
    "mouth_corner_pull_pct": N_("Mouth-corner pull"),
    "brow_movement_pct": N_("Brow movement"),
}
LIMIT_STYLE = {"color": "#000000", "linewidth": 1.3, "linestyle": (0, (5, 3))}
EMPTY_TEXT = N_(
    "No sessions with measurements yet for this patient.\n\n"
    "Charts appear here once a session has been recorded at home or a video has been analysed "
    "(tab “Analyse a recorded video”)."
)
FONT_PT = 9
#: the months below the charts, in the user's language whatever the computer's own language is
MONTH_ABBREVIATIONS = (
    N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"), N_("May"), N_("Jun"),
    N_("Jul"), N_("Aug"), N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec"),
)  # fmt: skip
#: a month number marked in a date format (plain ASCII, for any locale), replaced by the month's name once formatted
_MONTH = "@%m@"
_MARKED_MONTH = re.compile("@([0-9]{2})@")


def _month_names(text: str) -> str:
    """A formatted date with its marked month numbers turned into month names."""
    return _MARKED_MONTH.sub(lambda found: tr(MONTH_ABBREVIATIONS[int(found[1]) - 1]), text)


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


def _dates(when: list[datetime]) -> list[float]:
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


def _constant(values: list[float]) -> float | None:
    finite = {round(v, 6) for v in values if math.isfinite(v)}
    return finite.pop() if len(finite) == 1 and all(math.isfinite(v) for v in values) else None


def _legend(ax: Any, columns: int) -> None:
    """Above the chart, under its title: never over the data."""
    ax.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=columns, fontsize=FONT_PT, frameon=False, borderaxespad=0.0
    )


def _legend_right(ax: Any) -> None:
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=FONT_PT, frameon=False, borderaxespad=0.0)


def draw_movement(ax: Any, trend: ExerciseTrend) -> None:
    """Each side's mean peak movement per session, with the target range as a grey band."""
    x = _dates(trend.when)
    low, high = _constant(trend.target_low_mm), _constant(trend.target_high_mm)
    if low is not None and high is not None:
        band = tr("Target {low}–{high} mm", low=f"{low:g}", high=f"{high:g}")
        ax.axhspan(low, high, color=BAND_COLOUR, alpha=0.25, linewidth=0, label=band)
    elif any(math.isfinite(v) for v in trend.target_low_mm):
        ax.fill_between(
            x, trend.target_low_mm, trend.target_high_mm, step="mid", color=BAND_COLOUR, alpha=0.25, linewidth=0,
            label=tr("Target range"),
        )  # fmt: skip
    left_label, right_label = tr(LEFT_LABEL), tr(RIGHT_LABEL)
    ax.plot(x, trend.left_mm, label=left_label, **LEFT_STYLE)
    ax.plot(x, trend.right_mm, label=right_label, **RIGHT_STYLE)
    top = max([v for v in [*trend.left_mm, *trend.right_mm, *trend.target_high_mm] if math.isfinite(v)], default=1.0)
    ax.set_ylim(0.0, top * 1.15 + 0.5)
    ax.set_ylabel(tr("Mean peak movement (mm)"), fontsize=FONT_PT)
    _date_axis(ax, x)
    # left and right side by side on the first row, the target under them (legends fill by column)
    handles, labels = ax.get_legend_handles_labels()
    order = [labels.index(left_label), *(i for i, t in enumerate(labels) if t not in (left_label, right_label))]
    order.insert(1 if len(order) == 1 else 2, labels.index(right_label))
    ax.legend(
        [handles[i] for i in order], [labels[i] for i in order], loc="lower left", bbox_to_anchor=(0.0, 1.01),
        ncol=2, fontsize=FONT_PT, frameon=False, borderaxespad=0.0,
    )  # fmt: skip


def draw_symmetry(ax: Any, trend: ExerciseTrend) -> None:
    """Mean symmetry per session (weaker ÷ stronger), with the target symmetry as a line."""
    x = _dates(trend.when)
    wanted = _constant(trend.target_symmetry_pct)
    if wanted is not None:
        ax.axhline(
            wanted,
            color=TARGET_COLOUR,
            linewidth=1.6,
            linestyle="-.",
            label=tr("Target {percent} %", percent=f"{wanted:.0f}"),
        )
    elif any(math.isfinite(v) for v in trend.target_symmetry_pct):
        ax.plot(
            x, trend.target_symmetry_pct, drawstyle="steps-mid", color=TARGET_COLOUR, linewidth=1.6, linestyle="-.",
            label=tr("Target"),
        )  # fmt: skip
    ax.plot(
        x, trend.symmetry_pct, color=SYMMETRY_COLOUR, marker="D", markersize=6, linewidth=1.6,
        label=tr("Symmetry (weaker ÷ stronger)"),
    )  # fmt: skip
    ax.set_ylim(0.0, 105.0)
    ax.set_ylabel(tr("Symmetry (%)"), fontsize=FONT_PT)
    _date_axis(ax, x)
    _legend(ax, 1)


def synkinesis_handles(trend: ExerciseTrend) -> list[Line2D]:
    """The legend shared by the synkinesis panels: the two sides and the warning limit."""
    limit = _constant(trend.synkinesis_limit_pct)
    warning = tr("Warning limit") if limit is None else tr("Warning limit {percent} %", percent=f"{limit:g}")
    return [
        Line2D([], [], label=tr(LEFT_LABEL), **LEFT_STYLE),
        Line2D([], [], label=tr(RIGHT_LABEL), **RIGHT_STYLE),
        Line2D([], [], label=warning, **LIMIT_STYLE),
    ]


def draw_synkinesis(ax: Any, trend: ExerciseTrend, name: str, top: float) -> None:
    """One watched measure: each side's mean synkinesis per session, with the warning limit dashed."""
    x = _dates(trend.when)
    left, right = trend.synkinesis_series()[name]
    limit = _constant(trend.synkinesis_limit_pct)
    if limit is not None:
        ax.axhline(limit, label=tr("Warning limit"), **LIMIT_STYLE)
    else:
        ax.plot(x, trend.synkinesis_limit_pct, drawstyle="steps-mid", label=tr("Warning limit"), **LIMIT_STYLE)
    ax.plot(x, left, label=tr(LEFT_LABEL), **LEFT_STYLE)
    ax.plot(x, right, label=tr(RIGHT_LABEL), **RIGHT_STYLE)
    known = SYNKINESIS_LABELS.get(name)
    what = tr(known) if known else name.removesuffix("_pct").replace("_", " ").capitalize()
    ax.set_title(tr("Synkinesis: {measure}", measure=what), fontsize=10, loc="left", pad=4)
    ax.set_ylim(0.0, top * 1.15)
    _date_axis(ax, x)


def _synkinesis_top(trend: ExerciseTrend) -> float:
    sides = trend.synkinesis_series().values()
    values = [*trend.synkinesis_limit_pct, *(v for left, right in sides for v in (*left, *right))]
    return max([1.0, *(v for v in values if math.isfinite(v))])


def draw_resting(ax: Any, trend: RestingTrend) -> None:
    """How uneven the face is at rest: lower is more even; the dashed line is typical noise."""
    x = _dates(trend.when)
    ax.axhline(engine.NOISE_FLOOR_MM, color="#555555", linewidth=1.0, linestyle=(0, (6, 3)), label=tr("Typical noise"))
    top = 1.0
    for style, (name, values) in zip(RESTING_STYLES, trend.difference_mm.items(), strict=False):
        ax.plot(x, values, linewidth=1.4, markersize=6, label=tr(RESTING_LABELS[name]), **style)
        top = max(top, *(v for v in values if math.isfinite(v)))
    ax.set_ylim(0.0, top * 1.2)
    ax.set_ylabel(tr("|Left − Right| (mm)"), fontsize=FONT_PT)
    _date_axis(ax, x)
    _legend_right(ax)


class TrendsView(QWidget):
    """The "Trends" tab: an exercise chooser over one figure, or a plain message when there is nothing to draw."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions: list[SessionDetail] = []
        self.trends: dict[str, ExerciseTrend] = {}
        self.resting = RestingTrend()
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.exercise = QComboBox()
        self.exercise.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        row.addWidget(QLabel(tr("Exercise:")))
        row.addWidget(self.exercise)
        self.note = QLabel(tr("Each point is one session: the mean of that exercise's repetitions."))
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
                one_or_many = N_("{exercise} ({count} session)") if done == 1 else N_("{exercise} ({count} sessions)")
                self.exercise.addItem(tr(one_or_many, exercise=trend.name, count=done), exercise_id)
            index = self.exercise.findData(chosen)
            self.exercise.setCurrentIndex(index if index >= 0 else 0 if self.trends else -1)
            self.exercise.setEnabled(bool(self.trends))
            if not self.trends:
                self.exercise.addItem(tr("No exercise measured yet"))
        finally:
            self.exercise.blockSignals(False)
        self.text_scale_changed()
        self.redraw()

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
        trend = self.trends.get(self.exercise.currentData()) if self.trends else None
        if trend is None and not self.resting.when:
            self.stack.setCurrentWidget(self.message)
            return
        self.stack.setCurrentWidget(self.canvas)
        with_synkinesis = trend is not None and any(trend.synkinesis_pct)
        if trend is not None and with_synkinesis:
            # a 2 × 2 grid; rows and bottom cells are sub-figures so each lays out its own legends
            upper, lower = self.figure.subfigures(2, 1, height_ratios=(1.1, 1.0))
            movement, symmetry = upper.subplots(1, 2)
            below, right = lower.subfigures(1, 2, width_ratios=(0.85, 1.15))
            resting = right.add_subplot(1, 1, 1) if self.resting.when else None
            self._draw_exercise(trend, movement, symmetry)
            if resting is not None:
                resting.set_title(tr("Resting face: difference between the sides"), fontsize=10, loc="left", pad=6)
                draw_resting(resting, self.resting)
            names = list(trend.synkinesis_series())
            panels = below.subplots(1, len(names), sharey=True, squeeze=False)[0]
            top = _synkinesis_top(trend)
            for panel, name in zip(panels, names, strict=True):
                draw_synkinesis(panel, trend, name, top)
            panels[0].set_ylabel(tr("% of the region at rest"), fontsize=FONT_PT)
            below.legend(handles=synkinesis_handles(trend), loc="outside upper left", ncol=2, fontsize=FONT_PT,
                         frameon=False)  # fmt: skip
            self._draw_if_shown()
            return
        if trend is not None and self.resting.when:
            grid = self.figure.add_gridspec(2, 2, height_ratios=(1.25, 1.0))
            movement, symmetry = self.figure.add_subplot(grid[0, 0]), self.figure.add_subplot(grid[0, 1])
            resting = self.figure.add_subplot(grid[1, :])
        elif trend is not None:
            grid = self.figure.add_gridspec(1, 2)
            movement, symmetry = self.figure.add_subplot(grid[0, 0]), self.figure.add_subplot(grid[0, 1])
            resting = None
        else:
            movement = symmetry = None
            resting = self.figure.add_subplot(1, 1, 1)
        if trend is not None and movement is not None and symmetry is not None:
            self._draw_exercise(trend, movement, symmetry)
        if resting is not None:
            resting.set_title(tr("Resting face: difference between the sides (lower is more even)"), fontsize=10,
                              loc="left", pad=6)  # fmt: skip
            draw_resting(resting, self.resting)
        self._draw_if_shown()

    @staticmethod
    def _draw_exercise(trend: ExerciseTrend, movement: Any, symmetry: Any) -> None:
        movement.set_title(
            tr("{exercise}: movement of each side", exercise=trend.name), fontsize=10, loc="left", pad=34
        )
        draw_movement(movement, trend)
        symmetry.set_title(tr("{exercise}: symmetry", exercise=trend.name), fontsize=10, loc="left", pad=34)
        draw_symmetry(symmetry, trend)
