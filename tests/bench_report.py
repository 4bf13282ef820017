"""Time the PDF session report for a patient with a long history (a script, not a test).

    python tests/bench_report.py [--sessions 100] [--keep DIR] [--png DIR]

Builds a real SQLite session store in a temporary folder through the public
`SessionStore` API (daily sessions of three exercises of five repetitions each, the patient's
left side slowly recovering), reads every session back, then times
`write_session_report` for the newest one with the full history. The target is under
10 s for 100 sessions. --png also renders each page to DIR/page-N.png (needs pypdfium2).

`fill_store` is also how tests/test_report.py and tests/test_exports.py record sessions.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `coach` importable from a source checkout
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coach.measure.sides import symmetry, weaker_side
from coach.plans.exercises import Exercise, load_exercises
from coach.records.models import Patient, SessionDetail
from coach.records.store import SessionStore, database_path
from coach.session.engine import Repetition, summarise

#: the exercises each recorded session does, in order (all shipped with the app)
SESSION_EXERCISES = ("raise_brows", "gentle_smile", "gentle_eye_closure")
NOISE_MM = 0.5
FIRST_SESSION = datetime(2025, 1, 6, 8, 30, tzinfo=UTC)


class StepClock:
    """The store's clock, moved on by hand: sessions a day apart, repetitions seconds apart."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class Recorded:
    """What `fill_store` wrote, to compare reports and exports against."""

    database: Path
    patient: Patient
    session_ids: list[int]
    exercise_ids: list[list[int]]  # per session, the session_exercise ids in order


def _target(exercise: Exercise) -> dict[str, object]:
    # the same target dict the live recorder stores (coach.usecases.live_session.SessionRecorder)
    return {
        "target_mm": list(exercise.target_mm),
        "target_symmetry": exercise.target_symmetry,
        "repetitions": exercise.repetitions,
        "hold_s": exercise.hold_s,
        "relax_s": exercise.relax_s,
    }


def make_repetition(
    rng: np.random.Generator, exercise: Exercise, recovery: float, number: int, complete: bool = True
) -> Repetition:
    """A plausible repetition: the patient's left side moves `recovery` (0 to 1) as far as the right."""
    low, high = exercise.target_mm
    strong = float(rng.uniform(low + 0.3 * (high - low), high))
    left = max(0.0, strong * recovery + float(rng.normal(0, 0.3)))
    right = strong + float(rng.normal(0, 0.2))
    start = 12.0 * (number - 1) + 1.0
    primary = exercise.primary[0]
    return Repetition(
        start_s=start,
        peak_s=start + 1.4,
        end_s=start + exercise.hold_s + 2.0,
        left_mm=left,
        right_mm=right,
        symmetry=symmetry(left, right),
        weaker_side=weaker_side(left, right, NOISE_MM),
        hold_s=float(rng.uniform(0.6, 1.0)) * exercise.hold_s,
        complete=complete,
        synkinesis={
            name: {"left": float(rng.uniform(5, 30)) * (1.2 - recovery), "right": float(rng.uniform(0, 6))}
            for name in exercise.synkinesis_watch
        },
        measures={primary: {"left": left, "right": right}},
    )


def fill_store(
    folder: Path,
    sessions: int,
    reps: int = 5,
    exercise_ids: Sequence[str] = SESSION_EXERCISES,
    seed: int = 7,
) -> Recorded:
    """Record `sessions` daily sessions into a new store in `folder`, as the live coach does."""
    known = load_exercises()
    chosen = [known[exercise_id] for exercise_id in exercise_ids]
    rng = np.random.default_rng(seed)
    clock = StepClock(FIRST_SESSION)
    path = database_path(folder)
    store, notice = SessionStore.open(path, clock=clock)
    assert notice is None, notice
    session_ids: list[int] = []
    exercise_record_ids: list[list[int]] = []
    with store:
        patient = store.patients.add(
            "P-0042", "Alex Example", affected_side="left", onset_date=date(2024, 11, 18), cause="Bell's palsy"
        )
        for index in range(sessions):
            clock.now = FIRST_SESSION + timedelta(days=index, minutes=int(rng.integers(0, 90)))
            recovery = 0.35 + 0.55 * index / max(1, sessions - 1)
            session_id = store.recording.start_session(
                "smile_and_eyes", "Smile and eyes", "camera 0", patient_id=patient.id
            )
            lift = 1.0 - recovery  # the resting face evens out as the left side recovers
            resting = {}
            for name, left, right in (
                ("brow_height_mm", 21.0 - 2.5 * lift, 21.3),
                ("palpebral_fissure_mm", 9.8 + 1.6 * lift, 9.6),
                ("commissure_height_mm", 63.0 + 2.0 * lift, 62.8),
                ("mouth_half_width_mm", 23.5 - 1.8 * lift, 24.0),
            ):
                left, right = left + float(rng.normal(0, 0.25)), right + float(rng.normal(0, 0.25))
                resting[name] = {"left": left, "right": right, "difference": left - right}
            store.recording.save_resting(session_id, resting)
            ids = []
            for position, exercise in enumerate(chosen):
                clock.advance(seconds=20)
                exercise_id = store.recording.start_exercise(
                    session_id, position, exercise.id, exercise.english_name, exercise.primary[0], _target(exercise)
                )
                done = []
                for number in range(1, reps + 1):
                    clock.advance(seconds=12)
                    rep = make_repetition(rng, exercise, recovery, number)
                    store.recording.add_repetition(exercise_id, number, rep)
                    done.append(rep)
                clock.advance(seconds=3)
                store.recording.finish_exercise(exercise_id, "completed", summarise(done, NOISE_MM))
                ids.append(exercise_id)
            clock.advance(seconds=10)
            store.recording.finish_session(session_id, "completed")
            session_ids.append(session_id)
            exercise_record_ids.append(ids)
    return Recorded(path, patient, session_ids, exercise_record_ids)


def read_history(database: Path) -> list[SessionDetail]:
    """Every session in the store, oldest first, as the app would read it for a report."""
    store, _ = SessionStore.open(database)
    with store:
        records = store.history.sessions(limit=1_000_000)
        return [store.history.session_detail(record.id) for record in reversed(records)]


def _save_pngs(pdf_path: Path, folder: Path) -> None:
    import pypdfium2

    folder.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(pdf_path)
    try:
        for number, page in enumerate(document, 1):
            page.render(scale=150 / 72).to_pil().save(folder / f"page-{number}.png")
    finally:
        document.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=100, help="sessions in the history (default 100)")
    parser.add_argument("--keep", type=Path, help="write the PDF here instead of a temporary folder")
    parser.add_argument("--png", type=Path, help="also render every page to DIR/page-N.png")
    args = parser.parse_args(argv)
    from coach.reports.pdf.document import write_session_report

    with tempfile.TemporaryDirectory(prefix="facecoach-bench-") as scratch:
        folder = Path(scratch)
        began = time.perf_counter()
        recorded = fill_store(folder / "data", args.sessions)
        filled = time.perf_counter() - began
        began = time.perf_counter()
        history = read_history(recorded.database)
        read = time.perf_counter() - began
        pdf_path = (args.keep or folder) / "report.pdf"
        began = time.perf_counter()
        pages = write_session_report(pdf_path, history[-1], history, recorded.patient)
        rendered = time.perf_counter() - began
        size_kb = pdf_path.stat().st_size / 1024
        if args.png:
            _save_pngs(pdf_path, args.png)
    print(f"store filled with {args.sessions} sessions in {filled:.2f} s; history read in {read:.2f} s")
    print(f"report: {rendered:.2f} s for {pages} pages ({size_kb:.0f} KiB), {args.sessions} sessions of history")
    return 0 if rendered < 10.0 else 1


if __name__ == "__main__":
    sys.exit(main())
