"""Keeping native libraries' own chatter off the user's terminal.

MediaPipe, FFmpeg, libjpeg and OpenCV's camera probe write straight to file
descriptor 2 (they ignore Python and GLOG settings). We explain every failure
ourselves in one line, so their lines are silenced around the short calls that make them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Send fd 2 to /dev/null for the duration; only wrap short calls on one thread."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
