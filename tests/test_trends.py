"""The one trend computation behind the PDF report and the app's Trends tab, on sessions
recorded through the real store: one point per session, dated by the session's start."""

from __future__ import annotations

import dataclasses
import math
from datetime import timedelta

import pytest

from coach.records.models import SessionDetail
from coach.records.trends import (
    DEFAULT_SYNKINESIS_LIMIT_PCT,
    exercise_trends,
    resting_trend,
    synkinesis_limit_pct,
    wall_clock,
)

from bench_report import SESSION_EXERCISES, Recorded, fill_store, read_history

SESSIONS = 4


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> list[SessionDetail]:
    recorded: Recorded = fill_store(tmp_path_factory.mktemp("store"), SESSIONS, reps=3)
    return read_history(recorded.database)


def _exercises_started_later(session: SessionDetail, hours: float) -> SessionDetail:
    later = [dataclasses.replace(e, started_at=e.started_at + timedelta(hours=hours)) for e in session.exercises]
    return dataclasses.replace(session, exercises=tuple(later))


def test_each_point_is_dated_by_its_session_start(history: list[SessionDetail]) -> None:
    """Even when an exercise started long after its session did (a result belongs to its session)."""
    shifted = [_exercises_started_later(session, hours=30) for session in history]
    trends = exercise_trends(reversed(shifted))
    assert list(trends) == list(SESSION_EXERCISES)
    for trend in trends.values():
        assert trend.when == [wall_clock(session.started_at) for session in history]
        assert all(moment.tzinfo is None for moment in trend.when)
    assert resting_trend(shifted).when == [wall_clock(session.started_at) for session in history]


def test_a_point_holds_the_session_means_and_targets(history: list[SessionDetail]) -> None:
    trend = exercise_trends(history)["gentle_smile"]
    for index, session in enumerate(history):
        exercise = next(e for e in session.exercises if e.exercise_id == "gentle_smile")
        assert exercise.summary is not None
        assert trend.left_mm[index] == pytest.approx(exercise.summary.left_mm)
        assert trend.right_mm[index] == pytest.approx(exercise.summary.right_mm)
        assert trend.symmetry_pct[index] == pytest.approx(100 * exercise.summary.symmetry)
        low, high = exercise.target["target_mm"]
        assert (trend.target_low_mm[index], trend.target_high_mm[index]) == (low, high)
        assert trend.target_symmetry_pct[index] == pytest.approx(100 * exercise.target["target_symmetry"])
    left, right = trend.synkinesis_series()["eye_narrowing_pct"]
    assert len(left) == len(right) == SESSIONS and all(math.isfinite(v) for v in [*left, *right])


def test_exercises_without_repetitions_add_no_point(history: list[SessionDetail]) -> None:
    emptied = dataclasses.replace(
        history[-1],
        exercises=tuple(dataclasses.replace(e, repetitions=(), summary=None) for e in history[-1].exercises),
    )
    trends = exercise_trends([*history[:-1], emptied])
    assert {len(trend.when) for trend in trends.values()} == {SESSIONS - 1}
    assert exercise_trends([emptied]) == {}


def test_the_warning_limit_comes_from_the_target_then_the_exercise_file(history: list[SessionDetail]) -> None:
    exercise = history[0].exercises[0]
    assert synkinesis_limit_pct(dataclasses.replace(exercise, target={"synkinesis_limit_pct": 12})) == 12.0
    assert synkinesis_limit_pct(dataclasses.replace(exercise, exercise_id="big_smile", target={})) == 35.0  # its file
    unknown = dataclasses.replace(exercise, exercise_id="not_shipped", target={})
    assert synkinesis_limit_pct(unknown) == DEFAULT_SYNKINESIS_LIMIT_PCT


def test_resting_measures_never_measured_on_both_sides_are_left_out(history: list[SessionDetail]) -> None:
    one_sided = [
        dataclasses.replace(s, resting={**s.resting, "brow_height_mm": {"left": 20.0, "right": None}}) for s in history
    ]
    trend = resting_trend(one_sided)
    assert "brow_height_mm" not in trend.difference_mm
    assert list(trend.difference_mm) == ["palpebral_fissure_mm", "commissure_height_mm", "mouth_half_width_mm"]
    assert all(len(values) == SESSIONS for values in trend.difference_mm.values())
    assert resting_trend([dataclasses.replace(s, resting=None) for s in history]).when == []
