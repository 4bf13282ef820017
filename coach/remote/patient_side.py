"""The patient's side: their live session shared with the therapist they paired with.

One more subscriber of the session's events (`SessionController.events`), and one more
source of its commands, each as the remote therapist's. The session never waits for it: an
event is handed to the link's queue and the subscriber returns (the records are written first,
on this computer, whatever the network does). What the screen shows is sent when it changes
and otherwise at most ten times a second; every picture's measures, every repetition, every
change as they come. When a session ends, its record goes to the therapist's records too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from coach import __version__
from coach.remote import wire
from coach.remote.link import Link, LinkState, LinkStatus
from coach.remote.meeting import Paired, PatientMeeting, link_topic
from coach.remote.pairing import LinkKeys, PairingCode
from coach.remote.relay import RelayConnection
from coach.session.controller import SessionController
from coach.session.events import SessionEvent, SessionFinished, SessionUpdated

log = logging.getLogger("coach.remote")

#: what the screen shows is sent at most this often (s) unless something on it changed that the
#: therapist reads (phase, repetition, pause, a notice): the view is the biggest message
VIEW_EVERY_S = 0.1


@dataclass(frozen=True)
class ShareState:
    """What the patient's window shows about the link."""

    #: the code to read out, while waiting for the therapist ("" once paired)
    code: str = ""
    #: the code just changed because a wrong one was typed (the patient is told)
    code_was_tried: bool = False
    #: the therapist following, as they named themselves ("" before pairing)
    therapist: str = ""
    link: LinkState | None = None
    #: the relay has not been reached yet: no code is shown until it can work
    connecting: bool = False


class SharedSession:
    """Shares `controller`'s sessions through the relay with one paired therapist."""

    def __init__(
        self,
        relay: RelayConnection,
        controller: SessionController,
        patient_name: str,
        on_state: Callable[[ShareState], None],
        finished_record: Callable[[], bytes | None],
        on_paired: Callable[[wire.Hello], None] = lambda therapist: None,
    ) -> None:
        """finished_record: the session that just ended as records.bundle's session JSON (None:
        not kept), called on the link's thread once the records have it; on_paired: who the
        therapist said they are, with their public key, once the code proved them (to keep)."""
        self.relay, self.controller = relay, controller
        self._on_state, self._finished_record, self._on_paired = on_state, finished_record, on_paired
        self.meeting = PatientMeeting(relay, wire.Hello(patient_name, __version__), self._show_code, self._agreed,
                                      self._paired)  # fmt: skip
        self.link: Link | None = None
        #: the link being made: listening, not yet sure the other side is the therapist
        self._pending: Link | None = None
        self.state = ShareState()
        #: pairing was told to the window (after the session's events were subscribed to)
        self._following = False
        self._unsubscribe: Callable[[], None] = lambda: None
        self._view_sent_at = float("-inf")
        self._view_key: tuple = ()

    def start(self) -> None:
        """Connect to the relay; the code is shown once there (a code that cannot work is never read out)."""
        self._tell(ShareState(connecting=True))
        self.relay.watch(self._relay_changed)
        self.relay.start()

    def _relay_changed(self, up: bool) -> None:
        if up and self.meeting.code is None:
            self.meeting.start()

    def end(self) -> None:
        """The patient ends the link (or closes the app): the therapist is told."""
        self._unsubscribe()
        self.meeting.close()
        if self.link is not None:
            self.link.end("the patient ended the link")
        self.relay.close()

    # ----- pairing ---------------------------------------------------------------------------
    def _show_code(self, code: PairingCode, why_new: str) -> None:
        if self._pending is not None:  # keys agreed with someone who did not prove the code: forget them
            self._pending.drop()
            self._pending = None
        self._tell(ShareState(code=str(code), code_was_tried=why_new not in ("", "expired")))

    def _agreed(self, keys: LinkKeys, link_id: str) -> None:
        topics = link_topic(link_id, from_patient=True), link_topic(link_id, from_patient=False)
        self._pending = Link(self.relay, *topics, keys.to_therapist, keys.to_patient, self._heard, self._link_changed)
        self._pending.listen()

    def _paired(self, paired: Paired) -> None:
        self.link, self._pending = self._pending, None
        if self.link is None:
            return
        self.link.start()
        self.link.send(self.meeting.hello)
        self._unsubscribe = self.controller.events.subscribe(self._share)
        session = self.controller.session
        if session is not None and not session.finished:  # joined mid-session: where it is now
            self._share(SessionUpdated(session.view()))
        # told last: once the window says "following", everything the session does from then on
        # travels (told first, a session stepped at once lost its first events: stop 27's CI)
        self._on_paired(paired.other)
        self._following = True
        self._tell(ShareState(therapist=paired.other.name or "?", link=LinkState.LIVE))

    def _link_changed(self, status: LinkStatus) -> None:
        if status.state is LinkState.ENDED:
            self._unsubscribe()
        self._tell(ShareState(therapist=self.state.therapist, link=status.state))

    def _tell(self, state: ShareState) -> None:
        self.state = state
        self._on_state(state)

    # ----- on the session's thread: hand over and return -----------------------------------------
    def _share(self, event: SessionEvent) -> None:
        link = self.link
        if link is None:
            return
        if isinstance(event, SessionUpdated) and not self._view_due(event):
            return
        link.send_later(lambda: wire.event_message(event))  # encoded on the link's thread, not this one
        if isinstance(event, SessionFinished):
            link.send_later(self._record_message)

    def _view_due(self, event: SessionUpdated) -> bool:
        view, now = event.view, time.monotonic()
        key = (view.session_serial, view.phase, view.exercise_index, view.rep_number, view.paused, view.finished,
               view.notice, view.headline, view.bars_shown)  # fmt: skip
        if key == self._view_key and now - self._view_sent_at < VIEW_EVERY_S:
            return False
        self._view_key, self._view_sent_at = key, now
        return True

    def _record_message(self) -> wire.Body | None:
        record = self._finished_record()
        return None if record is None else wire.SessionRecord(record)

    # ----- from the therapist ------------------------------------------------------------------
    def _heard(self, envelope: wire.Envelope) -> None:
        body = envelope.body
        if isinstance(body, wire.CommandMessage):
            try:
                command = wire.command_of(body)
            except wire.WireError as exc:
                log.warning("remote link: a command was refused: %s", exc)
                return
            self.controller.send(command)
        elif isinstance(body, wire.Hello) and self._following:  # (its Hello may come before pairing is
            self._tell(ShareState(therapist=body.name or "?", link=self.state.link))  # confirmed: said then)
