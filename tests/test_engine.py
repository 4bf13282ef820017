"""The exercise engine's rules: hysteresis, gaps, symmetry, weaker side, neutral choice."""

from __future__ import annotations

import numpy as np
import pytest

from coach.measure import sides
from coach.session import engine


def _bump(t: np.ndarray, centre: float, height: float, width: float = 0.6) -> np.ndarray:
    """A movement that rises, holds 0.3 s at its peak and relaxes (as exercises ask)."""
    return height * np.clip((width - np.abs(t - centre)) / (width - 0.15), 0, 1)


def test_repetitions_are_counted_with_hysteresis_and_back_dated_starts():
    t = np.arange(0, 6, 1 / 30)
    left = _bump(t, 1.5, 8.0) + _bump(t, 4.0, 6.0)
    right = _bump(t, 1.5, 4.0) + _bump(t, 4.0, 6.0)
    primary = {"commissure_excursion_mm": np.stack([left, right], axis=1)}
    reps = engine.find_repetitions(t, primary, {}, min_movement_mm=1.5, noise_mm=0.5, fps=30)
    assert len(reps) == 2
    first, second = reps
    assert first.left_mm == pytest.approx(8.0, abs=0.3) and first.right_mm == pytest.approx(4.0, abs=0.3)
    assert first.symmetry == pytest.approx(0.5, abs=0.05) and first.weaker_side == "right"
    assert second.symmetry == pytest.approx(1.0, abs=0.02) and second.weaker_side is None
    # onset is where the movement left rest, not where it crossed the threshold
    assert first.start_s < 1.5 - 0.6 + 0.15 and 1.35 - 1e-9 <= first.peak_s <= 1.65
    assert all(rep.complete for rep in reps)


def test_jitter_around_the_threshold_is_one_repetition_not_many():
    t = np.arange(0, 3, 1 / 30)
    signal = 2.0 + 0.4 * np.sin(np.arange(len(t)) * 2.5)  # hovers around on=2.0 mm, never below off=1.0
    signal[:10] = 0.0
    signal[-10:] = 0.0
    reps = engine.find_repetitions(t, {"m": np.stack([signal, signal], 1)}, {}, 2.0, 0.5, 30)
    assert len(reps) == 1


def test_a_gap_without_face_ends_a_repetition_and_does_not_back_date_the_next():
    detector = engine.RepetitionDetector(on_mm=2.0, off_mm=1.0)
    samples = [(0.0, 0.0), (0.1, 3.0), (0.2, 3.0), (2.0, 3.0), (2.1, 3.0), (2.2, 0.0)]
    closed = [w for t, v in samples if (w := detector.update(t, v)) is not None]
    assert closed == [(0, 2, False), (3, 5, True)]


def test_recording_that_ends_mid_movement_marks_the_repetition_incomplete():
    t = np.arange(0, 2, 1 / 30)
    signal = np.clip((t - 0.5) * 10, 0, 6)
    reps = engine.find_repetitions(t, {"m": np.stack([signal, signal], 1)}, {}, 1.5, 0.5, 30)
    assert len(reps) == 1 and not reps[0].complete


def test_hold_time_measures_the_plateau_near_the_peak():
    t = np.arange(0, 8, 1 / 30)
    signal = np.interp(t, [0, 1, 1.5, 4.5, 5.0, 8], [0, 0, 6, 6, 0, 0])
    (rep,) = engine.find_repetitions(t, {"m": np.stack([signal, signal], 1)}, {}, 1.5, 0.5, 30)
    assert rep.hold_s == pytest.approx(3.0 + 2 * 0.1, abs=0.1)  # plateau plus the top 20 % of the ramps


def test_symmetry_and_weaker_side_rules():
    assert sides.symmetry(10.0, 5.0) == 0.5
    assert sides.symmetry(-1.0, 5.0) == 0.0  # moving the wrong way counts as no movement
    assert sides.symmetry(0.0, 0.0) is None
    assert sides.weaker_side(10.0, 9.7, noise_mm=0.5) is None
    assert sides.weaker_side(6.0, 9.0, noise_mm=0.5) == "left"
    assert sides.weaker_side(15.2, 14.6, noise_mm=0.5) is None  # 4 % of a broad smile: within error
    assert sides.weaker_side(15.2, 13.9, noise_mm=0.5) == "right"
    assert engine.side_noise_mm(np.zeros((10, 2))) == engine.NOISE_FLOOR_MM
    noisy = np.stack([np.tile([0.0, 1.0], 10), np.zeros(20)], axis=1)
    assert engine.side_noise_mm(noisy) == pytest.approx(1.5)


def test_neutral_is_the_still_stretch_at_the_start_not_a_held_movement():
    rng = np.random.default_rng(1)
    t = np.arange(0, 4, 1 / 30)
    base = rng.normal(size=(478, 3)) * 20
    offset = np.interp(t, [0, 0.6, 0.9, 3.0, 4.0], [0, 0, 5, 5, 5])  # moves at 0.6 s, then holds still
    jitter = rng.normal(scale=0.05, size=(len(t), 478, 3))
    jitter[:18] *= 4  # a little less still at rest than during the hold
    shapes = base + offset[:, None, None] + jitter
    choice = engine.choose_neutral(t, shapes)
    assert choice.end_s <= 0.6 + 1e-9


def test_each_sides_peak_is_its_level_while_held_not_its_jitter():
    """A still side's single highest frame is jitter: the repetition reads each side over the
    stretch held near the peak, so a spike on the still side does not count as movement, and
    what is read during the hold (the lid gap, here) is kept beside the peaks."""
    fps = 30.0
    times = np.arange(60) / fps
    moving = np.concatenate([np.linspace(0, 6, 15), np.full(30, 6.0), np.linspace(6, 0, 15)])
    still = np.zeros(60)
    still[[20, 30, 40]] = 1.5  # jitter spikes during the hold
    primary = {"eye_closure_mm": np.stack([moving, still], axis=1)}
    gap = np.stack([8.0 - moving, np.full(60, 8.0)], axis=1)
    rep = engine.describe_repetition((0, 59, True), times, primary, {}, 0.5, fps, {"residual_gap_mm": gap})
    assert rep.left_mm == pytest.approx(6.0) and rep.right_mm == pytest.approx(0.0)
    assert rep.measures["residual_gap_mm"] == {"left": pytest.approx(2.0), "right": pytest.approx(8.0)}
    assert rep.hold_s == pytest.approx(36 / fps)  # the 30 flat frames and 3 of each ramp are ≥ 80 % of 6 mm
