"""Words in the user's language: one catalogue for every layer (GUI, spoken prompts, reports).

Every user-visible English text goes through `tr`, which looks it up in the active
language's catalogue: `assets/translations/<language>/*.toml`, plain `"English" =
"translation"` lines a translator can read and edit. Texts defined once as constants
are marked with `N_` (it returns them unchanged) and translated where shown, with
`tr(constant)`. Placeholders (`{count}`) are filled in after the lookup, so a
translation may move them. A text missing from a catalogue is shown in English, and
`tests/test_translations.py` fails on it.

Qt's own words (OK, Cancel, Next) come from Qt's translations, loaded by the GUI.
"""

from __future__ import annotations

import string
from pathlib import Path

from coach.base.errors import ResourceError
from coach.base.resources import assets_dir
from coach.base.toml_text import parse_toml

#: the languages the app speaks: code -> name in that language
LANGUAGES = {"en": "English", "de": "Deutsch"}
SOURCE_LANGUAGE = "en"

_active: dict[str, object] = {"code": SOURCE_LANGUAGE, "table": {}}


def N_(text: str) -> str:  # noqa: N802 - the gettext convention translators know
    """Mark a constant for translation; it is translated where shown, with `tr`."""
    return text


def tr(text: str, **fields: object) -> str:
    """`text` in the active language, its `{fields}` filled in (after the lookup)."""
    table = _active["table"]
    assert isinstance(table, dict)
    translated = table.get(text, text)
    return translated.format(**fields) if fields else translated


def language() -> str:
    """The active language's code ("en", "de")."""
    return str(_active["code"])


def set_language(code: str, folder: Path | None = None) -> None:
    """Speak `code` from now on (for texts looked up from now on); raises ResourceError
    naming the file, text and problem if its catalogue is damaged."""
    if code not in LANGUAGES:
        raise ResourceError(f"unknown language {code!r}; known: {', '.join(LANGUAGES)}")
    table = {} if code == SOURCE_LANGUAGE else load_catalogue(code, folder)
    _active["code"], _active["table"] = code, table


def catalogue_folder(code: str, folder: Path | None = None) -> Path:
    return (folder or assets_dir() / "translations") / code


def load_catalogue(code: str, folder: Path | None = None) -> dict[str, str]:
    """Every `"English" = "translation"` of a language, from all of its files, checked."""
    where = catalogue_folder(code, folder)
    files = sorted(where.glob("*.toml"))
    if not files:
        raise ResourceError(f"{where}: no translation files for language {code!r}; reinstall the app")
    table: dict[str, str] = {}
    for path in files:
        try:
            entries = parse_toml(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ResourceError(f"{path}: cannot be read as TOML ({exc})") from exc
        for source, translated in entries.items():
            problem = _entry_problem(source, translated)
            if problem is None and table.get(source, translated) != translated:
                problem = "translated differently in another file of this language"
            if problem:
                raise ResourceError(f"{path}: text {source!r}: {problem}")
            table[source] = str(translated)
    return table


def placeholders(text: str) -> set[str]:
    """The `{names}` a text fills in."""
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def _entry_problem(source: str, translated: object) -> str | None:
    if not isinstance(translated, str):
        return f"the translation must be text in quotes, not {type(translated).__name__}"
    if not translated.strip():
        return "the translation is empty"
    try:
        wanted, given = placeholders(source), placeholders(translated)
    except ValueError as exc:
        return f"a placeholder is malformed ({exc}); write {{name}}, and {{{{ for a brace"
    if wanted != given:
        return f"the translation must fill in exactly {sorted(wanted) or 'no placeholders'}, not {sorted(given)}"
    return None
