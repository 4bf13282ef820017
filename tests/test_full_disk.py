"""When nothing can be written (a full disk), the reading commands still show the data, saving
fails with a clear message, and no half-written file is left. The disk is made "full" for a real
child process by the operating system's file-size limit (RLIMIT_FSIZE = 0: no file may grow),
which SQLite and every writer meet exactly as they meet a full disk."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys

import pytest

from coach.cli.main import main

pytestmark = pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX; Windows is not tested here")


def _nothing_may_grow() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write is an error, not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def _facecoach(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "coach", *args], preexec_fn=_nothing_may_grow, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def _errors(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("facecoach:")]


def test_with_no_space_reading_works_and_saving_says_why(tmp_path, data_dir):
    d = ["--data-dir", str(tmp_path / "data")]
    assert main([*d, "patients", "add", "FULL1"]) == 0
    assert main([*d, "analyze", str(data_dir / "single_face.jpg"), "--exercise", "rest", "--save",
                 "--patient", "FULL1"]) == 0  # fmt: skip
    listed = _facecoach(*d, "sessions", "--patient", "FULL1")
    assert listed.returncode == 0 and "FULL1: 1 session," in listed.stdout, listed.stderr
    assert any("read-only" in line for line in _errors(listed)), listed.stderr
    assert _facecoach(*d, "patients", "list").returncode == 0
    added = _facecoach(*d, "patients", "add", "FULL2")
    assert added.returncode == 2 and len(_errors(added)) == 1, added.stderr
    out = tmp_path / "all.json"
    out.write_text("the earlier export\n")
    exported = _facecoach(*d, "export", "--patient", "FULL1", "--json", str(out))
    assert exported.returncode == 2 and str(out) in _errors(exported)[-1], exported.stderr
    assert out.read_text() == "the earlier export\n"  # the earlier file is untouched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".all.json")]  # no temporary left
    assert main([*d, "sessions", "--patient", "FULL1"]) == 0  # and with space again, all is there
    assert "FULL2" not in {p.name for p in tmp_path.iterdir()}


#: every file the command line writes, by the command and option that writes it (the PDF, CSV,
#: JSON and bundle writers, each reached the way a user reaches it)
OUTPUTS = {
    "report --pdf": ("report", "--session", "1", "--pdf"),
    "report --csv": ("report", "--session", "1", "--csv"),
    "report --json": ("report", "--session", "1", "--json"),
    "export --bundle": ("export", "--patient", "FULL1", "--bundle"),
    "export --csv": ("export", "--patient", "FULL1", "--csv"),
    "export --json": ("export", "--patient", "FULL1", "--json"),
    "export --gradings-csv": ("export", "--patient", "FULL1", "--gradings-csv"),
    "grading --json": ("grading", "--session", "2", "--json"),
    "analyze --json": ("analyze", "{image}", "--exercise", "rest", "--json"),
    "analyze --csv": ("analyze", "{image}", "--exercise", "rest", "--csv"),
}


@pytest.fixture(scope="module")
def kept_records(tmp_path_factory, data_dir):
    """A patient with a saved session, a saved examination and a filed grading: something for every writer."""
    from coach.records.store import SessionStore, database_path

    data = tmp_path_factory.mktemp("full_disk") / "data"
    assert main(["--data-dir", str(data), "patients", "add", "FULL1"]) == 0
    assert main(["--data-dir", str(data), "analyze", str(data_dir / "single_face.jpg"), "--exercise", "rest",
                 "--save", "--patient", "FULL1"]) == 0  # fmt: skip
    assert main(["--data-dir", str(data), "analyze", str(data_dir / "exam_healthy_blink_face.mp4"), "--examination",
                 "--save", "--patient", "FULL1"]) == 0  # fmt: skip
    store, _ = SessionStore.open(database_path(data))
    try:
        store.gradings.file(1, "sunnybrook", {"voluntary_open_mouth_smile": 4}, "Dr Weber", session_id=2)
    finally:
        store.close()
    return data


@pytest.mark.parametrize("output", OUTPUTS)
def test_every_output_on_a_full_disk_says_so_exits_2_and_leaves_no_part(output, kept_records, data_dir, tmp_path):
    target = tmp_path / f"out.{output.split('--')[-1]}"
    args = [a.replace("{image}", str(data_dir / "single_face.jpg")) for a in OUTPUTS[output]]
    full = _facecoach("--data-dir", str(kept_records), *args, str(target))
    assert full.returncode == 2, f"{output}: exit {full.returncode}\n{full.stderr}"
    assert "Traceback" not in full.stderr, full.stderr
    errors = _errors(full)
    assert errors and str(target) in errors[-1] and "error" in errors[-1], full.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a part or a temporary
    # with space, the same command writes the file whole
    assert main(["--data-dir", str(kept_records), *args, str(target)]) == 0
    assert target.stat().st_size > 0
