"""Can Qt open a window on this desktop? Asked before Qt tries, because Qt aborts the whole
process (exit 134, a page of text) when its platform plugin cannot load.

Imports nothing of Qt at the top: `window_problem` runs before the QApplication exists and
only reads where Qt keeps its plugins. Each problem is one line a patient can act on,
naming the system package to install (coach.base.system_libraries knows them).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path

from coach.base.i18n import tr
from coach.base.system_libraries import install_hint, missing_for

# OpenCV's Linux wheel points Qt at its own Qt 5 plugins and fonts when cv2 is imported;
# Qt 6 then tries to load OpenCV's Qt 5 X11 plugin and aborts
_FOREIGN_QT_VARIABLES = ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR")
# platforms that need no desktop (tests, smoke tests): nothing to check
_HEADLESS_PLATFORMS = frozenset({"offscreen", "minimal", "minimalegl", "vnc", "linuxfb", "eglfs", "vkkhrdisplay"})
_PLUGIN_FILES = {"xcb": "libqxcb.so", "wayland": "libqwayland.so"}
# the words for what each platform plugin is, in the one line
_PLATFORM_NAMES = {"xcb": "X11", "wayland": "Wayland"}


def forget_opencv_qt_paths(environ: MutableMapping[str, str]) -> None:
    """Drop the Qt paths that OpenCV set for its own Qt 5 (any path inside a cv2 folder)."""
    for variable in _FOREIGN_QT_VARIABLES:
        value = environ.get(variable, "")
        if value and "cv2" in Path(value).parts:
            del environ[variable]


def candidate_platforms(environ: MutableMapping[str, str]) -> list[str]:
    """The platform plugins Qt will try, in order, as Qt 6 chooses them on Linux: the user's
    QT_QPA_PLATFORM, else Wayland first in a Wayland session, then X11."""
    asked = environ.get("QT_QPA_PLATFORM", "")
    if asked:
        return [part.split(":", 1)[0] for part in asked.split(";") if part]
    wayland_session = environ.get("XDG_SESSION_TYPE") == "wayland" or (
        environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY")
    )
    return ["wayland", "xcb"] if wayland_session else ["xcb"]


def _can_reach(platform: str, environ: MutableMapping[str, str]) -> bool:
    if platform == "xcb":
        return bool(environ.get("DISPLAY"))
    if platform == "wayland":
        runtime = Path(environ.get("XDG_RUNTIME_DIR", "/nonexistent"))
        return bool(environ.get("WAYLAND_DISPLAY")) or (runtime / "wayland-0").exists()
    return True


def window_problem(
    environ: MutableMapping[str, str] | None = None, missing_libraries: Callable[[str], list[str]] | None = None
) -> str | None:
    """None when Qt can open a window here (choosing a platform that works, by setting
    QT_QPA_PLATFORM, when the first choice cannot load); else the one line that says why.

    `missing_libraries(platform)`: what that platform's plugin lacks here (default: read from
    the plugin itself; tests name it)."""
    environ = os.environ if environ is None else environ
    missing_libraries = missing_libraries or _missing_libraries
    forget_opencv_qt_paths(environ)
    if not sys.platform.startswith("linux"):
        return None
    candidates = candidate_platforms(environ)
    if any(platform in _HEADLESS_PLATFORMS for platform in candidates):
        return None
    reachable = [platform for platform in candidates if platform in _PLUGIN_FILES and _can_reach(platform, environ)]
    if not reachable:
        return tr(
            "no graphical display found (DISPLAY is not set): run facecoach from your desktop, "
            "or use `facecoach analyze FILE --exercise ID` to measure a recording"
        )
    missing_by_platform = {platform: missing_libraries(platform) for platform in reachable}
    usable = [platform for platform in reachable if not missing_by_platform[platform]]
    if usable:
        if usable[0] != candidates[0]:
            environ["QT_QPA_PLATFORM"] = usable[0]  # the first that loads, so Qt does not abort on the others
        return None
    platform = reachable[-1] if "xcb" not in reachable else "xcb"  # X11 is what every desktop can fall back to
    missing = missing_by_platform[platform]
    return tr(
        "cannot open a window: Qt's {system} support needs {libraries}, which this computer lacks. "
        "Install them with {command}, then start facecoach again",
        system=_PLATFORM_NAMES[platform],
        libraries=", ".join(missing),
        command=install_hint(missing),
    )


def _missing_libraries(platform: str) -> list[str]:
    """The libraries the platform plugin needs that cannot be loaded here ([] if none, or if
    the plugin cannot be found: then Qt says the rest)."""
    from PySide6.QtCore import QLibraryInfo  # QtCore only: no platform is loaded by this

    plugin = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath), "platforms", _PLUGIN_FILES[platform])
    if not plugin.is_file():
        return []
    qt_libraries = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath))
    bundle = Path(getattr(sys, "_MEIPASS", qt_libraries))  # the desktop build keeps its libraries here
    return missing_for(plugin, [qt_libraries, bundle])
