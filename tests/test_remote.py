"""Supervision from another place, through a real Mosquitto relay on loopback: a real session
driven with the real face clip and model (coaching_driver) is shared by the patient's side and
followed by the therapist's; pairing, refusals, the relay killed mid-session, steering round
trips, and the finished session arriving in the therapist's records.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import msgspec
import paho.mqtt.client as mqtt
import pytest
from flaky_proxy import FlakyProxy
from relay_broker import Broker, wait_for

from coach.records.keyring import own_public_key, paired_therapists
from coach.records.store import SessionStore, database_path
from coach.remote import wire
from coach.remote.link import LinkState
from coach.remote.pairing import PairingCode
from coach.remote.patient_side import ShareState
from coach.session import commands, events
from coach.session.commands import Origin
from coach.session.phases import Phase
from coach.usecases.live_session import SessionRecorder
from coach.usecases.remote_supervision import RemoteError, follow_remote_session, share_live_session

from coaching_driver import REST, Driver, big_smile, programme_of

#: the link's own target: back within 10 s of the relay returning
RESUME_S = 10.0


class Heard:
    """Everything one side was told, safe to read from the test's thread."""

    def __init__(self) -> None:
        self.items: list = []
        self.lock = threading.Lock()

    def __call__(self, item: object) -> None:
        with self.lock:
            self.items.append(item)

    def of(self, kind: type) -> list:
        with self.lock:
            return [item for item in self.items if isinstance(item, kind)]

    @property
    def last(self) -> object:
        with self.lock:
            return self.items[-1] if self.items else None


@pytest.fixture
def broker(tmp_path):
    relay = Broker(tmp_path).start()
    yield relay
    relay.kill()


class Pair:
    """A patient's session shared and a therapist following it, paired through `broker`."""

    def __init__(self, broker: Broker, driver: Driver, therapist_db: Path, patient_id: int | None,
                 recorder: SessionRecorder | None = None, therapist_relay: str | None = None,
                 home: Path | None = None) -> None:  # fmt: skip
        self.driver = driver
        self.share_states = Heard()
        self.shared = share_live_session(broker.address, driver.controller, "P07 at home", self.share_states,
                                         recorder, home)  # fmt: skip
        assert wait_for(lambda: isinstance(self.share_states.last, ShareState) and self.share_states.last.code, 5)
        self.code = self.share_states.last.code
        self.statuses = Heard()
        relay = therapist_relay or broker.address
        self.followed = follow_remote_session(relay, self.code, "Dr Weber", therapist_db, patient_id, self.statuses)
        self.heard = Heard()
        self.followed.events.subscribe(self.heard)
        assert self.followed.paired.wait(10), f"not paired: {self.statuses.items}"
        assert wait_for(lambda: self.share_states.last.therapist == "Dr Weber", 5)

    def close(self) -> None:
        self.followed.end()
        self.shared.end()


@pytest.fixture
def therapist_db(tmp_path) -> tuple[Path, int]:
    database = database_path(tmp_path / "clinic")
    store, _ = SessionStore.open(database)
    patient = store.patients.add("P07", "Anna", "left")
    store.close()
    return database, patient.id


def _travelling(recorded: list) -> list[tuple]:
    """The events a therapist elsewhere hears, by what identifies them (views and local ones left out)."""
    keys = []
    for event in recorded:
        if type(event).__name__ not in wire.TRAVELLING_EVENTS:
            continue
        if isinstance(event, events.CommandApplied) and isinstance(event.command, commands.Start):
            continue  # the session was started before the link was made
        if isinstance(event, events.FrameMeasured):
            keys.append(("frame", round(event.at_s, 4)))
        elif isinstance(event, events.RepetitionFinished):
            keys.append(("repetition", event.attempt, event.number, round(event.repetition.left_mm, 6)))
        else:
            keys.append((type(event).__name__,))
    return keys


def test_pairing_then_steering_round_trips_with_a_real_session(clip, broker, therapist_db):
    database, patient_id = therapist_db
    driver = Driver(clip, programme_of(big_smile(repetitions=3)))
    pair = Pair(broker, driver, database, patient_id)
    try:
        driver.exercise_until(lambda v: v.phase is Phase.HOLD and v.rep_number == 1)
        # the therapist elsewhere sees the session's start (as their own patient) and the pictures' measures
        assert wait_for(lambda: pair.heard.of(events.FrameMeasured), 5)
        started = pair.heard.of(events.SessionStarted)
        assert len(started) == 1 and started[0].patient_id == patient_id and started[0].source_name == ""
        # a smaller target, sent from afar, applies on the patient's computer as the remote therapist's
        pair.followed.send(commands.SetTargetBand(origin=Origin.THERAPIST, low_mm=1.0, high_mm=4.0))
        assert wait_for(lambda: driver.controller._commands.qsize() > 0, 5)
        driver.feed(REST[:1])
        steered = [e for e in driver.recorder.all if isinstance(e, events.Steered)]
        assert steered[-1].origin == "therapist_remote" and steered[-1].action == "set_target"
        assert driver.views[-1].notice == "Your therapist set a smaller target: from the next repetition."
        # and the therapist hears that it was done, by whom
        assert wait_for(lambda: pair.heard.of(events.Steered) and pair.heard.of(events.CommandApplied), 5)
        assert pair.heard.of(events.Steered)[-1].origin == "therapist_remote"
        assert isinstance(pair.heard.of(events.CommandApplied)[-1].command, commands.SetTargetBand)
        # the first repetition, finished, is set aside from afar; the therapist sees it set aside
        driver.exercise_until(lambda v: v.phase is Phase.MOVE and v.rep_number == 2)
        assert wait_for(lambda: pair.heard.of(events.RepetitionFinished), 5)
        pair.followed.send(commands.DiscardRepetition(origin=Origin.THERAPIST, reason="compensated with the neck"))
        assert wait_for(lambda: driver.controller._commands.qsize() > 0, 5)
        driver.feed(REST[:1])
        assert wait_for(lambda: pair.heard.of(events.RepetitionDiscarded), 5)
        discarded = pair.heard.of(events.RepetitionDiscarded)[-1]
        assert (discarded.number, discarded.reason) == (1, "compensated with the neck")
        # what the patient's screen shows reaches the therapist too (the view, throttled)
        assert wait_for(lambda: any(isinstance(e, events.SessionUpdated) for e in pair.heard.items), 5)
        assert pair.followed.link.status().state is LinkState.LIVE and pair.followed.link.refused == 0
    finally:
        pair.close()


def test_a_wrong_code_is_refused_and_burns_the_code(broker, therapist_db, clip):
    database, patient_id = therapist_db
    driver = Driver(clip, programme_of(big_smile()))
    states = Heard()
    shared = share_live_session(broker.address, driver.controller, "P07", states, None)
    try:
        assert wait_for(lambda: states.last is not None and states.last.code, 5)
        right = PairingCode.parse(states.last.code)
        wrong = PairingCode(right.nameplate, f"{(int(right.secret) + 1) % 10**8:08d}")
        statuses = Heard()
        followed = follow_remote_session(broker.address, str(wrong), "Mallory", database, patient_id, statuses)
        assert wait_for(lambda: "wrong code" in statuses.items, 10)
        assert not followed.paired.is_set()
        # the patient's app shows a new code and says one was tried; nobody follows
        assert wait_for(lambda: states.last.code and states.last.code != str(right), 5)
        assert states.last.code_was_tried and states.last.therapist == ""
        # the right code, now used up, is refused too (one try per code)
        late = follow_remote_session(broker.address, str(right), "Dr Weber", database, patient_id, Heard())
        assert not late.paired.wait(2)
        followed.end()
        late.end()
    finally:
        shared.end()
    with pytest.raises(RemoteError, match="11 digits"):
        follow_remote_session(broker.address, "12-34", "Dr Weber", database, patient_id, Heard())


def _listen_to_everything(broker: Broker) -> tuple[mqtt.Client, list[tuple[str, bytes]]]:
    """A client of the relay that hears every message on it, as the relay itself could."""
    seen: list[tuple[str, bytes]] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda c, u, message: seen.append((message.topic, bytes(message.payload)))
    client.on_connect = lambda c, u, f, r, p: c.subscribe("#", qos=1)
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    return client, seen


def test_the_relay_sees_ciphertext_only_and_forged_replayed_or_foreign_messages_change_nothing(
    clip, broker, therapist_db
):
    database, patient_id = therapist_db
    spy, seen = _listen_to_everything(broker)
    driver = Driver(clip, programme_of(big_smile(repetitions=2)))
    pair = Pair(broker, driver, database, patient_id)
    try:
        driver.exercise_until(lambda v: v.phase is Phase.HOLD and v.rep_number == 1)
        pair.followed.send(commands.AddNote(origin=Origin.THERAPIST, text="secret note about the smile"))
        assert wait_for(lambda: driver.controller._commands.qsize() > 0, 5)
        driver.feed(REST[:1])
        assert wait_for(
            lambda: any(t.endswith("/p2t") for t, _ in seen) and any(t.endswith("/t2p") for t, _ in seen), 5
        )
        time.sleep(0.3)
        session_payloads = [(t, p) for t, p in seen if "/s/" in t]
        assert len(session_payloads) > 20
        for _topic, payload in session_payloads:
            for plain in (b"big_smile", b"secret note", b"Dr Weber", b"P07", b"mouth", b"Smile"):
                assert plain not in payload
            with pytest.raises(msgspec.DecodeError):
                msgspec.msgpack.decode(payload[24 + 16 + 8 :], type=wire.Envelope)
        p2t = next(t for t, _ in session_payloads if t.endswith("/p2t"))
        t2p = next(t for t, _ in session_payloads if t.endswith("/t2p"))
        captured = [p for t, p in session_payloads if t == t2p]
        heard_before = len(pair.heard.items)
        commands_before = len(driver.recorder.of(events.Steered))
        refused_before = (pair.followed.link.refused, pair.shared.link.refused)
        repeated_before = pair.shared.link.repeated
        # replayed: a captured command sent again, verbatim
        spy.publish(t2p, captured[-1], qos=1)
        # tampered: one bit of a captured message changed
        for position in (0, 30, len(captured[-1]) - 1):
            forged = bytearray(captured[-1])
            forged[position] ^= 0x01
            spy.publish(t2p, bytes(forged), qos=1)
        # foreign: made by someone without the key, to both sides
        spy.publish(t2p, b"\x00" * 80, qos=1)
        spy.publish(p2t, b"not sealed at all", qos=1)
        assert wait_for(lambda: pair.shared.link.refused >= refused_before[1] + 4, 5)
        assert wait_for(lambda: pair.shared.link.repeated >= repeated_before + 1, 5)  # the replay, dropped
        assert wait_for(lambda: pair.followed.link.refused >= refused_before[0] + 1, 5)
        driver.feed(REST[:3])
        assert len(driver.recorder.of(events.Steered)) == commands_before  # the replayed note was not made twice
        assert pair.shared.link.refusals and "changed on the way" in " ".join(pair.shared.link.refusals)
        time.sleep(0.3)
        assert not [e for e in pair.heard.items[heard_before:] if isinstance(e, events.Steered)]
    finally:
        spy.loop_stop()
        spy.disconnect()
        pair.close()


def test_the_relay_killed_mid_session_comes_back_and_nothing_is_lost(clip, broker, tmp_path, therapist_db):
    database, patient_id = therapist_db
    patient_db = database_path(tmp_path / "home")
    recorder = SessionRecorder(patient_db, lambda text: None)
    driver = Driver(clip, programme_of(big_smile(repetitions=2)))
    driver.stream.subscribe(recorder)
    pair = Pair(broker, driver, database, patient_id, recorder)
    try:
        driver.exercise_until(lambda v: v.phase is Phase.HOLD and v.rep_number == 1)
        broker.kill()
        killed_at = time.monotonic()
        # the session goes on and keeps saving on the patient's computer while the relay is down
        driver.exercise_until(lambda v: v.phase is Phase.MOVE and v.rep_number == 2)
        assert wait_for(lambda: pair.shared.link.status().state is LinkState.NO_RELAY, 8)
        time.sleep(max(0.0, 5.0 - (time.monotonic() - killed_at)))  # down for 5 s
        broker.start()
        back_at = time.monotonic()
        assert wait_for(lambda: pair.followed.link.status().state is LinkState.LIVE
                        and pair.shared.link.status().state is LinkState.LIVE, RESUME_S)  # fmt: skip
        resumed_s = time.monotonic() - back_at
        driver.exercise_until(lambda v: v.finished, max_s=60)
        sent = _travelling(driver.recorder.all)
        assert wait_for(lambda: _travelling(pair.heard.items) == sent, RESUME_S), (
            f"{len(_travelling(pair.heard.items))} of {len(sent)} events arrived"
        )
        assert pair.followed.link.status().lost == 0
        print(f"resumed {resumed_s:.1f} s after the relay came back; {len(sent)} events, none lost")
        # the finished session is filed in the therapist's records for their patient, checked and once
        assert wait_for(lambda: pair.followed.filed, RESUME_S)
        assert "filed" in pair.followed.filed[-1]
        store, _ = SessionStore.open(database)
        try:
            filed = store.history.sessions(patient_id=patient_id)
            assert len(filed) == 1
            detail = store.history.session_detail(filed[0].id)
        finally:
            store.close()
        home, _ = SessionStore.open(patient_db)
        try:
            kept = home.history.session_detail(home.history.sessions()[0].id)
        finally:
            home.close()
        assert detail.uid == kept.uid
        assert [len(e.repetitions) for e in detail.exercises] == [len(e.repetitions) for e in kept.exercises]
        assert sum(len(e.repetitions) for e in detail.exercises) == 2
    finally:
        pair.close()


def test_a_start_cannot_be_asked_from_afar_and_every_command_arrives_as_the_remote_therapists():
    start = wire.CommandMessage("Start", msgspec.Raw(msgspec.msgpack.encode({"origin": "therapist"})))
    with pytest.raises(wire.WireError, match="cannot be asked"):
        wire.command_of(start)
    sent = wire.command_message(commands.Pause(origin=Origin.PATIENT))
    assert wire.command_of(sent).origin is Origin.THERAPIST_REMOTE
    assert wire.event_message(events.PeakPictureTaken(0, None)) is None  # the picture never travels


def test_each_side_knows_who_is_at_the_other_end_and_the_patient_keeps_the_therapists_key(
    broker, therapist_db, clip, tmp_path
):
    database, patient_id = therapist_db
    driver = Driver(clip, programme_of(big_smile()))
    pair = Pair(broker, driver, database, patient_id, home=tmp_path / "home")
    try:
        assert pair.followed.patient is not None and pair.followed.patient.name == "P07 at home"
        # the key a bundle for this therapist is encrypted with: the one their computer holds
        (kept,) = paired_therapists(tmp_path / "home")
        assert kept.name == "Dr Weber" and kept.public_key == own_public_key(database.parent)
        pair.followed.end()
        assert wait_for(lambda: pair.share_states.last.link is LinkState.ENDED, 5)
    finally:
        pair.shared.end()


def test_through_a_network_that_delays_holds_and_drops_nothing_is_lost(clip, broker, therapist_db):
    """The therapist's connection goes through a proxy that delays everything by 40 ms each way,
    then holds everything for 3 s, then resets the connection: the session never waits, a
    command sent into the black hole still applies once through, every event arrives once, in order."""
    database, patient_id = therapist_db
    proxy = FlakyProxy(broker.port, delay_s=0.04)
    driver = Driver(clip, programme_of(big_smile(repetitions=3)))
    pair = Pair(broker, driver, database, patient_id, therapist_relay=proxy.address)
    try:
        driver.exercise_until(lambda v: v.phase is Phase.HOLD and v.rep_number == 1)
        hole = threading.Thread(target=proxy.black_hole, args=(3.0,))
        hole.start()
        started = time.monotonic()
        driver.exercise_until(lambda v: v.phase is Phase.MOVE and v.rep_number == 2)
        assert time.monotonic() - started < 3.0  # the session did not wait for the network
        pair.followed.send(commands.SetHoldTime(origin=Origin.THERAPIST, hold_s=2.0))
        hole.join()
        assert wait_for(lambda: driver.controller._commands.qsize() > 0, RESUME_S)
        driver.feed(REST[:1])
        assert driver.recorder.of(events.Steered)[-1].action == "set_hold"
        proxy.cut()
        cut_at = time.monotonic()
        driver.exercise_until(lambda v: v.phase is Phase.MOVE and v.rep_number == 3)
        assert wait_for(lambda: proxy.connections_made >= 2 and pair.followed.link.status().state is LinkState.LIVE,
                        RESUME_S)  # fmt: skip
        resumed_s = time.monotonic() - cut_at
        driver.exercise_until(lambda v: v.finished, max_s=60)
        sent = _travelling(driver.recorder.all)
        assert wait_for(lambda: _travelling(pair.heard.items) == sent, RESUME_S), (
            f"{len(_travelling(pair.heard.items))} of {len(sent)} events arrived"
        )
        assert pair.followed.link.status().lost == 0 and pair.followed.link.refused == 0
        print(f"through the flaky network: back {resumed_s:.1f} s after the cut; {len(sent)} events, none lost")
    finally:
        pair.close()
        proxy.stop()
