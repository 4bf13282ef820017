"""Reading TOML that a person wrote (exercises, programmes, coefficients) without a traceback.

Why: `tomllib` parses nested arrays recursively, so a value nested a few thousand levels deep
raises RecursionError instead of a TOML error; every caller already turns a TOML error into a
message naming the file, so this turns the one into the other.
"""

from __future__ import annotations

import tomllib
from typing import Any


def parse_toml(text: str) -> dict[str, Any]:
    """`tomllib.loads`, with nesting too deep to parse reported as a `tomllib.TOMLDecodeError`."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        from coach.base.i18n import tr  # here, not above: the translations are read with this module

        raise tomllib.TOMLDecodeError(tr("values are nested too deeply to be read")) from None
