"""Fuzzing what comes from outside: mutated bundles, exercise files, media and databases.

Every case must end as the user would want: accepted (and then usable), or refused with exit
status 2 and one line naming the file, never a traceback, and nothing saved before lost.
Hypothesis draws the cases (a fixed seed and example count, so a CI run is repeatable and
stays well under two minutes); a failure prints the smallest case that breaks.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from coach.base.errors import CoachError
from coach.cli.main import main
from coach.plans.exercises import load_exercise_file
from coach.records.store import SessionStore, database_path

#: no example database (nothing written into the checkout) and no shrinking (a failing case is printed as
#: found: shrinking a slow case can take minutes)
QUIET = {"deadline": None, "derandomize": True, "database": None, "suppress_health_check": list(HealthCheck),
         "phases": [Phase.explicit, Phase.generate]}  # fmt: skip
FUZZ = settings(max_examples=120, **QUIET)

#: JSON values a careless or hostile sender could put anywhere
ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e308, -1e308, 0.0, -0.0, 5, 1e-300])
    | st.text(max_size=20)
    | st.sampled_from(["2026-01-01T00:00:00+00:00", "9999-12-31T00:00:00+00:00", "calm", "left", "", "big_smile"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


def _run(args: list[str], capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(args)
    return code, capsys.readouterr().err.strip().splitlines()


def _refused_cleanly(code: int, err: list[str], name: str) -> bool:
    return code == 2 and len(err) == 1 and err[0].startswith("facecoach: error:") and name in err[0]


# ------------------------------------------------------------------------------------- bundles
@pytest.fixture(scope="module")
def home_bundle(tmp_path_factory, data_dir) -> Path:
    folder = tmp_path_factory.mktemp("fuzz_home")
    d = ["--data-dir", str(folder)]
    assert main([*d, "patients", "add", "F1", "--side", "right"]) == 0
    assert main([*d, "analyze", str(data_dir / "single_face.mp4"), "--exercise", "big_smile", "--save",
                 "--patient", "F1"]) == 0  # fmt: skip
    bundle = folder / "f1.fcbundle"
    assert main([*d, "export", "--patient", "F1", "--bundle", str(bundle)]) == 0
    return bundle


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indices) to a value inside a JSON document."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _mutate(document: object, path: tuple, action: str, value: object) -> object:
    node = document
    for key in path[:-1]:
        node = node[key]
    last = path[-1]
    if action == "delete" and isinstance(node, dict):
        del node[last]
    elif action == "add" and isinstance(node, dict):
        node[f"{last}_extra"] = value
    else:
        node[last] = value
    return document


@FUZZ
@given(data=st.data())
def test_mutated_bundles_are_refused_cleanly_or_stay_usable(home_bundle, tmp_path_factory, capsys, data):
    with zipfile.ZipFile(home_bundle) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    target_member = data.draw(st.sampled_from(sorted(members)), label="member")
    document = json.loads(members[target_member])
    path = data.draw(st.sampled_from(_paths(document)), label="path")
    action = data.draw(st.sampled_from(["replace", "replace", "delete", "add"]), label="action")
    value = data.draw(ANY_JSON, label="value")
    members[target_member] = json.dumps(_mutate(document, path, action, value)).encode()
    manifest = json.loads(members["manifest.json"])
    if target_member != "manifest.json" and isinstance(manifest.get("sha256"), dict):  # a careful editor
        manifest["sha256"][target_member] = hashlib.sha256(members[target_member]).hexdigest()
        members["manifest.json"] = json.dumps(manifest).encode()
    folder = tmp_path_factory.mktemp("fuzz_bundle")
    bad = folder / "mutated.fcbundle"
    with zipfile.ZipFile(bad, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    d = ["--data-dir", str(folder / "clinic")]
    assert main([*d, "patients", "add", "KEEP"]) == 0
    code, err = _run([*d, "import", str(bad)], capsys)
    if code != 0:
        assert _refused_cleanly(code, err, "mutated.fcbundle"), err
        store, _ = SessionStore.open(database_path(folder / "clinic"))
        try:
            assert [p.code for p in store.patients.all()] == ["KEEP"] and not store.history.sessions()
        finally:
            store.close()
        return
    # accepted: every later reading command works on it
    store, _ = SessionStore.open(database_path(folder / "clinic"))
    try:
        codes = [p.code for p in store.patients.all() if p.code != "KEEP"]
        session_ids = [r.id for r in store.history.sessions(limit=100_000)]
    finally:
        store.close()
    for code_ in codes:
        assert main([*d, "sessions", "--patient", code_]) == 0
        assert main([*d, "export", "--patient", code_, "--json", str(folder / "all.json")]) == 0
    for session_id in session_ids:
        assert main([*d, "report", "--session", str(session_id), "--json", str(folder / f"{session_id}.json")]) == 0


def test_an_accepted_fuzzed_bundle_also_makes_a_pdf(home_bundle, tmp_path, capsys):
    """The PDF is slower than the JSON report, so it is checked once on a bundle with odd but valid
    values rather than for every accepted case."""
    with zipfile.ZipFile(home_bundle) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    name = manifest["sessions"][0]
    session = json.loads(members[name])
    session["programme_name"] = "Ω" * 200
    session["source"] = "x" * 3000
    session["resting"] = None
    rep = session["exercises"][0]["repetitions"][0]["repetition"]
    rep.update(left_mm=-499.0, right_mm=499.0, symmetry=None, weaker_side=None, synkinesis={}, measures={})
    members[name] = json.dumps(session).encode()
    manifest["sha256"][name] = hashlib.sha256(members[name]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    odd = tmp_path / "odd.fcbundle"
    with zipfile.ZipFile(odd, "w") as archive:
        for member, payload in members.items():
            archive.writestr(member, payload)
    d = ["--data-dir", str(tmp_path / "clinic")]
    assert main([*d, "import", str(odd)]) == 0
    assert main([*d, "report", "--session", "1", "--pdf", str(tmp_path / "odd.pdf")]) == 0
    assert (tmp_path / "odd.pdf").read_bytes().startswith(b"%PDF")


# ------------------------------------------------------------------------------ exercise files
SHIPPED_EXERCISE = (Path(__file__).resolve().parents[1] / "exercises" / "big_smile.toml").read_text(encoding="utf-8")
TOML_VALUES = st.sampled_from(
    ['"text"', "-1", "0", "1e309", "nan", "inf", "[1, 2, 3]", "[]", '{ a = 1 }', "true", '"x"' * 50,
     "[[[[[[[[1]]]]]]]]", '"""multi\nline"""', "2026-01-01", "9" * 40, '""', "[0.0, 100.0]", "[5.0, 1.0]"]
)  # fmt: skip


@FUZZ
@given(line=st.integers(min_value=0, max_value=40), value=TOML_VALUES, cut=st.integers(min_value=0, max_value=2000))
def test_mutated_exercise_files_load_or_are_refused_naming_the_file(tmp_path_factory, line, value, cut):
    lines = SHIPPED_EXERCISE.splitlines()
    assignments = [i for i, text in enumerate(lines) if "=" in text and not text.startswith("#")]
    index = assignments[line % len(assignments)]
    key = lines[index].split("=", 1)[0].strip()
    lines[index] = f"{key} = {value}"
    text = "\n".join(lines)[: max(cut, 1)] if cut < 1500 else "\n".join(lines)
    path = tmp_path_factory.mktemp("fuzz_exercise") / "big_smile.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_exercise_file(path)
    except CoachError as error:
        assert str(path) in str(error) or path.name in str(error), error


@FUZZ
@given(depth=st.integers(min_value=1, max_value=5000))
def test_deeply_nested_exercise_values_are_refused_not_a_recursion_error(tmp_path_factory, depth):
    path = tmp_path_factory.mktemp("fuzz_nested") / "big_smile.toml"
    path.write_text(SHIPPED_EXERCISE + f"\nextra = {'[' * depth}1{']' * depth}\n", encoding="utf-8")
    with pytest.raises(CoachError, match=r"big_smile\.toml"):
        load_exercise_file(path)


# -------------------------------------------------------------------------------------- media
@settings(max_examples=60, **QUIET)
@given(
    source=st.sampled_from(["single_face.mp4", "single_face.jpg", "astronaut.png", "face_noface.mov"]),
    keep=st.floats(min_value=0.0, max_value=0.9),
    flips=st.lists(st.integers(min_value=0, max_value=10**7), max_size=20),
    suffix=st.sampled_from([".mp4", ".jpg", ".png", ".mov", ".avi"]),
)
def test_damaged_media_are_measured_or_refused_in_one_line(data_dir, tmp_path_factory, capsys, source, keep, flips,
                                                           suffix):  # fmt: skip
    data = bytearray((data_dir / source).read_bytes())
    data = data[: int(len(data) * keep)] if keep > 0.05 else data
    for offset in flips:
        if data:
            data[offset % len(data)] ^= 0x5A
    path = tmp_path_factory.mktemp("fuzz_media") / f"damaged{suffix}"
    path.write_bytes(bytes(data))
    code, err = _run(["analyze", str(path), "--exercise", "rest"], capsys)
    assert code == 0 or _refused_cleanly(code, err, "damaged"), (code, err)


# ---------------------------------------------------------------------------------- databases
@settings(max_examples=60, **QUIET)
@given(
    keep=st.floats(min_value=0.0, max_value=1.0),
    flips=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40),
)
def test_a_damaged_database_never_crashes_a_command(tmp_path_factory, capsys, keep, flips):
    folder = tmp_path_factory.mktemp("fuzz_db")
    d = ["--data-dir", str(folder)]
    assert main([*d, "patients", "add", "D1"]) == 0
    path = database_path(folder)
    connection = sqlite3.connect(path)  # fold the write-ahead log in, so the bytes are all in one file
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = bytearray(path.read_bytes())
    data = data[: int(len(data) * keep)] if keep < 0.95 else data
    for offset in flips:
        if data:
            data[offset % len(data)] ^= 0xA5
    path.write_bytes(bytes(data))
    for command in (["patients", "list"], ["sessions", "--patient", "D1"], ["patients", "add", "D2"]):
        code, err = _run([*d, *command], capsys)
        assert code in (0, 2), (command, code, err)
        assert code == 0 or (len(err) == 1 and err[0].startswith("facecoach: error:")), (command, err)
    # nothing saved before is lost: a database the app cannot use is set aside whole, never deleted
    set_aside = [p for p in folder.iterdir() if p.name.startswith(path.name + ".corrupt")]
    if set_aside:
        assert any(p.read_bytes() == bytes(data) for p in set_aside)
    else:
        assert path.exists()
