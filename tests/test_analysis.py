"""`facecoach analyze` end to end on the real smile clip and photo."""

from __future__ import annotations

import csv
import json

import pytest

from coach.cli.main import main


@pytest.fixture(scope="module")
def smile_result(data_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("analyze")
    out_json, out_csv = folder / "smile.json", folder / "smile.csv"
    code = main(["analyze", str(data_dir / "single_face.mp4"), "--exercise", "big_smile",
                 "--json", str(out_json), "--csv", str(out_csv)])  # fmt: skip
    assert code == 0
    return json.loads(out_json.read_text()), out_csv


def test_json_has_the_documented_fields(smile_result):
    result, _ = smile_result
    assert result["source"] == "single_face.mp4" and result["exercise"] == "big_smile"
    assert result["fps"] == 30.0 and result["frames"] == 72 and result["frames_with_face"] == 72
    assert 0 <= result["neutral"]["start_s"] < result["neutral"]["end_s"] <= 1.0
    for name in ("brow_height_mm", "palpebral_fissure_mm", "commissure_height_mm", "mouth_half_width_mm"):
        assert set(result["static"][name]) >= {"left", "right"}
    (rep,) = result["reps"]
    assert rep["start_s"] < rep["peak_s"] < rep["end_s"]
    assert set(rep) >= {"left_mm", "right_mm", "symmetry", "weaker_side", "hold_s", "synkinesis"}
    assert rep["hold_s"] > 0.5  # the clip holds the smile for over a second
    assert set(rep["synkinesis"]) == {"eye_narrowing_pct"}
    # a broad smile narrows the eyes (orbicularis): seen on both sides in this clip
    assert rep["synkinesis"]["eye_narrowing_pct"]["left"] > 5
    summary = result["summary"]
    assert summary["reps"] == 1 and summary["symmetry"] >= 0.85
    assert summary["weaker_side"] in (None, "left", "right")


def test_explicit_neutral_range_is_used(data_dir, tmp_path):
    out = tmp_path / "n.json"
    args = ["analyze", str(data_dir / "single_face.mp4"), "--exercise", "big_smile", "--neutral", "0.1:0.3"]
    assert main([*args, "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["neutral"] == {"start_s": 0.1, "end_s": 0.3}
    assert result["summary"]["reps"] == 1


def test_csv_has_per_frame_per_side_measures(smile_result):
    result, path = smile_result
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == result["frames"]
    assert {"commissure_excursion_mm_left", "commissure_excursion_mm_right", "brow_lift_mm_left"} <= set(rows[0])
    peak_row = max(rows, key=lambda r: float(r["commissure_excursion_mm_left"]))
    assert float(peak_row["commissure_excursion_mm_left"]) == pytest.approx(result["reps"][0]["left_mm"], abs=1.5)


def test_photo_with_rest_gives_static_measures(data_dir, tmp_path, capsys):
    out = tmp_path / "photo.json"
    assert main(["analyze", str(data_dir / "single_face.jpg"), "--exercise", "rest", "--json", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["frames"] == 1 and result["reps"] == [] and result["summary"]["reps"] == 0
    brow = result["static"]["brow_height_mm"]
    assert 10 < brow["left"] < 35 and 10 < brow["right"] < 35
    assert "Resting face" in capsys.readouterr().out


def test_a_still_face_gives_no_repetitions(data_dir, tmp_path, capsys):
    """The first 0.4 s of the clip (at rest) looped: nothing moves, nothing is counted."""
    import synthetic

    frames, fps = synthetic.read_clip(data_dir / "single_face.mp4")
    still = synthetic.write_clip(tmp_path / "still.avi", (frames[:12] + frames[11::-1]) * 3, fps)
    out = tmp_path / "still.json"
    assert main(["analyze", str(still), "--exercise", "big_smile", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["summary"]["reps"] == 0
    assert "no repetition" in capsys.readouterr().err


def test_live_coach_and_analyze_measure_the_same_frames_identically(data_dir, landmarker):
    """One measurement everywhere: the live coach's meter, given analyze's resting face, reads
    every frame of the clip exactly as analyze does (same pose fit, measures, cross-talk)."""
    import numpy as np

    from coach.capture.sources import VideoFileSource
    from coach.plans.exercises import get_exercise
    from coach.session.analysis import analyse_track, collect_landmarks
    from coach.session.feedback import ExerciseMeter

    exercise = get_exercise("big_smile")
    track = collect_landmarks(VideoFileSource(data_dir / "single_face.mp4"), landmarker)
    analysis = analyse_track(track, exercise)
    rest_mm = analysis.resting_face.normalise(track.points_px[analysis.neutral.indices])
    meter = ExerciseMeter(exercise, analysis.resting_face, rest_mm)
    assert meter.noise_mm == pytest.approx(analysis.noise_mm)
    live = np.array([meter.measure(points).primary["commissure_excursion_mm"] for points in track.points_px])
    assert live.max() > 8.0  # the smile is in the clip
    assert np.allclose(live, analysis.series["commissure_excursion_mm"], atol=1e-9)
