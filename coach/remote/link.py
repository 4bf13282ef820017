"""One paired link through the relay, kept whole over a bad connection.

Each side numbers what it sends and keeps the last few minutes of it (`Outbox`); the other
side delivers what arrives in order (`Inbox`), asks again for what is missing (a dropped
connection, a relay that restarted), refuses a message that does not open or that it has had
already (a replay), and logs each refusal. Heartbeats say the link is alive and how far the
sender has got, so a lost tail is noticed too. Neither side ever waits for the network: sending
hands the message to a queue drained by the link's own thread.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coach.remote import wire
from coach.remote.relay import RelayConnection
from coach.remote.sealing import Opener, RefusedError, Sealer

log = logging.getLogger("coach.remote")

#: messages kept for the other side to ask for again: about three minutes of a live session
#: (30 pictures' measures and up to 10 views a second), longer than any outage worth bridging
KEPT_MESSAGES = 8000
#: a heartbeat each second: the other side knows within a few seconds that this one is there
HEARTBEAT_S = 1.0
#: nothing heard from the other side for this long (three heartbeats and a half): shown as away
QUIET_S = 3.5
#: a gap not filled this long after asking is asked for again (the request may itself be lost)
ASK_AGAIN_S = 1.0
#: ending waits this long at most for the goodbye to reach the relay (it may be down)
BYE_WAIT_S = 1.0
#: refusals kept for showing (the log has them all)
KEPT_REFUSALS = 50


class LinkState(enum.Enum):
    #: the relay cannot be reached (yet, or any more): trying again every second or two
    NO_RELAY = "no relay"
    #: the relay is there, the other side has not been heard for a while
    AWAY = "away"
    #: both sides are there
    LIVE = "live"
    #: ended by one side
    ENDED = "ended"


@dataclass(frozen=True)
class LinkStatus:
    state: LinkState
    #: messages refused (did not open, malformed) since the link was made
    refused: int = 0
    #: messages the other side no longer had when asked again (a gap that stays)
    lost: int = 0
    #: the other side's words when it ended the link ("" while it lasts)
    ended_because: str = ""


class AlreadyHadError(Exception):
    """A message that arrived before: dropped, never acted on twice. On a bad network this is
    ordinary (at-least-once delivery repeats a message; a gap asked for twice is answered
    twice), so it is counted apart from refusals, which only a wrong key or damage cause; a
    replay by someone on the way is dropped the same way (it cannot be told from a repeat)."""


class Outbox:
    """This side's messages, numbered and sealed; the last `KEPT_MESSAGES` kept to send again."""

    def __init__(self, key: bytes) -> None:
        self._sealer = Sealer(key)
        self.last_seq = 0
        self._kept: deque[tuple[int, bytes]] = deque(maxlen=KEPT_MESSAGES)
        self._lock = threading.Lock()  # sealed on the link's thread, sent again on paho's

    def seal(self, body: bytes) -> bytes:
        with self._lock:
            self.last_seq += 1
            self._kept.append((self.last_seq, body))
            return self._sealer.seal(self.last_seq, body)

    def again(self, first: int, last: int) -> tuple[list[bytes], int]:
        """Messages `first` to `last` (0: the newest) sealed anew, and the first still kept."""
        with self._lock:
            last = last or self.last_seq
            first_kept = self._kept[0][0] if self._kept else self.last_seq + 1
            kept = [(seq, body) for seq, body in self._kept if first <= seq <= last]
        return [self._sealer.seal(seq, body) for seq, body in kept], first_kept


class Inbox:
    """The other side's messages in order, each once: upkeep at once, the rest in sequence."""

    def __init__(self) -> None:
        #: the next message to deliver in order (all before it delivered, or given up as lost)
        self.expected = 1
        #: arrived ahead of a gap: seq → envelope (None: upkeep, handled on arrival)
        self._held: dict[int, wire.Envelope | None] = {}
        self.highest_seen = 0
        self.lost = 0

    def arrived(self, seq: int, envelope: wire.Envelope) -> list[wire.Envelope]:
        """What to act on now, in order; raises AlreadyHadError for a message had before."""
        if seq < self.expected or seq in self._held:
            raise AlreadyHadError(f"message {seq} arrived before (repeated by the network, or replayed)")
        self.highest_seen = max(self.highest_seen, seq)
        if isinstance(envelope.body, wire.UPKEEP):
            self._held[seq] = None
            return [envelope, *self._drain()]
        self._held[seq] = envelope
        return self._drain()

    def missing(self, sender_last: int = 0) -> tuple[int, int] | None:
        """The first gap (first, last; last 0: up to the newest), or None when nothing is missing."""
        newest = max(self.highest_seen, sender_last)
        if newest < self.expected:
            return None
        after = [seq for seq in self._held if seq > self.expected]
        return self.expected, (min(after) - 1 if after else 0)

    def given_up_before(self, first_kept: int) -> list[wire.Envelope]:
        """The sender no longer keeps what came before `first_kept`: carry on after the gap."""
        if first_kept <= self.expected:
            return []
        self.lost += sum(1 for seq in range(self.expected, first_kept) if seq not in self._held)
        for seq in range(self.expected, first_kept):
            self._held.pop(seq, None)
        self.expected = first_kept
        return self._drain()

    def _drain(self) -> list[wire.Envelope]:
        ready = []
        while self.expected in self._held:
            envelope = self._held.pop(self.expected)
            if envelope is not None:
                ready.append(envelope)
            self.expected += 1
        return ready


class Link:
    """One side of a paired link: `send` a message body, hear the other side's in order."""

    def __init__(
        self,
        relay: RelayConnection,
        send_topic: str,
        receive_topic: str,
        send_key: bytes,
        receive_key: bytes,
        on_message: Callable[[wire.Envelope], None],
        on_status: Callable[[LinkStatus], None] = lambda status: None,
    ) -> None:
        """on_message and on_status are called on the link's threads: they must return at once."""
        self.relay, self._send_topic, self._receive_topic = relay, send_topic, receive_topic
        self._outbox, self._opener, self._inbox = Outbox(send_key), Opener(receive_key), Inbox()
        self._on_message, self._on_status = on_message, on_status
        #: what to send, in order: a body, or work that makes one on this link's thread (slow: a
        #: database read) so the caller need not wait; None ends the sending
        self._outgoing: queue.Queue[wire.Body | Callable[[], wire.Body | None] | None] = queue.Queue()
        self._lock = threading.Lock()  # the inbox: paho's thread and the heartbeat's
        self._heard_at = float("-inf")
        self._asked_at = float("-inf")
        self._sender_last = 0
        self.refusals: deque[str] = deque(maxlen=KEPT_REFUSALS)
        self.refused = 0
        #: messages that arrived again and were dropped (see `AlreadyHadError`)
        self.repeated = 0
        self._ended_because = ""
        self._ended = threading.Event()
        self._status: LinkStatus | None = None
        self._status_lock = threading.Lock()
        self._last_published: Any = None  # paho's MQTTMessageInfo of the newest message sent
        self._threads = [threading.Thread(target=self._send_queued, daemon=True, name="link-send"),
                         threading.Thread(target=self._keep_alive, daemon=True, name="link-heartbeat")]  # fmt: skip

    def listen(self) -> None:
        """Hear the other side from now on (before it is told where: nothing it sends is missed)."""
        self.relay.subscribe(self._receive_topic, self._arrived)

    def start(self) -> None:
        """Start sending (and heartbeats); listens too if not yet."""
        self.relay.watch(self._relay_changed)
        self.relay.subscribe(self._receive_topic, self._arrived)
        for thread in self._threads:
            thread.start()

    def send(self, body: wire.Body) -> None:
        """Queue `body` for the other side; returns at once."""
        if not self._ended.is_set():
            self._outgoing.put(body)

    def send_later(self, make: Callable[[], wire.Body | None]) -> None:
        """Queue the body `make` returns, made on the link's thread when its turn comes (None: nothing)."""
        if not self._ended.is_set():
            self._outgoing.put(make)

    def drop(self) -> None:
        """Forget a link that was never made (its pairing failed): nothing is told."""
        self._ended.set()
        self.relay.unsubscribe(self._receive_topic)

    def end(self, reason: str) -> None:
        """End the link from this side (the other side is told why)."""
        if self._ended.is_set():
            return
        self.send(wire.Bye(reason))
        self._outgoing.put(None)
        self._threads[0].join(timeout=BYE_WAIT_S)
        if self._last_published is not None:  # the goodbye reaches the relay before this side leaves
            try:
                self._last_published.wait_for_publish(BYE_WAIT_S)
            except (RuntimeError, ValueError):
                pass
        self._ended.set()
        self.relay.unsubscribe(self._receive_topic)
        self._tell_status()

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    def status(self) -> LinkStatus:
        if self._ended.is_set():
            state = LinkState.ENDED
        elif not self.relay.connected:
            state = LinkState.NO_RELAY
        elif time.monotonic() - self._heard_at > QUIET_S:
            state = LinkState.AWAY
        else:
            state = LinkState.LIVE
        return LinkStatus(state, self.refused, self._inbox.lost, self._ended_because)

    # ----- on the link's own threads ---------------------------------------------------------
    def _send_queued(self) -> None:
        while (item := self._outgoing.get()) is not None:
            try:
                body = item() if callable(item) else item
            except Exception:  # a bug making one message must not stop the link
                log.exception("remote link: a message could not be made")
                continue
            if body is not None:
                self._publish([self._outbox.seal(wire.encode(body))])

    def _publish(self, sealed: list[bytes]) -> None:
        for payload in sealed:
            self._last_published = self.relay.publish(self._send_topic, payload)

    def _keep_alive(self) -> None:
        while not self._ended.wait(HEARTBEAT_S):
            self.send(wire.Heartbeat(self._outbox.last_seq))
            with self._lock:
                self._ask_for_missing()
            self._tell_status()

    def _relay_changed(self, up: bool) -> None:
        if up:  # back: say how far this side got, and ask for what was missed meanwhile
            self.send(wire.Heartbeat(self._outbox.last_seq))
            with self._lock:
                self._asked_at = float("-inf")
                self._ask_for_missing()
        self._tell_status()

    def _ask_for_missing(self) -> None:
        gap = self._inbox.missing(self._sender_last)
        if gap is not None and time.monotonic() - self._asked_at >= ASK_AGAIN_S:
            self._asked_at = time.monotonic()
            self.send(wire.Resend(*gap))

    def _tell_status(self) -> None:
        with self._status_lock:  # told from several threads: never an older state after a newer one
            status = self.status()
            if status != self._status:
                self._status = status
                self._on_status(status)

    def _refuse(self, why: str) -> None:
        self.refused += 1
        self.refusals.append(why)
        log.warning("remote link %s: message refused: %s", self._receive_topic, why)

    # ----- on paho's thread ------------------------------------------------------------------
    def _arrived(self, payload: bytes) -> None:
        if self._ended.is_set():
            return
        try:
            seq, plain = self._opener.open(payload)
            envelope = wire.decode(plain)
        except (RefusedError, wire.WireError) as exc:
            self._refuse(str(exc))
            return
        with self._lock:
            try:
                ready = self._inbox.arrived(seq, envelope)
            except AlreadyHadError as exc:
                self.repeated += 1
                log.debug("remote link %s: %s", self._receive_topic, exc)
                return
            self._heard_at = time.monotonic()
            for item in ready:
                self._act_on(item)
            self._ask_for_missing()
        self._tell_status()

    def _act_on(self, envelope: wire.Envelope) -> None:
        body = envelope.body
        match body:
            case wire.Heartbeat(last_seq=last):
                self._sender_last = max(self._sender_last, last)
            case wire.Resend(first=first, last=last):
                again, first_kept = self._outbox.again(first, last)
                if first < first_kept:
                    self.send(wire.Gone(first_kept))
                self._publish(again)
            case wire.Gone(first_kept=first_kept):
                for item in self._inbox.given_up_before(first_kept):
                    self._act_on(item)
            case wire.Bye(reason=reason):
                self._ended_because = reason or "ended"
                self._ended.set()
                self._outgoing.put(None)
                self._on_message(envelope)
            case _:
                self._on_message(envelope)
