"""Before Qt tries to open a window: which libraries its platform plugin lacks here, which
package brings each, and which platform to use. Qt itself would abort the process.

The libraries are real files: Qt's own plugins, and small ones gcc builds for the test
(one of them then deleted, as a package that is not installed). The end-to-end check, the
app on a real X11 screen without the libraries, is in packaging/smoke_test.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coach.base.system_libraries import install_hint, missing_for, needed_libraries, system_package, unloadable
from coach.gui.display_check import candidate_platforms, forget_opencv_qt_paths, window_problem

QT = Path(__import__("PySide6").__file__).parent / "Qt"


def _readelf_needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-dW", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines() if "(NEEDED)" in line]


@pytest.mark.parametrize(
    "path",
    [
        QT / "plugins" / "platforms" / "libqxcb.so",
        QT / "plugins" / "platforms" / "libqwayland.so",
        QT / "lib" / "libQt6XcbQpa.so.6",
        Path(__import__("cv2").__file__).parent / "cv2.abi3.so",
    ],
    ids=lambda path: path.name,
)
def test_the_needed_libraries_are_read_as_readelf_reads_them(path):
    assert shutil.which("readelf"), "readelf (binutils) is needed to check the reader against"
    expected = _readelf_needed(path)
    assert expected, f"{path} needs nothing? readelf found no NEEDED entry"
    assert needed_libraries(path) == expected


def test_a_file_that_is_not_a_library_claims_nothing(tmp_path):
    text = tmp_path / "notes.so"
    text.write_text("not a library")
    truncated = tmp_path / "truncated.so"
    truncated.write_bytes((QT / "plugins" / "platforms" / "libqxcb.so").read_bytes()[:200])
    assert needed_libraries(text) == []
    assert needed_libraries(truncated) == []
    assert needed_libraries(tmp_path / "absent.so") == []


@pytest.fixture(scope="module")
def plugin_with_a_missing_library(tmp_path_factory) -> tuple[Path, Path]:
    """plugin.so -> libfacecoach-middle.so (beside it) -> libfacecoach-absent.so.1 (deleted)."""
    assert shutil.which("gcc"), "gcc is needed to build the test's libraries"
    folder = tmp_path_factory.mktemp("libs")
    source = folder / "empty.c"
    source.write_text("int facecoach_test_symbol(void) { return 1; }\n")

    def build(name: str, *links: str, soname: str | None = None) -> None:
        command = ["gcc", "-shared", "-fPIC", "-o", str(folder / name), str(source), f"-L{folder}", *links]
        if soname:
            command.insert(3, f"-Wl,-soname,{soname}")
        subprocess.run(command, check=True, capture_output=True)

    build("libfacecoach-absent.so.1", soname="libfacecoach-absent.so.1")
    (folder / "libfacecoach-absent.so").symlink_to("libfacecoach-absent.so.1")
    build("libfacecoach-middle.so", "-Wl,--no-as-needed", "-l:libfacecoach-absent.so", soname="libfacecoach-middle.so")
    build("plugin.so", "-Wl,--no-as-needed", "-l:libfacecoach-middle.so")
    (folder / "libfacecoach-absent.so").unlink()
    (folder / "libfacecoach-absent.so.1").unlink()  # the package that is not installed
    return folder / "plugin.so", folder


def test_a_library_missing_behind_a_bundled_one_is_named(plugin_with_a_missing_library):
    plugin, folder = plugin_with_a_missing_library
    assert needed_libraries(plugin) == ["libfacecoach-middle.so", "libc.so.6"]
    # the app's own folder holds the middle library: what it lacks is what is missing
    assert missing_for(plugin, [folder]) == ["libfacecoach-absent.so.1"]
    # without that folder, the middle library itself cannot be found by the loader
    assert missing_for(plugin, []) == ["libfacecoach-middle.so"]


def test_libraries_the_system_has_load_and_others_do_not():
    assert unloadable(["libc.so.6", "libm.so.6"]) == []
    assert unloadable(["libc.so.6", "libfacecoach-never-installed.so.3"]) == ["libfacecoach-never-installed.so.3"]


def test_the_install_line_names_debian_and_fedora_packages():
    hint = install_hint(["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-randr.so.0", "libxcb-xkb.so.1"])
    assert hint == (
        "sudo apt install libxcb-icccm4 libxcb-keysyms1 libxcb-randr0 libxcb-xkb1 (Debian/Ubuntu) "
        "or sudo dnf install xcb-util-wm xcb-util-keysyms libxcb (Fedora)"
    )
    assert system_package("libxcb-cursor.so.0").debian == "libxcb-cursor0"  # what Ubuntu 22.04 lacks
    assert system_package("libfoo.so.1") is None
    assert install_hint(["libfoo.so.1"]) == (
        "sudo apt install libfoo.so.1 (Debian/Ubuntu) or sudo dnf install libfoo.so.1 (Fedora)"
    )


def test_opencv_s_qt_paths_are_forgotten_and_the_user_s_own_kept():
    """cv2 points Qt at its own Qt 5 plugins on import (Qt 6 then fails to load them)."""
    code = (
        "import os, cv2; from coach.gui.display_check import forget_opencv_qt_paths;"
        "print(os.environ.get('QT_QPA_PLATFORM_PLUGIN_PATH', '')); forget_opencv_qt_paths(os.environ);"
        "print(os.environ.get('QT_QPA_PLATFORM_PLUGIN_PATH', 'gone'), os.environ.get('QT_QPA_FONTDIR', 'gone'))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("QT_QPA")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    set_by_cv2, after = done.stdout.splitlines()
    assert "cv2" in Path(set_by_cv2).parts  # what OpenCV does, checked so the test means something
    assert after == "gone gone"
    own = {"QT_QPA_PLATFORM_PLUGIN_PATH": "/opt/my-qt/plugins"}
    forget_opencv_qt_paths(own)
    assert own == {"QT_QPA_PLATFORM_PLUGIN_PATH": "/opt/my-qt/plugins"}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, ["xcb"]),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, ["wayland", "xcb"]),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ["wayland", "xcb"]),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"}, ["wayland", "xcb"]),
        ({"QT_QPA_PLATFORM": "offscreen"}, ["offscreen"]),
        ({"QT_QPA_PLATFORM": "xcb:nograb"}, ["xcb"]),
    ],
)
def test_platforms_are_tried_in_qt_s_order(environ, expected):
    assert candidate_platforms(environ) == expected


def test_without_a_display_it_says_where_to_run_instead():
    problem = window_problem({"HOME": "/tmp", "XDG_RUNTIME_DIR": "/nonexistent"})
    assert problem is not None and problem.startswith("no graphical display found")
    assert window_problem({"QT_QPA_PLATFORM": "offscreen"}) is None


def _lacking(missing_by_platform: dict[str, list[str]]):
    return lambda platform: missing_by_platform[platform]


def test_a_wayland_session_without_the_x11_helpers_uses_wayland():
    environ = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    lacking = _lacking({"wayland": [], "xcb": ["libxcb-cursor.so.0"]})
    assert window_problem(environ, lacking) is None
    assert "QT_QPA_PLATFORM" not in environ  # Qt's own first choice: left to Qt


def test_a_wayland_session_whose_wayland_plugin_cannot_load_falls_back_to_x11():
    environ = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    lacking = _lacking({"wayland": ["libwayland-cursor.so.0"], "xcb": []})
    assert window_problem(environ, lacking) is None
    assert environ["QT_QPA_PLATFORM"] == "xcb"


def test_when_nothing_can_load_the_x11_packages_are_named():
    environ = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}
    lacking = _lacking({"wayland": ["libwayland-cursor.so.0"], "xcb": ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]})
    problem = window_problem(environ, lacking)
    assert problem == (
        "cannot open a window: Qt's X11 support needs libxcb-icccm.so.4, libxcb-keysyms.so.1, which this computer "
        "lacks. Install them with sudo apt install libxcb-icccm4 libxcb-keysyms1 (Debian/Ubuntu) or sudo dnf install "
        "xcb-util-wm xcb-util-keysyms (Fedora), then start facecoach again"
    )
    assert "\n" not in problem


def test_this_machine_s_qt_plugin_is_checked_for_real():
    """The real lookup on the real X11 plugin: whatever it names, the loader really cannot load."""
    environ = {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}
    problem = window_problem(environ)
    missing = missing_for(QT / "plugins" / "platforms" / "libqxcb.so", [QT / "lib"])
    assert unloadable(missing) == missing
    if missing:
        assert problem is not None and all(name in problem for name in missing)
    else:
        assert problem is None
