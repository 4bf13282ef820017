"""A therapist steers a live session without stopping it, driven offline frame by frame with
real faces (see coaching_driver): changes apply from the next repetition and the patient is
told; repetitions set aside leave the score; everything done is told as `Steered` and kept.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from coach.records.store import SessionStore, database_path
from coach.session import commands, events
from coach.session.commands import Origin
from coach.session.engine import summarise
from coach.session.phases import Phase
from coach.session.steering import REDONE, bars_shown, target_around
from coach.usecases.live_session import SessionRecorder

from coaching_driver import REST, Driver, big_smile, programme_of, reached

THERAPIST = Origin.THERAPIST


def _steer(driver: Driver, command: commands.Command) -> events.SessionEvent:
    """Send `command`, feed one resting picture (it applies between pictures), and give the answer."""
    answered = len(driver.recorder.of(events.CommandApplied)) + len(driver.recorder.of(events.CommandRefused))
    driver.feed(REST[:1])
    answers = [e for e in driver.recorder.all if isinstance(e, events.CommandApplied | events.CommandRefused)]
    assert len(answers) == answered + 1
    return answers[-1]


def _send(driver: Driver, command: commands.Command) -> events.SessionEvent:
    driver.controller.send(command)
    return _steer(driver, command)


def _in_repetition(driver: Driver, number: int) -> None:
    """Feed the exercise until repetition `number` is being held (its movement made)."""
    driver.exercise_until(lambda v: v.phase is Phase.HOLD and v.rep_number == number)


def test_faded_feedback_fades_and_summary_shows_none():
    assert [n for n in range(1, 17) if bars_shown("faded", n)] == [1, 2, 4, 7, 11, 16]
    assert all(bars_shown("full", n) for n in range(1, 20))
    assert not any(bars_shown("summary", n) for n in range(1, 20))


def test_a_smaller_target_applies_from_the_next_repetition_and_the_patient_is_told(clip):
    driver = Driver(clip, programme_of(big_smile(repetitions=3)))
    _in_repetition(driver, 1)
    was = driver.session.exercise.target_mm
    answer = _send(driver, commands.SetTargetBand(origin=THERAPIST, low_mm=1.0, high_mm=4.0))
    assert isinstance(answer, events.CommandApplied)
    view = driver.views[-1]
    assert view.notice == "Your therapist set a smaller target: from the next repetition."
    # the repetition under way is judged by what the person was told, to its end
    driver.exercise_until(lambda v: v.phase is Phase.MOVE and v.rep_number == 2)
    first = [v for v in driver.views if v.rep_number == 1 and v.phase is not Phase.INSTRUCTION and v.feedback]
    assert len(first) > 30 and {v.feedback.target_mm for v in first} == {was}
    (adjusted,) = driver.recorder.of(events.ExerciseAdjusted)
    assert adjusted.exercise.target_mm == (1.0, 4.0) and adjusted.attempt == 1
    during_second = driver.exercise_until(lambda v: v.feedback is not None and v.feedback.symmetry is not None)
    assert during_second.feedback.target_mm == (1.0, 4.0)
    driver.exercise_until(lambda v: v.rep_number == 3)
    second = [v.feedback.status for v in driver.views if v.rep_number == 2 and v.feedback]
    assert "too_much" in second  # the big smile is now more than asked
    (steered,) = driver.recorder.of(events.Steered)
    assert (steered.origin, steered.action, steered.index) == ("therapist", "set_target", 0)
    assert steered.detail == {"target_mm": [1.0, 4.0], "was": list(was)} and steered.at_s > 1.0
    # the notice goes after a while, so the patient's screen is theirs again
    assert driver.exercise_until(lambda v: v.notice == "").notice == ""


def test_a_longer_hold_lasts_from_the_next_repetition(clip):
    driver = Driver(clip, programme_of(big_smile(repetitions=2)))
    _in_repetition(driver, 1)
    assert isinstance(_send(driver, commands.SetHoldTime(origin=THERAPIST, hold_s=2.5)), events.CommandApplied)
    assert driver.views[-1].notice == "Your therapist set a longer hold: 2.5 seconds, from the next repetition."
    driver.exercise_until(reached(Phase.EXERCISE_RESULT))

    def hold_s(number: int) -> float:
        """How long repetition `number` was held: its hold's longest remaining time, one picture in."""
        return max(v.phase_remaining_s for v in driver.views if v.rep_number == number and v.phase is Phase.HOLD)

    assert hold_s(1) == pytest.approx(1.0, abs=0.05)  # the hold it started with
    assert hold_s(2) == pytest.approx(2.5, abs=0.05)
    refused = _send(driver, commands.SetHoldTime(origin=THERAPIST, hold_s=0.2))
    assert isinstance(refused, events.CommandRefused) and refused.reason == "A hold is between 1 and 60 seconds."


def test_faded_feedback_hides_the_bars_on_some_repetitions_and_gives_a_result_after_each(clip):
    driver = Driver(clip, programme_of(big_smile(repetitions=4)))
    driver.feed_until(REST, reached(Phase.INSTRUCTION))
    assert isinstance(_send(driver, commands.SetFeedbackSchedule(origin=THERAPIST, schedule="faded")),
                      events.CommandApplied)  # fmt: skip
    driver.exercise_until(reached(Phase.EXERCISE_RESULT))
    seen: dict[int, set[bool]] = {}
    results: dict[int, set[str]] = {}
    for v in driver.views:
        if v.phase in (Phase.MOVE, Phase.HOLD, Phase.RELAX):
            seen.setdefault(v.rep_number, set()).add(v.bars_shown)
            results.setdefault(v.rep_number, set()).add(v.last_result)
    assert seen == {1: {True}, 2: {True}, 3: {False}, 4: {True}}
    (third,) = results[3]
    rep2 = driver.recorder.of(events.RepetitionFinished)[1].repetition
    assert third.startswith(f"Repetition 2: your left {rep2.left_mm:.1f} mm · your right {rep2.right_mm:.1f} mm")
    hidden = [v for v in driver.views if v.rep_number == 3 and v.phase is Phase.HOLD]
    assert hidden and all(v.feedback is None for v in hidden)  # nothing live: the detail is the instruction


def test_summary_feedback_shows_no_bars_until_the_exercise_result(clip):
    exercise = dataclasses.replace(big_smile(repetitions=2), feedback="summary")  # as a programme prescribes it
    driver = Driver(clip, programme_of(exercise))
    view = driver.exercise_until(reached(Phase.EXERCISE_RESULT))
    in_reps = [v for v in driver.views if v.phase in (Phase.MOVE, Phase.HOLD, Phase.RELAX)]
    assert in_reps and not any(v.bars_shown or v.feedback or v.last_result for v in in_reps)
    assert view.results[-1].summary.reps == 2


def test_a_repetition_set_aside_is_done_once_more_and_leaves_the_score(clip):
    driver = Driver(clip, programme_of(big_smile(repetitions=2)))
    _in_repetition(driver, 2)
    answer = _send(driver, commands.DiscardRepetition(origin=THERAPIST, reason="pushed too hard"))
    assert isinstance(answer, events.CommandApplied)
    assert driver.views[-1].notice == "Your therapist set repetition 1 aside: it does not count, so there is one more."
    (discarded,) = driver.recorder.of(events.RepetitionDiscarded)
    assert (discarded.attempt, discarded.number, discarded.reason, discarded.result) == (1, 1, "pushed too hard", None)
    view = driver.exercise_until(reached(Phase.EXERCISE_RESULT))
    (result,) = view.results
    assert len(result.reps) == 3 and result.discarded == ((1, "pushed too hard"),)
    assert result.summary == summarise(list(result.reps[1:]), driver.session._runs[0].meter.noise_mm)
    assert result.summary.reps == 2
    again = _send(driver, commands.DiscardRepetition(origin=THERAPIST, attempt=1, number=1, reason="x"))
    assert isinstance(again, events.CommandRefused) and again.reason == "Repetition 1 is already set aside."
    no_reason = _send(driver, commands.DiscardRepetition(origin=THERAPIST, reason="  "))
    assert isinstance(no_reason, events.CommandRefused) and no_reason.reason == "Say why the repetition is set aside."


def test_setting_aside_a_repetition_of_an_ended_exercise_changes_its_result(clip):
    driver = Driver(clip, programme_of(big_smile(repetitions=2), big_smile(repetitions=1)))
    driver.exercise_until(lambda v: v.exercise_index == 1 and v.phase is Phase.INSTRUCTION)
    (finished,) = driver.recorder.of(events.ExerciseFinished)
    assert finished.result.summary.reps == 2
    _send(driver, commands.DiscardRepetition(origin=THERAPIST, attempt=1, number=2, reason="the head moved"))
    (discarded,) = driver.recorder.of(events.RepetitionDiscarded)
    assert discarded.result is not None and discarded.result.summary.reps == 1
    first = finished.result.reps[0]
    assert (discarded.result.summary.left_mm, discarded.result.summary.right_mm) == (first.left_mm, first.right_mm)
    assert driver.session.results[0] == discarded.result
    assert driver.views[-1].notice == "Your therapist set repetition 2 aside: it does not count."
    (steered,) = driver.recorder.of(events.Steered)
    assert (steered.index, steered.detail, steered.text) == (0, {"number": 2, "attempt": 1}, "the head moved")


def test_redoing_the_last_repetition_reopens_an_exercise_whose_result_shows(clip):
    driver = Driver(clip, programme_of(big_smile(repetitions=2), big_smile(repetitions=1)))
    driver.exercise_until(reached(Phase.EXERCISE_RESULT))
    assert isinstance(_send(driver, commands.RedoRepetition(origin=THERAPIST)), events.CommandApplied)
    view = driver.views[-1]
    assert (view.phase, view.exercise_index, view.rep_number) == (Phase.MOVE, 0, 2)
    assert view.notice == "Your therapist asked for that repetition again."
    driver.exercise_until(reached(Phase.EXERCISE_RESULT))
    finished = driver.recorder.of(events.ExerciseFinished)
    assert [f.attempt for f in finished] == [1, 1]  # the same attempt ended again, with one more repetition
    assert len(finished[-1].result.reps) == 3 and finished[-1].result.discarded == ((2, REDONE),)
    assert finished[-1].result.summary.reps == 2


def test_going_back_an_exercise_and_a_target_from_the_last_repetition(clip):
    driver = Driver(clip, programme_of(big_smile(repetitions=1), big_smile(repetitions=2)))
    refused = driver.controller.send(commands.PreviousExercise(origin=THERAPIST))
    driver.feed(REST[:1])
    assert refused.is_set() and driver.recorder.of(events.CommandRefused)[-1].reason == "No exercise has started yet."
    driver.exercise_until(lambda v: v.exercise_index == 1 and v.phase is Phase.MOVE and v.rep_number == 2)
    rep = driver.recorder.of(events.RepetitionFinished)[-1].repetition
    assert isinstance(_send(driver, commands.TargetFromLastRepetition(origin=THERAPIST)), events.CommandApplied)
    steered = driver.recorder.of(events.Steered)[-1]
    size = (rep.left_mm + rep.right_mm) / 2
    assert steered.detail["target_mm"] == [round(size * 0.75, 1), round(size * 1.25, 1)] == list(target_around(rep))
    assert steered.detail["number"] == 1
    assert isinstance(_send(driver, commands.PreviousExercise(origin=THERAPIST)), events.CommandApplied)
    started = driver.recorder.of(events.ExerciseStarted)
    assert [(s.index, s.attempt) for s in started] == [(0, 1), (1, 2), (0, 3)]
    assert [f.result.status for f in driver.recorder.of(events.ExerciseFinished)] == ["completed", "skipped"]
    first = _send(driver, commands.PreviousExercise(origin=THERAPIST))
    assert isinstance(first, events.CommandRefused) and first.reason == "This is the first exercise."
    # the second exercise keeps the target set for it when it comes again
    view = driver.exercise_until(lambda v: v.exercise_index == 1 and v.phase is Phase.INSTRUCTION)
    assert view.exercise.target_mm == tuple(steered.detail["target_mm"])


def test_everything_the_therapist_did_is_kept_with_the_session(clip, tmp_path: Path):
    database = database_path(tmp_path)
    driver = Driver(clip, programme_of(big_smile(repetitions=2)))
    recorder = SessionRecorder(database)
    driver.stream.subscribe(recorder)
    _in_repetition(driver, 1)
    sent = [
        commands.SetTargetBand(origin=THERAPIST, low_mm=1.5, high_mm=5.0),
        commands.SetFeedbackSchedule(origin=THERAPIST, schedule="faded"),
        commands.AddNote(origin=THERAPIST, text="lifts the lip with the cheek"),
    ]
    for command in sent:
        assert isinstance(_send(driver, command), events.CommandApplied)
    _in_repetition(driver, 2)
    _send(driver, commands.DiscardRepetition(origin=THERAPIST, reason="another part of the face helped"))
    _send(driver, commands.Pause(origin=Origin.PATIENT))
    _send(driver, commands.Resume(origin=Origin.PATIENT))
    driver.exercise_until(lambda v: v.finished)
    _send(driver, commands.AddNote(origin=THERAPIST, text="good session; try faded next time"))  # after its end
    steered = driver.recorder.of(events.Steered)
    with SessionStore.open(database)[0] as store:
        (record,) = store.history.sessions()
        detail = store.history.session_detail(record.id)
    kept = [(s.at_s, s.origin, s.action, s.position, s.detail, s.text) for s in detail.steering]
    assert kept == [(pytest.approx(e.at_s), e.origin, e.action, e.index, e.detail, e.text) for e in steered]
    assert [s.action for s in detail.steering] == ["set_target", "set_feedback", "note", "discard_repetition",
                                                   "pause", "resume", "note"]  # fmt: skip
    assert [n.text for n in detail.notes] == ["lifts the lip with the cheek", "good session; try faded next time"]
    (smile,) = detail.exercises
    assert [r.discarded_reason for r in smile.repetitions] == ["another part of the face helped", None, None]
    assert smile.summary.reps == 2 and detail.status == "completed"
