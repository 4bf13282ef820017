"""A live session killed with SIGKILL loses at most the repetition in progress: the app, started
without a click on a looping clip, is killed at random moments; every repetition it reported
saved is in the database, the database is intact, and the next start shows the session as
interrupted with its repetitions (see tests/live_kill.py; benchmarks/kill_live.py runs 20)."""

from __future__ import annotations

import random

from live_kill import exercises_with_programme, run_and_kill

from coach.records.store import SessionStore, database_path


def test_killing_the_app_mid_session_loses_at_most_the_repetition_in_progress(tmp_path):
    exercises = exercises_with_programme(tmp_path)
    data = tmp_path / "data"
    moments = random.Random(20261129).sample([x / 2 for x in range(0, 20)], 3)  # 0-9.5 s after the first save
    for moment in moments:
        result = run_and_kill(data, exercises, moment)
        assert result.integrity == "ok", result
        assert result.reported_saved >= 1, result
        # committed before it was printed: the database may hold one the app had no time to report
        assert result.reported_saved <= result.in_database <= result.reported_saved + 1, result
        store, notice = SessionStore.open(database_path(data))
        try:
            detail = store.history.session_detail(result.session_id)
        finally:
            store.close()
        kept = sum(len(exercise.repetitions) for exercise in detail.exercises)
        assert kept == result.in_database and detail.status in ("interrupted", "completed"), (detail.status, notice)
