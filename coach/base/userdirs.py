"""Where a user's own data (the session database) lives, without a dependency for it.

The folder follows each platform's convention so that backups and "delete my data"
find it where the user expects; $FACECOACH_DATA_DIR (and the CLI's --data-dir) moves it,
e.g. to a USB stick or a folder the therapist's clinic backs up.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

#: environment variable that overrides the platform's data folder
DATA_DIR_VARIABLE = "FACECOACH_DATA_DIR"


def default_data_dir(*, platform: str | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The per-user data folder for this platform. It is not created here: only writing
    a session should leave a trace on disk.

    `platform` and `environ` default to this machine's (`sys.platform`, `os.environ`);
    they are parameters so every platform's rule can be checked on any machine.
    """
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    override = environ.get(DATA_DIR_VARIABLE)
    if override:
        return Path(override).expanduser()
    if platform == "win32":
        appdata = environ.get("APPDATA")
        base = Path(appdata) if appdata else Path.home() / "AppData" / "Roaming"
        return base / "FaceCoach"
    if platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "FaceCoach"
    # XDG Base Directory spec: a relative $XDG_DATA_HOME is invalid and must be ignored
    xdg_data_home = environ.get("XDG_DATA_HOME")
    if xdg_data_home and Path(xdg_data_home).is_absolute():
        return Path(xdg_data_home) / "facecoach"
    return Path.home() / ".local" / "share" / "facecoach"
