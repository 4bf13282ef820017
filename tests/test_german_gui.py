"""The live coach in German: its window, menus, first-run pages, guide and About.

The real windows (offscreen) are built with `--language de`; every text a person can
read must be German (`language_check.still_english`). Also the check itself, shared by
every test of the German texts: it finds English, and its stop words are never German.
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from coach.base import i18n
from coach.base.resources import exercises_dir
from coach.capture.sources import VideoFileSource
from coach.gui.app import build_window
from coach.gui.first_run import FirstRunWizard
from coach.gui.help import MODEL_NOTE, GuideDialog, about_html
from coach.session.live import PacedSource
from coach.sound.audio_coach import AudioCoach
from coach.sound.outputs import RecordingOutput

from language_check import STOP_WORDS, po_entries, still_english, texts_of, words_of


@pytest.fixture()
def german():
    yield
    i18n.set_language("en")


#: what each language's walk must read where it should: a button, a wizard page's title, Qt's own "Next"
EXPECTED = {"de": ("Sitzung starten", "Ihre Kamera", "Weiter"), "es": ("Comenzar sesión", "Su cámara", "Siguiente")}


@pytest.mark.parametrize("language", EXPECTED)
def test_the_live_window_and_its_pages_speak_the_language(german, qtbot, tmp_path, model_bytes, data_dir, language):
    clip = data_dir / "single_face.mp4"
    args = argparse.Namespace(exercises_dir=None, programme=None, source=None, loop=True, camera=None,
                              data_dir=tmp_path, language=language)  # fmt: skip
    window, _, _ = build_window(args, model_bytes, audio=AudioCoach(RecordingOutput()),
                                open_source=lambda: PacedSource(lambda: VideoFileSource(clip), loop=True))  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    wizard = FirstRunWizard(window.preferences.current, window.use_camera, lambda: "", lambda pct: None)
    guide = GuideDialog(i18n.language())
    for widget in (wizard, guide):
        qtbot.addWidget(widget)
    about = about_html(Path("/home/anna/.local/share/facecoach"))
    texts = [*texts_of(window), *texts_of(wizard), *texts_of(guide), ("About", about)]
    texts += [("FirstRunWizard page", wizard.page(page).title()) for page in wizard.pageIds()]
    shown = {text for _where, text in texts}
    start, camera, following = EXPECTED[language]
    assert start in shown and camera in shown  # the walk reads the language where it should
    assert wizard.buttonText(QWizard.WizardButton.NextButton).replace("&", "").startswith(following)  # Qt's own
    english = still_english(texts, [MODEL_NOTE], language=language)  # the model's name, as its maker gives it
    assert english == [], "texts still in English:\n" + "\n".join(map(str, english))
    window.close()


def test_the_check_finds_english_left_behind():
    german = ["Sitzung starten", "Übung 2 von 5", "Links (Patient)", "weaker_side muss 'left' sein (siehe --help)"]
    english = ["Start session", "Press the button", ("chart", "Ihre Seite\nLinks (patient's)"),
               "Ziel: 3 Wiederholungen. Therapist's\ntarget: 3"]  # fmt: skip
    found = still_english(german + english)
    why = {(finding.where, finding.text): finding.why for finding in found}
    assert {text for _where, text in why} >= {"Start session", "Press the button", "Links (patient's)"}
    assert not {text for _where, text in why} & {*german, "Ihre Seite"}  # German (and code in it) is not English
    assert "an English text of the catalogue" in why["", "Start session"] and "'session'" in why["", "Start session"]
    assert why["", "Press the button"] == "English word 'the'"
    assert 'chart: "Links (patient\'s)" (English word "patient\'s")' in map(str, found)  # where, what, why
    assert "English wording" in why["", "Therapist's target:"]  # of "Therapist's target: {target}.", wrapped
    # stored texts (names from the records, what was typed) are shown as they are, even cut short
    assert still_english(["Übung: Wrinkle your nose", "Wrinkle your n…"], ["Wrinkle your nose"]) == []


def german_texts() -> dict[str, str]:
    """Every German text the app ships: the catalogue's, the exercise and the programme files'."""
    texts = {f"catalogue {source!r}": german for source, german in po_entries("de")}
    for path in sorted(exercises_dir().rglob("*.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("de", {})
        texts |= {f"{path.name} de.{field}": german for field, german in table.items()}
    return texts


def test_no_stop_word_is_german_the_app_uses():
    """The stop list must not catch German: none of its words is in any German text shipped."""
    texts = german_texts()
    assert len(texts) > 500
    used = {where: sorted(words_of(german) & STOP_WORDS) for where, german in texts.items()}
    assert {where: words for where, words in used.items() if words} == {}
