"""Every text the app shows can be said in every language it speaks, and the catalogues are sound.

The catalogues are gettext's (`assets/locale`): the template extracted from the code by Babel,
a .po per language as translators edit it, and the .mo the app reads. The source is read
(not run) for every `tr("…")`, `trn("…", "…", n)`, `trp("context", "…")`, `N_("…")` and
`Nn_("…", "…")`: the template must hold exactly those texts (the translator's `extract` was
run), each language's .po must translate every one filling in the same placeholders (and no
text nothing uses), and its .mo must be what `compile` makes of it. A damaged catalogue is
named by file, text and problem.
"""

from __future__ import annotations

import ast
import gettext
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from coach.base import i18n
from coach.base.errors import ResourceError

COACH = Path(i18n.__file__).resolve().parents[1]
#: the languages with a catalogue: every one the app speaks but English
TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.SOURCE_LANGUAGE]
#: the functions whose arguments are texts, and which arguments (context, text)
KEYWORDS = {"tr": (None, (0,)), "N_": (None, (0,)), "trn": (None, (0, 1)), "Nn_": (None, (0, 1)), "trp": (0, (1,))}


def translatable_texts(root: Path = COACH) -> Iterator[tuple[str, Path, int]]:
    """(text, file, line) of every literal handed to tr(), trn(), trp(), N_() or Nn_() in the package
    (a text with a context as "context|text")."""
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in KEYWORDS:
                continue
            context_at, texts_at = KEYWORDS[name]
            context = node.args[context_at].value if context_at is not None else None
            for position in texts_at:
                text = node.args[position] if position < len(node.args) else None
                if isinstance(text, ast.Constant) and isinstance(text.value, str):
                    yield (f"{context}|{text.value}" if context else text.value), path, node.lineno
                elif isinstance(text, ast.JoinedStr):
                    yield "<f-string>", path, node.lineno  # placeholders must be named, not formatted before


def _po(code: str) -> Catalog:
    with i18n.catalogue_path(code, suffix=".po").open("rb") as file:
        return read_po(file, locale=code)


def _texts(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """English text (a plural's each form; "context|text") -> its translations."""
    found: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:  # a guess to review: not compiled, so not a translation yet
            strings = ("",)
        for english in ids:
            found[f"{message.context}|{english}" if message.context else english] = tuple(strings)
    return found


def test_the_template_holds_every_text_of_the_code():
    found = list(translatable_texts())
    assert len(found) > 1000  # the scan really reads the package
    f_strings = [f"{path.relative_to(COACH.parent)}:{line}" for text, path, line in found if text == "<f-string>"]
    assert f_strings == [], "tr() of an f-string cannot be translated; use tr('… {name} …', name=…)"
    with (i18n.locale_folder() / f"{i18n.DOMAIN}.pot").open("rb") as file:
        template = set(_texts(read_po(file)))
    in_code = {text for text, _path, _line in found}
    assert sorted(in_code - template) == [], "run `python packaging/translations.py extract` (README: Translating)"
    assert sorted(template - in_code) == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_text_is_translated_and_every_translation_is_used(code):
    texts = _texts(_po(code))
    found = list(translatable_texts())
    missing = sorted({f"{path.relative_to(COACH.parent)}:{line}: {text!r}" for text, path, line in found
                      if not all(texts.get(text, ("",)))})  # fmt: skip
    assert missing == [], f"texts without a translation ({code}):\n" + "\n".join(missing)
    unused = sorted(set(texts) - {text for text, _path, _line in found})
    assert unused == [], "translations nothing uses any more:\n" + "\n".join(unused)


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_is_the_translators_one_and_sound(code):
    """The .mo the app reads is what `compile` makes of the .po (every entry checked on loading)."""
    compiled = io.BytesIO()
    write_mo(compiled, _po(code))
    fresh = gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))
    assert i18n.entries(i18n.load_catalogue(code)) == i18n.entries(fresh), (
        "run `python packaging/translations.py compile`"
    )


def test_a_language_switch_changes_the_words_fills_in_placeholders_and_counts_by_the_language(tmp_path):
    _compiled(tmp_path, [("Exercise {number} of {count}", "Übung {number} von {count}"),
                         (("{count} session", "{count} sessions"), ("eine Sitzung", "{count} Sitzungen")),
                         (("a word", "May"), "kann")])  # fmt: skip
    try:
        i18n.set_language("de", tmp_path)
        assert i18n.tr("Exercise {number} of {count}", number=2, count=5) == "Übung 2 von 5"
        assert i18n.tr("not in the catalogue") == "not in the catalogue"
        assert [i18n.trn("{count} session", "{count} sessions", n) for n in (1, 2, 0)] == [
            "eine Sitzung", "2 Sitzungen", "0 Sitzungen"]  # fmt: skip
        assert i18n.trp("a word", "May") == "kann" and i18n.tr("May") == "May"  # told apart by the context
        assert i18n.language() == "de"
    finally:
        i18n.set_language("en")
    assert i18n.tr("Exercise {number} of {count}", number=2, count=5) == "Exercise 2 of 5"
    assert i18n.trn("{count} session", "{count} sessions", 1) == "1 session"


def _compiled(folder: Path, entries: list[tuple[object, object]], code: str = "de") -> Path:
    """A language's .mo made of (English, translation) entries; a context as (context, text)."""
    catalog = Catalog(locale=code)
    for english, translated in entries:
        if isinstance(english, tuple) and isinstance(translated, str):
            catalog.add(english[1], translated, context=english[0])
        else:
            catalog.add(english, translated)
    path = i18n.catalogue_path(code, folder)
    path.parent.mkdir(parents=True)
    with path.open("wb") as file:
        write_mo(file, catalog)
    return path


@pytest.mark.parametrize(
    ("english", "translated", "problem"),
    [
        ("Hold {seconds} s", "Halten {sekunden} s", "exactly ['seconds']"),
        ("Start", " ", "empty"),
        ("Start", "Los {", "malformed"),
        (("{count} page", "{count} pages"), ("eine Seite", "{count} Seiten {extra}"), "['extra'], unknown here"),
    ],
)
def test_a_damaged_catalogue_names_the_file_the_text_and_the_problem(tmp_path, english, translated, problem):
    path = _compiled(tmp_path, [(english, translated)])
    with pytest.raises(ResourceError) as caught:
        i18n.set_language("de", tmp_path)
    message = str(caught.value)
    assert str(path) in message and problem in message
    assert i18n.language() == "en"  # the language in use is kept


def test_a_catalogue_that_is_not_one_is_named(tmp_path):
    path = i18n.catalogue_path("de", tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a compiled catalogue at all")
    with pytest.raises(ResourceError, match=r"facecoach\.mo: cannot be read as a compiled gettext catalogue"):
        i18n.load_catalogue("de", tmp_path)
