"""Kill the live app with SIGKILL in the middle of a session and see what was kept.

Why: a power cut or a crash must lose at most the repetition in progress. The app runs as
the user would start it (`facecoach --source CLIP --loop --programme ID --start --quick`,
offscreen), prints a line as each repetition is saved, and is killed at a chosen moment;
then the database must be intact and hold every repetition it reported saved. Used by
tests/test_live_kill.py (a few moments) and benchmarks/kill_live.py (many).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: the real man of single_face.mp4: 3.5 s at rest, then four broad smiles held about 1.7 s, 2 s
#: apart (a still face makes no repetition: the coach counts only movements made and held)
CLIP_NAME = "smiles.avi"
PROGRAMME = """id = "kill_test"
name = "Kill test"
description = "Short holds: several repetitions in a few seconds."

[[exercise]]
id = "big_smile"
repetitions = 3
hold_s = 1
relax_s = 1

[[exercise]]
id = "gentle_smile"
repetitions = 3
hold_s = 1
relax_s = 1
"""
SAVED = re.compile(r"^saved session (\d+): .*repetition (\d+)")


def exercises_with_programme(folder: Path) -> Path:
    """The shipped exercises plus the short programme, in `folder`, and the smiles clip beside them."""
    target = folder / "exercises"
    if not target.exists():
        shutil.copytree(REPO / "exercises", target)
        (target / "programmes" / "kill_test.toml").write_text(PROGRAMME, encoding="utf-8")
    if not (folder / CLIP_NAME).exists():
        import synthetic

        synthetic.write_smiles_clip(REPO / "tests" / "data", folder / CLIP_NAME)
    return target


@dataclass
class KillResult:
    """What one run reported saved before the kill, and what the database holds afterwards."""

    killed_after_s: float
    reported_saved: int  # repetitions the app said were on disk before it was killed
    session_id: int | None
    in_database: int  # repetitions of that session in the database afterwards
    integrity: str  # PRAGMA integrity_check


def run_and_kill(data_dir: Path, exercises_dir: Path, kill_after_s: float) -> KillResult:
    """Start a session without a click, SIGKILL the app `kill_after_s` after its first saved line
    (or after start if it is 0), and read the database back."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "coach", "--data-dir", str(data_dir), "--exercises-dir", str(exercises_dir)]
    clip = exercises_dir.parent / CLIP_NAME  # written by exercises_with_programme
    command += ["--source", str(clip), "--loop", "--programme", "kill_test", "--start", "--quick"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    lines: list[str] = []
    first_saved = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.strip())
            if SAVED.match(line):
                first_saved.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not first_saved.wait(timeout=90):
        process.kill()
        raise RuntimeError(f"the app saved no repetition within 90 s; it printed: {lines[-5:]}")
    started = time.monotonic()
    time.sleep(kill_after_s)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    reader.join(timeout=5)
    saved = [SAVED.match(line) for line in lines]
    saved = [m for m in saved if m]
    session_id = int(saved[-1].group(1)) if saved else None
    return KillResult(
        killed_after_s=time.monotonic() - started,
        reported_saved=sum(1 for m in saved if int(m.group(1)) == session_id),
        session_id=session_id,
        in_database=_repetitions(data_dir, session_id),
        integrity=_integrity(data_dir),
    )


def _database(data_dir: Path) -> Path:
    from coach.records.store import database_path

    return database_path(data_dir)


def _integrity(data_dir: Path) -> str:
    with sqlite3.connect(_database(data_dir)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def _repetitions(data_dir: Path, session_id: int | None) -> int:
    if session_id is None:
        return 0
    with sqlite3.connect(_database(data_dir)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM repetitions r JOIN session_exercises e ON r.session_exercise_id = e.id "
            "WHERE e.session_id = ?",
            (session_id,),
        ).fetchone()
    return int(row[0])
