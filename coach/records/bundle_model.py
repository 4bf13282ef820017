"""What a session bundle may hold, as one validated model: types, ranges, finite numbers,
plausible dates, known exercises and measures, bounded sizes.

Why: a bundle comes from another computer, by mail or a USB stick, and what it holds is
written into the clinic's database, from where every later export and report reads it.
A value of the wrong type or out of range must be refused at the door, naming the file,
the field and the problem, before anything is written; accepted once, it would make that
patient's history unreadable. msgspec decodes and checks the types and ranges in one pass
(and names the field's path); the few rules it cannot express (an end after its start, a
date not in the future, an exercise this app knows) are checked after it.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta, Struct

from coach.base.errors import CoachError
from coach.base.i18n import tr
from coach.measure.measures import ALL_PER_FRAME, MOVEMENT_MEASURES, STATIC_MEASURES, SYNKINESIS_MEASURES
from coach.plans.exercises import load_exercises
from coach.records.models import ExerciseRecord, Patient, RepetitionRecord, SessionDetail, SteeringRecord
from coach.session.engine import Repetition, Summary


class BundleError(CoachError):
    """A bundle cannot be exported or imported; nothing was written. `reason`: the message
    without what the problem meant for an import (for a session read back from the database,
    worded again there)."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = message if reason is None else reason


def refused(reason: str) -> BundleError:
    """The error for a problem that refuses a whole import: its reason, and that nothing was imported."""
    return BundleError(tr("{problem}; nothing was imported", problem=reason), reason=reason)


def field_problem(where: str, field: str, problem: str) -> str:
    """A problem with one field of a bundle's file (`where`), as a message names it."""
    return tr("{where}: field {field}: {problem}", where=where, field=field, problem=problem)


Mm = Annotated[float, Meta(ge=-500.0, le=500.0)]
Percent = Annotated[float, Meta(ge=0.0, le=10_000.0)]
Seconds = Annotated[float, Meta(ge=0.0, le=86_400.0)]
Fraction = Annotated[float, Meta(ge=0.0, le=1.0)]
Count = Annotated[int, Meta(ge=0, le=10_000)]
Moment = Annotated[datetime, Meta(tz=True)]
Name = Annotated[str, Meta(max_length=200)]
Text = Annotated[str, Meta(max_length=10_000)]
Side = Literal["left", "right"]
Uid = Annotated[str, Meta(pattern="^[0-9a-f]{32}$")]
SessionMember = Annotated[str, Meta(pattern=r"^sessions/[0-9a-f]{32}\.json$")]
Digest = Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]

#: the earliest date a session, an exercise or a repetition may carry (the app did not exist before)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
#: how far ahead of this computer's clock a date may be (another computer's clock may be ahead)
CLOCK_SLACK = timedelta(days=1)


class Sides(Struct, forbid_unknown_fields=True, omit_defaults=True):
    left: Mm | None = None
    right: Mm | None = None


class PercentSides(Struct, forbid_unknown_fields=True, omit_defaults=True):
    left: Percent | None = None
    right: Percent | None = None


class RestingSides(Struct, forbid_unknown_fields=True, omit_defaults=True):
    left: Mm | None = None
    right: Mm | None = None
    difference: Mm | None = None


class RepetitionIn(Struct, forbid_unknown_fields=True):
    start_s: Seconds
    peak_s: Seconds
    end_s: Seconds
    left_mm: Mm
    right_mm: Mm
    symmetry: Fraction | None
    weaker_side: Side | None
    hold_s: Seconds
    complete: bool
    synkinesis: Annotated[dict[str, PercentSides], Meta(max_length=50)]
    measures: Annotated[dict[str, Sides], Meta(max_length=50)]


class RepetitionRecordIn(Struct):
    number: Annotated[int, Meta(ge=1, le=10_000)]
    recorded_at: Moment
    repetition: RepetitionIn
    #: set aside by the therapist, and why (bundles before schema 5 do not say: every one counted)
    discarded_reason: Text | None = None


class SteeringIn(Struct, forbid_unknown_fields=True):
    """One thing done to the session while it ran (a command applied, a note)."""

    at_s: Seconds
    origin: Literal["patient", "therapist", "therapist_remote", "app"]
    action: Annotated[str, Meta(pattern="^[a-z_]{1,40}$")]
    position: Annotated[int, Meta(ge=0, le=1000)] | None
    detail: Annotated[dict[str, Any], Meta(max_length=20)]
    text: Text | None
    recorded_at: Moment


class SummaryIn(Struct, forbid_unknown_fields=True):
    reps: Count
    left_mm: Mm | None
    right_mm: Mm | None
    symmetry: Fraction | None
    weaker_side: Side | None


class TargetIn(Struct, forbid_unknown_fields=True, omit_defaults=True):
    """What was asked of an exercise (every field optional: recorded and live sessions differ)."""

    target_mm: tuple[Mm, Mm] | None = None
    target_symmetry: Fraction | None = None
    neutral_s: tuple[Seconds, Seconds] | None = None
    repetitions: Annotated[int, Meta(ge=1, le=1000)] | None = None
    hold_s: Seconds | None = None
    relax_s: Seconds | None = None
    synkinesis_limit_pct: Percent | None = None
    effort: Annotated[int, Meta(ge=1, le=10)] | None = None


class ExerciseIn(Struct):
    position: Annotated[int, Meta(ge=0, le=1000)]
    exercise_id: Name
    exercise_name: Name
    primary_measure: Name | None
    target: TargetIn
    started_at: Moment
    ended_at: Moment | None
    status: Literal["completed", "skipped", "stopped", "interrupted", "not_done"]
    summary: SummaryIn | None
    repetitions: Annotated[list[RepetitionRecordIn], Meta(max_length=10_000)]


class SessionIn(Struct):
    uid: Uid
    started_at: Moment
    ended_at: Moment | None
    status: Literal["completed", "stopped", "interrupted"]
    kind: Literal["live", "recorded"]
    programme_id: Name | None
    programme_name: Name | None
    source: Text
    resting: Annotated[dict[str, RestingSides], Meta(max_length=50)] | None
    app_version: Name
    exercises: Annotated[list[ExerciseIn], Meta(max_length=1000)]
    #: bundles from before schema 4 do not say: their resting faces were found still
    rest_accepted: bool = False
    #: bundles from before schema 5 have none
    steering: Annotated[list[SteeringIn], Meta(max_length=10_000)] = []


class PatientIn(Struct):
    code: Annotated[str, Meta(min_length=1, max_length=100)]
    display_name: Name | None = None
    affected_side: Literal["left", "right", "both", "unknown"] = "unknown"
    onset_date: date | None = None
    cause: Text | None = None
    notes: Text | None = None


class GradingIn(Struct, forbid_unknown_fields=True):
    """A clinician's grading (records/gradings.py); its items and values are checked against the
    scale on import, its total recomputed."""

    uid: Uid
    session_uid: Uid | None
    scale: Literal["sunnybrook", "eface"]
    graded_at: Moment
    graded_by: Annotated[str, Meta(min_length=1, max_length=200)]
    values: Annotated[dict[str, int | None], Meta(max_length=50)]
    suggested: Annotated[dict[str, int | None], Meta(max_length=50)] = {}


class ManifestHead(Struct):
    """The two fields read first, so that a foreign or newer file gets its own message."""

    format: Any = None
    version: Any = None


class Manifest(Struct):
    format: str
    version: int
    app_version: Name
    created_at: Moment
    patient: PatientIn
    sessions: Annotated[list[SessionMember], Meta(max_length=100_000)]
    sha256: Annotated[dict[SessionMember, Digest], Meta(max_length=100_000)]
    #: bundles from before the gradings have none
    gradings: Annotated[list[GradingIn], Meta(max_length=10_000)] = []


def decode(data: bytes, kind: type[Any], where: str) -> Any:
    """Decode and check JSON against `kind`; BundleError naming the field and the problem."""
    try:
        return msgspec.json.decode(data, type=kind, strict=True)
    except msgspec.ValidationError as exc:
        problem, _, path = str(exc).partition(" - at `")
        field = path.rstrip("`").removeprefix("$.").removeprefix("$") or tr("the whole file")
        raise refused(field_problem(where, field, problem)) from None
    except msgspec.DecodeError as exc:
        raise BundleError(tr("{where}: damaged: {problem}; ask for the file again", where=where, problem=exc)) from None
    except RecursionError:
        raise refused(tr("{where}: damaged: nested too deeply to be a session", where=where)) from None


def check_stored(detail: SessionDetail, where: str) -> None:
    """A session read back from the database, held to the same rules as one from a bundle
    (a session still under way may be so); BundleError names the field and the problem."""
    unfinished = {"status": "interrupted"} if detail.status == "in_progress" else {}
    exercises = [
        {**msgspec.to_builtins(e), "status": "interrupted"} if e.status == "in_progress" else msgspec.to_builtins(e)
        for e in detail.exercises
    ]
    data = {**msgspec.to_builtins(detail), **unfinished, "exercises": exercises}
    check_session(decode(msgspec.json.encode(data), SessionIn, where), where, from_elsewhere=False)


def _check_moment(moment: datetime, field: str, where: str) -> None:
    latest = datetime.now(UTC) + CLOCK_SLACK
    if not EARLIEST <= moment <= latest:
        problem = tr(
            "{date} is not a plausible date (between {earliest} and today)",
            date=moment.isoformat(),
            earliest=EARLIEST.date(),
        )
        raise refused(field_problem(where, field, problem))


def _check_span(start: datetime, end: datetime | None, field: str, where: str) -> None:
    _check_moment(start, f"{field}.started_at", where)
    if end is not None:
        _check_moment(end, f"{field}.ended_at", where)
        if end < start:
            raise refused(field_problem(where, f"{field}.ended_at", tr("ends before it starts")))


def _check_names(names: dict[str, Any], known: Any, field: str, where: str) -> None:
    for name in names:
        if name not in known:
            problem = tr("{name} is not a measure this app knows", name=repr(name))
            raise refused(field_problem(where, field, problem))


def _check_repetition(record: RepetitionRecordIn, field: str, where: str, *, names: bool) -> None:
    rep = record.repetition
    _check_moment(record.recorded_at, f"{field}.recorded_at", where)
    if not rep.start_s <= rep.peak_s <= rep.end_s:
        problem = tr("its peak is not between its start and end")
        raise BundleError(field_problem(where, f"{field}.repetition", problem))
    if names:
        _check_names(rep.synkinesis, SYNKINESIS_MEASURES, f"{field}.repetition.synkinesis", where)
        _check_names(rep.measures, ALL_PER_FRAME, f"{field}.repetition.measures", where)


def check_session(session: SessionIn, where: str, *, from_elsewhere: bool = True) -> None:
    """The rules the types cannot say: plausible, ordered dates; and, for what comes in from
    elsewhere, exercises and measures this app knows (a stored session may name ones since
    renamed or removed: readers show any name)."""
    _check_span(session.started_at, session.ended_at, "session", where)
    for i, record in enumerate(session.steering):
        _check_moment(record.recorded_at, f"steering[{i}].recorded_at", where)
    if from_elsewhere:
        _check_names(session.resting or {}, STATIC_MEASURES, "resting", where)
    known = set(load_exercises()) if from_elsewhere else None
    for i, exercise in enumerate(session.exercises):
        field = f"exercises[{i}]"
        if known is not None and exercise.exercise_id not in known:
            problem = tr(
                "{exercise} is not an exercise this app knows; add its exercise file (or update the app), "
                "then import again",
                exercise=repr(exercise.exercise_id),
            )
            raise BundleError(field_problem(where, f"{field}.exercise_id", problem))
        if known is not None and exercise.primary_measure not in (None, *MOVEMENT_MEASURES):
            problem = tr("{measure} is not known", measure=repr(exercise.primary_measure))
            raise BundleError(field_problem(where, f"{field}.primary_measure", problem))
        _check_span(exercise.started_at, exercise.ended_at, field, where)
        for j, record in enumerate(exercise.repetitions):
            _check_repetition(record, f"{field}.repetitions[{j}]", where, names=known is not None)


def _as(cls: type[Any], value: Struct, **given: Any) -> Any:
    """A validated struct as the app's own dataclass: same-named fields copied, `given` ones set."""
    return cls(**{f.name: given[f.name] if f.name in given else getattr(value, f.name) for f in fields(cls)})


def session_detail(session: SessionIn) -> SessionDetail:
    """The validated session as the store takes it (ids are given by the database)."""
    resting = None if session.resting is None else msgspec.to_builtins(session.resting)
    exercises = tuple(_exercise_record(e) for e in session.exercises)
    steering = tuple(
        _as(SteeringRecord, record, detail=msgspec.to_builtins(record.detail)) for record in session.steering
    )
    return _as(SessionDetail, session, id=0, patient_id=None, resting=resting, exercises=exercises, steering=steering)


def _exercise_record(exercise: ExerciseIn) -> ExerciseRecord:
    summary = None if exercise.summary is None else _as(Summary, exercise.summary)
    repetitions = tuple(
        _as(RepetitionRecord, r, id=0, repetition=_repetition(r.repetition)) for r in exercise.repetitions
    )
    target = msgspec.to_builtins(exercise.target)
    return _as(ExerciseRecord, exercise, id=0, target=target, summary=summary, repetitions=repetitions)


def _repetition(rep: RepetitionIn) -> Repetition:
    return _as(
        Repetition, rep, synkinesis=msgspec.to_builtins(rep.synkinesis), measures=msgspec.to_builtins(rep.measures)
    )


def patient(manifest: Manifest, where: str) -> Patient:
    """The manifest's patient as the store takes it (matched by code on import)."""
    given = manifest.patient
    if not given.code.strip():
        raise refused(field_problem(where, "patient.code", tr("is empty")))
    if given.onset_date is not None and not date(1900, 1, 1) <= given.onset_date <= date.today() + CLOCK_SLACK:
        problem = tr("{date} is not a plausible date", date=given.onset_date)
        raise BundleError(field_problem(where, "patient.onset_date", problem))
    now = datetime.now().astimezone()
    return Patient(
        id=0,
        code=given.code,
        name=given.display_name,
        affected_side=given.affected_side,
        onset_date=given.onset_date,
        cause=given.cause,
        notes=given.notes,
        created_at=now,
        updated_at=now,
    )
