"""The trend charts are decided once (`coach.reports.charts`) and drawn twice: by the app's
Trends tab and by the PDF's progress pages. A measure added the way docs/architecture.md
says (one entry in `coach/measure/measures.py`) shows up in both with its name and unit, and
both draw the same numbers, clipped by the same rule."""

from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from coach.base.palette import LEFT_LABEL, RIGHT_LABEL
from coach.measure import measures
from coach.records.models import ExerciseRecord, SessionDetail
from coach.records.trends import exercise_trends, resting_trend
from coach.reports.charts import Chart, clipped, exercise_charts, resting_chart
from coach.reports.pdf.document import write_session_report
from coach.reports.pdf.flow import Block
from coach.reports.pdf.layout import PAGE_H, PAGE_W
from coach.reports.pdf.trend_pages import trend_sections

from bench_report import Recorded, fill_store, read_history
from report_pages import pages_text

SESSIONS = 3
#: a movement and a resting measure no shipped file knows, added at run time
NEW_MOVEMENT = "cheek_puff_mm"
NEW_MOVEMENT_LABEL = "cheek puff outwards"
NEW_RESTING = "nostril_height_mm"
NEW_RESTING_LABEL = "Nostril height above the lip line"
NEW_RESTING_SHORT = "Nostril height"
NEW_EXERCISE = "puff_cheeks"
#: the exercise whose records are re-labelled as the new one (its primary is the mouth corner)
STANDS_IN = "gentle_smile"
MOVEMENT_AXIS = "Mean peak movement (mm)"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> list[SessionDetail]:
    recorded: Recorded = fill_store(tmp_path_factory.mktemp("store"), SESSIONS, reps=3)
    return read_history(recorded.database)


def _puff(points: np.ndarray, neutral: np.ndarray) -> np.ndarray:
    """How far each cheek moved outwards (a stand-in: the mouth corner's sideways movement)."""
    return np.abs(measures.displacement_mm(points, neutral, "mouth_corner")[..., 0])


def _nostril_height(shape: np.ndarray) -> np.ndarray:
    """Nostrils above the upper lip (a stand-in computation)."""
    return shape[..., [98, 327], 1]


@pytest.fixture
def new_measures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register a movement and a resting measure as docs/architecture.md says: one entry each
    (name, unit, label, whether below zero means something), its region and its activation."""
    label = NEW_MOVEMENT_LABEL
    movement = measures.MeasureInfo(NEW_MOVEMENT, "mm", "cheek puff", _puff, label, label, False)
    resting = measures.MeasureInfo(
        NEW_RESTING, "mm", "nostril height", _nostril_height, NEW_RESTING_LABEL, NEW_RESTING_SHORT, False
    )
    monkeypatch.setitem(measures.MOVEMENT_MEASURES, NEW_MOVEMENT, movement)
    monkeypatch.setitem(measures.MEASURED_REGIONS, NEW_MOVEMENT, measures.MOUTH_CORNER)
    monkeypatch.setitem(measures.ACTIVATION, NEW_MOVEMENT, _puff)
    monkeypatch.setitem(measures.STATIC_MEASURES, NEW_RESTING, resting)


def _as_new_exercise(exercise: ExerciseRecord) -> ExerciseRecord:
    if exercise.exercise_id != STANDS_IN:
        return exercise
    return dataclasses.replace(
        exercise, exercise_id=NEW_EXERCISE, exercise_name="Puff the cheeks", primary_measure=NEW_MOVEMENT
    )


def _with_new_measures(history: list[SessionDetail]) -> list[SessionDetail]:
    """The same sessions, with the stand-in exercise measured by the new movement measure and
    the resting face by the new resting measure too (its sides 1.5 mm apart, then evening out)."""
    sessions = []
    for index, session in enumerate(history):
        resting = {**(session.resting or {}), NEW_RESTING: {"left": 14.0 + 1.5 / (index + 1), "right": 14.0}}
        exercises = tuple(_as_new_exercise(exercise) for exercise in session.exercises)
        sessions.append(dataclasses.replace(session, resting=resting, exercises=exercises))
    return sessions


def test_a_new_measure_is_in_the_chart_model_with_its_label_and_unit(new_measures, history) -> None:
    sessions = _with_new_measures(history)
    charts = exercise_charts(exercise_trends(sessions)[NEW_EXERCISE])
    assert (charts.movement.measure, charts.movement.measure_label) == (NEW_MOVEMENT, NEW_MOVEMENT_LABEL)
    assert (charts.movement.unit, charts.movement.y_label) == ("mm", MOVEMENT_AXIS)
    assert charts.heading == f"Puff the cheeks ({NEW_MOVEMENT_LABEL})"
    assert len(charts.movement.when) == SESSIONS and all(v > 0 for s in charts.movement.series for v in s.values)
    resting = resting_chart(resting_trend(sessions))
    assert resting is not None
    by_role = {series.role: series for series in resting.series}
    assert by_role[NEW_RESTING].label == NEW_RESTING_SHORT
    assert by_role[NEW_RESTING].values == pytest.approx([1.5, 0.75, 0.5])
    assert measures.measure_label(NEW_RESTING) == NEW_RESTING_LABEL  # tables and text: the full label


def test_the_trends_tab_shows_a_new_measure(new_measures, history, qapp) -> None:
    from coach.gui.trends import TrendsView

    view = TrendsView()
    try:
        view.resize(1400, 900)
        view.show()
        view.set_sessions(_with_new_measures(history))
        assert view.select_exercise(NEW_EXERCISE)
        assert view.stack.currentWidget() is view.canvas
        view.canvas.draw()  # every artist drawn: a missing label or unit would fail here
        movement = _axes_labelled(view.figure, MOVEMENT_AXIS)
        assert movement.get_title(loc="left") == "Puff the cheeks: movement of each side"
        assert len(_line(movement, LEFT_LABEL).get_xdata()) == SESSIONS
        legends = [ax.get_legend() for ax in view.figure.axes if ax.get_legend() is not None]
        assert NEW_RESTING_SHORT in {text.get_text() for legend in legends for text in legend.get_texts()}
    finally:
        view.close()
        view.deleteLater()


def test_the_pdf_trend_pages_name_a_new_measure(new_measures, history, tmp_path: Path) -> None:
    sessions = _with_new_measures(history)
    pdf_path = tmp_path / "report.pdf"
    write_session_report(pdf_path, sessions[-1], sessions)
    texts = pages_text(pdf_path)
    start = next(index for index, text in enumerate(texts) if "Progress over time" in text)
    trend_pages = re.sub(r"\s+", " ", "\n".join(texts[start:]))
    assert f"Puff the cheeks ({NEW_MOVEMENT_LABEL})" in trend_pages
    assert NEW_RESTING_SHORT in trend_pages and MOVEMENT_AXIS in trend_pages


def test_clipping_keeps_a_signed_measure_below_zero_and_reads_noise_below_zero_as_zero() -> None:
    values = [-0.4, math.nan, 2.5]
    mouth = measures.MOVEMENT_MEASURES["commissure_excursion_mm"]  # a distance: never below zero
    brow = measures.MOVEMENT_MEASURES["brow_lift_mm"]  # a brow that fell when asked to rise
    assert not mouth.below_zero and brow.below_zero
    assert clipped(values, mouth)[0] == 0.0 and clipped(values, mouth)[2] == 2.5
    assert math.isnan(clipped(values, mouth)[1])
    assert clipped(values, brow)[0] == -0.4
    assert clipped(values, None)[0] == -0.4  # a measure no table knows: drawn as stored


def _below_zero(history: list[SessionDetail]) -> list[SessionDetail]:
    """The first session's left sides moved less than not at all: the smile (a distance) by
    arithmetic noise, the brow (signed) because it fell."""
    first = history[0]
    exercises = tuple(
        dataclasses.replace(exercise, summary=dataclasses.replace(exercise.summary, left_mm=-0.6))
        if exercise.summary is not None
        else exercise
        for exercise in first.exercises
    )
    return [dataclasses.replace(first, exercises=exercises), *history[1:]]


def _axes_labelled(fig: Figure, y_label: str, index: int = 0) -> Axes:
    return [ax for ax in fig.axes if ax.get_ylabel() == y_label][index]


def _line(ax: Axes, label: str):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def _pdf_movement_axes(session: SessionDetail, history: list[SessionDetail]) -> list[Axes]:
    """The movement charts of the progress pages, drawn as the report draws them, in order."""
    figure = Figure(figsize=(PAGE_W, PAGE_H))
    for section in trend_sections(session, history)[1:]:
        for item in section.items:
            if isinstance(item, Block):
                item.draw(figure, 0.0)
    return [ax for ax in figure.axes if ax.get_ylabel() == MOVEMENT_AXIS]


@pytest.mark.parametrize(("exercise_id", "kept_below_zero"), [("gentle_smile", False), ("raise_brows", True)])
def test_the_app_and_the_pdf_draw_the_same_numbers_clipped_alike(history, qapp, exercise_id, kept_below_zero) -> None:
    from coach.gui.trends import TrendsView

    sessions = _below_zero(history)
    chart: Chart = exercise_charts(exercise_trends(sessions)[exercise_id]).movement
    model = {series.label: series.values for series in chart.series}
    assert (model[LEFT_LABEL][0] < 0) is kept_below_zero and model[LEFT_LABEL][0] in (-0.6, 0.0)
    assert (chart.y_range[0] < model[LEFT_LABEL][0]) is kept_below_zero  # the axis reaches the kept value

    view = TrendsView()
    try:
        view.set_sessions(sessions)
        assert view.select_exercise(exercise_id)
        app = _axes_labelled(view.figure, MOVEMENT_AXIS)
        order = list(exercise_trends(sessions))
        paper = _pdf_movement_axes(sessions[-1], sessions)[order.index(exercise_id)]
        for ax in (app, paper):
            for label in (LEFT_LABEL, RIGHT_LABEL):
                np.testing.assert_array_equal(np.asarray(_line(ax, label).get_ydata(), dtype=float), model[label])
            assert ax.get_ylim() == pytest.approx(chart.y_range)
    finally:
        view.deleteLater()
