"""Steering a live session without stopping it: the commands a session applies, its own
(pause, skip, ...) and a therapist's (a target, a hold, how often the bars show, a repetition
set aside or done again, back an exercise, a note).

A change to what is asked applies from the next repetition, so the one under way is judged by
what the person was told; the patient's window says what changed in plain words. Every command
applied is told on the stream as `Steered` (with its time in the session and who asked), which
the records keep as the session's steering log. `CoachingSession` has these methods through
`SteeringCommands`; each returns None once applied, or why not, in the person's language.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from coach.base.i18n import N_, tr
from coach.plans.exercises import BOUNDS, Exercise, feedback_problem, target_mm_is_valid, target_mm_problem
from coach.session import commands, wording
from coach.session.engine import Repetition
from coach.session.events import ExerciseAdjusted, RepetitionDiscarded, SessionEvent, Steered
from coach.session.phases import REP_PHASES, Phase, PhaseClock

if TYPE_CHECKING:
    from coach.measure.geometry import RestingFace
    from coach.session.camera_check import Calibrator, SteadyCameraCheck
    from coach.session.exercise_run import ExerciseRun

#: how long a notice to the patient stays in view (seconds of the session): read twice at leisure
NOTICE_S = 6.0
#: who is a therapist: their changes are told to the patient (the patient knows what they did themselves)
THERAPISTS = frozenset({commands.Origin.THERAPIST, commands.Origin.THERAPIST_REMOTE})
#: what the patient is told of the session's own commands when a therapist elsewhere gave them (one
#: beside the patient is seen doing it): the patient's screen changes, and they should know why
FROM_AFAR = {
    "pause": N_("Your therapist paused the session."),
    "resume": N_("Your therapist resumed the session."),
    "skip": N_("Your therapist moved on to the next exercise."),
    "repeat_exercise": N_("Your therapist started this exercise again."),
    "stop": N_("Your therapist stopped the session."),
    "accept_rest": N_("Your therapist took your face as it is as your resting face."),
}
#: a target set from a repetition is its size (the mean of both sides' peaks, so the stronger side
#: is asked to do no more than the two together did) ± this share: a band the person can hit
#: again and again while evenness is trained, not a single number to chase
TARGET_AROUND_SHARE = 0.25
#: the shortest hold a therapist may set: well above what counts as held (engine.MIN_HELD_S, 0.5 s),
#: so the person can hold it and it is scored
MIN_SET_HOLD_S = 1.0
#: the reasons offered for setting a repetition aside (kept in English, translated where shown);
#: a therapist may also write their own
DISCARD_REASONS = (
    N_("pushed too hard"),
    N_("another part of the face helped"),
    N_("the head moved"),
    N_("not the movement asked for"),
)
#: why a repetition done again was set aside
REDONE = N_("done again")


def bars_shown(schedule: str, rep_number: int) -> bool:
    """Whether the live bars show during repetition `rep_number` (from 1) under a feedback
    schedule (exercises.FEEDBACK_SCHEDULES). "faded" shows them on repetitions 1, 2, 4, 7, 11, ...:
    the gap grows by one each time, so feedback fades as the exercise goes on (motor learning:
    a faded schedule is retained better than feedback on every trial, Winstein & Schmidt 1990)."""
    if schedule == "full":
        return True
    if schedule != "faded":
        return False
    shown, gap = 1, 1
    while shown < rep_number:
        shown, gap = shown + gap, gap + 1
    return shown == rep_number


def target_around(rep: Repetition) -> tuple[float, float] | None:
    """A target band centred on one repetition (TARGET_AROUND_SHARE), or None if it is too small
    to be one."""
    size = (rep.left_mm + rep.right_mm) / 2
    band = (round(size * (1 - TARGET_AROUND_SHARE), 1), round(min(40.0, size * (1 + TARGET_AROUND_SHARE)), 1))
    return band if target_mm_is_valid(band) else None


@dataclass(frozen=True)
class Change:
    """What an applied command did, for the steering log and the patient."""

    #: what it set, e.g. {"target_mm": [2.0, 5.0], "was": [2.0, 8.0]}
    detail: Mapping[str, Any] = field(default_factory=dict)
    #: a note's words, or why a repetition was set aside
    text: str | None = None
    #: the exercise it concerned (None: the one under way, if any)
    index: int | None = None
    #: what the patient is told when a therapist made the change (looked up when shown)
    notice: Callable[[], str] | None = None


CommandMethod = TypeVar("CommandMethod", bound=Callable[..., "str | None"])


def _refused_once_over(command: CommandMethod) -> CommandMethod:
    """A command method that does nothing, and says so, once the session is over."""

    @functools.wraps(command)
    def unless_over(session: SteeringCommands) -> str | None:
        return tr(wording.SESSION_OVER) if session.finished else command(session)

    return cast(CommandMethod, unless_over)


def _told(text: str, **fields: object) -> Callable[[], str]:
    return lambda: tr(text, **fields)


class SteeringCommands:
    """The command methods of `coaching.CoachingSession` (which sets the attributes below)."""

    if TYPE_CHECKING:  # the session's state these methods read and change
        emit: Callable[[SessionEvent], None]
        finished: bool
        phase: Phase
        _index: int
        _run: ExerciseRun | None
        _runs: list[ExerciseRun]
        _exercises: list[Exercise]
        _pending: tuple[int, Exercise] | None
        _message: str
        _notice: Callable[[], str] | None
        _notice_until_s: float
        _now: float
        _first_picture_s: float
        #: every command applied and note made so far (what a view opened later shows)
        steered: list[Steered]
        _clock: PhaseClock
        exercise: Exercise | None

        pause_words: Callable[[], str]
        rest_accepted: bool
        _camera_lost: bool
        _camera_check: SteadyCameraCheck
        _calibrator: Calibrator

        @property
        def paused(self) -> bool: ...
        def _rest_found(self, resting_face: RestingFace) -> None: ...
        def _finish_session(self, status: str) -> None: ...
        def _start_phase(self, phase: Phase) -> None: ...
        def _begin_exercise(self) -> None: ...
        def _finish_exercise(self, status: str, advance: bool = True) -> None: ...

    # ----- the session's own commands (each returns None once applied, else why not) -------
    @_refused_once_over
    def pause(self) -> str | None:
        if self.paused:
            return tr(wording.ALREADY_PAUSED)
        self.pause_words = wording.paused_reason
        self._clock.pause(self._now)
        return None

    @_refused_once_over
    def resume(self) -> str | None:
        if self._camera_lost:  # without a camera there is nothing to resume with: source_back() ends that pause
            return tr(wording.WAITING_FOR_CAMERA)
        if not self.paused:
            return tr(wording.NOT_PAUSED)
        self._clock.resume(self._now)
        # the picture and the still face must be seen anew: what came before the pause does not count
        self._camera_check.restart_wait()
        if self.phase is Phase.CALIBRATING:
            self._calibrator.reset()
        if self.phase in REP_PHASES:  # the repetition under way when paused is done again from its start
            self._start_phase(Phase.MOVE)
            self._message = wording.REPEAT_AFTER_PAUSE
        return None

    @_refused_once_over
    def skip(self) -> str | None:
        """(commands.Skip) The camera check cannot be skipped: there is no face to measure yet."""
        if self.phase is Phase.CALIBRATING:
            return self.accept_rest()
        if self.phase is Phase.CAMERA_CHECK:
            return tr(wording.NO_SKIPPING_THE_CAMERA_CHECK)
        self._clock.end_pause()
        if self._run is None or self._run.finished:  # its result is showing: just move on
            self._index += 1
            self._begin_exercise()
            return None
        self._finish_exercise("skipped")
        return None

    @_refused_once_over
    def repeat_exercise(self) -> str | None:
        """(commands.RepeatExercise)"""
        if self._run is None or self.phase in (Phase.CAMERA_CHECK, Phase.CALIBRATING):
            return tr(wording.NO_EXERCISE_YET)
        self._clock.end_pause()
        if not self._run.finished:
            self._finish_exercise("skipped", advance=False)
        self._begin_exercise()
        return None

    @_refused_once_over
    def accept_rest(self) -> str | None:
        """(commands.AcceptRest)"""
        if self.phase is not Phase.CALIBRATING:
            return tr(wording.ONLY_WHILE_RELAXING)
        resting_face = self._calibrator.accept()
        if resting_face is None:
            return tr(wording.NO_FACE_YET)
        self._clock.end_pause()
        self.rest_accepted = True
        self._rest_found(resting_face)
        return None

    @_refused_once_over
    def stop(self) -> str | None:
        """End the session now; everything finished so far is kept."""
        self._clock.end_pause()
        if self.exercise is not None and self._run is not None and not self._run.finished:
            self._finish_exercise("stopped", advance=False)
        self._finish_session("stopped")
        return None

    @property
    def session_time_s(self) -> float:
        """Seconds since the session's first picture."""
        return max(0.0, self._now - self._first_picture_s)

    def apply(self, command: commands.Command) -> str | None:
        """Apply `command` now (None), or say why not; told on the stream as `Steered` once applied."""
        if self.finished and not isinstance(command, commands.AddNote):
            return tr(wording.SESSION_OVER)
        handler = _HANDLERS.get(type(command))
        if handler is None:
            return tr("The coach does not know how to do that ({command}).", command=type(command).__name__)
        outcome = handler(self, command)
        if isinstance(outcome, str):
            return outcome
        change = outcome or Change()
        index = change.index if change.index is not None else self._current_index()
        steered = Steered(self.session_time_s, command.origin.value, command.action, index, dict(change.detail),
                          change.text)  # fmt: skip
        self.steered.append(steered)
        self.emit(steered)
        notice = change.notice
        if notice is None and command.origin is commands.Origin.THERAPIST_REMOTE and command.action in FROM_AFAR:
            notice = _told(FROM_AFAR[command.action])
        if notice is not None and command.origin in THERAPISTS:
            self._notice, self._notice_until_s = notice, self._now + NOTICE_S
        return None

    def notice(self) -> str:
        """What the patient is told of the last change a therapist made, while it shows."""
        return self._notice() if self._notice is not None and self._now < self._notice_until_s else ""

    def _current_index(self) -> int | None:
        return self._index if self._run is not None and not self.finished else None

    # ----- what is asked of the exercise ---------------------------------------------------------
    def _asked(self) -> Exercise | str:
        """The current exercise as it will be asked from the next repetition, or why none can be changed."""
        if self._run is None or self.finished or self.exercise is None:
            return tr(wording.NO_EXERCISE_YET)
        if self._pending is not None and self._pending[0] == self._index:
            return self._pending[1]
        return self.exercise

    def _ask(self, exercise: Exercise) -> None:
        """From the next repetition on (now, if none is under way), ask `exercise` of the person."""
        self._pending = (self._index, exercise)
        if self.phase not in REP_PHASES:
            self._apply_pending()

    def _apply_pending(self) -> None:
        """A repetition starts (or none is under way): what was changed for it is now asked."""
        if self._pending is None:
            return
        index, exercise = self._pending
        self._pending = None
        self._exercises[index] = exercise
        run = self._run
        if run is not None and run.index == index and not run.finished:
            run.adjust(exercise)
            self.emit(ExerciseAdjusted(index, run.attempt, exercise))

    def _set_target(self, command: commands.SetTargetBand) -> str | Change:
        asked = self._asked()
        if isinstance(asked, str):
            return asked
        band = (float(command.low_mm), float(command.high_mm))
        if not target_mm_is_valid(band):
            return target_mm_problem([command.low_mm, command.high_mm])
        return self._new_target(asked, band, {})

    def _target_from_last(self, command: commands.TargetFromLastRepetition) -> str | Change:
        asked = self._asked()
        if isinstance(asked, str):
            return asked
        assert self._run is not None
        number = self._run.last_counted_number
        if number is None:
            return tr(wording.NO_REPETITION_YET)
        band = target_around(self._run.reps[number - 1])
        if band is None:
            return tr("Repetition {number} was too small to set a target from.", number=number)
        return self._new_target(asked, band, {"number": number})

    def _new_target(self, asked: Exercise, band: tuple[float, float], detail: dict[str, Any]) -> Change:
        was = asked.target_mm
        self._ask(dataclasses.replace(asked, target_mm=band))
        if band[1] < was[1] and band[0] <= was[0]:
            words = N_("Your therapist set a smaller target: from the next repetition.")
        elif band[1] > was[1] and band[0] >= was[0]:
            words = N_("Your therapist set a larger target: from the next repetition.")
        else:
            words = N_("Your therapist changed the target: from the next repetition.")
        return Change({"target_mm": list(band), "was": list(was), **detail}, notice=_told(words))

    def _set_hold(self, command: commands.SetHoldTime) -> str | Change:
        asked = self._asked()
        if isinstance(asked, str):
            return asked
        hold_s, highest = float(command.hold_s), BOUNDS["hold_s"][1]
        if not MIN_SET_HOLD_S <= hold_s <= highest:
            return tr("A hold is between {low} and {high} seconds.", low=f"{MIN_SET_HOLD_S:g}", high=f"{highest:g}")
        self._ask(dataclasses.replace(asked, hold_s=hold_s))
        words = (
            N_("Your therapist set a longer hold: {seconds} seconds, from the next repetition.")
            if hold_s > asked.hold_s
            else N_("Your therapist set a shorter hold: {seconds} seconds, from the next repetition.")
        )
        return Change({"hold_s": hold_s, "was": asked.hold_s}, notice=_told(words, seconds=f"{hold_s:g}"))

    def _set_feedback(self, command: commands.SetFeedbackSchedule) -> str | Change:
        asked = self._asked()
        if isinstance(asked, str):
            return asked
        problem = feedback_problem(command.schedule)
        if problem:
            return problem
        self._ask(dataclasses.replace(asked, feedback=command.schedule))
        words = {
            "full": N_("Your therapist turned the bars on for every repetition."),
            "faded": N_("From the next repetition the bars show on some repetitions; you see your result after each."),
            "summary": N_("From the next repetition you see your result at the end of the exercise."),
        }[command.schedule]
        return Change({"feedback": command.schedule, "was": asked.feedback}, notice=_told(words))

    # ----- repetitions ----------------------------------------------------------------------
    def _discard(self, command: commands.DiscardRepetition) -> str | Change:
        if not command.reason.strip():
            return tr("Say why the repetition is set aside.")
        if command.attempt and not 1 <= command.attempt <= len(self._runs):
            return tr(wording.NO_SUCH_REPETITION)
        run = self._runs[command.attempt - 1] if command.attempt else self._run
        if run is None:
            return tr(wording.NO_EXERCISE_YET)
        number = command.number or run.last_counted_number
        if number is None:
            return tr(wording.NO_REPETITION_YET)
        if not 1 <= number <= len(run.reps):
            return tr(wording.NO_SUCH_REPETITION)
        if number in run.discarded:
            return tr("Repetition {number} is already set aside.", number=number)
        reason = command.reason.strip()
        self.emit(RepetitionDiscarded(run.index, run.attempt, number, reason, run.set_aside(number, reason)))
        words = (
            N_("Your therapist set repetition {number} aside: it does not count, so there is one more.")
            if not run.finished
            else N_("Your therapist set repetition {number} aside: it does not count.")
        )
        detail = {"number": number, "attempt": run.attempt}
        return Change(detail, text=reason, index=run.index, notice=_told(words, number=number))

    def _redo(self, command: commands.RedoRepetition) -> str | Change:
        run = self._run
        if run is None or self.finished:
            return tr(wording.NO_EXERCISE_YET)
        number = run.last_counted_number
        if number is None:
            return tr(wording.NO_REPETITION_YET)
        result_showing = self.phase is Phase.EXERCISE_RESULT and run.result is not None
        if run.finished and not (result_showing and run.result.status == "completed"):
            return tr("That exercise has ended: start it again instead.")
        run.set_aside(number, REDONE)
        if run.finished:
            run.reopen()
        self.emit(RepetitionDiscarded(run.index, run.attempt, number, REDONE, None))
        self._clock.end_pause()
        self._message = wording.REDO_MESSAGE
        self._start_phase(Phase.MOVE)
        detail = {"number": number, "attempt": run.attempt}
        return Change(detail, text=REDONE, notice=_told(N_("Your therapist asked for that repetition again.")))

    # ----- the programme ----------------------------------------------------------------------
    def _previous_exercise(self, command: commands.PreviousExercise) -> str | Change:
        if self._run is None:
            return tr(wording.NO_EXERCISE_YET)
        if self._index == 0:
            return tr("This is the first exercise.")
        self._clock.end_pause()
        if not self._run.finished:
            self._finish_exercise("skipped", advance=False)
        self._index -= 1
        self._begin_exercise()
        return Change(index=self._index, notice=_told(N_("Your therapist went back to the previous exercise.")))

    def _note(self, command: commands.AddNote) -> str | Change:
        text = command.text.strip()
        if not text:
            return tr("A note needs some words.")
        return Change(text=text)


def _plain(method: Callable[[Any], str | None]) -> Callable[[SteeringCommands, commands.Command], str | None]:
    """A command that needs nothing but the session (pause, skip, ...)."""
    return lambda session, command: method(session)


#: what each command asks of the session
_HANDLERS: dict[type[commands.Command], Callable[[Any, Any], str | Change | None]] = {
    commands.Pause: _plain(SteeringCommands.pause),
    commands.Resume: _plain(SteeringCommands.resume),
    commands.Skip: _plain(SteeringCommands.skip),
    commands.RepeatExercise: _plain(SteeringCommands.repeat_exercise),
    commands.Stop: _plain(SteeringCommands.stop),
    commands.AcceptRest: _plain(SteeringCommands.accept_rest),
    commands.SetTargetBand: SteeringCommands._set_target,
    commands.TargetFromLastRepetition: SteeringCommands._target_from_last,
    commands.SetHoldTime: SteeringCommands._set_hold,
    commands.SetFeedbackSchedule: SteeringCommands._set_feedback,
    commands.DiscardRepetition: SteeringCommands._discard,
    commands.RedoRepetition: SteeringCommands._redo,
    commands.PreviousExercise: SteeringCommands._previous_exercise,
    commands.AddNote: SteeringCommands._note,
}
