"""What a paired link carries, as typed messages (msgpack through msgspec, decoded against the
types they must have): the live session's events one way, the therapist's commands the other,
and the link's own upkeep (heartbeats, resend requests, who is at the other end, the finished
session for the therapist's records).

Numbers and words only. The one event with a picture (`PeakPictureTaken`) is never encoded,
nor what is spoken (`Prompt`), the beeps' input (`EyeClosure`) or problems of this computer
(`Problem`: they name its files); `SessionStarted` travels without the source's name and the
local patient number. A command from afar is decoded only if it is one a therapist may send
(never `Start`: the patient starts their own session), and always as the remote therapist's.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import PurePath
from typing import Any

import msgspec
from msgspec import Raw, Struct

from coach.session import commands, events
from coach.session.coaching import SessionView


# ----- the link's messages -------------------------------------------------------------------------
class Hello(Struct, tag=True):
    """Who is at the other end, sent once paired (and again after the link resumes)."""

    name: str
    app_version: str
    #: the therapist's long-term public key (bundles encrypted to them); empty from a patient
    public_key: bytes = b""


class Heartbeat(Struct, tag=True):
    """Still here; `last_seq`: the newest message sent, so a lost tail is noticed and asked for."""

    last_seq: int


class Resend(Struct, tag=True):
    """Send again messages `first` to `last` (0: to the newest): they never arrived."""

    first: int
    last: int = 0


class Gone(Struct, tag=True):
    """Messages before `first_kept` are no longer kept by the sender (the gap stays)."""

    first_kept: int


class EventMessage(Struct, tag=True):
    kind: str
    body: Raw


class CommandMessage(Struct, tag=True):
    kind: str
    body: Raw


class SessionRecord(Struct, tag=True):
    """The finished session as a bundle holds it (records.bundle's session JSON), for the therapist's records."""

    session_json: bytes


class Bye(Struct, tag=True):
    """The link is ended by this side (`reason` in words, for the log)."""

    reason: str


Body = Hello | Heartbeat | Resend | Gone | EventMessage | CommandMessage | SessionRecord | Bye
#: handled as they arrive, not in order: the link's upkeep (the rest is delivered in sequence)
UPKEEP = (Heartbeat, Resend, Gone)


class Envelope(Struct):
    #: the sender's wall clock (s) when sent: the therapist's screen lag, measured (benchmarks/remote.py)
    sent_at_s: float
    body: Body


# ----- events and commands -------------------------------------------------------------------------
#: the session's events a therapist elsewhere hears, by name
TRAVELLING_EVENTS: dict[str, type] = {
    kind.__name__: kind
    for kind in (
        events.SessionStarted,
        events.CameraChecked,
        events.RestingMeasured,
        events.ExerciseStarted,
        events.ExerciseAdjusted,
        events.FrameMeasured,
        events.RepetitionFinished,
        events.RepetitionMissed,
        events.RepetitionDiscarded,
        events.ExerciseFinished,
        events.SessionFinished,
        events.Steered,
        events.CommandApplied,
        events.CommandRefused,
        events.CameraChanged,
    )
}
#: what a therapist elsewhere may ask, by name
REMOTE_COMMANDS: dict[str, type[commands.Command]] = {
    kind.__name__: kind
    for kind in (
        commands.Pause,
        commands.Resume,
        commands.Skip,
        commands.RepeatExercise,
        commands.Stop,
        commands.AcceptRest,
        commands.SetTargetBand,
        commands.TargetFromLastRepetition,
        commands.SetHoldTime,
        commands.SetFeedbackSchedule,
        commands.DiscardRepetition,
        commands.RedoRepetition,
        commands.PreviousExercise,
        commands.AddNote,
    )
}


class WireError(Exception):
    """A message that opened but is not one this version reads (a bug or a newer version)."""


def _to_wire(value: object) -> Any:
    if isinstance(value, PurePath):  # an exercise's source file: its name is enough
        return value.name
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    raise NotImplementedError(f"{type(value).__name__} does not travel")


def _from_wire(kind: type, value: Any) -> Any:
    if kind is object:  # a steering change's detail: any plain value (numbers, words, lists)
        return value
    if isinstance(kind, type) and issubclass(kind, PurePath):
        return kind(value)
    raise NotImplementedError(f"{kind} does not travel")


_encoder = msgspec.msgpack.Encoder(enc_hook=_to_wire)
_envelopes = msgspec.msgpack.Decoder(Envelope)


def encode(body: Body) -> bytes:
    return _encoder.encode(Envelope(time.time(), body))


def decode(data: bytes) -> Envelope:
    try:
        return _envelopes.decode(data)
    except msgspec.DecodeError as exc:
        raise WireError(str(exc)) from None


def event_message(event: events.SessionEvent) -> EventMessage | None:
    """`event` as it travels, or None for an event that stays on this computer."""
    kind = type(event).__name__
    if isinstance(event, events.SessionUpdated):
        return EventMessage(kind, Raw(_encoder.encode(event.view)))
    if kind not in TRAVELLING_EVENTS:
        return None
    if isinstance(event, events.SessionStarted):
        event = dataclasses.replace(event, patient_id=None, source_name="")
    if isinstance(event, events.CommandApplied | events.CommandRefused):
        return EventMessage(kind, Raw(_encoder.encode({"kind": type(event.command).__name__, "event": event})))
    return EventMessage(kind, Raw(_encoder.encode(event)))


def event_of(message: EventMessage) -> events.SessionEvent:
    """The event a message carries, decoded against its type (WireError: not one this version knows)."""
    try:
        if message.kind == "SessionUpdated":
            return events.SessionUpdated(_decode(message.body, SessionView))
        kind = TRAVELLING_EVENTS.get(message.kind)
        if kind is None:
            raise WireError(f"unknown event {message.kind!r}")
        if kind in (events.CommandApplied, events.CommandRefused):
            answer = msgspec.msgpack.decode(message.body)
            command_kind = REMOTE_COMMANDS.get(answer.get("kind")) or commands.Start
            command = msgspec.convert(answer["event"]["command"], command_kind, dec_hook=_from_wire)
            if kind is events.CommandApplied:
                return events.CommandApplied(command)
            return events.CommandRefused(command, str(answer["event"]["reason"]))
        return _decode(message.body, kind)
    except (msgspec.DecodeError, msgspec.ValidationError, KeyError, TypeError, AttributeError) as exc:
        raise WireError(f"{message.kind}: {exc}") from None


def command_message(command: commands.Command) -> CommandMessage:
    return CommandMessage(type(command).__name__, Raw(_encoder.encode(command)))


def command_of(message: CommandMessage) -> commands.Command:
    """The command a therapist elsewhere sent, as theirs, dated now on this computer's clock
    (WireError: not one a therapist may send from afar, or malformed)."""
    kind = REMOTE_COMMANDS.get(message.kind)
    if kind is None:
        raise WireError(f"{message.kind!r} cannot be asked from another place")
    try:
        command = _decode(message.body, kind)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise WireError(f"{message.kind}: {exc}") from None
    return dataclasses.replace(command, origin=commands.Origin.THERAPIST_REMOTE, issued_at_s=time.monotonic())


def _decode(raw: Raw, kind: type) -> Any:
    return msgspec.msgpack.decode(raw, type=kind, dec_hook=_from_wire)
