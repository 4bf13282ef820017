"""What the session database holds, as the rest of the app sees it: patients, sessions,
their exercises and repetitions. Plain frozen values, read back whole; no SQL here.

Left and right are always the patient's anatomical sides, whatever the camera showed.
(A prescribed programme is `coach.plans.prescriptions.PrescribedProgramme`: the plans
layer defines and checks it, the store keeps it as it is.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args

from coach.grading.scales import EXAMINATION_PROGRAMME
from coach.session.engine import Repetition, Summary

SessionEndStatus = Literal["completed", "stopped", "interrupted"]
#: not_done: no movement was seen in several tries (the coach moved on)
ExerciseEndStatus = Literal["completed", "skipped", "stopped", "interrupted", "not_done"]
SessionStatus = Literal["in_progress", SessionEndStatus]
ExerciseStatus = Literal["in_progress", ExerciseEndStatus]
SESSION_END_STATUSES: tuple[str, ...] = get_args(SessionEndStatus)
EXERCISE_END_STATUSES: tuple[str, ...] = get_args(ExerciseEndStatus)
#: which side a repetition's weaker side may be (or None: even)
SIDES = ("left", "right")
SessionKind = Literal["live", "recorded"]  # recorded: a video analysed into the history
SESSION_KINDS: tuple[str, ...] = get_args(SessionKind)
#: the side of the palsy, as the patient's anatomical side
AffectedSide = Literal["left", "right", "both", "unknown"]
AFFECTED_SIDES: tuple[str, ...] = get_args(AffectedSide)
#: who changed a session while it ran (`coach.session.commands.Origin`'s values): the person
#: exercising, a therapist beside them or elsewhere, or the app itself
SteeringOrigin = Literal["patient", "therapist", "therapist_remote", "app"]
STEERING_ORIGINS: tuple[str, ...] = get_args(SteeringOrigin)
#: the fields of a patient that can be given and changed (`Patients.add`, `Patients.update`)
PATIENT_FIELDS = ("code", "name", "affected_side", "onset_date", "cause", "notes")


@dataclass(frozen=True)
class Patient:
    """A person whose sessions are kept. `code` is a name or a pseudonymous code, unique
    ignoring case; `name` is optional; `affected_side` is the anatomical side of the palsy."""

    id: int
    code: str
    name: str | None
    affected_side: AffectedSide
    onset_date: date | None
    cause: str | None
    notes: str | None
    created_at: datetime
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The patient as bundles and JSON exports write it. Those files (and the database
        column) call the name `display_name`: kept so, so older files still read."""
        return {
            "id": self.id,
            "code": self.code,
            "display_name": self.name,
            "affected_side": self.affected_side,
            "onset_date": None if self.onset_date is None else self.onset_date.isoformat(),
            "cause": self.cause,
            "notes": self.notes,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class SessionRecord:
    """One line of the history list."""

    id: int
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus
    programme_id: str | None
    programme_name: str | None
    exercise_count: int
    #: the repetitions that count (those set aside by the therapist are left out)
    repetition_count: int
    patient_id: int | None
    kind: SessionKind
    uid: str


@dataclass(frozen=True)
class RepetitionRecord:
    """A stored repetition: the engine's `Repetition` as recorded, and when."""

    id: int
    number: int
    recorded_at: datetime
    repetition: Repetition
    #: None: it counts; else why the therapist set it aside (kept and shown, left out of every score and trend)
    discarded_reason: str | None = None

    @property
    def counts(self) -> bool:
        return self.discarded_reason is None


@dataclass(frozen=True)
class ExerciseRecord:
    """One exercise of a session as done: what was asked (`target`), how it ended, its repetitions."""

    id: int
    position: int
    exercise_id: str
    exercise_name: str
    primary_measure: str | None
    target: dict[str, Any]
    started_at: datetime
    ended_at: datetime | None
    status: ExerciseStatus
    summary: Summary | None
    repetitions: tuple[RepetitionRecord, ...]

    @property
    def counted_repetitions(self) -> tuple[RepetitionRecord, ...]:
        """The repetitions that count: every one the therapist did not set aside."""
        return tuple(record for record in self.repetitions if record.counts)


@dataclass(frozen=True)
class SteeringRecord:
    """One thing done to a session while it ran, by whom and when: a command it applied
    (pause, a smaller target, a repetition set aside, ...) or a therapist's note."""

    #: seconds from the session's start (its first picture)
    at_s: float
    origin: SteeringOrigin
    #: what was done, as the records name it (`coach.session.steering.ACTIONS`), e.g. "set_target"
    action: str
    #: the position in the programme of the exercise it concerned (None: the session as a whole)
    position: int | None
    #: what it set or concerned, e.g. {"target_mm": [2.0, 5.0], "was": [2.0, 8.0]}
    detail: dict[str, Any]
    #: a note's words, or why a repetition was set aside (None for other actions)
    text: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class SessionDetail:
    """One session whole: its exercises in order, each with its repetitions."""

    id: int
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus
    programme_id: str | None
    programme_name: str | None
    source: str
    resting: dict[str, Any] | None
    app_version: str
    exercises: tuple[ExerciseRecord, ...]
    patient_id: int | None
    kind: SessionKind
    #: 32 lower-case hex digits (a UUID4), the same in every database the session is imported into
    uid: str
    #: the resting face was accepted by the person as it was (it never stayed still), not found still:
    #: its resting measures may hold some movement
    rest_accepted: bool = False
    #: what was done to it while it ran (commands and notes), in order
    steering: tuple[SteeringRecord, ...] = ()

    @property
    def notes(self) -> tuple[SteeringRecord, ...]:
        """The therapist's notes, in order."""
        return tuple(record for record in self.steering if record.action == "note")

    @property
    def is_examination(self) -> bool:
        """A grading examination (its programme's), graded from its repetitions."""
        return self.programme_id == EXAMINATION_PROGRAMME


@dataclass(frozen=True)
class FiledGrading:
    """One scale as a clinician filed it."""

    id: int
    uid: str
    patient_id: int
    #: the examination session it grades (None: graded without one), and that session's uid
    session_id: int | None
    session_uid: str | None
    scale: str
    graded_at: datetime
    graded_by: str
    #: item → value as filed (None: not graded)
    values: dict[str, int | None]
    #: item → value the measurement suggested when it was filed (None: no suggestion)
    suggested: dict[str, int | None]
    #: Sunnybrook composite or eFACE total of the filed values (items not graded counted normal)
    total: float


@dataclass(frozen=True)
class ItemAgreement:
    """How the filed values of one item compare with what was suggested."""

    scale: str
    item: str
    #: gradings in which the item had both a suggestion and a filed value
    compared: int
    #: of them, how often the clinician kept the suggested value
    kept: int
    #: mean of filed − suggested (in the item's units: steps, or 0-100)
    mean_difference: float
