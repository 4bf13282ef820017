"""The translator's workflow, one command each (README, "Translating"):

    .venv/bin/python packaging/translations.py extract   # the code's texts -> assets/locale/facecoach.pot
    .venv/bin/python packaging/translations.py update    # each .po: new texts added (empty), gone ones dropped
    .venv/bin/python packaging/translations.py compile   # each .po -> the .mo the app reads, every entry checked
    .venv/bin/python packaging/translations.py add es    # a new language's .po, from the template

The .po files are gettext's: open them in Poedit, Weblate or any PO editor. This is Babel
(`pybabel extract/update/compile`) with the app's keywords and one difference: a "%" in the
app's texts is a per cent sign (placeholders are `{name}`), so Babel's check of %-formats,
which reads "5 % of" as a format and refuses to compile, is not applied; the placeholders
are checked instead (`coach.base.i18n`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from coach.base import i18n  # noqa: E402 - the checkout's own, whatever is installed

LOCALE = ROOT / "assets" / "locale"
TEMPLATE = LOCALE / f"{i18n.DOMAIN}.pot"
#: the functions whose arguments are texts to translate (Babel's keyword specs)
KEYWORDS = {"tr": None, "N_": None, "trn": (1, 2), "Nn_": (1, 2), "trp": ((1, "c"), 2)}
HEADER = {"project": "Facial Symmetry Coach", "copyright_holder": "Facial Symmetry Coach", "msgid_bugs_address": ""}


def _plain(catalog: Catalog) -> Catalog:
    """The catalogue without Babel's guess that a text with a "%" is a %-format."""
    for message in catalog:
        message.flags.discard("python-format")
    return catalog


def _write_po(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as file:
        write_po(file, _plain(catalog), width=100, no_location=True, sort_output=True)


def _read_po(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def languages() -> list[str]:
    """The languages with a catalogue (every one the app speaks but English)."""
    return sorted(p.parent.parent.name for p in LOCALE.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po"))


def extract() -> Catalog:
    """Every text of the package into the template."""
    template = Catalog(**HEADER, version=_version(), fuzzy=False)
    found = extract_from_dir(str(ROOT / "coach"), method_map=[("**.py", "python")], keywords=KEYWORDS)
    with contextlib.redirect_stderr(io.StringIO()):  # Babel notes every f-string inside a call (a value filled
        found = list(found)  # in, not a text); a text that is an f-string fails tests/test_translations.py
    for _file, _line, message, comments, context in found:
        template.add(message, None, [], auto_comments=comments, context=context)
    _write_po(TEMPLATE, template)
    print(f"{TEMPLATE.relative_to(ROOT)}: {len(template)} texts")
    return template


def update() -> None:
    """Each language's catalogue brought in line with the template (no guessing of near matches)."""
    template = _read_po(TEMPLATE)
    for code in languages():
        path = i18n.catalogue_path(code, LOCALE, ".po")
        catalog = _read_po(path, code)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()  # texts the app no longer has
        _write_po(path, catalog)
        print(f"{path.relative_to(ROOT)}: {_untranslated(catalog)} of {len(catalog)} texts to translate")


def compile_catalogues() -> int:
    """Each language's .po compiled to its .mo; fails (exit 1) naming what is missing or wrong."""
    failed = 0
    for code in languages():
        path = i18n.catalogue_path(code, LOCALE, ".po")
        catalog = _read_po(path, code)
        compiled = i18n.catalogue_path(code, LOCALE)
        with compiled.open("wb") as file:
            write_mo(file, catalog)
        missing = _untranslated(catalog)
        try:
            i18n.load_catalogue(code, LOCALE)
        except Exception as exc:
            print(f"{path.relative_to(ROOT)}: {exc}")
            failed += 1
            continue
        print(f"{compiled.relative_to(ROOT)}: {len(catalog) - missing} of {len(catalog)} texts translated")
        failed += missing > 0
    return 1 if failed else 0


def add(code: str) -> None:
    """A new language's catalogue, every text still to translate."""
    path = i18n.catalogue_path(code, LOCALE, ".po")
    if path.exists():
        raise SystemExit(f"{path} exists already: run `update`")
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(locale=code, **HEADER, version=_version(), fuzzy=False)
    catalog.update(_read_po(TEMPLATE), no_fuzzy_matching=True)
    _write_po(path, catalog)
    print(f"{path.relative_to(ROOT)}: {len(catalog)} texts to translate (then add the language to i18n.LANGUAGES)")


def _untranslated(catalog: Catalog) -> int:
    """Texts without a translation, or with one marked fuzzy (to review: a fuzzy one is not compiled)."""
    return sum(1 for message in catalog if message.id and (message.fuzzy or not _translated(message.string)))


def _translated(string: str | tuple[str, ...] | None) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def _version() -> str:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="the code's texts into the template")
    commands.add_parser("update", help="each language's .po in line with the template")
    commands.add_parser("compile", help="each .po into its .mo, checked")
    adding = commands.add_parser("add", help="a new language's .po")
    adding.add_argument("code", help="the language's code, e.g. fr")
    args = parser.parse_args(argv)
    if args.command == "extract":
        extract()
    elif args.command == "update":
        update()
    elif args.command == "add":
        add(args.code)
    else:
        return compile_catalogues()
    return 0


if __name__ == "__main__":
    sys.exit(main())
