"""Supervision from another place, measured: what following a live session through a relay costs
the patient's computer, how soon the therapist sees a picture's measures and the patient sees a
therapist's command, and how many patients one relay carries at the live rate.

    python benchmarks/remote.py [--seconds 40] [--rounds 2] [--most 200]

Starts its own Mosquitto on a free loopback port (`apt-get install mosquitto`). The live part
plays the man of tests/data/single_face.mp4 (8 s at rest, then smiling in turn) in real time
through the app's own pipeline: without a therapist, then with one following through the relay
(only following, so the session reaches its repetitions and their measured pictures are timed),
then with one pausing and resuming it from afar (the commands timed); each round in one run,
since the machine is shared and noisy, so compare within a round. The load part pairs N
simulated patients, each with its own therapist's app, and plays 15 measured pictures a second
for 10 s per patient, for N = 50, 100, 150, … until one message is lost or late (p95 over
150 ms) or `--most` is reached.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO / "tests", REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from relay_broker import Broker  # noqa: E402
from test_remote_load import frame, pair_many  # noqa: E402

#: the live rate of the load test (the supervision view needs no more to draw smooth traces)
RATE_HZ = 15
#: how long the therapist pauses and resumes the session from afar, every 0.7 s (commands timed)
COMMANDS_S = 15.0
#: how long each load step plays
LOAD_SECONDS = 10.0
#: what a step must keep to count as held: every message, and the therapist's screen this soon
LATE_MS = 150.0


def live(address: str, seconds: float, rounds: int) -> list[dict]:
    from coach.gui.live_bench import run_live_benchmark
    from coach.measure.landmarks import default_model_path, load_model_bytes

    clip = _rest_then_smiles(Path(tempfile.mkdtemp()) / "rest_then_smiles.avi")
    model = load_model_bytes(default_model_path())
    runs = []
    for round_number in range(rounds):
        plain = run_live_benchmark(clip, model, seconds)
        linked = run_live_benchmark(clip, model, seconds, supervised=True, relay=address, commands=False)
        steered = run_live_benchmark(clip, model, COMMANDS_S, supervised=True, relay=address)
        runs.append({"round": round_number + 1, "plain": plain, "linked": linked, "steered": steered})
        extra_ms = linked["latency_ms_p95"] - plain["latency_ms_p95"]
        print(
            f"round {round_number + 1}: patient latency p95 {plain['latency_ms_p95']} ms alone, "
            f"{linked['latency_ms_p95']} ms followed (difference {extra_ms:+.1f});"
            f" dropped {plain['dropped_for_processing']} / {linked['dropped_for_processing']}; "
            f"capture → therapist's window p50 {linked['capture_to_therapist_ms_p50']} ms, "
            f"p95 {linked['capture_to_therapist_ms_p95']} ms ({linked['frames_at_therapist']} pictures); "
            f"command → patient's view p50 {steered['command_to_patient_ms_p50']} ms, "
            f"p95 {steered['command_to_patient_ms_p95']} ms ({steered['commands_seen']}); "
            f"refused {linked['messages_refused'] + steered['messages_refused']}",
            flush=True,
        )
    return runs


def _rest_then_smiles(path: Path) -> Path:
    """The man of single_face.mp4 at rest for 8 s (the camera check and the resting face pass at
    the coach's own pace), then smiling and resting in turn: a session that reaches its repetitions."""
    import synthetic

    frames, fps = synthetic.read_clip(REPO / "tests" / "data" / "single_face.mp4")
    rest = [frames[i] for i in (list(range(12)) + list(range(11, -1, -1))) * 12]
    return synthetic.write_clip(path, rest[:240] + (frames[12:] + rest[:60]) * 8, fps)


def load_step(broker: Broker, patients: int) -> dict:
    """`patients` pairs through one relay, LOAD_SECONDS at RATE_HZ each: lost, out of order, and how late."""
    started = time.monotonic()
    controllers, shared, followed, heard = pair_many(broker, patients, Path(tempfile.mkdtemp()) / "unused.sqlite3")
    paired_s = time.monotonic() - started
    late_ms: list[float] = []
    lock = threading.Lock()
    for follower in followed:  # how late each arrives: emitted with at_s = the sender's monotonic time

        def timed(event: object) -> None:
            if hasattr(event, "at_s") and type(event).__name__ == "FrameMeasured":
                with lock:
                    late_ms.append((time.monotonic() - event.at_s) * 1000.0)

        follower.events.subscribe(timed)
    for seen in heard:
        seen.clear()
    count = round(RATE_HZ * LOAD_SECONDS)
    sent: list[list[float]] = [[] for _ in controllers]
    begin = time.monotonic()
    for tick in range(count):
        for index, controller in enumerate(controllers):
            now = time.monotonic()
            sent[index].append(now)
            controller.events.emit(frame(now))
        time.sleep(max(0.0, begin + (tick + 1) / RATE_HZ - time.monotonic()))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(len(seen) < count for seen in heard):
        time.sleep(0.1)
    lost = sum(max(0, count - len(seen)) for seen in heard)
    disordered = sum(seen != sorted(seen) for seen in heard)
    for item in (*followed, *shared):
        item.end()
    late = np.array(late_ms) if late_ms else np.array([float("nan")])
    return {
        "patients": patients,
        "messages": count * patients,
        "lost": lost,
        "out_of_order": disordered,
        "late_ms_p50": round(float(np.percentile(late, 50)), 1),
        "late_ms_p95": round(float(np.percentile(late, 95)), 1),
        "pairing_s": round(paired_s, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="each live run (the session pauses half the time)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--most", type=int, default=200, help="stop the load ramp here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        broker = Broker(Path(folder)).start()
        try:
            live(broker.address, args.seconds, args.rounds)
            held = 0
            for patients in range(50, args.most + 1, 50):
                step = load_step(broker, patients)
                print(f"load: {step}", flush=True)
                if step["lost"] or step["out_of_order"] or step["late_ms_p95"] > LATE_MS:
                    break
                held = patients
            print(f"largest number of patients held at {RATE_HZ} Hz with nothing lost or late: {held}")
        finally:
            broker.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
