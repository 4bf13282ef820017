"""Patient data private by default, and no output ever half-written: real files in a
temporary folder, the real SQLite store, the real writers, under a permissive umask (022,
the usual one) so that anything not made private on purpose would be readable by all."""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.base import private_files
from coach.base.errors import StoreError
from coach.base.private_files import atomic_private_open, atomic_private_path, new_private_file, tighten
from coach.cli.main import main
from coach.plans.exercises import load_exercises
from coach.plans.programmes import load_programmes
from coach.records.bundle import BundleError, export_bundle
from coach.records.models import SessionDetail
from coach.records.store import SessionStore, database_path
from coach.reports import exports
from coach.reports.pdf import document
from coach.session import analysis
from coach.usecases.programme_editing import draft_of, write_programme_file

from bench_report import Recorded, fill_store, read_history

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's; Windows keeps profiles private")
OLD = "the earlier file, which must survive\n"


@pytest.fixture(scope="module", autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual umask: a file created without care is readable by every account (0644)."""
    saved = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(saved)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return fill_store(tmp_path_factory.mktemp("store"), 1, reps=3)


@pytest.fixture(scope="module")
def history(recorded: Recorded) -> list[SessionDetail]:
    return read_history(recorded.database)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _names(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def _old_file(path: Path, content: str = OLD) -> Path:
    path.write_text(content, encoding="utf-8")
    path.chmod(0o644)
    return path


# --------------------------------------------------------------------------- private by default


@posix_only
def test_the_data_folder_and_database_are_private_and_the_parents_left_alone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    data = home / ".local" / "share" / "facecoach"
    store, _ = SessionStore.open(database_path(data))
    with store:
        store.patients.add("P1", "Alex Example")  # a write: WAL's -wal and -shm files now exist
        files = {path.name: _mode(path) for path in data.iterdir()}
        assert _mode(data) == 0o700
        assert files == {
            "sessions.sqlite3": 0o600,
            "sessions.sqlite3-wal": 0o600,
            "sessions.sqlite3-shm": 0o600,
            "sessions.sqlite3.lock": 0o600,
        }
    assert _mode(home) == 0o755 and _mode(home / ".local" / "share") == 0o755  # the user's, not ours


@posix_only
def test_an_older_readable_data_folder_is_tightened_when_the_store_opens_it(tmp_path: Path) -> None:
    data = tmp_path / "facecoach"
    SessionStore.open(database_path(data))[0].close()
    data.chmod(0o755)  # as an older version, or another umask, left it
    for path in data.iterdir():
        path.chmod(0o644)
    SessionStore.open(database_path(data))[0].close()
    assert _mode(data) == 0o700
    assert {path.name: _mode(path) for path in data.iterdir()} == {
        "sessions.sqlite3": 0o600,
        "sessions.sqlite3.lock": 0o600,
    }


@posix_only
def test_a_folder_the_user_chose_that_holds_other_things_keeps_its_mode(tmp_path: Path) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    letter = _old_file(documents / "letter.txt")
    SessionStore.open(database_path(documents))[0].close()
    assert _mode(documents) == 0o755 and _mode(letter) == 0o644
    assert _mode(database_path(documents)) == 0o600  # the database itself is private all the same


@posix_only
def test_another_programs_database_is_refused_with_its_mode_untouched(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "sessions.sqlite3"
    path.parent.mkdir()
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.close()
    path.chmod(0o644)
    with pytest.raises(StoreError, match="not a FaceCoach session database"):
        SessionStore.open(path)
    assert _mode(path) == 0o644 and _mode(path.parent) == 0o755


@posix_only
def test_every_export_report_bundle_and_programme_file_is_private(
    recorded: Recorded, history: list[SessionDetail], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    csv_path = _old_file(out / "sessions.csv")  # an existing readable file is replaced by a private one
    exports.write_csv(csv_path, history)
    exports.write_json(out / "sessions.json", history, recorded.patient)
    pages = document.write_session_report(out / "report.pdf", history[-1], history, recorded.patient)
    store, _ = SessionStore.open(recorded.database)
    with store:
        assert export_bundle(store, recorded.patient, out / "p.fcbundle") == 1
    exercises = load_exercises()
    write_programme_file(out / "mine.toml", draft_of(next(iter(load_programmes().values()))), exercises)
    assert pages > 1 and csv_path.read_text(encoding="utf-8") != OLD
    assert {path.name: _mode(path) for path in out.iterdir()} == {
        "sessions.csv": 0o600,
        "sessions.json": 0o600,
        "report.pdf": 0o600,
        "p.fcbundle": 0o600,
        "mine.toml": 0o600,
    }
    assert _mode(out) == 0o755  # a folder the user chose for exports is theirs


@posix_only
def test_facecoach_analyze_writes_private_json_and_csv(data_dir: Path, tmp_path: Path) -> None:
    out_json, out_csv = tmp_path / "out.json", tmp_path / "out.csv"
    args = ["analyze", str(data_dir / "single_face.jpg"), "--exercise", "rest", "--json", str(out_json)]
    assert main([*args, "--csv", str(out_csv)]) == 0
    assert _mode(out_json) == 0o600 and _mode(out_csv) == 0o600
    assert _names(tmp_path) == ["out.csv", "out.json"]


def test_on_windows_nothing_extra_is_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(private_files, "POSIX", False)
    assert new_private_file(tmp_path / "db") is False and not (tmp_path / "db").exists()
    shared = _old_file(tmp_path / "shared.txt")
    tighten(shared)
    if os.name == "posix":
        assert _mode(shared) == 0o644
    private_files.write_private_text(tmp_path / "note.txt", "whole\n")
    assert (tmp_path / "note.txt").read_text(encoding="utf-8") == "whole\n"


# --------------------------------------------------------------------------- never half-written


@pytest.mark.parametrize("existed", [True, False])
def test_a_writer_failing_half_way_leaves_the_earlier_file_and_no_temporary(tmp_path: Path, existed: bool) -> None:
    target = tmp_path / "notes.txt"
    if existed:
        _old_file(target)
    with pytest.raises(RuntimeError, match="half-way"):
        with atomic_private_open(target) as handle:
            handle.write("the new file, " * 10_000)
            handle.flush()  # bytes really on the disk, under the temporary name
            assert _names(tmp_path) != (["notes.txt"] if existed else [])
            raise RuntimeError("half-way")
    assert _names(tmp_path) == (["notes.txt"] if existed else [])
    if existed:
        assert target.read_text(encoding="utf-8") == OLD


def test_a_library_writing_by_name_failing_half_way_leaves_no_trace(tmp_path: Path) -> None:
    target = _old_file(tmp_path / "archive.zip")
    with pytest.raises(OSError):
        with atomic_private_path(target) as temporary, zipfile.ZipFile(temporary, "w") as archive:
            archive.writestr("first", b"x" * 100_000)
            raise OSError(errno.ENOSPC, "No space left on device")
    assert _names(tmp_path) == ["archive.zip"] and target.read_text(encoding="utf-8") == OLD


def test_a_full_disk_at_the_last_moment_leaves_the_earlier_programme_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _old_file(tmp_path / "mine.toml")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(private_files.os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        write_programme_file(target, draft_of(next(iter(load_programmes().values()))), load_exercises())
    assert _names(tmp_path) == ["mine.toml"] and target.read_text(encoding="utf-8") == OLD


def test_a_csv_export_failing_half_way_leaves_the_earlier_file(
    history: list[SessionDetail], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _old_file(tmp_path / "sessions.csv")
    plain, calls = exports._csv_value, []

    def failing(value: object) -> object:
        calls.append(value)
        if len(calls) > 100:  # well into the rows, after the header
            raise RuntimeError("half-way through the rows")
        return plain(value)

    monkeypatch.setattr(exports, "_csv_value", failing)
    with pytest.raises(RuntimeError, match="half-way"):
        exports.write_csv(target, history)
    assert len(calls) > 100
    assert _names(tmp_path) == ["sessions.csv"] and target.read_text(encoding="utf-8") == OLD


def test_a_report_failing_on_its_second_page_leaves_the_earlier_file(
    recorded: Recorded, history: list[SessionDetail], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _old_file(tmp_path / "report.pdf")
    footer, pages = document._footer, []

    def failing(fig, code, session, number, total) -> None:
        pages.append(number)
        if number == 2:
            raise RuntimeError("page 2 could not be drawn")
        footer(fig, code, session, number, total)

    monkeypatch.setattr(document, "_footer", failing)
    with pytest.raises(RuntimeError, match="page 2"):
        document.write_session_report(target, history[-1], history, recorded.patient)
    assert pages == [1, 2]  # the first page was drawn into the file
    assert _names(tmp_path) == ["report.pdf"] and target.read_text(encoding="utf-8") == OLD


def test_a_bundle_failing_half_way_leaves_the_earlier_file(
    recorded: Recorded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _old_file(tmp_path / "p.fcbundle")
    writestr, written = zipfile.ZipFile.writestr, []

    def failing(self, name, data, *args, **kwargs) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(name)
        writestr(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
    store, _ = SessionStore.open(recorded.database)
    with store, pytest.raises(BundleError, match="No space left"):
        export_bundle(store, recorded.patient, target)
    assert written == ["manifest.json"]
    assert _names(tmp_path) == ["p.fcbundle"] and target.read_text(encoding="utf-8") == OLD


def test_facecoach_analyze_failing_half_way_through_its_csv_leaves_the_earlier_file(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = _old_file(tmp_path / "out.csv")
    real_writer = analysis.csv.writer

    class Failing:
        def __init__(self, handle) -> None:
            self.rows, self.writer = 0, real_writer(handle)

        def writerow(self, row) -> None:
            if self.rows:  # the header went into the file; the first frame does not
                raise OSError(errno.ENOSPC, "No space left on device")
            self.rows += 1
            self.writer.writerow(row)

    monkeypatch.setattr(analysis.csv, "writer", Failing)
    args = ["analyze", str(data_dir / "single_face.jpg"), "--exercise", "rest", "--csv", str(target)]
    assert main(args) == 2
    assert "cannot write" in capsys.readouterr().err
    assert _names(tmp_path) == ["out.csv"] and target.read_text(encoding="utf-8") == OLD
