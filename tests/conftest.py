"""Shared fixtures: the real model from assets/, the real clips in tests/data/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# windows without a display, on a desktop-sized screen (Qt's offscreen default is 800 × 800,
# smaller than the windows the app opens: a restored window would be squeezed to fit it)
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={Path(__file__).parent / 'offscreen_screen.json'}")

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def model_bytes() -> bytes:
    from coach.measure.landmarks import default_model_path, load_model_bytes

    return load_model_bytes(default_model_path())


@pytest.fixture(scope="session")
def landmarker(model_bytes: bytes):
    """One pair of real MediaPipe landmarkers shared by the whole test session."""
    from coach.measure.landmarks import ParallelLandmarker

    with ParallelLandmarker(model_bytes) as parallel:
        yield parallel


@pytest.fixture(scope="session")
def clip(landmarker, data_dir):
    """The real smile clip's frames and landmarks, for driving a live coaching session."""
    from coaching_driver import find_clip

    return find_clip(landmarker, data_dir)


@pytest.fixture(scope="session")
def smile_sessions_clip(data_dir, tmp_path_factory) -> Path:
    """3.5 s of the man at rest, then smile (2 s) and rest (2 s), four times: real frames."""
    import synthetic

    return synthetic.write_smiles_clip(data_dir, tmp_path_factory.mktemp("clips") / "smiles.avi")


#: the modules `pytest -m "not slow"` leaves out, for a quick run while editing (README): each
#: takes seconds (real windows, a relay and its load, whole clips through the model, killed
#: processes, the accuracy benchmark's faces). CI runs everything.
SLOW_MODULES = frozenset(
    {
        "test_accuracy", "test_bench", "test_busy_database", "test_examination", "test_eyes_hidden",
        "test_full_disk", "test_fuzz", "test_german_errors_records", "test_german_session", "test_grading_form",
        "test_gui", "test_live_kill", "test_preferences", "test_remote", "test_remote_gui", "test_remote_load",
        "test_repetitions_happened", "test_report", "test_snapshots", "test_sound_sink", "test_supervision",
        "test_text_fits", "test_therapist_gui",
    }
)  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
