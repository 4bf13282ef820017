"""Smoke test of the frozen build (after `packaging/build_app.py`): `.venv/bin/python packaging/smoke_test.py`.

1. `analyze` prints the same through the build as through the source install.
2. The app opens its window (offscreen Qt) and quits: 3 starts, median time from launch
   to "window shown" (target ≤ 3 s), with a temporary data folder and HOME.
3. Both again with a bare environment (`env -i`, PATH=/usr/bin:/bin): no Python needed.
4. The tar.gz unpacks, its install.sh writes a menu entry pointing at the unpacked program,
   and that program runs.

Prints the figures and sizes; exits non-zero with one line saying what failed.
"""

from __future__ import annotations

import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
APP_DIR = REPO / "dist" / "facecoach"
PROGRAM = APP_DIR / "facecoach"
CLIP = REPO / "tests" / "data" / "single_face.mp4"
ANALYZE = ["analyze", str(CLIP), "--exercise", "big_smile"]
SHOWN = "window shown"
START_LIMIT_S = 60.0
START_TARGET_S = 3.0
STARTS = 3


class SmokeError(Exception):
    """One line: what failed."""


def version() -> str:
    with (REPO / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def archive_top() -> str:
    return f"facecoach-{version()}-linux-{platform.machine().lower()}"


def bare_env(home: Path, **extra: str) -> dict[str, str]:
    """What `env -i PATH=/usr/bin:/bin HOME=… QT_QPA_PLATFORM=offscreen` leaves: no venv, no PYTHON*."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "QT_QPA_PLATFORM": "offscreen", **extra}


def user_env(home: Path) -> dict[str, str]:
    """This environment, with its own HOME and data folder and no model override."""
    env = {k: v for k, v in os.environ.items() if k not in ("FACECOACH_MODEL", "FACECOACH_DATA_DIR", "XDG_DATA_HOME")}
    env.update(HOME=str(home), FACECOACH_DATA_DIR=str(home / "facecoach-data"), QT_QPA_PLATFORM="offscreen")
    return env


def run(command: list[str], env: dict[str, str], cwd: Path, what: str) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        raise SmokeError(f"{what}: no answer within 300 s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
        raise SmokeError(f"{what}: exit status {done.returncode}: {last}")
    return done


def first_difference(a: str, b: str) -> str:
    for number, (left, right) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False), 1):
        if left != right:
            return f"line {number}: {left!r} vs {right!r}"
    return f"{len(a.splitlines())} vs {len(b.splitlines())} lines"


def check_analysis(home: Path) -> None:
    """The frozen analysis prints exactly what the source one does. Its output has no
    timings (checked: counts, mm, seconds of the clip only), so nothing is normalised."""
    source = run([sys.executable, "-m", "coach", *ANALYZE], user_env(home), REPO, "analyze from source")
    frozen = run([str(PROGRAM), *ANALYZE], user_env(home), home, "analyze in the build")
    bare = run([str(PROGRAM), *ANALYZE], bare_env(home), home, "analyze in the build with env -i")
    if "Summary:" not in source.stdout:
        raise SmokeError(f"analyze from source printed no summary: {source.stdout[:200]!r}")
    for label, result in (("the build", frozen), ("the build with env -i", bare)):
        if result.stdout != source.stdout:
            raise SmokeError(
                f"analyze differs in {label} from source: {first_difference(result.stdout, source.stdout)}"
            )
        if result.stderr != source.stderr:
            raise SmokeError(f"analyze stderr differs in {label}: {first_difference(result.stderr, source.stderr)}")
    print(f"analyze: identical output from source, build and bare build ({len(source.stdout.splitlines())} lines)")


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put((time.monotonic(), line.rstrip("\n")))
    lines.put((time.monotonic(), None))


def start_once(env: dict[str, str], cwd: Path, what: str) -> float:
    """Seconds from launching the app to its "window shown" line; it must then exit 0."""
    command = [str(PROGRAM), "--source", str(CLIP), "--quit-when-shown"]
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    errors: list[str] = []
    threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True).start()
    shown_at = None
    try:
        deadline = started + START_LIMIT_S
        while shown_at is None:
            try:
                at, line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise SmokeError(f"{what}: no {SHOWN!r} within {START_LIMIT_S:.0f} s") from None
            if line is None:
                break
            if line.strip() == SHOWN:
                shown_at = at
        status = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise SmokeError(f"{what}: still running {START_LIMIT_S:.0f} s after launch") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    last = errors[-1].strip() if errors else "(nothing on stderr)"
    if shown_at is None:
        raise SmokeError(f"{what}: exited ({process.returncode}) without printing {SHOWN!r}: {last}")
    if status != 0:
        raise SmokeError(f"{what}: exit status {status} after the window was shown: {last}")
    return shown_at - started


def check_starts(home: Path) -> float:
    times = [start_once(user_env(home), home, f"app start {i + 1}") for i in range(STARTS)]
    median = statistics.median(times)
    verdict = "met" if median <= START_TARGET_S else "NOT met"
    listed = ", ".join(f"{t:.2f}" for t in times)
    print(
        f"startup to window shown: median {median:.2f} s of {STARTS} starts ({listed} s); "
        f"target {START_TARGET_S:.0f} s {verdict}"
    )
    bare_home = home / "bare-home"
    bare_home.mkdir()
    bare = start_once(bare_env(bare_home), bare_home, "app start with env -i")
    print(f"startup with env -i (PATH=/usr/bin:/bin, no Python environment): window shown after {bare:.2f} s")
    return median


def check_archive(home: Path) -> Path:
    """Unpack the tar.gz as a user would, add the menu entry with install.sh, run what it points at."""
    archive = REPO / "dist" / f"{archive_top()}.tar.gz"
    if not archive.is_file():
        raise SmokeError(f"{archive} is missing (run packaging/build_app.py)")
    unpack = home / "Applications"
    unpack.mkdir()
    run(["tar", "xzf", str(archive), "-C", str(unpack)], bare_env(home), home, "unpacking the tar.gz")
    top = unpack / archive_top()
    for name in ("facecoach/facecoach", "facecoach.desktop", "facecoach.png", "install.sh", "INSTALL.txt"):
        if not (top / name).exists():
            raise SmokeError(f"the tar.gz has no {top.name}/{name}")
    run([str(top / "install.sh")], bare_env(home), home, "install.sh")
    entry = home / ".local" / "share" / "applications" / "facecoach.desktop"
    if not entry.is_file() or not (home / ".local/share/icons/hicolor/256x256/apps/facecoach.png").is_file():
        raise SmokeError("install.sh did not write the menu entry and its icon")
    program = top / "facecoach" / "facecoach"
    exec_line = next((line for line in entry.read_text().splitlines() if line.startswith("Exec=")), "")
    if exec_line != f'Exec="{program}"':
        raise SmokeError(f"the menu entry runs {exec_line!r}, not {program}")
    if shutil.which("desktop-file-validate"):
        run(["desktop-file-validate", str(entry)], bare_env(home), home, "desktop-file-validate")
    said = run([str(program), "--version"], bare_env(home), home, "the unpacked program").stdout.strip()
    if said != f"facecoach {version()}":
        raise SmokeError(f"the unpacked program says {said!r}, not 'facecoach {version()}'")
    run([str(top / "install.sh"), "--uninstall"], bare_env(home), home, "install.sh --uninstall")
    if entry.exists():
        raise SmokeError("install.sh --uninstall left the menu entry")
    print(f"tar.gz: unpacks, install.sh adds a menu entry running {program.relative_to(home)}, which runs")
    return archive


def build_listing() -> set[str]:
    return {str(p.relative_to(APP_DIR)) for p in APP_DIR.rglob("*")}


def folder_mb(folder: Path) -> float:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_symlink() or p.is_file()) / 1e6


def main() -> int:
    if not PROGRAM.is_file():
        print(f"smoke_test: FAILED: {PROGRAM} is missing (run packaging/build_app.py first)", file=sys.stderr)
        return 1
    before = build_listing()
    with tempfile.TemporaryDirectory(prefix="facecoach-smoke-") as tmp:
        home = Path(tmp)
        try:
            check_analysis(home)
            check_starts(home)
            archive = check_archive(home)
            written = sorted(build_listing() - before)
            if written:  # user data, caches, .pyc: everything the app writes belongs in HOME
                raise SmokeError(f"the app wrote inside the build folder: {written[0]} ({len(written)} files)")
        except SmokeError as failure:
            print(f"smoke_test: FAILED: {failure}", file=sys.stderr)
            return 1
    print(f"sizes: build folder {folder_mb(APP_DIR):.0f} MB, {archive.name} {archive.stat().st_size / 1e6:.0f} MB")
    print("smoke_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
