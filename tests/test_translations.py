"""Every text the app shows can be said in German, and the German catalogue is sound.

The source is read (not run) for every `tr("…")` and `N_("…")`: each text must have a
German translation filling in the same placeholders, and every translation must still
be used. A damaged catalogue is named by file, text and problem.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from coach.base import i18n
from coach.base.errors import ResourceError

COACH = Path(i18n.__file__).resolve().parents[1]


def translatable_texts(root: Path = COACH) -> Iterator[tuple[str, Path, int]]:
    """(text, file, line) of every literal handed to tr() or N_() in the package."""
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name not in ("tr", "N_"):
                continue
            text = node.args[0]
            if isinstance(text, ast.Constant) and isinstance(text.value, str):
                yield text.value, path, node.lineno
            elif isinstance(text, ast.JoinedStr):
                yield "<f-string>", path, node.lineno  # placeholders must be named, not formatted before


def test_every_text_has_a_german_translation_and_every_translation_is_used():
    german = i18n.load_catalogue("de")
    found = list(translatable_texts())
    assert len(found) > 100  # the scan really reads the package
    f_strings = [f"{path.relative_to(COACH.parent)}:{line}" for text, path, line in found if text == "<f-string>"]
    assert f_strings == [], "tr() of an f-string cannot be translated; use tr('… {name} …', name=…)"
    missing = sorted({f"{path.relative_to(COACH.parent)}:{line}: {text!r}" for text, path, line in found
                      if text not in german})  # fmt: skip
    assert missing == [], "texts without a German translation:\n" + "\n".join(missing)
    unused = sorted(set(german) - {text for text, _path, _line in found})
    assert unused == [], "translations nothing uses any more:\n" + "\n".join(unused)


def test_a_language_switch_changes_the_words_and_fills_in_placeholders(tmp_path):
    folder = tmp_path / "de"
    folder.mkdir()
    (folder / "a.toml").write_text('"Exercise {number} of {count}" = "Übung {number} von {count}"\n', encoding="utf-8")
    try:
        i18n.set_language("de", tmp_path)
        assert i18n.tr("Exercise {number} of {count}", number=2, count=5) == "Übung 2 von 5"
        assert i18n.tr("not in the catalogue") == "not in the catalogue"
        assert i18n.language() == "de"
    finally:
        i18n.set_language("en")
    assert i18n.tr("Exercise {number} of {count}", number=2, count=5) == "Exercise 2 of 5"


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('"Hold {seconds} s" = "Halten {sekunden} s"', "exactly ['seconds']"),
        ('"Start" = ""', "empty"),
        ('"Start" = 3', "text in quotes"),
        ('"Start" = "Los {"', "malformed"),
        ('"Start" = [', "TOML"),
    ],
)
def test_a_damaged_catalogue_names_the_file_the_text_and_the_problem(tmp_path, line, problem):
    folder = tmp_path / "de"
    folder.mkdir()
    (folder / "words.toml").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ResourceError) as caught:
        i18n.set_language("de", tmp_path)
    message = str(caught.value)
    assert str(folder / "words.toml") in message and problem in message
    assert i18n.language() == "en"  # the language in use is kept


def test_two_files_of_one_language_may_not_disagree(tmp_path):
    folder = tmp_path / "de"
    folder.mkdir()
    (folder / "a.toml").write_text('"Start" = "Start"\n', encoding="utf-8")
    (folder / "b.toml").write_text('"Start" = "Los"\n', encoding="utf-8")
    with pytest.raises(ResourceError, match=r"b\.toml.*'Start'.*differently"):
        i18n.load_catalogue("de", tmp_path)
