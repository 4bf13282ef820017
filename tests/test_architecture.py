"""The code's shape: layers that follow the data flow, Qt only in the GUI, parts small
enough to read (docs/architecture.md says why and where things go).

The import contracts live in pyproject.toml ([tool.importlinter]); these tests run them
on the real package, and once on a copy with a forbidden import added, to show the
contracts catch one.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "coach"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 300
MAX_CLASS_METHODS = 30


def _lint_imports(python_path: Path, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(python_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), str(REPO / "pyproject.toml"), "--cache-dir", str(cache_dir)],
        capture_output=True,
        text=True,
        env=env,
        cwd=python_path,
        timeout=300,
    )


def test_import_contracts_hold(tmp_path):
    done = _lint_imports(REPO, tmp_path / "cache")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 3 kept, 0 broken." in done.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "complaint"),
    [
        ("base/errors.py", "import coach.records.store", "coach.base is not allowed to import coach.records"),
        ("measure/geometry.py", "import PySide6.QtCore", "coach.measure is not allowed to import PySide6"),
        ("gui/widgets.py", "import coach.cli.main", "coach.gui is not allowed to import coach.cli"),
        ("gui/widgets.py", "import coach.records.store", "coach.gui is not allowed to import coach.records.store"),
    ],
)
def test_import_contracts_catch_a_violation(tmp_path, module, bad_import, complaint):
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "coach", ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / "coach" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{bad_import}  # added by the test\n", encoding="utf-8")
    done = _lint_imports(copy, tmp_path / "cache")
    assert done.returncode != 0
    assert complaint in done.stdout, done.stdout


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_modules_are_small_enough_to_read():
    too_long = {}
    for path in _modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            too_long[str(path.relative_to(REPO))] = lines
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_classes_do_one_job():
    too_big = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            lines = node.end_lineno - node.lineno + 1
            methods = sum(isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) for item in node.body)
            if lines > MAX_CLASS_LINES or methods > MAX_CLASS_METHODS:
                too_big.append(f"{path.relative_to(REPO)}:{node.name} ({lines} lines, {methods} methods)")
    assert not too_big, f"classes over {MAX_CLASS_LINES} lines or {MAX_CLASS_METHODS} methods: {too_big}"


def test_every_package_says_what_it_is_for():
    """The first thing a newcomer opens in a folder is its __init__: it names the layer's job."""
    silent = []
    for init in sorted(PACKAGE.rglob("__init__.py")):
        tree = ast.parse(init.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            silent.append(str(init.relative_to(REPO)))
    assert not silent, f"packages without a docstring: {silent}"


@pytest.mark.slow
def test_the_documented_session_runs_with_a_clip_as_the_camera_and_no_window():
    """docs/architecture.md's example, as written: a clip as the camera, commands in from the
    patient and a therapist, the events printed in order; nothing of Qt is needed for it."""
    document = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    (code,) = [block.split("```", 1)[0] for block in document.split("```python\n")[1:]]
    code = "import sys\nsys.modules['PySide6'] = None  # a session needs no Qt\n" + code
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = run.stdout.splitlines()
    assert lines[:3] == [
        "CommandApplied Start from the patient",
        "CommandRefused Resume from the patient: The session is not paused.",
        "SessionStarted {'serial': 1, 'save_results': False, 'source_name': ''}",
    ]
    assert "CommandApplied Pause from the therapist" in lines and "CommandApplied Resume from the patient" in lines
    repetitions = [line for line in lines if line.startswith("RepetitionFinished")]
    assert [line.split(":")[0] for line in repetitions] == [f"RepetitionFinished {n}" for n in (1, 2, 3)]
    assert lines[-2:] == [
        "SessionFinished {'status': 'completed'}",
        "Prompt {'kind': 'done', 'text': 'Session complete. Well done.'}",
    ]
