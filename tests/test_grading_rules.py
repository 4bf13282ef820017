"""The grading scales' arithmetic and the suggestion rules, on evidence whose answer the published
definitions give (the measured examinations are in test_examination.py)."""

from __future__ import annotations

import pytest

from coach.grading import scales
from coach.grading.evidence import ExaminationEvidence, MovementEvidence
from coach.grading.suggestions import (
    FOR_CLINICIAN,
    NEAR_EDGE,
    NOT_EXAMINED,
    SURE,
    TOO_LITTLE,
    VOLUNTARY_STEP_EDGES,
    suggest_grading,
)

REST = {
    "brow_height_mm": {"left": 22.0, "right": 22.0, "difference": 0.0},
    "palpebral_fissure_mm": {"left": 10.0, "right": 10.0, "difference": 0.0},
    "commissure_height_mm": {"left": 62.0, "right": 62.0, "difference": 0.0},
    "mouth_half_width_mm": {"left": 25.0, "right": 25.0, "difference": 0.0},
}
HEALTHY_MM = {
    "exam_brow_lift": 8.0,
    "exam_gentle_eye_closure": 10.0,
    "exam_smile": 9.0,
    "exam_snarl": 3.0,
    "exam_pucker": 4.0,
    "exam_full_eye_closure": 10.0,
    "exam_lower_lip": 3.0,
}
WATCH = {
    "exam_brow_lift": "eye_narrowing_pct",
    "exam_gentle_eye_closure": "mouth_corner_pull_pct",
    "exam_full_eye_closure": "mouth_corner_pull_pct",
}


def examination(share_left: float = 1.0, narrowing_left_pct: float = 0.0, affected: str | None = None,
                rest: dict | None = REST) -> ExaminationEvidence:  # fmt: skip
    """Every movement with the left side moving `share_left` of the right's; in the smile the left
    eye narrows `narrowing_left_pct` more than the right (which narrows 20 %, as in a healthy smile)."""
    movements = {}
    for exercise, healthy in HEALTHY_MM.items():
        left = share_left * healthy
        watched = WATCH.get(exercise, "eye_narrowing_pct")
        co = {"left": 20.0 + narrowing_left_pct, "right": 20.0} if exercise == "exam_smile" else {"left": 2, "right": 2}
        gap = None
        if "eye_closure" in exercise:
            gap = {"left": 10.0 - left, "right": 0.3}
        movements[exercise] = MovementEvidence(exercise, left, healthy, 3, 0.5, synkinesis_pct={watched: co},
                                               residual_gap_mm=gap)  # fmt: skip
    return ExaminationEvidence(rest, movements, affected)


def test_a_healthy_face_scores_the_top_of_both_scales() -> None:
    suggested = suggest_grading(examination())
    sunnybrook = suggested.scores(scales.SUNNYBROOK)
    assert sunnybrook.sections == {"resting": 0.0, "voluntary": 100.0, "synkinesis": 0.0}
    assert sunnybrook.total == 100.0
    assert sunnybrook.counted_normal == ("resting_cheek",)  # a webcam cannot judge the fold: left to the clinician
    eface = suggested.scores(scales.EFACE)
    assert eface.total == 100.0
    assert set(eface.counted_normal) == {
        "static_nasolabial_fold", "dynamic_nasolabial_fold_depth", "dynamic_nasolabial_fold_orientation",
        "synkinesis_mentalis", "synkinesis_platysmal",
    }  # fmt: skip
    assert all(s.certainty == FOR_CLINICIAN for s in suggested.items[scales.EFACE].values() if s.value is None)


@pytest.mark.parametrize(("share", "step"), [(0.0, 1), (0.25, 2), (0.5, 3), (0.75, 4), (1.0, 5)])
def test_voluntary_steps_follow_the_weak_sides_share(share: float, step: int) -> None:
    """The definition's anchors: none / a quarter / half / three quarters / all of the healthy side's."""
    suggested = suggest_grading(examination(share, affected="left"))
    for key in scales.SUNNYBROOK_EXPRESSIONS:
        s = suggested.items[scales.SUNNYBROOK][f"voluntary_{key}"]
        assert s.value == step, (key, s)
        assert s.certainty == SURE
    smile = suggested.items[scales.EFACE]["dynamic_oral_commissure_smile"]
    assert smile.value == round(100 * share)


def test_a_share_near_a_band_edge_says_which_other_step_it_could_be() -> None:
    edge = VOLUNTARY_STEP_EDGES[2]  # between 3 and 4
    s = suggest_grading(examination(edge + 0.02, affected="left")).items[scales.SUNNYBROOK]["voluntary_brow_lift"]
    assert (s.value, s.certainty, s.alternative) == (4, NEAR_EDGE, 3)
    s = suggest_grading(examination(edge - 0.02, affected="left")).items[scales.SUNNYBROOK]["voluntary_brow_lift"]
    assert (s.value, s.certainty, s.alternative) == (3, NEAR_EDGE, 4)


def test_an_eye_that_shuts_is_complete_whatever_its_other_side_does() -> None:
    """A lid gap within the lid measurement's error of touching is a closed eye (Sunnybrook 5)."""
    evidence = examination(0.97, affected="left")
    gentle = evidence.movements["exam_gentle_eye_closure"]
    shut = MovementEvidence(gentle.exercise, 9.2, 10.0, 3, 0.5, residual_gap_mm={"left": 0.8, "right": 0.0})
    suggested = suggest_grading(
        ExaminationEvidence(REST, {**evidence.movements, "exam_gentle_eye_closure": shut}, "left")
    )
    assert suggested.items[scales.SUNNYBROOK]["voluntary_gentle_eye_closure"].value == 5
    half = MovementEvidence(gentle.exercise, 5.0, 10.0, 3, 0.5, residual_gap_mm={"left": 5.0, "right": 0.0})
    suggested = suggest_grading(
        ExaminationEvidence(REST, {**evidence.movements, "exam_gentle_eye_closure": half}, "left")
    )
    assert suggested.items[scales.SUNNYBROOK]["voluntary_gentle_eye_closure"].value == 3


def test_synkinesis_is_the_affected_sides_excess_not_the_narrowing_of_a_healthy_smile() -> None:
    healthy = suggest_grading(examination())
    assert healthy.items[scales.SUNNYBROOK]["synkinesis_open_mouth_smile"].value == 0  # both eyes narrow 20 %
    for extra, grade in ((20.0, 1), (40.0, 2), (70.0, 3)):
        suggested = suggest_grading(examination(0.5, narrowing_left_pct=extra, affected="left"))
        s = suggested.items[scales.SUNNYBROOK]["synkinesis_open_mouth_smile"]
        assert s.value == grade and s.reading == pytest.approx(extra)
        assert suggested.items[scales.EFACE]["synkinesis_ocular"].value == round(100 - extra)
        assert suggested.items[scales.SUNNYBROOK]["synkinesis_brow_lift"].value == 0


def test_the_affected_side_comes_from_the_record_else_from_the_weaker_side() -> None:
    assert suggest_grading(examination(0.5)).sides.affected == "left"
    assert suggest_grading(examination(0.5)).sides.source == "measured"
    assert suggest_grading(examination(1.0)).sides.source == "none"
    recorded = suggest_grading(examination(0.5, affected="right"))
    assert recorded.sides.source == "record"
    # the recorded affected side moves more: no weakness on it, voluntary movement complete
    assert recorded.items[scales.SUNNYBROOK]["voluntary_open_mouth_smile"].value == 5


def test_what_was_not_examined_or_barely_moved_is_not_guessed() -> None:
    evidence = examination()
    movements = dict(evidence.movements)
    del movements["exam_snarl"]
    movements["exam_pucker"] = MovementEvidence("exam_pucker", 0.2, 0.4, 2, 0.5)
    suggested = suggest_grading(ExaminationEvidence(None, movements))
    assert suggested.items[scales.SUNNYBROOK]["voluntary_snarl"].certainty == NOT_EXAMINED
    assert suggested.items[scales.SUNNYBROOK]["voluntary_lip_pucker"].certainty == TOO_LITTLE
    assert suggested.items[scales.SUNNYBROOK]["voluntary_lip_pucker"].value is None
    assert suggested.items[scales.SUNNYBROOK]["resting_eye"].certainty == NOT_EXAMINED
    total = suggested.scores(scales.SUNNYBROOK)
    assert {"voluntary_snarl", "voluntary_lip_pucker", "resting_eye"} <= set(total.counted_normal)


def test_resting_items_read_the_static_difference() -> None:
    drooped = {**REST, "commissure_height_mm": {"left": 65.0, "right": 62.0, "difference": 3.0}}
    suggested = suggest_grading(examination(rest=drooped))
    mouth = suggested.items[scales.SUNNYBROOK]["resting_mouth"]
    assert (mouth.value, mouth.certainty) == (1, SURE)
    assert suggested.items[scales.SUNNYBROOK]["resting_eye"].value == 0
    assert suggested.items[scales.EFACE]["static_oral_commissure"].value == 88  # 3 mm of a 25 mm half-mouth
    assert suggested.scores(scales.SUNNYBROOK).sections["resting"] == 5.0


def test_scores_follow_the_published_formulas() -> None:
    worst = {item.id: item.values[0] if item.section == "voluntary" else item.values[-1]
             for item in scales.SUNNYBROOK_ITEMS}  # fmt: skip
    assert scales.sunnybrook_scores(worst).total == 20 - 20 - 15
    eface = {item.id: 100 for item in scales.EFACE_ITEMS} | {"dynamic_brow_elevation": 30}
    scores = scales.eface_scores(eface)
    assert scores.sections["dynamic"] == pytest.approx(100 - 70 / 7)
    assert scores.total == pytest.approx((100 + 2 * (100 - 10) + 100) / 4)
    with pytest.raises(ValueError, match="voluntary_smile"):
        scales.sunnybrook_scores({"voluntary_smile": 3})
    with pytest.raises(ValueError, match="cannot be 7"):
        scales.sunnybrook_scores({"voluntary_snarl": 7})
