"""Encrypted bundles: a lost file tells a finder nothing, a changed one is refused whole.

Real files in temporary folders, the real SQLite store (a patient's home records written as
the live coach writes them, `bench_report.fill_store`), the real command line and the real
dialogs (offscreen Qt). Two data folders stand for two computers: the patient's home, which
paired with the therapist, and the therapist's clinic, which holds the private key.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from coach.base import i18n
from coach.cli.main import main
from coach.records.bundle import BundleError, export_bundle, import_bundle
from coach.records.bundle_crypto import (
    MAGIC,
    MIN_PASSPHRASE_CHARS,
    NOT_ENCRYPTED,
    BundleKeys,
    ForTherapist,
    Kind,
    NotForThisComputerError,
    PassphraseNeededError,
    WithPassphrase,
    WrongPassphraseError,
    read_header,
)
from coach.records.keyring import (
    KEYS_FOLDER,
    OWN_KEY_FILE,
    THERAPISTS_FILE,
    KeyringError,
    existing_own_key,
    find_therapist,
    fingerprint,
    forget_therapist,
    own_key,
    own_public_key,
    paired_therapists,
    remember_therapist,
)
from coach.records.store import SessionStore, database_path

from bench_report import Recorded, fill_store
from store_helpers import comparable_session

PASSPHRASE = "correct horse battery"
THERAPIST = "Dr. Weber"
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    """The patient's computer: two recorded sessions of P-0042 (Alex Example, Bell's palsy)."""
    return fill_store(tmp_path_factory.mktemp("home"), 2, reps=2)


@pytest.fixture(scope="module")
def clinic_dir(tmp_path_factory: pytest.TempPathFactory, home: Recorded) -> Path:
    """The therapist's computer, paired with the patient's: its public key is kept at home."""
    folder = tmp_path_factory.mktemp("clinic")
    remember_therapist(home.database.parent, THERAPIST, own_public_key(folder))
    return folder


@pytest.fixture(scope="module")
def passphrase_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n", encoding="utf-8")  # as an editor saves it
    return path


def _cli(capsys: pytest.CaptureFixture[str], folder: Path, *args: str) -> tuple[int, str, list[str]]:
    """`facecoach --data-dir FOLDER ARGS…`: exit status, what it printed, its error lines."""
    capsys.readouterr()
    code = main(["--data-dir", str(folder), *args])
    out, err = capsys.readouterr()
    return code, out, err.strip().splitlines()


@pytest.fixture(scope="module")
def bundles(home: Recorded, clinic_dir: Path, passphrase_file: Path, tmp_path_factory) -> dict[str, Path]:
    """The patient's history exported three ways from the command line: plain, with a
    passphrase, and for the paired therapist."""
    out = tmp_path_factory.mktemp("bundles")
    home_dir = str(home.database.parent)
    made = {"plain": out / "p.zip", "passphrase": out / "p.fcbundle", "therapist": out / "t.fcbundle"}
    options = {
        "plain": [],
        "passphrase": ["--passphrase-file", str(passphrase_file)],
        "therapist": ["--to-therapist", "dr. WEBER"],  # any case
    }
    for kind, path in made.items():
        assert (
            main(["--data-dir", home_dir, "export", "--patient", "P-0042", "--bundle", str(path), *options[kind]]) == 0
        )
    return made


def _contents(folder: Path) -> tuple[list[str], list[dict]]:
    """The patients' codes and every session (ids left out) in a data folder's database."""
    if not database_path(folder).exists():
        return [], []
    store, _ = SessionStore.open(database_path(folder))
    with store:
        codes = [patient.code for patient in store.patients.all()]
        sessions = [comparable_session(store.history.session_detail(r.id)) for r in store.history.sessions()]
    return codes, sorted(sessions, key=lambda session: session["uid"])


def _clinic_with_a_patient(capsys, folder: Path) -> Path:
    """A clinic's data folder that already holds a patient of its own, which must survive."""
    assert _cli(capsys, folder, "patients", "add", "OTHER")[0] == 0
    return folder


def _assert_refused(capsys, folder: Path, bundle: Path, words: str, *options: str) -> str:
    """`facecoach import` refuses the bundle: exit 2, one line naming it with `words`, the
    clinic's database as it was."""
    before = _contents(folder)
    code, out, err = _cli(capsys, folder, "import", str(bundle), *options)
    assert code == 2 and len(err) == 1 and out == "", (out, err)
    assert words in err[0] and bundle.name in err[0], err
    assert _contents(folder) == before
    return err[0]


# ----- round trips ------------------------------------------------------------------------
def test_a_passphrase_bundle_hides_everything_and_comes_back_whole(home, bundles, passphrase_file, tmp_path, capsys):
    data = bundles["passphrase"].read_bytes()
    assert data.startswith(MAGIC) and not zipfile.is_zipfile(bundles["passphrase"])
    header = read_header(data, "test")
    assert header.kind is Kind.PASSPHRASE and header.version == 1 and len(header.detail) == 16  # the salt
    for clear in (b"Alex Example", b"Bell", b"P-0042", b"manifest.json", b"sessions/"):
        assert clear not in data
    code, out, err = _cli(
        capsys, tmp_path, "import", str(bundles["passphrase"]), "--passphrase-file", str(passphrase_file)
    )
    assert code == 0 and "imported 2 sessions for patient P-0042" in out, err
    assert _contents(tmp_path)[1] == _contents(home.database.parent)[1]  # every field, every repetition
    store, _ = SessionStore.open(database_path(tmp_path))
    with store:
        patient = store.patients.get("P-0042")
    assert (patient.name, patient.cause) == ("Alex Example", "Bell's palsy")


def test_the_passphrase_may_come_from_the_environment(bundles, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FACECOACH_BUNDLE_PASSPHRASE", PASSPHRASE)
    code, out, _ = _cli(capsys, tmp_path, "import", str(bundles["passphrase"]))
    assert code == 0 and "imported 2 sessions" in out
    again = tmp_path / "again.fcbundle"  # and an export with it set is encrypted with it
    assert _cli(capsys, tmp_path, "export", "--patient", "P-0042", "--bundle", str(again))[0] == 0
    assert read_header(again.read_bytes(), "test").kind is Kind.PASSPHRASE
    monkeypatch.delenv("FACECOACH_BUNDLE_PASSPHRASE")
    _assert_refused(capsys, tmp_path / "elsewhere", again, "give it with --passphrase-file")


def test_a_bundle_for_the_therapist_opens_on_their_computer_without_a_question(home, bundles, clinic_dir, capsys):
    data = bundles["therapist"].read_bytes()
    assert read_header(data, "test").kind is Kind.FOR_THERAPIST and b"Alex Example" not in data
    code, out, err = _cli(capsys, clinic_dir, "import", str(bundles["therapist"]))
    assert code == 0 and "imported 2 sessions for patient P-0042" in out, err
    assert _contents(clinic_dir)[1] == _contents(home.database.parent)[1]


def test_two_exports_of_the_same_history_share_no_bytes_after_the_header(home, clinic_dir, tmp_path):
    """Random salt, nonce and one-time key: a finder cannot tell two bundles hold the same thing,
    nor that two bundles go to the same therapist."""
    store, _ = SessionStore.open(home.database)
    key = own_public_key(clinic_dir)
    with store:
        for name, encryption in [("a", WithPassphrase(PASSPHRASE)), ("b", WithPassphrase(PASSPHRASE)),
                                 ("c", ForTherapist(THERAPIST, key)), ("d", ForTherapist(THERAPIST, key))]:  # fmt: skip
            assert export_bundle(store, home.patient, tmp_path / name, encryption=encryption) == 2
    for first, second in (("a", "b"), ("c", "d")):
        one, two = (tmp_path / first).read_bytes(), (tmp_path / second).read_bytes()
        assert one[:14] == two[:14] and one[14:30] != two[14:30] and one[40:80] != two[40:80]


def test_a_plain_bundle_is_still_a_zip_and_imports_as_before(home, bundles, passphrase_file, tmp_path, capsys):
    with zipfile.ZipFile(bundles["plain"]) as archive:
        assert "manifest.json" in archive.namelist()
    code, out, _ = _cli(capsys, tmp_path, "import", str(bundles["plain"]), "--passphrase-file", str(passphrase_file))
    assert code == 0 and "imported 2 sessions" in out  # a passphrase given for nothing changes nothing
    assert _contents(tmp_path)[1] == _contents(home.database.parent)[1]


# ----- refusals ---------------------------------------------------------------------------
def test_a_wrong_passphrase_is_refused_and_nothing_is_imported(bundles, tmp_path, capsys):
    clinic = _clinic_with_a_patient(capsys, tmp_path / "clinic")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("incorrect horse battery\n", encoding="utf-8")
    line = _assert_refused(capsys, clinic, bundles["passphrase"], "wrong passphrase or damaged file: nothing imported",
                           "--passphrase-file", str(wrong))  # fmt: skip
    assert "incorrect" not in line and _contents(clinic) == (["OTHER"], [])
    _assert_refused(
        capsys, clinic, bundles["passphrase"], "encrypted with a passphrase: give it with --passphrase-file"
    )
    try:  # and in the language in use
        code, _, err = _cli(capsys, clinic, "--language", "de", "import", str(bundles["passphrase"]),
                            "--passphrase-file", str(wrong))  # fmt: skip
    finally:
        i18n.set_language("en")
    assert code == 2 and "falsche Passphrase oder beschädigte Datei: nichts importiert" in err[0]


def test_a_bundle_for_another_therapist_is_refused_saying_what_to_do(bundles, tmp_path, capsys):
    never_paired = _clinic_with_a_patient(capsys, tmp_path / "never")  # no key at all
    other = _clinic_with_a_patient(capsys, tmp_path / "other")
    own_key(other)  # a key of its own, not the one the bundle is for
    for clinic in (never_paired, other):
        line = _assert_refused(capsys, clinic, bundles["therapist"], "encrypted for another therapist's computer")
        assert "ask the patient to export it for you, or with a passphrase" in line
        assert _contents(clinic) == (["OTHER"], [])
    assert existing_own_key(never_paired) is None  # refusing made no key


def _flipped(data: bytes, position: int, mask: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= mask
    return bytes(changed)


#: where a byte is changed: (from where, offset) — the file's start, the ciphertext's start (after
#: the header, so the same part of either kind), or the file's end
FLIPS = {
    "magic, first": ("file", 0),
    "magic, last": ("file", 11),
    "version": ("file", 12),
    "kind": ("file", 13),
    "salt or recipient check, first": ("file", 14),
    "salt or recipient check, last": ("ciphertext", -1),
    "nonce or one-time key": ("ciphertext", 3),
    "MAC": ("ciphertext", 35),
    "encrypted text, first": ("ciphertext", 50),
    "encrypted text, middle": ("ciphertext", 700),
    "last byte": ("end", -1),
}


@pytest.mark.parametrize("kind", ["passphrase", "therapist"])
@pytest.mark.parametrize("where", list(FLIPS))
def test_every_changed_byte_is_refused_and_nothing_is_imported(bundles, clinic_dir, tmp_path, kind, where):
    data = bundles[kind].read_bytes()
    base, offset = FLIPS[where]
    position = {"file": 0, "ciphertext": read_header(data, "test").size, "end": len(data)}[base] + offset
    keys = BundleKeys(own_key=lambda: existing_own_key(clinic_dir), passphrase=lambda: PASSPHRASE)
    store, _ = SessionStore.open(database_path(tmp_path))
    with store:
        for mask in (0x01, 0x80, 0xFF):
            changed = tmp_path / "changed.fcbundle"
            changed.write_bytes(_flipped(data, position, mask))
            with pytest.raises(BundleError) as refused:
                import_bundle(store, changed, keys)
            assert "changed.fcbundle" in str(refused.value)
            assert store.history.sessions() == [] and store.patients.all() == []


def test_a_changed_bundle_is_one_line_and_status_2_on_the_command_line(bundles, clinic_dir, tmp_path, capsys):
    changed = tmp_path / "changed.fcbundle"
    changed.write_bytes(_flipped(bundles["therapist"].read_bytes(), -1, 0x01))
    _assert_refused(capsys, clinic_dir, changed, "changed or damaged after it was encrypted")
    changed.write_bytes(_flipped(bundles["passphrase"].read_bytes(), 12, 0x03))  # version 1 → 2
    _assert_refused(capsys, clinic_dir, changed, "encrypted by a newer version of the app")


@pytest.mark.parametrize("kind", ["passphrase", "therapist"])
def test_a_cut_short_bundle_is_refused(bundles, clinic_dir, tmp_path, kind):
    data = bundles[kind].read_bytes()
    keys = BundleKeys(own_key=lambda: existing_own_key(clinic_dir), passphrase=lambda: PASSPHRASE)
    store, _ = SessionStore.open(database_path(tmp_path))
    with store:
        for length in (0, 5, 12, 13, 14, 29, 30, 45, 70, len(data) // 2, len(data) - 1):
            cut = tmp_path / "cut.fcbundle"
            cut.write_bytes(data[:length])
            with pytest.raises(BundleError, match=r"cut\.fcbundle"):
                import_bundle(store, cut, keys)
        assert store.history.sessions() == [] and store.patients.all() == []


def test_opening_without_keys_says_which_key_is_missing(bundles, tmp_path):
    store, _ = SessionStore.open(database_path(tmp_path))
    with store:
        with pytest.raises(PassphraseNeededError, match="encrypted with a passphrase"):
            import_bundle(store, bundles["passphrase"])
        with pytest.raises(NotForThisComputerError):
            import_bundle(store, bundles["therapist"])
        with pytest.raises(WrongPassphraseError):
            import_bundle(store, bundles["passphrase"], BundleKeys(passphrase=lambda: PASSPHRASE.upper()))


# ----- the command line's options ---------------------------------------------------------
def test_export_options_are_checked_before_anything_is_written(home, passphrase_file, tmp_path, capsys):
    home_dir = home.database.parent
    short = tmp_path / "short.txt"
    short.write_text("x" * (MIN_PASSPHRASE_CHARS - 1) + "\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    target = tmp_path / "out.fcbundle"
    bundle = ["export", "--patient", "P-0042", "--bundle", str(target)]
    cases = {
        "at least 8 are needed": [*bundle, "--passphrase-file", str(short)],
        "is empty": [*bundle, "--passphrase-file", str(empty)],
        "cannot read the passphrase file": [*bundle, "--passphrase-file", str(tmp_path / "nowhere.txt")],
        "not both": [*bundle, "--passphrase-file", str(passphrase_file), "--to-therapist", THERAPIST],
        "add --bundle FILE": ["export", "--patient", "P-0042", "--csv", str(tmp_path / "a.csv"), "--to-therapist", "x"],
        f"no paired therapist is called 'Dr. Who'; paired: {THERAPIST} (": [*bundle, "--to-therapist", "Dr. Who"],
    }
    for words, args in cases.items():
        code, out, err = _cli(capsys, home_dir, *args)
        assert code == 2 and len(err) == 1 and words in err[0] and out == "", (words, err)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["empty.txt", "short.txt"]


def test_facecoach_therapists_lists_the_paired_ones_and_this_computers_key(home, clinic_dir, capsys):
    code, out, _ = _cli(capsys, home.database.parent, "therapists")
    key = own_public_key(clinic_dir)
    assert code == 0 and THERAPIST in out and fingerprint(key) in out and "paired on 20" in out
    code, out, _ = _cli(capsys, clinic_dir, "therapists")
    assert code == 0 and "no therapist is paired" in out and f"own key: {fingerprint(key)}" in out


@posix_only
def test_encrypted_bundles_and_keys_are_private(home, bundles, clinic_dir):
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(bundles["passphrase"]) == mode(bundles["therapist"]) == 0o600
    assert mode(clinic_dir / KEYS_FOLDER) == 0o700 and mode(clinic_dir / KEYS_FOLDER / OWN_KEY_FILE) == 0o600
    assert mode(home.database.parent / KEYS_FOLDER / THERAPISTS_FILE) == 0o600


# ----- the keyring ------------------------------------------------------------------------
def test_pairing_twice_with_one_therapist_updates_them_and_forgetting_removes_them(tmp_path):
    first, second = os.urandom(32), os.urandom(32)
    remember_therapist(tmp_path, "Dr. A", first)
    remember_therapist(tmp_path, "Dr. B", second)
    again = remember_therapist(tmp_path, "  Dr.   A. Meier ", first)
    assert again.name == "Dr. A. Meier" and len(again.paired_on) == 10
    assert [(t.name, t.public_key) for t in paired_therapists(tmp_path)] == [("Dr. A. Meier", first), ("Dr. B", second)]
    twin = remember_therapist(tmp_path, "dr. b", os.urandom(32))  # two of one name: told by their fingerprints
    with pytest.raises(KeyringError, match=r"several paired therapists are called 'Dr\. B'"):
        find_therapist(tmp_path, "Dr. B")
    assert find_therapist(tmp_path, twin.fingerprint[:9]) == twin
    forget_therapist(tmp_path, first)
    forget_therapist(tmp_path, twin.public_key)
    assert [t.name for t in paired_therapists(tmp_path)] == ["Dr. B"]
    with pytest.raises(ValueError, match="32 bytes"):
        remember_therapist(tmp_path, "Dr. C", b"short")


def test_this_computers_key_is_made_once_and_kept(tmp_path):
    assert existing_own_key(tmp_path) is None
    key = own_key(tmp_path)
    assert bytes(own_key(tmp_path)) == bytes(key) and own_public_key(tmp_path) == bytes(key.public_key)


def test_a_damaged_key_is_refused_never_replaced(home, bundles, clinic_dir, tmp_path, capsys):
    folder = tmp_path / "clinic"
    own_key(folder)
    path = folder / KEYS_FOLDER / OWN_KEY_FILE
    text = path.read_text(encoding="utf-8")
    record = json.loads(text)
    record["private_key"] = ("0" if record["private_key"][0] != "0" else "1") + record["private_key"][1:]
    path.write_text(json.dumps(record), encoding="utf-8")
    damaged = path.read_bytes()
    with pytest.raises(KeyringError, match=r"is damaged .*do not belong together"):
        own_key(folder)
    assert path.read_bytes() == damaged  # not replaced by a new key
    _assert_refused(capsys, folder, bundles["therapist"], "this computer's key")
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(KeyringError, match="restore it from a backup"):
        own_public_key(folder)
    assert path.read_text(encoding="utf-8") == "not json"


def test_a_damaged_list_of_therapists_is_said_and_kept(home, tmp_path, capsys):
    folder = tmp_path / "home"
    remember_therapist(folder, THERAPIST, os.urandom(32))
    path = folder / KEYS_FOLDER / THERAPISTS_FILE
    path.write_text('{"format": "facecoach-paired-therapists", "therapists": [{"name": 3}]}', encoding="utf-8")
    with pytest.raises(KeyringError, match=r"list of paired therapists .* is damaged"):
        paired_therapists(folder)
    code, _, err = _cli(capsys, folder, "therapists")
    assert code == 2 and len(err) == 1 and str(path) in err[0] and "pair with your therapist again" in err[0]
    assert path.read_text(encoding="utf-8").endswith('[{"name": 3}]}')  # left as it was
    newer = os.urandom(32)
    remember_therapist(folder, "Dr. New", newer)  # a new pairing begins a new list, the old one kept beside
    assert [(t.name, t.public_key) for t in paired_therapists(folder)] == [("Dr. New", newer)]
    (aside,) = (folder / KEYS_FOLDER).glob(f"{THERAPISTS_FILE}.damaged-*")
    assert aside.read_text(encoding="utf-8").endswith('[{"name": 3}]}')


# ----- the windows ------------------------------------------------------------------------
def _answer(kind: type, act: Callable[[object], None]) -> list[object]:
    """When a dialog of `kind` opens (in its own event loop: exec), do `act` with it; the dialog
    is closed whatever `act` does, so a failing test never hangs. Returns the dialogs answered."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    answered: list[object] = []
    timer = QTimer()
    timer.setInterval(20)

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible():
                timer.stop()
                answered.append(widget)
                try:
                    act(widget)
                finally:
                    if widget.isVisible():
                        widget.reject()
                return

    timer.timeout.connect(look)
    timer.start()
    answered.append(timer)  # kept alive as long as the list
    return answered


def _sessions_tab(qtbot, database: Path):
    from PySide6.QtWidgets import QWidget

    from coach.gui.background import BackgroundTasks
    from coach.gui.therapist.parts import Messages
    from coach.gui.therapist.sessions_tab import SessionsTab
    from coach.usecases.clinic import Clinic

    holder = QWidget()
    qtbot.addWidget(holder)
    clinic, _ = Clinic.open(database)
    tab = SessionsTab(clinic, Messages(holder), BackgroundTasks(holder), holder)
    return tab, clinic


def test_the_export_dialog_offers_the_three_choices(qtbot, home, clinic_dir):
    from coach.gui.bundle_dialogs import BundleExportDialog

    (therapist,) = paired_therapists(home.database.parent)
    dialog = BundleExportDialog([therapist])
    qtbot.addWidget(dialog)
    choices = [button.text() for button in dialog.choices.buttons()]
    assert len(choices) == 3 and choices[0].startswith("Not encrypted")
    assert choices[1].startswith(f"For my therapist {THERAPIST}") and choices[2].startswith("With a passphrase")
    assert dialog.encryption() == ForTherapist(THERAPIST, own_public_key(clinic_dir))  # encrypted unless asked
    dialog.plain_choice.setChecked(True)
    assert dialog.encryption() == NOT_ENCRYPTED and dialog.continue_button.isEnabled()
    dialog.passphrase_choice.setChecked(True)
    dialog.passphrase_edit.setText("short")
    assert dialog.encryption() is None and not dialog.continue_button.isEnabled()
    assert "at least 8 are needed" in dialog.missing.text()
    dialog.passphrase_edit.setText(PASSPHRASE)
    dialog.repeat_edit.setText(PASSPHRASE + "!")
    assert "not the same" in dialog.missing.text() and not dialog.continue_button.isEnabled()
    dialog.repeat_edit.setText(PASSPHRASE)
    assert dialog.encryption() == WithPassphrase(PASSPHRASE) and dialog.continue_button.isEnabled()
    assert PASSPHRASE not in repr(dialog.encryption())
    alone = BundleExportDialog([], problem="the list of paired therapists is damaged")
    qtbot.addWidget(alone)
    assert not alone.therapist_choice.isEnabled() and "no therapist is paired" in alone.therapist_choice.text()
    assert alone.passphrase_choice.isChecked()


def test_the_sessions_tab_exports_encrypted_and_asks_for_the_passphrase_on_import(qtbot, home, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QLabel

    from coach.gui import bundle_dialogs
    from coach.gui.bundle_dialogs import BundleExportDialog, PassphraseDialog

    tab, clinic = _sessions_tab(qtbot, home.database)
    target, asked = tmp_path / "gui.fcbundle", []
    monkeypatch.setattr(bundle_dialogs, "ask_save_path", lambda *args: asked.append(args[2:]) or target)

    def with_passphrase(dialog: BundleExportDialog) -> None:
        dialog.passphrase_choice.setChecked(True)
        dialog.passphrase_edit.setText(PASSPHRASE)
        dialog.repeat_edit.setText(PASSPHRASE)
        dialog.continue_button.click()

    with clinic:
        tab.show_patient(home.patient)
        answered = _answer(BundleExportDialog, with_passphrase)
        assert tab.export_bundle() and len(answered) == 2
    assert asked == [("P-0042.fcbundle", "Encrypted session bundles (*.fcbundle)")]
    assert read_header(target.read_bytes(), "test").kind is Kind.PASSPHRASE

    elsewhere, clinic = _sessions_tab(qtbot, database_path(tmp_path / "clinic"))
    with clinic:
        answered = _answer(PassphraseDialog, lambda dialog: dialog.reject())
        assert not elsewhere.import_bundle(target) and len(answered) == 2
        assert elsewhere.messages.last is None  # cancelled: nothing to say

        def type_in(passphrase: str) -> Callable[[PassphraseDialog], None]:
            def act(dialog: PassphraseDialog) -> None:
                said = " ".join(label.text() for label in dialog.findChildren(QLabel))
                assert "gui.fcbundle is encrypted with a passphrase" in said
                dialog.passphrase_edit.setText(passphrase)
                dialog.import_button.click()

            return act

        _answer(PassphraseDialog, type_in("not the passphrase"))
        assert not elsewhere.import_bundle(target)
        assert "wrong passphrase or damaged file: nothing imported" in elsewhere.messages.last[1]
        assert _contents(tmp_path / "clinic") == ([], [])
        elsewhere.messages.close()
        answered = _answer(PassphraseDialog, type_in(PASSPHRASE))
        assert elsewhere.import_bundle(target) and len(answered) == 2
        assert "Imported 2 sessions for patient P-0042." in elsewhere.message.text()
    assert _contents(tmp_path / "clinic")[1] == _contents(home.database.parent)[1]


def test_the_sessions_tab_opens_a_bundle_for_this_computer_without_a_question(
    qtbot, home, bundles, clinic_dir, tmp_path
):
    import shutil

    from coach.gui.bundle_dialogs import PassphraseDialog

    this_computer = tmp_path / "clinic"  # the therapist's key, and no records yet
    shutil.copytree(clinic_dir / KEYS_FOLDER, this_computer / KEYS_FOLDER)
    tab, clinic = _sessions_tab(qtbot, database_path(this_computer))
    with clinic:
        asked = _answer(PassphraseDialog, lambda dialog: dialog.reject())
        assert tab.import_bundle(bundles["therapist"]) and len(asked) == 1  # no dialog was opened
        assert "Imported 2 sessions for patient P-0042." in tab.message.text()
    assert _contents(this_computer)[1] == _contents(home.database.parent)[1]
    another, clinic = _sessions_tab(qtbot, database_path(tmp_path / "another"))
    with clinic:
        assert not another.import_bundle(bundles["therapist"])
        assert "encrypted for another therapist's computer" in another.messages.last[1]
