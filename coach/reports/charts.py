"""What a trend chart shows, decided once for the app's Trends tab and the PDF's progress pages.

From the trend model (`coach.records.trends`) and the measures' own names and units
(`coach.measure.measures`), each chart is built here as plain data: the series with their
values (the clipping rule applied), the target band and reference lines, the axis range,
label and unit, the title. Nothing here draws: `coach/gui/trends.py` renders these on a Qt
canvas and `coach/reports/pdf/trend_pages.py` on paper, both with matplotlib, each with its
own layout, fonts and date ticks; neither decides what is drawn or what a value is.

**The clipping rule**, the same on screen and on paper: a value below zero is kept only
for a measure whose sign means something (`MeasureInfo.below_zero`: a brow that fell when
asked to rise), and the axis then reaches down to show it. For every other measure a
value below zero is measuring noise around rest (a mouth corner cannot move less than not
at all; an eye that opened wider is no unwanted narrowing), so it is drawn at 0, never
hidden below the axis. A measure no table knows any more (an old record) is drawn as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from coach.base.formats import number_text, short_number_text
from coach.base.i18n import tr
from coach.base.palette import LEFT_LABEL, RIGHT_LABEL
from coach.grading import scales
from coach.measure.measures import MeasureInfo, measure_info, measure_label
from coach.plans.shown_names import shown_exercise_name
from coach.records.models import FiledGrading
from coach.records.trends import ExerciseTrend, RestingTrend
from coach.session import engine

#: headroom above the highest value (a fraction of it), so a point never sits on the frame
HEADROOM = 0.15
#: and a little more on the movement chart, so a band of 0–1 mm is not drawn edge to edge
MOVEMENT_HEADROOM_MM = 0.5
#: the resting chart's headroom: its legend sits at the right, its values near zero
RESTING_HEADROOM = 0.2
#: symmetry is a percentage of the stronger side: 100 % is even, 105 keeps the line off the frame
SYMMETRY_RANGE = (0.0, 105.0)
#: the smallest top of an axis (in its unit), so a flat line near zero does not fill the chart
LOWEST_TOP = 1.0
#: unit of an old record's movement, whose measure no table knows any more (stored as left_mm, right_mm)
STORED_UNIT = "mm"


@dataclass(frozen=True)
class Series:
    """One line: its role (`left`, `right`, `symmetry`, or a resting measure's name), what the
    legend calls it, and its values aligned with the chart's `when` (NaN where none)."""

    role: str
    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Band:
    """The therapist's target range per point (NaN where none was set), `constant` when it never changed."""

    low: tuple[float, ...]
    high: tuple[float, ...]
    constant: tuple[float, float] | None
    label: str


@dataclass(frozen=True)
class Level:
    """A horizontal reference (`target`, `limit` or `noise`) per point, `constant` when it never
    changed; `name` for a line in one panel, `label` (with its value, when constant) for a legend."""

    kind: str
    values: tuple[float, ...]
    constant: float | None
    name: str
    label: str


@dataclass(frozen=True)
class Chart:
    """Everything a renderer needs to draw one chart, in the user's language."""

    kind: str  # movement, symmetry, synkinesis, resting or grading
    title: str
    when: tuple[datetime, ...]
    series: tuple[Series, ...]
    y_label: str
    unit: str
    y_range: tuple[float, float]
    measure: str = ""
    measure_label: str = ""
    band: Band | None = None
    levels: tuple[Level, ...] = ()


@dataclass(frozen=True)
class ExerciseCharts:
    """One exercise's charts: movement and symmetry side by side, a panel per watched synkinesis measure."""

    exercise_id: str
    #: the exercise and what it is measured by, where one heading stands for all its charts
    heading: str
    movement: Chart
    symmetry: Chart
    synkinesis: tuple[Chart, ...]


def clipped(values: Iterable[float], measure: MeasureInfo | None) -> tuple[float, ...]:
    """The values as charted: below zero read as 0 unless the measure's sign means something
    (see the module's clipping rule); NaN stays NaN (no point)."""
    keep_negative = measure is None or measure.below_zero
    return tuple(float(v) if keep_negative or math.isnan(v) or v >= 0.0 else 0.0 for v in values)


def constant(values: Sequence[float]) -> float | None:
    """The one value of a reference that never changed (all points set, all equal), else None."""
    finite = {round(v, 6) for v in values if math.isfinite(v)}
    return finite.pop() if len(finite) == 1 and all(math.isfinite(v) for v in values) else None


def _finite(values: Iterable[float]) -> list[float]:
    return [v for v in values if math.isfinite(v)]


def _movement_range(left: Sequence[float], right: Sequence[float], high: Sequence[float]) -> tuple[float, float]:
    """From 0 (or below, when a kept value is) to above the highest value or target."""
    top = max(_finite([*left, *right, *high]), default=LOWEST_TOP)
    bottom = min(_finite([*left, *right, 0.0]))
    low = bottom * (1 + HEADROOM) - MOVEMENT_HEADROOM_MM if bottom < 0 else 0.0
    return low, top * (1 + HEADROOM) + MOVEMENT_HEADROOM_MM


def movement_chart(trend: ExerciseTrend) -> Chart:
    """Each side's mean peak movement per session, over the therapist's target range."""
    info = measure_info(trend.measure)
    unit = info.unit if info else STORED_UNIT
    left, right = clipped(trend.left_mm, info), clipped(trend.right_mm, info)
    low, high = constant(trend.target_low_mm), constant(trend.target_high_mm)
    band = None
    if low is not None and high is not None:
        words = tr("Target {low}–{high} {unit}", low=short_number_text(low), high=short_number_text(high), unit=unit)
        band = Band(tuple(trend.target_low_mm), tuple(trend.target_high_mm), (low, high), words)
    elif _finite(trend.target_low_mm):
        band = Band(tuple(trend.target_low_mm), tuple(trend.target_high_mm), None, tr("Target range"))
    return Chart(
        kind="movement",
        title=tr("{exercise}: movement of each side", exercise=shown_exercise_name(trend.exercise_id, trend.name)),
        when=tuple(trend.when),
        series=(Series("left", tr(LEFT_LABEL), left), Series("right", tr(RIGHT_LABEL), right)),
        y_label=tr("Mean peak movement ({unit})", unit=unit),
        unit=unit,
        y_range=_movement_range(left, right, trend.target_high_mm),
        measure=trend.measure,
        measure_label=measure_label(trend.measure) if trend.measure else "",
        band=band,
    )


def symmetry_chart(trend: ExerciseTrend) -> Chart:
    """Mean symmetry per session (weaker ÷ stronger) against the target symmetry."""
    wanted = constant(trend.target_symmetry_pct)
    levels = ()
    if wanted is not None or _finite(trend.target_symmetry_pct):
        label = tr("Target") if wanted is None else tr("Target {percent} %", percent=number_text(wanted, 0))
        levels = (Level("target", tuple(trend.target_symmetry_pct), wanted, tr("Target"), label),)
    return Chart(
        kind="symmetry",
        title=tr("{exercise}: symmetry", exercise=shown_exercise_name(trend.exercise_id, trend.name)),
        when=tuple(trend.when),
        series=(Series("symmetry", tr("Symmetry (weaker ÷ stronger)"), tuple(trend.symmetry_pct)),),
        y_label=tr("Symmetry (%)"),
        unit="%",
        y_range=SYMMETRY_RANGE,
        levels=levels,
    )


def synkinesis_charts(trend: ExerciseTrend) -> tuple[Chart, ...]:
    """A panel per watched measure, each side's mean synkinesis against the warning limit; all on
    one scale, so the panels compare at a glance."""
    limits = tuple(trend.synkinesis_limit_pct)
    limit = constant(limits)
    name = tr("Warning limit")
    label = name if limit is None else tr("Warning limit {percent} %", percent=short_number_text(limit))
    level = Level("limit", limits, limit, name, label)
    sides = {
        measure: (info, clipped(left, info), clipped(right, info))
        for measure, (left, right) in trend.synkinesis_series().items()
        for info in [measure_info(measure)]
    }
    top = max([LOWEST_TOP, *_finite(limits), *(v for _, left, right in sides.values() for v in _finite(left + right))])
    return tuple(
        Chart(
            kind="synkinesis",
            title=tr("Synkinesis: {measure}", measure=measure_label(measure)),
            when=tuple(trend.when),
            series=(Series("left", tr(LEFT_LABEL), left), Series("right", tr(RIGHT_LABEL), right)),
            y_label=tr("% of the region at rest"),
            unit=info.unit if info else "%",
            y_range=(0.0, top * (1 + HEADROOM)),
            measure=measure,
            measure_label=measure_label(measure),
            levels=(level,),
        )
        for measure, (info, left, right) in sides.items()
    )


def exercise_charts(trend: ExerciseTrend) -> ExerciseCharts:
    """Every chart of one exercise's trend."""
    movement = movement_chart(trend)
    what = movement.measure_label
    heading = (
        tr("{exercise} ({measure})", exercise=shown_exercise_name(trend.exercise_id, trend.name), measure=what)
        if what
        else shown_exercise_name(trend.exercise_id, trend.name)
    )
    return ExerciseCharts(trend.exercise_id, heading, movement, symmetry_chart(trend), synkinesis_charts(trend))


def resting_chart(trend: RestingTrend) -> Chart | None:
    """How uneven the resting face was, a line per resting measure (|left − right|, lower is more
    even) over the typical noise; None when no session measured the resting face."""
    if not trend.when or not trend.difference_mm:
        return None
    series = tuple(
        Series(name, measure_label(name, short=True), clipped(values, measure_info(name)))
        for name, values in trend.difference_mm.items()
    )
    noise = engine.NOISE_FLOOR_MM
    top = max([LOWEST_TOP, noise, *(v for line in series for v in _finite(line.values))])
    typical = tr("Typical noise")
    return Chart(
        kind="resting",
        title=tr("Resting face: difference between the patient's sides"),
        when=tuple(trend.when),
        series=series,
        y_label=tr("|Left − Right| (mm)"),
        unit="mm",
        y_range=(0.0, top * (1 + RESTING_HEADROOM)),
        levels=(Level("noise", (noise,) * len(trend.when), noise, typical, typical),),
    )


def grading_chart(gradings: Sequence[FiledGrading]) -> Chart | None:
    """The totals the clinicians filed over time, a line per scale (Sunnybrook composite, eFACE
    total, both 0-100); a point where that scale was filed, none elsewhere. None without gradings."""
    if not gradings:
        return None
    when = tuple(sorted({g.graded_at for g in gradings}))
    series = []
    for scale in scales.ITEMS:
        totals = {g.graded_at: g.total for g in gradings if g.scale == scale}
        if totals:
            label = tr("{scale}: {total}", scale=tr(scales.SCALE_NAMES[scale]), total=tr(scales.TOTAL_NAMES[scale]))
            series.append(Series(scale, label, tuple(totals.get(t, math.nan) for t in when)))
    return Chart(
        kind="grading",
        title=tr("Grading filed by the clinicians"),
        when=when,
        series=tuple(series),
        y_label=tr("Score (0-100)"),
        unit="",
        y_range=(0.0, 100.0 * (1 + HEADROOM)),
    )
