"""PyInstaller run-time hook: programs the frozen app starts get the user's own library path.

On Linux the bootloader puts the bundle's folder first on LD_LIBRARY_PATH so that its own
libraries are found, and keeps the user's value in LD_LIBRARY_PATH_ORIG. A program the app
starts (the speech program, e.g. espeak-ng) would otherwise load the bundle's libraries
instead of the system's. The app itself is not affected: the dynamic loader read the
variable when the process started.
"""

import os
import sys

_bundle = getattr(sys, "_MEIPASS", None)
if "LD_LIBRARY_PATH_ORIG" in os.environ:
    os.environ["LD_LIBRARY_PATH"] = os.environ.pop("LD_LIBRARY_PATH_ORIG")
elif _bundle and "LD_LIBRARY_PATH" in os.environ:
    _kept = [p for p in os.environ["LD_LIBRARY_PATH"].split(os.pathsep) if p and p != _bundle]
    if _kept:
        os.environ["LD_LIBRARY_PATH"] = os.pathsep.join(_kept)
    else:
        del os.environ["LD_LIBRARY_PATH"]
