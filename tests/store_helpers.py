"""Shared by the store tests: a hand-set clock, opening a store that has nothing to say, and a
programme entry as the therapist's editor gives it."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from coach.records.bundle import session_json
from coach.records.models import SessionDetail
from coach.records.store import SessionStore


class SetClock:
    """A clock the test sets by hand, so times, their order and backup names are known exactly."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def open_quiet(path: Path, **kwargs) -> SessionStore:
    """Open a store, asserting there was no notice (nothing damaged, nothing upgraded)."""
    store, notice = SessionStore.open(path, **kwargs)
    assert notice is None
    return store


def programme_entry(exercise_id: str = "big_smile", **changes: object) -> dict[str, object]:
    """One entry of a prescribed programme, as the therapist's editor gives it."""
    entry: dict[str, object] = {
        "exercise_id": exercise_id,
        "repetitions": 5,
        "hold_s": 3,
        "relax_s": 4.5,
        "effort": 3,
        "target_mm": [2, 6.5],
        "target_symmetry": 0.8,
        "feedback": "full",
    }
    return entry | changes


def hold_database(path: Path, seconds: float) -> threading.Thread:
    """Another program's exclusive write transaction on the database, for `seconds`."""
    ready = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("BEGIN EXCLUSIVE")
        ready.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert ready.wait(10)
    return thread


def comparable_session(detail: SessionDetail) -> dict:
    """A session as a bundle holds it, without the ids one database gave it (so two databases'
    copies of the same session compare equal)."""
    data = json.loads(session_json(detail))
    data.pop("id"), data.pop("patient_id")
    for exercise in data["exercises"]:
        exercise.pop("id")
        for repetition in exercise["repetitions"]:
            repetition.pop("id")
    return data
