"""The wheel: it carries the model and the exercises, and the installed package finds
them inside itself, not in the checkout it was built from."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from coach.measure.landmarks import MODEL_SHA256
from coach.plans.exercises import STANDARD_EXERCISE_IDS

REPO = Path(__file__).resolve().parents[1]
SHIPPED_IDS = sorted(p.stem for p in (REPO / "exercises").glob("*.toml"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    wheels = list(out.glob("facial_symmetry_coach-*.whl"))
    assert len(wheels) == 1, list(out.iterdir())
    return wheels[0]


@pytest.fixture(scope="module")
def unpacked(wheel, tmp_path_factory) -> Path:
    """The wheel unzipped: what `pip install` puts in site-packages."""
    target = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def run_installed(unpacked: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run with only the unpacked wheel on PYTHONPATH (before the editable checkout),
    from a folder that holds neither the checkout nor its data."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FACECOACH_MODEL")}
    env["PYTHONPATH"] = str(unpacked)
    return subprocess.run(list(args), capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_wheel_contents(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        model = archive.read("coach/_data/assets/models/face_landmarker.task")
        entry_points = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
        shipped_tomls = {
            n for n in names if n.startswith("coach/_data/exercises/") and n.endswith(".toml") and n.count("/") == 3
        }
        programmes = {Path(n).stem for n in names if n.startswith("coach/_data/exercises/programmes/")}
    assert hashlib.sha256(model).hexdigest() == MODEL_SHA256  # the published model, byte for byte
    assert {Path(n).stem for n in shipped_tomls} == set(SHIPPED_IDS)
    assert STANDARD_EXERCISE_IDS <= set(SHIPPED_IDS)
    assert programmes == {p.stem for p in (REPO / "exercises" / "programmes").glob("*.toml")} and programmes
    # every module of every layer, and nothing but them
    source_modules = {p.relative_to(REPO).as_posix() for p in (REPO / "coach").rglob("*.py")}
    assert {"coach/__init__.py", "coach/__main__.py", "coach/cli/main.py", "coach/base/resources.py"} <= source_modules
    assert {n for n in names if n.endswith(".py")} == source_modules
    assert "[console_scripts]" in entry_points
    assert "facecoach = coach.cli.main:main" in entry_points
    # only the package and its data; no tests, caches or checkout leftovers
    assert all(n.startswith(("coach/", "facial_symmetry_coach-")) for n in names), sorted(names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_installed_package_finds_its_data_inside_itself(unpacked, tmp_path):
    probe = (
        "import coach, coach.base.resources as r\n"
        "from coach.measure.landmarks import default_model_path, load_model_bytes\n"
        "from coach.plans.exercises import load_exercises\n"
        "print(coach.__file__)\n"
        "print(r.exercises_dir())\n"
        "print(r.assets_dir())\n"
        "print(default_model_path())\n"
        "print(len(load_model_bytes(default_model_path())))\n"
        "print(','.join(sorted(load_exercises())))\n"
    )
    done = run_installed(unpacked, tmp_path, sys.executable, "-c", probe)
    assert done.returncode == 0, done.stderr
    package, exercises, assets, model, model_size, ids = done.stdout.splitlines()
    root = unpacked.resolve()
    assert Path(package).resolve() == root / "coach" / "__init__.py"
    assert Path(exercises).resolve() == root / "coach" / "_data" / "exercises"
    assert Path(assets).resolve() == root / "coach" / "_data" / "assets"
    assert Path(model).resolve() == root / "coach" / "_data" / "assets" / "models" / "face_landmarker.task"
    assert int(model_size) > 1_000_000  # the shipped model loads, digest checked
    assert ids.split(",") == SHIPPED_IDS


def test_installed_cli_help_and_exercises(unpacked, tmp_path):
    done = run_installed(unpacked, tmp_path, sys.executable, "-m", "coach", "--help")
    assert done.returncode == 0, done.stderr
    assert "usage: facecoach" in done.stdout and "analyze" in done.stdout and "--exercises-dir" in done.stdout

    script = Path(sysconfig.get_path("scripts")) / ("facecoach.exe" if os.name == "nt" else "facecoach")
    assert script.is_file(), f"the facecoach command is not installed at {script}"
    done = run_installed(unpacked, tmp_path, str(script), "exercises")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    listed = [line.split()[0] for line in done.stdout.splitlines()]
    assert listed == SHIPPED_IDS and STANDARD_EXERCISE_IDS <= set(listed)

    done = run_installed(unpacked, tmp_path, sys.executable, "-m", "coach", "exercises")
    assert done.returncode == 0 and [line.split()[0] for line in done.stdout.splitlines()] == SHIPPED_IDS
