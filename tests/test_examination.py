"""A grading examination measured: one video of the standard movements in order, or a folder of the
standard photographs, through the real model, to the suggested Sunnybrook and eFACE items.

The videos are generated examinations of a real face (tests/data/exam_*.mp4, made by
benchmarks/grading/examination.py; the truth of each movement's timing and amplitude is in the
JSON beside each): a healthy one, and one whose left side does not move at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from benchmarks.grading.examination import PRODUCT_EXERCISE
from coach.grading import scales
from coach.grading.suggestions import NOT_EXAMINED
from coach.session.examination import assign_in_order
from coach.usecases.examination import examine_recording

from test_inputs import assert_one_error, run_cli

DATA = Path(__file__).parent / "data"
HEALTHY = DATA / "exam_healthy_blink_face.mp4"
WEAK_LEFT = DATA / "exam_weak_left_blink_face.mp4"


def truth(video: Path) -> dict:
    return json.loads(video.with_suffix(".json").read_text())


@pytest.fixture(scope="module")
def healthy(model_bytes: bytes):
    return examine_recording(HEALTHY, model_bytes)


@pytest.fixture(scope="module")
def weak_left(model_bytes: bytes):
    return examine_recording(WEAK_LEFT, model_bytes)


@pytest.mark.parametrize("which", ["healthy", "weak_left"])
def test_each_movement_is_found_where_it_was_done(which: str, request: pytest.FixtureRequest) -> None:
    examined = request.getfixturevalue(which)
    video = HEALTHY if which == "healthy" else WEAK_LEFT
    stretches = examined.recorded.stretches
    for movement in truth(video)["movements"]:
        exercise = PRODUCT_EXERCISE[movement["exercise"]]  # the generator's movement as the examination's exercise
        assert exercise in stretches, f"{exercise} not found"
        start, end = stretches[exercise]
        for rep in movement["reps"]:  # every held repetition lies in the stretch analysed as that movement
            assert start <= rep["hold_start"] and rep["hold_end"] <= end, (exercise, rep, (start, end))
        found = len(examined.recorded.movements[exercise].reps)
        if which == "weak_left" and exercise == "exam_snarl":
            # known limit (benchmarks/grading): the model reads about a third of the generated 3 mm lift,
            # so the one side that moves stays under the 1 mm a repetition needs: not found, and said so
            assert found == 0
            assert examined.suggestions.items[scales.SUNNYBROOK]["voluntary_snarl"].certainty == NOT_EXAMINED
            continue
        if which == "healthy":
            assert found == len(movement["reps"]), exercise
        else:  # the weak side's lower lip: the healthy side reads 0.9-1.6 mm of its 3 mm (benchmarks/grading)
            assert found >= 1, exercise


def test_a_healthy_examination_scores_as_healthy_adults_do(healthy) -> None:
    """Healthy adults score a Sunnybrook composite of 65-100, median 96 (design notes); the issue asks >= 90."""
    suggested = healthy.suggestions
    assert suggested.sides.source == "none"  # natural unevenness is no affected side
    assert suggested.scores(scales.SUNNYBROOK).total >= 90
    assert suggested.scores(scales.EFACE).total >= 90
    for scale, items in suggested.items.items():
        for item_id, s in items.items():
            assert s.certainty != NOT_EXAMINED, (scale, item_id)
    for key in scales.SUNNYBROOK_EXPRESSIONS:
        assert suggested.items[scales.SUNNYBROOK][f"synkinesis_{key}"].value == 0, key


def test_a_side_that_does_not_move_is_graded_weak_and_named(weak_left, model_bytes: bytes) -> None:
    suggested = weak_left.suggestions
    assert (suggested.sides.affected, suggested.sides.source) == ("left", "measured")
    sunnybrook = suggested.items[scales.SUNNYBROOK]
    # the definition gives 1 ("unable to initiate"); the measurement may be one step off, never more
    for key in ("brow_lift", "open_mouth_smile", "gentle_eye_closure", "lip_pucker"):
        assert sunnybrook[f"voluntary_{key}"].value in (1, 2), (key, sunnybrook[f"voluntary_{key}"])
    assert suggested.scores(scales.SUNNYBROOK).total < 50
    recorded_side = examine_recording(WEAK_LEFT, model_bytes, affected_side="left").suggestions
    assert recorded_side.sides.source == "record"
    assert recorded_side.values(scales.SUNNYBROOK) == suggested.values(scales.SUNNYBROOK)


def test_the_command_prints_the_grading_as_a_measurement_aid_and_writes_json(capsys, tmp_path: Path) -> None:
    out_json = tmp_path / "grading.json"
    code, out, err = run_cli(capsys, "analyze", WEAK_LEFT, "--examination", "--affected-side", "left",
                             "--json", out_json)  # fmt: skip
    assert code == 0, err
    assert "a measurement aid, not a diagnosis" in out
    assert "affected side left (from the patient's record)" in out
    assert "for the clinician" in out and "Composite" in out and "Total" in out
    document = json.loads(out_json.read_text())
    assert document["aid"] == "measurement aid, not a diagnosis"
    assert document["affected_side"] == "left"
    assert document["sunnybrook"]["items"]["voluntary_brow_lift"]["value"] in (1, 2)
    assert document["sunnybrook"]["items"]["resting_cheek"]["certainty"] == "for_clinician"
    assert document["eface"]["total"] < document["eface"]["sections"]["static"]


def _frame_at(video: Path, seconds: float) -> np.ndarray:
    capture = cv2.VideoCapture(str(video))
    capture.set(cv2.CAP_PROP_POS_MSEC, seconds * 1000.0)
    ok, frame = capture.read()
    capture.release()
    assert ok
    return frame


def test_a_folder_of_the_standard_photographs_is_graded_too(capsys, tmp_path: Path) -> None:
    """One photograph per movement (held at its peak), named as clinics name them, against the one at rest."""
    names = {"raise_brows": "02_brow", "gentle_eye_closure": "03-eyes_gentle", "big_smile": "04 smile",
             "snarl": "05_snarl", "pucker": "06_pucker", "tight_eye_closure": "07_eyes_tight",
             "lower_lip": "08_eee"}  # fmt: skip
    facts = truth(WEAK_LEFT)
    cv2.imwrite(str(tmp_path / "01_rest.png"), _frame_at(WEAK_LEFT, 1.0))
    for movement in facts["movements"]:
        rep = movement["reps"][0]
        cv2.imwrite(str(tmp_path / f"{names[movement['exercise']]}.png"),
                    _frame_at(WEAK_LEFT, (rep["hold_start"] + rep["hold_end"]) / 2))  # fmt: skip
    cv2.imwrite(str(tmp_path / "holiday.png"), _frame_at(WEAK_LEFT, 1.0))
    out_json = tmp_path / "grading.json"
    code, _out, err = run_cli(capsys, "analyze", tmp_path, "--examination", "--json", out_json)
    assert code == 0, err
    assert "holiday.png is named for no movement" in err
    document = json.loads(out_json.read_text())
    assert document["affected_side"] == "left"
    items = document["sunnybrook"]["items"]
    for key in ("brow_lift", "open_mouth_smile", "lip_pucker"):
        assert items[f"voluntary_{key}"]["value"] in (1, 2), key
    assert all(item["certainty"] != NOT_EXAMINED for item in items.values())


def test_bad_examination_input_says_what_to_do(capsys, tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "smile.png"), _frame_at(HEALTHY, 1.0))
    assert_one_error(*run_cli(capsys, "analyze", tmp_path, "--examination"), "no photograph at rest", "rest.jpg")
    assert_one_error(*run_cli(capsys, "analyze", HEALTHY, "--examination", "--exercise", "big_smile"),
                     "--exercise is not for an examination")  # fmt: skip
    assert_one_error(*run_cli(capsys, "analyze", HEALTHY), "--exercise ID", "--examination")
    assert_one_error(*run_cli(capsys, "analyze", HEALTHY, "--exercise", "big_smile", "--affected-side", "left"),
                     "--affected-side is for an examination")  # fmt: skip


def test_bursts_are_given_to_movements_in_order_by_how_they_look() -> None:
    """A smile lifts the upper lip as much as a snarl (columns: smile, snarl); the snarls after the
    smiles look unlike them, so the smiles stay smiles."""
    scores = np.array([[0.92, 1.0], [1.0, 1.0], [0.2, 0.58], [0.17, 0.52]])
    assert assign_in_order(scores) == [0, 0, 1, 1]
    # order is kept: a burst that fits an earlier movement, after a later one, is left out
    assert assign_in_order(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])) == [0, 1, None]


def test_a_saved_examination_is_graded_from_the_records_as_from_the_video(capsys, tmp_path: Path) -> None:
    """`analyze --examination --save` keeps the examination as one session of the examination programme
    (resting face and every movement); `facecoach grading --session` grades it from the records, with
    the patient's recorded affected side, to the same values."""
    data = ["--data-dir", tmp_path / "clinic"]
    assert run_cli(capsys, *data, "patients", "add", "P07", "--side", "left")[0] == 0
    from_video = tmp_path / "from_video.json"
    code, out, err = run_cli(capsys, *data, "analyze", WEAK_LEFT, "--examination", "--save", "--patient", "P07",
                             "--json", from_video)  # fmt: skip
    assert code == 0, err
    assert "(from the patient's record)" in out  # the patient's side, not one inferred
    session = int(out.rsplit("saved as session ", 1)[1].split()[0])
    code, out, err = run_cli(capsys, *data, "sessions", "--patient", "P07")
    assert code == 0 and "Grading examination" in out, out
    from_records = tmp_path / "from_records.json"
    code, out, err = run_cli(capsys, *data, "grading", "--session", session, "--json", from_records)
    assert code == 0, err
    assert "a measurement aid, not a diagnosis" in out
    video, records = json.loads(from_video.read_text()), json.loads(from_records.read_text())
    for scale in (scales.SUNNYBROOK, scales.EFACE):
        assert {k: v["value"] for k, v in records[scale]["items"].items()} == {
            k: v["value"] for k, v in video[scale]["items"].items()
        }, scale
        assert records[scale]["total"] == video[scale]["total"]
    assert records["affected_side_from"] == "record"


def test_grading_a_session_that_is_not_an_examination_says_so(capsys, tmp_path: Path, data_dir: Path) -> None:
    data = ["--data-dir", tmp_path / "clinic"]
    assert run_cli(capsys, *data, "patients", "add", "P08")[0] == 0
    code, out, err = run_cli(capsys, *data, "analyze", data_dir / "single_face.mp4", "--exercise", "big_smile",
                             "--save", "--patient", "P08")  # fmt: skip
    assert code == 0, err
    session = int(out.rsplit("saved as session ", 1)[1].split()[0])
    assert_one_error(*run_cli(capsys, *data, "grading", "--session", session), "is not a grading examination")
    assert_one_error(*run_cli(capsys, *data, "grading", "--session", 999), "no session 999")


def test_the_examination_asks_for_the_most_the_face_can_do() -> None:
    """Retraining asks for gentle movement; the examination's exercises (effort 10) ask for more, never
    for less: a movement far beyond any retraining target is still "well done"."""
    from coach.plans.exercises import get_exercise
    from coach.session.feedback import feedback_for

    exam, retraining = get_exercise("exam_smile"), get_exercise("big_smile")
    still = np.array([0.1, 0.1])
    assert feedback_for(exam, still, {}, 0.5).message == "As far as you can, both sides together."
    assert feedback_for(retraining, still, {}, 0.5).message == "Move gently, both sides together."
    broad = np.array([25.0, 24.0])
    assert feedback_for(exam, broad, {}, 0.5).status == "good"
    assert feedback_for(retraining, broad, {}, 0.5).status == "too_much"
