"""Session bundles from home to clinic: round trip, idempotent import, and refusal of
damaged, tampered or newer bundles without touching the database."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from coach.cli.main import main
from coach.records.bundle import BUNDLE_FORMAT, BundleError, import_bundle
from coach.records.store import SessionStore, database_path

from store_helpers import comparable_session


@pytest.fixture(scope="module")
def home(tmp_path_factory, data_dir) -> tuple[Path, Path]:
    """A patient's home database with two sessions made by the real pipeline, and its bundle."""
    folder = tmp_path_factory.mktemp("home")
    d = ["--data-dir", str(folder)]
    assert main([*d, "patients", "add", "P11", "--side", "left", "--cause", "Bell's palsy"]) == 0
    for exercise in ("big_smile", "gentle_smile"):
        assert main([*d, "analyze", str(data_dir / "single_face.mp4"), "--exercise", exercise,
                     "--save", "--patient", "P11"]) == 0  # fmt: skip
    bundle = folder / "p11.fcbundle"
    assert main([*d, "export", "--patient", "P11", "--bundle", str(bundle)]) == 0
    return folder, bundle


def _history(folder: Path) -> list[dict]:
    store, _ = SessionStore.open(database_path(folder))
    try:
        patient = store.patients.get("P11")
        sessions = [store.history.session_detail(r.id) for r in store.history.sessions(patient_id=patient.id)]
    finally:
        store.close()
    return [comparable_session(detail) for detail in sessions]


def _count_sessions(folder: Path) -> int:
    if not database_path(folder).exists():
        return 0
    store, _ = SessionStore.open(database_path(folder))
    try:
        return len(store.history.sessions())
    finally:
        store.close()


def test_bundle_round_trip_into_a_fresh_database_twice(home, tmp_path, capsys):
    folder, bundle = home
    assert main(["--data-dir", str(tmp_path), "import", str(bundle)]) == 0
    assert "imported 2 sessions for patient P11" in capsys.readouterr().out
    assert _history(tmp_path) == _history(folder)  # every field, every repetition, same uids
    assert main(["--data-dir", str(tmp_path), "import", str(bundle)]) == 0  # again: nothing new
    assert "imported 0 sessions" in capsys.readouterr().out and _count_sessions(tmp_path) == 2


def _rewrite(bundle: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(target, "w") as out:
        members = {name: source.read(name) for name in source.namelist()}
        for name, data in change(members).items():
            out.writestr(name, data)
    return target


def _tamper(members: dict[str, bytes]) -> dict[str, bytes]:
    name = next(n for n in members if n.startswith("sessions/"))
    members[name] = members[name].replace(b'"left_mm": 1', b'"left_mm": 2', 1)
    return members


def _newer(members: dict[str, bytes]) -> dict[str, bytes]:
    manifest = json.loads(members["manifest.json"])
    manifest["version"] = 99
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


def _unfinished(members: dict[str, bytes]) -> dict[str, bytes]:
    """The second session claims to be still in progress (checksum recomputed)."""
    import hashlib

    manifest = json.loads(members["manifest.json"])
    name = manifest["sessions"][1]
    session = json.loads(members[name])
    session["status"] = "in_progress"
    members[name] = json.dumps(session).encode()
    manifest["sha256"][name] = hashlib.sha256(members[name]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


@pytest.mark.parametrize(
    ("make", "words"),
    [
        ("truncated", "damaged or incomplete"),
        ("tampered", "does not match its checksum"),
        ("newer", "newer version of the app"),
        ("not_a_bundle", "not a session bundle"),
        ("unfinished", "nothing was imported"),
    ],
)
def test_bad_bundle_is_refused_whole_and_nothing_is_lost(home, tmp_path, capsys, make, words):
    _, bundle = home
    bad = tmp_path / f"{make}.fcbundle"
    if make == "truncated":
        bad.write_bytes(bundle.read_bytes()[: len(bundle.read_bytes()) * 2 // 3])
    elif make == "not_a_bundle":
        with zipfile.ZipFile(bad, "w") as archive:
            archive.writestr("hello.txt", "hi")
    else:
        _rewrite(bundle, bad, {"tampered": _tamper, "newer": _newer, "unfinished": _unfinished}[make])
    target = tmp_path / "clinic"
    # the clinic already has data that must survive
    assert main(["--data-dir", str(target), "patients", "add", "OTHER"]) == 0
    capsys.readouterr()
    code = main(["--data-dir", str(target), "import", str(bad)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and words in err[0], err
    assert _count_sessions(target) == 0
    store, _ = SessionStore.open(database_path(target))
    assert [p.code for p in store.patients.all()] == ["OTHER"]  # P11 was not half-added
    store.close()


def test_bundle_holds_only_numbers_and_its_manifest(home):
    _, bundle = home
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == BUNDLE_FORMAT and manifest["patient"]["code"] == "P11"
    assert all(n == "manifest.json" or (n.startswith("sessions/") and n.endswith(".json")) for n in names)


def test_importing_a_missing_file_is_a_clear_error(tmp_path):
    store, _ = SessionStore.open(database_path(tmp_path))
    with pytest.raises(BundleError, match="no such file"):
        import_bundle(store, tmp_path / "nowhere.fcbundle")
    store.close()


def _edit_first_session(change) -> callable:
    """A bundle rewrite: `change` edits the first session's JSON text (a str), checksum recomputed."""
    import hashlib

    def rewrite(members: dict[str, bytes]) -> dict[str, bytes]:
        manifest = json.loads(members["manifest.json"])
        name = manifest["sessions"][-1]  # the session with a repetition
        members[name] = change(members[name].decode()).encode()
        manifest["sha256"][name] = hashlib.sha256(members[name]).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
        return members

    return rewrite


def _set(path: tuple, value) -> callable:
    """Set one field of the session's JSON (keys and list indices along `path`)."""

    def change(text: str) -> str:
        data = json.loads(text)
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return json.dumps(data)

    return change


REP = ("exercises", 0, "repetitions", 0, "repetition")


def _manifest_sessions_as_objects(members: dict[str, bytes]) -> dict[str, bytes]:
    manifest = json.loads(members["manifest.json"])
    manifest["sessions"] = [{"name": n} for n in manifest["sessions"]]
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


BAD_VALUES = {
    # case: (rewrite of the bundle's members, words the one-line error must hold)
    "resting is a word": (_edit_first_session(_set(("resting",), "calm")), "field resting"),
    "text for a number": (_edit_first_session(_set((*REP, "left_mm"), "12")), "left_mm"),
    "the year 9999": (
        _edit_first_session(
            lambda t: t.replace('"started_at": "2', '"started_at": "9999-01-01T00:00:00+00:00", "x": "2', 1)
        ),
        "not a plausible date",
    ),
    "infinite mm": (_edit_first_session(lambda t: t.replace('"left_mm": ', '"left_mm": 1e999, "y": ', 1)), "left_mm"),
    "huge negative mm": (_edit_first_session(_set((*REP, "right_mm"), -1e6)), "right_mm"),
    "symmetry 5": (_edit_first_session(_set((*REP, "symmetry"), 5)), "symmetry"),
    "end before start": (
        _edit_first_session(_set(("ended_at",), "2001-01-01T00:00:00+00:00")),
        "ends before it starts",
    ),
    "unknown exercise": (_edit_first_session(_set(("exercises", 0, "exercise_id"), "juggling")), "exercise_id"),
    "object for a number": (_edit_first_session(_set(("exercises", 0, "repetitions", 0, "number"), {})), "number"),
    "huge integer": (_edit_first_session(_set(("exercises", 0, "position"), 10**30)), "position"),
    "NaN": (_edit_first_session(lambda t: t.replace('"left_mm": ', '"left_mm": NaN, "z": ', 1)), "damaged"),
    "deep nesting": (_edit_first_session(lambda t: '{"deep": ' + "[" * 50_000 + "]" * 50_000 + ", " + t[1:]), "nested"),
    "manifest lists objects": (_manifest_sessions_as_objects, "field sessions[0]"),
}


@pytest.mark.parametrize("case", list(BAD_VALUES))
def test_a_bundle_with_a_bad_value_is_refused_naming_file_and_field(home, tmp_path, capsys, case):
    """Values of the wrong type or range were accepted before and then broke that patient's export
    and report for good. Each is refused at import: exit 2, one line naming the file and the field,
    nothing imported, the clinic's own data untouched."""
    _, bundle = home
    change, words = BAD_VALUES[case]
    bad = _rewrite(bundle, tmp_path / "bad.fcbundle", change)
    target = tmp_path / "clinic"
    assert main(["--data-dir", str(target), "patients", "add", "OTHER"]) == 0
    capsys.readouterr()
    code = main(["--data-dir", str(target), "import", str(bad)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1, err
    assert words in err[0] and "bad.fcbundle" in err[0], err
    assert _count_sessions(target) == 0
    store, _ = SessionStore.open(database_path(target))
    assert [p.code for p in store.patients.all()] == ["OTHER"]
    store.close()


def test_damaged_compressed_bytes_are_refused_not_a_traceback(home, tmp_path, capsys):
    """A few flipped bytes inside a deflated member gave a zlib traceback before."""
    _, bundle = home
    data = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo(archive.namelist()[-1])
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 5, start + 25):
        data[offset] ^= 0xFF
    bad = tmp_path / "flipped.fcbundle"
    bad.write_bytes(bytes(data))
    code = main(["--data-dir", str(tmp_path / "clinic"), "import", str(bad)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "flipped.fcbundle" in err[0], err
    assert _count_sessions(tmp_path / "clinic") == 0


def test_an_accepted_bundle_can_be_listed_exported_and_reported(home, tmp_path, capsys):
    _, bundle = home
    d = ["--data-dir", str(tmp_path / "clinic")]
    assert main([*d, "import", str(bundle)]) == 0
    assert main([*d, "sessions", "--patient", "P11"]) == 0
    assert main([*d, "export", "--patient", "P11", "--csv", str(tmp_path / "all.csv")]) == 0
    for session in (1, 2):
        assert main([*d, "report", "--session", str(session), "--pdf", str(tmp_path / f"{session}.pdf")]) == 0
        assert (tmp_path / f"{session}.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "all.csv").stat().st_size > 0
