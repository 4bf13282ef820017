"""One relay, many patients at once: each patient's app shares a session whose pictures are
measured 15 times a second, each followed by its own therapist's app, all through one real
Mosquitto on loopback. Bounded: 50 pairs, 5 s of traffic; every message must arrive, once, in
order. (`benchmarks/remote.py` goes further and reports the largest number held.)
"""

from __future__ import annotations

import threading
import time

import pytest
from relay_broker import Broker, wait_for

from coach.session.controller import SessionController
from coach.session.events import FrameMeasured, SideValues
from coach.session.phases import Phase
from coach.usecases.remote_supervision import follow_remote_session, share_live_session

PATIENTS = 50
RATE_HZ = 15
SECONDS = 5.0


def frame(at_s: float) -> FrameMeasured:
    """A measured picture as a smile's repetition sends it (the size of the real thing)."""
    sides = SideValues(3.2, 2.9)
    return FrameMeasured(at_s, 0, Phase.HOLD, {"commissure_excursion_mm": sides},
                         {"eye_narrowing_pct": SideValues(4.0, 6.5)}, SideValues(0.1, 0.12))  # fmt: skip


@pytest.fixture
def broker(tmp_path):
    relay = Broker(tmp_path).start()
    yield relay
    relay.kill()


def pair_many(broker: Broker, count: int, database) -> tuple[list[SessionController], list, list, list[list[float]]]:
    controllers, shared, followed, heard = [], [], [], []
    for _ in range(count):
        controller = SessionController()
        codes: list = []
        sharing = share_live_session(broker.address, controller, "", codes.append, None)
        assert wait_for(lambda codes=codes: codes and codes[-1].code, 5)
        seen: list[float] = []
        statuses: list = []
        follower = follow_remote_session(broker.address, codes[-1].code, "T", database, None, statuses.append)
        follower.events.subscribe(
            lambda event, seen=seen: seen.append(event.at_s) if isinstance(event, FrameMeasured) else None
        )
        assert follower.paired.wait(10), f"pair {len(controllers)}: {statuses} {codes}"
        assert wait_for(lambda codes=codes: codes[-1].therapist, 5)  # the patient's side knows it too
        controllers.append(controller)
        shared.append(sharing)
        followed.append(follower)
        heard.append(seen)
    return controllers, shared, followed, heard


def test_fifty_patients_at_the_live_rate_through_one_relay_lose_nothing(broker, tmp_path):
    controllers, shared, followed, heard = pair_many(broker, PATIENTS, tmp_path / "unused.sqlite3")
    try:
        sent = round(RATE_HZ * SECONDS)
        start = time.monotonic()

        def play() -> None:
            for tick in range(sent):
                for controller in controllers:
                    controller.events.emit(frame(tick / RATE_HZ))
                time.sleep(max(0.0, start + (tick + 1) / RATE_HZ - time.monotonic()))

        player = threading.Thread(target=play)
        player.start()
        player.join(SECONDS * 3)
        assert not player.is_alive()
        expected = [tick / RATE_HZ for tick in range(sent)]
        arrived = wait_for(lambda: all(len(seen) >= sent for seen in heard), 15)
        assert arrived, f"arrived: {sorted(len(seen) for seen in heard)} of {sent}; " + str(
            [(f.link.status(), s.link.status() if s.link else None) for f, s in zip(followed, shared, strict=True)][:3]
        )
        assert all(seen == expected for seen in heard)  # every one, once, in order
        assert all(f.link.refused == 0 and f.link.status().lost == 0 for f in followed)
    finally:
        for item in (*followed, *shared):
            item.end()
