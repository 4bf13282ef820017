"""What the app remembers between starts: camera, mirror, sound, windows, last choices.

One `Preferences` value, read once at start and written when the user changes it. It is
kept with the user's data (`settings.ini` in the data folder), so a data folder moved to
a USB stick or removed by "delete my data" takes the settings with it. A value that does
not read back as its type or range (the file edited by hand, or from a newer version) is
replaced by its default, and the problem is named once, never an error at start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings
from PySide6.QtWidgets import QWidget

from coach.base.i18n import LANGUAGES, tr
from coach.base.private_files import private_folder, tighten
from coach.remote.relay import DEFAULT_RELAY, RelayAddress

SETTINGS_FILE = "settings.ini"
#: who uses this computer, asked on the first start
USES = ("home", "clinic")
TEXT_SCALES_PCT = (100, 125, 150, 175, 200)
CAMERA_NUMBERS = range(10)


@dataclass(frozen=True)
class Preferences:
    """Every remembered choice, with its default on a new computer."""

    camera: int = 0
    mirrored: bool = True
    muted: bool = False
    volume_pct: int = 80
    #: the speech program chosen ("" = the first one found; "tones" = tones only)
    voice: str = ""
    #: "" until the first-run questions were answered
    use: str = ""
    first_run_done: bool = False
    last_patient_id: int | None = None
    last_programme_id: str = ""
    language: str = "en"
    text_scale_pct: int = 100
    #: the clinic's relay for supervision from another place (README: "Supervision from another place")
    relay: str = DEFAULT_RELAY
    #: the name a therapist's app gives the patient's app when pairing ("" until typed once)
    therapist_name: str = ""
    #: saved window geometries (Qt's own bytes), by window name
    windows: dict[str, bytes] = field(default_factory=dict)


def _whole(low: int, high: int) -> Callable[[Any], int]:
    def read(value: Any) -> int:
        number = int(str(value).strip())
        if not low <= number <= high:
            raise ValueError(f"{number} is outside {low}..{high}")
        return number

    return read


def _flag(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"{value!r} is not true or false")


def _one_of(*allowed: str) -> Callable[[Any], str]:
    def read(value: Any) -> str:
        text = str(value)
        if text not in allowed:
            raise ValueError(f"{text!r} is not one of {', '.join(repr(a) for a in allowed)}")
        return text

    return read


def _short_text(value: Any) -> str:
    text = str(value)
    if len(text) > 200 or any(ord(c) < 32 for c in text):
        raise ValueError("not a short line of text")
    return text


def _relay(value: Any) -> str:
    text = _short_text(value)
    RelayAddress.parse(text)  # a RelayAddressError is a ValueError: named, the default used
    return text


def _patient_id(value: Any) -> int | None:
    return None if str(value).strip() in ("", "None") else _whole(1, 2**62)(value)


def _text_scale(value: Any) -> int:
    number = _whole(100, 200)(value)
    if number not in TEXT_SCALES_PCT:
        raise ValueError(f"{number} is not one of {', '.join(map(str, TEXT_SCALES_PCT))}")
    return number


_READERS: dict[str, Callable[[Any], Any]] = {
    "camera": _whole(CAMERA_NUMBERS.start, CAMERA_NUMBERS.stop - 1),
    "mirrored": _flag,
    "muted": _flag,
    "volume_pct": _whole(0, 100),
    "voice": _short_text,
    "use": _one_of("", *USES),
    "first_run_done": _flag,
    "last_patient_id": _patient_id,
    "last_programme_id": _short_text,
    "language": _one_of(*LANGUAGES),
    "text_scale_pct": _text_scale,
    "relay": _relay,
    "therapist_name": _short_text,
}


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
        for name, read in _READERS.items():
            if not settings.contains(name):
                continue
            try:
                values[name] = read(settings.value(name))
            except (TypeError, ValueError) as exc:
                default = getattr(Preferences(), name)
                self.problems.append(tr("{path}: setting {name}: {problem}; using {default}", path=self.path,
                                        name=repr(name), problem=exc, default=repr(default)))  # fmt: skip
        unknown = [key for key in settings.allKeys() if key not in _READERS and not key.startswith("windows/")]
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
        """Remember these changes now (a crash later loses nothing already chosen)."""
        unknown = set(changes) - {f.name for f in fields(Preferences)}
        if unknown:
            raise TypeError(f"unknown preferences: {', '.join(sorted(unknown))}")
        self.current = replace(self.current, **changes)
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
        for name in _READERS:
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
