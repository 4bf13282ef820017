"""Shared by the store tests: a hand-set clock, and opening a store that has nothing to say."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

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
