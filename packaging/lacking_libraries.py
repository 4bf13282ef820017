"""Run a program as on a desktop that lacks some system libraries, on a machine that has them.

Why: the packaged app must open its window where stock desktops lack Qt's X11 helper
libraries (libxcb-cursor0 on Ubuntu 22.04, libxcb-icccm4 and libxcb-keysyms1 on Debian 12),
and the source install must say which package to install. A test machine may have some of
them; inside a private mount namespace (`unshare --mount`, as root) each library file is
covered by /dev/null, so the dynamic loader cannot load it, for that one program only.
Nothing on the machine changes. Used by packaging/smoke_test.py and tests/test_display_check.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

# where Debian, Ubuntu and Fedora keep shared libraries
_LIBRARY_FOLDERS = [
    Path("/usr/lib/x86_64-linux-gnu"), Path("/usr/lib/aarch64-linux-gnu"), Path("/usr/lib64"), Path("/usr/lib"),
    Path("/lib/x86_64-linux-gnu"), Path("/lib64"), Path("/lib"),
]  # fmt: skip
# Qt's X11 helper libraries that stock desktops lack (each named in issue reports of Qt 6 apps):
# the build must carry every one of them
X11_HELPERS = (
    "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-image.so.0",
    "libxcb-render-util.so.0", "libxcb-util.so.1", "libxkbcommon-x11.so.0",
)  # fmt: skip


def system_files(sonames: Iterable[str]) -> list[Path]:
    """The files of these libraries in the system's library folders (each one once)."""
    found: dict[str, Path] = {}
    for soname in sonames:
        for folder in _LIBRARY_FOLDERS:
            candidate = folder / soname
            if candidate.exists():
                found.setdefault(os.path.realpath(candidate), candidate)
    return [Path(real) for real in found]


def can_hide() -> bool:
    """Hiding needs root (to mount) and util-linux's unshare."""
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("unshare") is not None


def without(sonames: Iterable[str], command: list[str]) -> list[str]:
    """`command`, run where the system's copies of `sonames` cannot be loaded (those it has
    are covered by /dev/null in a private mount namespace; those it lacks are lacking)."""
    files = system_files(sonames)
    if not files:
        return command
    if not can_hide():
        raise RuntimeError(f"cannot hide {', '.join(map(str, files))}: that needs root and `unshare` (util-linux)")
    script = (
        'for f in "$@"; do case "$f" in --) shift; break;; esac; mount --bind /dev/null "$f"; shift; done; exec "$@"'
    )
    return ["unshare", "--mount", "sh", "-c", script, "sh", *map(str, files), "--", *command]
