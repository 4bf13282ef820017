"""What the app remembers between starts: camera, mirror, sound, windows, last choices.

One `Preferences` value, read once at start and written when the user changes it. It is
kept with the user's data (`settings.ini` in the data folder), so a data folder moved to
a USB stick or removed by "delete my data" takes the settings with it. A value that does
not read back as its type or range (the file edited by hand, or from a newer version) is
replaced by its default, and the problem is named once, never an error at start.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta
from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings
from PySide6.QtWidgets import QWidget

from coach.base.i18n import LANGUAGES, tr
from coach.base.model_problems import read
from coach.base.private_files import private_folder, tighten
from coach.remote.relay import DEFAULT_RELAY, RelayAddress, RelayAddressError

SETTINGS_FILE = "settings.ini"
CAMERA_NUMBERS = range(10)
#: the languages a setting may name (`coach.base.i18n.LANGUAGES`)
LANGUAGE_CODES = tuple(LANGUAGES)


#: a line of text a setting holds (a name, an address): no control characters, not a page of it
ShortText = Annotated[str, Meta(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


class Preferences(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every remembered choice, its type and range, and its default on a new computer: the one
    model of the settings file (msgspec reads each setting against it, text as numbers and flags)."""

    camera: Annotated[int, Meta(ge=CAMERA_NUMBERS.start, le=CAMERA_NUMBERS.stop - 1)] = 0
    mirrored: bool = True
    muted: bool = False
    volume_pct: Annotated[int, Meta(ge=0, le=100)] = 80
    #: the speech program chosen ("" = the first one found; "tones" = tones only)
    voice: ShortText = ""
    #: "" until the first-run questions were answered
    use: Literal["", "home", "clinic"] = ""
    first_run_done: bool = False
    last_patient_id: Annotated[int, Meta(ge=1, le=2**62)] | None = None
    last_programme_id: ShortText = ""
    language: Literal[LANGUAGE_CODES] = "en"  # type: ignore[valid-type]
    text_scale_pct: Literal[100, 125, 150, 175, 200] = 100
    #: the clinic's relay for supervision from another place (README: "Supervision from another place")
    relay: ShortText = DEFAULT_RELAY
    #: the name a therapist's app gives the patient's app when pairing ("" until typed once)
    therapist_name: ShortText = ""
    #: saved window geometries (Qt's own bytes), by window name
    windows: dict[str, bytes] = {}


#: the settings kept one per line in the file (the windows' geometries have a group of their own)
SETTINGS: tuple[str, ...] = tuple(name for name in Preferences.__struct_fields__ if name != "windows")
#: who uses this computer, asked on the first start
USES: tuple[str, ...] = tuple(use for use in typing.get_args(typing.get_type_hints(Preferences)["use"]) if use)
TEXT_SCALES_PCT: tuple[int, ...] = typing.get_args(typing.get_type_hints(Preferences)["text_scale_pct"])


def _read_setting(name: str, value: Any) -> tuple[Any, str | None]:
    """One setting as the file holds it (text) against the model: (value, None) or (None, problem)."""
    text = "" if value is None else str(value)
    if name == "last_patient_id" and text.strip() in ("", "None"):
        return None, None
    found, problem = read({name: value if isinstance(value, str) else text}, Preferences, strict=False)
    if problem is not None:
        return None, problem.problem
    chosen = getattr(found, name)
    return (None, problem) if (problem := _beyond_the_model(name, chosen)) else (chosen, None)


def _setting_problem(name: str, value: Any) -> str | None:
    """What is wrong with a value chosen for setting `name`, or None: as the file will read it back."""
    _, problem = read({name: value}, Preferences)
    return problem.problem if problem is not None else _beyond_the_model(name, value)


def _beyond_the_model(name: str, value: Any) -> str | None:
    """What one field's type cannot say: a relay's address must be one."""
    if name != "relay":
        return None
    try:
        RelayAddress.parse(value)
    except RelayAddressError as exc:
        return str(exc)
    return None


class PreferenceStore:
    """Reads and writes `Preferences` in one INI file; `path=None` remembers nothing (tests, demos).

    `problems` lists what could not be read back, one line each (file, setting, problem).
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.problems: list[str] = []
        self._settings = QSettings(str(path), QSettings.Format.IniFormat) if path is not None else None
        self.current = self._read()

    @classmethod
    def in_data_folder(cls, data_dir: Path) -> PreferenceStore:
        """The user's settings, kept with their sessions."""
        return cls(data_dir / SETTINGS_FILE)

    def _read(self) -> Preferences:
        settings = self._settings
        if settings is None:
            return Preferences()
        if settings.status() != QSettings.Status.NoError:
            self.problems.append(tr("{path}: the settings file cannot be read; using the defaults", path=self.path))
            return Preferences()
        values: dict[str, Any] = {}
        for name in SETTINGS:
            if not settings.contains(name):
                continue
            value, problem = _read_setting(name, settings.value(name))
            if problem is None:
                values[name] = value
            else:
                default = getattr(Preferences(), name)
                self.problems.append(tr("{path}: setting {name}: {problem}; using {default}", path=self.path,
                                        name=repr(name), problem=problem, default=repr(default)))  # fmt: skip
        unknown = [key for key in settings.allKeys() if key not in SETTINGS and not key.startswith("windows/")]
        if unknown:  # a damaged file, or one from a newer version: kept, not used
            shown = ", ".join(repr(key[:40]) for key in unknown[:3]) + (" …" if len(unknown) > 3 else "")
            self.problems.append(tr("{path}: settings this version does not know were ignored: {names}",
                                    path=self.path, names=shown))  # fmt: skip
        settings.beginGroup("windows")
        windows = {key: bytes(settings.value(key).data()) for key in settings.childKeys()
                   if isinstance(settings.value(key), QByteArray)}  # fmt: skip
        settings.endGroup()
        return Preferences(**values, windows=windows)

    def update(self, **changes: Any) -> Preferences:
        """Remember these changes now (a crash later loses nothing already chosen); a value the
        settings' model refuses (a name typed with a control character) is used, not remembered."""
        unknown = set(changes) - set(Preferences.__struct_fields__)
        if unknown:
            raise TypeError(f"unknown preferences: {', '.join(sorted(unknown))}")
        kept = {}
        for name, value in changes.items():  # never a file that cannot be read back: held to the model first
            problem = _setting_problem(name, value)
            if problem is None:
                kept[name] = value
            else:
                self.problems.append(tr("{path}: setting {name} not remembered: {problem}", path=self.path,
                                        name=repr(name), problem=problem))  # fmt: skip
        self.current = msgspec.structs.replace(self.current, **kept)
        self._write()
        return self.current

    def keep_window(self, name: str, window: QWidget) -> None:
        """Put `window` back where it was last time, and remember where it is whenever it
        closes or hides (a dialog hides), under `name`."""
        geometry = self.current.windows.get(name)
        if geometry:
            window.restoreGeometry(QByteArray(geometry))
        window.installEventFilter(_GeometryKeeper(self, name, window))

    def remember_window(self, name: str, window: QWidget) -> None:
        """Keep a window's size and position now."""
        geometry = bytes(window.saveGeometry().data())
        if self.current.windows.get(name) != geometry:
            self.update(windows={**self.current.windows, name: geometry})

    def _write(self) -> None:
        settings = self._settings
        if settings is None or self.path is None:
            return
        try:
            private_folder(self.path.parent)
        except OSError as exc:
            self.problems.append(tr("{path}: the settings could not be saved ({problem})", path=self.path.parent,
                                    problem=exc.strerror or exc))  # fmt: skip
            return
        for name in SETTINGS:
            value = getattr(self.current, name)
            settings.setValue(name, "" if value is None else value)
        settings.beginGroup("windows")
        for key, geometry in self.current.windows.items():
            settings.setValue(key, QByteArray(geometry))
        settings.endGroup()
        settings.sync()
        # FormatError here means the old file could not be parsed; the new one was written all the same
        if settings.status() == QSettings.Status.AccessError:
            self.problems.append(tr("{path}: the settings could not be saved (is the disk full?)", path=self.path))
        elif self.path.exists():
            tighten(self.path)


class _GeometryKeeper(QObject):
    """Remembers its window's geometry as the window closes or hides."""

    def __init__(self, store: PreferenceStore, name: str, window: QWidget) -> None:
        super().__init__(window)  # lives and dies with the window
        self.store = store
        self.name = name

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Close, QEvent.Type.Hide) and isinstance(watched, QWidget):
            self.store.remember_window(self.name, watched)
        return False
