"""Where the shipped data lives: `assets/` and `exercises/`.

In a checkout (or an editable install) they sit beside the `coach/` package; in an
installed wheel they are packed inside it as `coach/_data/…` (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from coach.base.errors import ResourceError

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the coach/ package


def data_dir(name: str) -> Path:
    """Return the folder `name` ("assets" or "exercises"), from a wheel or a checkout."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    from coach.base.i18n import tr  # here, not above: the translations are found through this module

    raise ResourceError(
        tr(
            "the {name}/ folder is missing (looked in {packed} and {checkout}); reinstall the package",
            name=name,
            packed=_PACKAGE_DIR / "_data",
            checkout=_PACKAGE_DIR.parent,
        )
    )


def assets_dir() -> Path:
    return data_dir("assets")


def exercises_dir() -> Path:
    return data_dir("exercises")
