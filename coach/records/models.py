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
