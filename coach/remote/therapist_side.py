"""The therapist's side: a patient's session elsewhere, followed as if it ran on this computer.

A `FollowedSession` has what the supervision view needs of a session controller: `events`, the
session's events in order (decoded from the link, for this therapist's record of the patient),
and `send`, a command sent back as the remote therapist's. The finished session arrives as a
bundle's session record and is filed in the therapist's records for the patient chosen when
pairing (`file_record`), checked exactly as an imported bundle is; filing twice adds nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

from coach import __version__
from coach.remote import wire
from coach.remote.link import Link, LinkStatus
from coach.remote.meeting import Paired, TherapistMeeting, link_topic
from coach.remote.pairing import PairingCode
from coach.remote.relay import RelayConnection
from coach.session.commands import Command
from coach.session.events import EventStream, Problem, SessionStarted

log = logging.getLogger("coach.remote")


class FollowedSession:
    """One patient's live session elsewhere, paired by the code they read out."""

    def __init__(
        self,
        relay: RelayConnection,
        code: PairingCode,
        therapist: wire.Hello,
        patient_id: int | None,
        file_record: Callable[[bytes], str],
        on_status: Callable[[LinkStatus | str], None] = lambda status: None,
    ) -> None:
        """patient_id: the therapist's own record of this patient (their sessions are filed there);
        file_record(session_json) files a finished session and says what happened, in words;
        on_status: the link's state, or why pairing failed ("wrong code", "no answer")."""
        self.events = EventStream()
        self.relay, self.patient_id = relay, patient_id
        self._file_record, self._on_status = file_record, on_status
        self.meeting = TherapistMeeting(relay, code, therapist, self._paired, on_status)
        self.link: Link | None = None
        #: who the patient's app says it is (its name, as the patient set it)
        self.patient: wire.Hello | None = None
        self.paired = threading.Event()
        #: what happened to each finished session that arrived (words, newest last)
        self.filed: list[str] = []
        #: what the supervision view asks of a local controller: there is none here
        self.session = None
        self.started_by = None

    def start(self) -> None:
        self.relay.start()
        self.meeting.start()

    def send(self, command: Command) -> threading.Event:
        """Send `command` to the patient's session (answered on `events`, as on the patient's computer)."""
        if self.link is not None:
            self.link.send(wire.command_message(command))
        sent = threading.Event()
        sent.set()
        return sent

    def end(self) -> None:
        if self.link is not None:
            self.link.end("the therapist ended the link")
        self.relay.close()

    def status(self) -> LinkStatus | None:
        return None if self.link is None else self.link.status()

    def _paired(self, paired: Paired) -> None:
        self.patient = paired.other
        self.link = Link(self.relay, link_topic(paired.link_id, from_patient=False),
                         link_topic(paired.link_id, from_patient=True), paired.keys.to_patient,
                         paired.keys.to_therapist, self._heard, self._on_status)  # fmt: skip
        self.link.start()
        self.link.send(self.meeting.hello)
        self.paired.set()

    def _heard(self, envelope: wire.Envelope) -> None:
        body = envelope.body
        match body:
            case wire.EventMessage():
                try:
                    event = wire.event_of(body)
                except wire.WireError as exc:
                    log.warning("remote link: an event was refused: %s", exc)
                    return
                if isinstance(event, SessionStarted):  # this therapist's record of the patient
                    event = dataclasses.replace(event, patient_id=self.patient_id)
                self.events.emit(event)
            case wire.SessionRecord(session_json=record):
                try:
                    words = self._file_record(record)
                except Exception as exc:  # said, never lost silently (the patient's computer keeps it too)
                    words = str(exc)
                    self.events.emit(Problem(words))
                self.filed.append(words)
            case wire.Hello():
                self.patient = body
            case wire.Bye():
                self._on_status(self.link.status() if self.link is not None else "ended")


def therapist_hello(name: str, public_key: bytes = b"") -> wire.Hello:
    return wire.Hello(name, __version__, public_key)
