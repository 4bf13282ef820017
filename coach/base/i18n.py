"""Words in the user's language: one catalogue for every layer (GUI, spoken prompts, reports).

The catalogue is gettext's, as translators' tools (Poedit, Weblate, Qt Linguist's lconvert)
expect it: the template `assets/locale/facecoach.pot` (extracted from the code by Babel),
one `assets/locale/<language>/LC_MESSAGES/facecoach.po` per language, compiled to the
`.mo` the app reads (README, "Translating": one command each to extract, update, compile).

Every user-visible English text goes through `tr` (or `trn` where a count decides the words,
with the language's own plural rule; `trp` where one English text needs two translations,
told apart by a context). Texts defined once as constants are marked with `N_` (a pair
with `Nn_`) and translated where shown. Placeholders (`{count}`) are filled in after the
lookup, so a translation may move them. A text missing from a catalogue is shown in
English, and `tests/test_translations.py` fails on it. Dates and numbers are written by
`coach.base.formats` from CLDR (Babel), not from this catalogue.

Qt's own words (OK, Cancel, Next) come from Qt's translations, loaded by the GUI.
"""

from __future__ import annotations

import gettext
import string
from pathlib import Path

from coach.base.errors import ResourceError
from coach.base.resources import assets_dir

#: the languages the app speaks: code -> name in that language
LANGUAGES = {"en": "English", "de": "Deutsch", "es": "Español"}
SOURCE_LANGUAGE = "en"
#: the catalogue's name (gettext's domain): one for the whole app
DOMAIN = "facecoach"
#: gettext's separator between a context and its text, in a compiled catalogue
_CONTEXT = "\x04"

_active: dict[str, object] = {"code": SOURCE_LANGUAGE, "catalogue": gettext.NullTranslations()}


def N_(text: str) -> str:  # noqa: N802 - the gettext convention translators know
    """Mark a constant for translation; it is translated where shown, with `tr`."""
    return text


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - as N_
    """Mark a pair of constants (one, many) for translation; shown with `trn(*pair, count)`."""
    return singular, plural


def _catalogue() -> gettext.NullTranslations:
    catalogue = _active["catalogue"]
    assert isinstance(catalogue, gettext.NullTranslations)
    return catalogue


def tr(text: str, **fields: object) -> str:
    """`text` in the active language, its `{fields}` filled in (after the lookup)."""
    translated = _catalogue().gettext(text)
    return translated.format(**fields) if fields else translated


def trn(singular: str, plural: str, count: int, **fields: object) -> str:
    """The words for `count` of something, by the active language's plural rule (German and
    Spanish have two forms, other languages more), `{count}` and `fields` filled in."""
    return _catalogue().ngettext(singular, plural, count).format(count=count, **fields)


def trp(context: str, text: str, **fields: object) -> str:
    """`text` as meant in `context` (one English word, two meanings), in the active language."""
    translated = _catalogue().pgettext(context, text)
    return translated.format(**fields) if fields else translated


def language() -> str:
    """The active language's code ("en", "de", "es")."""
    return str(_active["code"])


def set_language(code: str, folder: Path | None = None) -> None:
    """Speak `code` from now on (for texts looked up from now on); raises ResourceError
    naming the file, text and problem if its catalogue is damaged."""
    if code not in LANGUAGES:
        raise ResourceError(f"unknown language {code!r}; known: {', '.join(LANGUAGES)}")
    catalogue = gettext.NullTranslations() if code == SOURCE_LANGUAGE else load_catalogue(code, folder)
    _active["code"], _active["catalogue"] = code, catalogue


def locale_folder(folder: Path | None = None) -> Path:
    """Where the catalogues are: `assets/locale` (or `folder`, for tests)."""
    return folder or assets_dir() / "locale"


def catalogue_path(code: str, folder: Path | None = None, suffix: str = ".mo") -> Path:
    """A language's compiled catalogue (`.mo`), or its source (`.po`)."""
    return locale_folder(folder) / code / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def load_catalogue(code: str, folder: Path | None = None) -> gettext.GNUTranslations:
    """A language's compiled catalogue, every entry checked (the placeholders its English fills in)."""
    path = catalogue_path(code, folder)
    try:
        with path.open("rb") as file:
            catalogue = gettext.GNUTranslations(file)
    except FileNotFoundError:
        raise ResourceError(f"{path}: no catalogue for language {code!r}; reinstall the app") from None
    except (OSError, ValueError, UnicodeDecodeError, IndexError) as exc:
        raise ResourceError(f"{path}: cannot be read as a compiled gettext catalogue ({exc})") from exc
    for source, translated in entries(catalogue).items():
        problem = _entry_problem(source, translated)
        if problem:
            raise ResourceError(f"{path}: text {source!r}: {problem}")
    return catalogue


def entries(catalogue: gettext.GNUTranslations) -> dict[str, str]:
    """A compiled catalogue's translations by English text: a plural's forms as `text[n]`,
    a text with a context as `context|text`; the header left out."""
    found: dict[str, str] = {}
    for key, translated in catalogue._catalog.items():
        source, form = (key, None) if isinstance(key, str) else key
        if not source:
            continue
        context, _, text = source.rpartition(_CONTEXT)
        name = f"{context}|{text}" if context else text
        found[name if form is None else f"{name}[{form}]"] = translated
    return found


def placeholders(text: str) -> set[str]:
    """The `{names}` a text fills in."""
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def _entry_problem(source: str, translated: str) -> str | None:
    """What is wrong with one entry: a plural's form may leave out `{count}` ("eine Sitzung")."""
    if not translated.strip():
        return "the translation is empty"
    plural_form = source.endswith("]") and "[" in source
    english = source.rpartition("[")[0] if plural_form else source.rpartition("|")[2]
    try:
        wanted, given = placeholders(english), placeholders(translated)
    except ValueError as exc:
        return f"a placeholder is malformed ({exc}); write {{name}}, and {{{{ for a brace"
    if plural_form:
        wanted, given = wanted - {"count"}, given - {"count"}
        return None if given <= wanted else f"the translation fills in {sorted(given - wanted)}, unknown here"
    if wanted != given:
        return f"the translation must fill in exactly {sorted(wanted) or 'no placeholders'}, not {sorted(given)}"
    return None
