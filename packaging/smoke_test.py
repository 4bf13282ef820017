"""Smoke test of the frozen build (after `packaging/build_app.py`): `.venv/bin/python packaging/smoke_test.py`.

1. `analyze` prints the same through the build as through the source install.
2. The app opens its window (offscreen Qt) and quits: 3 starts, median time from launch
   to "window shown" (target ≤ 3 s), with a temporary data folder and HOME.
3. Both again with a bare environment (`env -i`, PATH=/usr/bin:/bin): no Python needed.
4. A real X11 window on Xvfb, as on a stock desktop that lacks Qt's X11 helper libraries
   (lacking_libraries.py hides the machine's copies): the build opens its window, and a
   screenshot of the screen shows it drawn; the source install says in one line which
   package to install, with exit status 2.
5. The tar.xz unpacks, its install.sh writes a menu entry pointing at the unpacked program,
   and that program runs.

Prints the figures and sizes; exits non-zero with one line saying what failed.
"""

from __future__ import annotations

import os
import platform
import queue
import select
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

import numpy as np

from lacking_libraries import X11_HELPERS, can_hide, system_files, without

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
SCREEN = (1280, 800)
# a drawn window: at least this big on the black screen, in at least this many colours
# (a window Qt failed to paint is one flat colour; text, the video and the buttons give hundreds)
DRAWN_MIN_SIZE = (640, 400)
DRAWN_MIN_COLOURS = 200
SCREENSHOT = REPO / "dist" / "smoke-window-x11.png"


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


def start_once(
    env: dict[str, str], cwd: Path, what: str, hold_s: float = 0.0, on_shown=None, lacking: tuple[str, ...] = ()
) -> float:
    """Seconds from launching the app to its "window shown" line; it must then exit 0.
    `hold_s`: the window stays that long, for `on_shown()` (a screenshot) to look at it;
    `lacking`: system libraries it runs without."""
    command = without(lacking, [str(PROGRAM), "--source", str(CLIP), "--quit-when-shown", str(hold_s)])
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
                if on_shown is not None:
                    on_shown()
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


class Xvfb:
    """A virtual X11 screen of its own (black, 1280x800), whose picture Xvfb keeps in a file
    (-fbdir, XWD format), so a screenshot needs nothing but Xvfb itself."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("Xvfb") is None:
            raise SmokeError("no Xvfb (Debian/Ubuntu: apt-get install xvfb): the X11 window check needs it")
        self.folder = folder
        read_end, write_end = os.pipe()
        width, height = SCREEN
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{width}x{height}x24", "-fbdir", str(folder),
             "-nolisten", "tcp", "-br"],
            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(write_end)
        self.read_end = read_end  # open while Xvfb runs: it writes the number and then a newline, apart
        said, deadline = b"", time.monotonic() + 20.0
        while not said.endswith(b"\n") and select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))[0]:
            chunk = os.read(read_end, 16)
            if not chunk:
                break
            said += chunk
        number = said.decode().strip()
        if not number.isdigit():
            self.close()
            raise SmokeError("Xvfb did not start within 20 s")
        self.display = f":{number}"

    def screenshot(self) -> np.ndarray:
        """The screen now, as an RGB array (the XWD file Xvfb keeps up to date)."""
        return read_xwd(self.folder / "Xvfb_screen0")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self.read_end)


def read_xwd(path: Path) -> np.ndarray:
    """A 24/32-bit TrueColor XWD picture (what Xvfb -fbdir writes) as height x width x RGB."""
    data = path.read_bytes()
    fields = struct.unpack_from(">20I", data, 0)
    header_size, width, height, byte_order, bits_per_pixel, bytes_per_line = (
        fields[0], fields[4], fields[5], fields[7], fields[11], fields[12]
    )  # fmt: skip
    masks, colours = fields[14:17], fields[19]
    if bits_per_pixel != 32:
        raise SmokeError(f"the screen has {bits_per_pixel} bits per pixel; the check reads 32")
    rows = np.frombuffer(data, np.uint8, count=bytes_per_line * height, offset=header_size + 12 * colours)
    pixels = rows.reshape(height, bytes_per_line)[:, : width * 4].copy().view("<u4" if byte_order == 0 else ">u4")
    channels = [(pixels & mask) >> (mask & -mask).bit_length() - 1 for mask in masks]
    return np.stack(channels, axis=-1).astype(np.uint8)


def drawn_window(screen: np.ndarray) -> tuple[bool, str]:
    """Whether the screen shows a drawn window (on Xvfb's black), and what was seen."""
    lit = screen.any(axis=2)
    if not lit.any():
        return False, "the screen is black"
    rows, columns = np.nonzero(lit)
    width, height = columns.max() - columns.min() + 1, rows.max() - rows.min() + 1
    colours = len(np.unique(screen[lit].astype(np.uint32) @ np.array([65536, 256, 1], np.uint32)))
    seen = f"a {width}x{height} window in {colours} colours"
    return width >= DRAWN_MIN_SIZE[0] and height >= DRAWN_MIN_SIZE[1] and colours >= DRAWN_MIN_COLOURS, seen


def check_real_window(home: Path) -> None:
    """The build opens a real X11 window where the system lacks Qt's X11 helper libraries,
    and the window is drawn (a screenshot, saved for people to look at)."""
    present = system_files(X11_HELPERS)
    if present and not can_hide():
        raise SmokeError(f"this machine has {present[0]}; hiding it needs root and unshare")
    with tempfile.TemporaryDirectory(prefix="facecoach-xvfb-") as folder:
        screen = Xvfb(Path(folder))
        try:
            env = {k: v for k, v in bare_env(home / "x11-home").items() if k != "QT_QPA_PLATFORM"}
            env["DISPLAY"] = screen.display
            (home / "x11-home").mkdir()
            looks: list[tuple[bool, str, np.ndarray]] = []

            def look() -> None:  # the window is painted a moment after it is mapped: look for up to 4 s
                for _attempt in range(20):
                    time.sleep(0.2)
                    picture = screen.screenshot()
                    drawn, seen = drawn_window(picture)
                    looks.append((drawn, seen, picture))
                    if drawn:
                        return

            took = start_once(env, home, "app start on X11 (Xvfb)", hold_s=6.0, on_shown=look, lacking=X11_HELPERS)
        finally:
            screen.close()
    drawn, seen, picture = looks[-1]
    from PIL import Image

    Image.fromarray(picture).save(SCREENSHOT)
    if not drawn:
        raise SmokeError(f"the X11 window was not drawn: {seen} (screenshot {SCREENSHOT})")
    print(
        f"real X11 window (Xvfb, without the system's {', '.join(X11_HELPERS)}): shown after {took:.2f} s, "
        f"screenshot shows {seen} ({SCREENSHOT.relative_to(REPO)})"
    )


def check_wayland_window(home: Path) -> None:
    """In a Wayland session (Weston's headless compositor) the build opens its window through
    Qt's Wayland plugin, with no X11 display and without the X11 helpers."""
    if shutil.which("weston") is None:
        raise SmokeError("no weston (Debian/Ubuntu: apt-get install weston): the Wayland window check needs it")
    with tempfile.TemporaryDirectory(prefix="facecoach-wayland-") as runtime:
        os.chmod(runtime, 0o700)
        socket = "facecoach-smoke"
        compositor = subprocess.Popen(
            ["weston", "--backend=headless-backend.so", f"--socket={socket}", "--width=1280", "--height=800",
             "--idle-time=0"],
            env={**bare_env(home), "XDG_RUNTIME_DIR": runtime}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 20.0
            while not Path(runtime, socket).exists():
                if compositor.poll() is not None or time.monotonic() > deadline:
                    raise SmokeError(f"weston did not start (exit status {compositor.poll()})")
                time.sleep(0.1)
            env = {k: v for k, v in bare_env(home).items() if k != "QT_QPA_PLATFORM"}
            env.update(
                XDG_RUNTIME_DIR=runtime, WAYLAND_DISPLAY=socket, XDG_SESSION_TYPE="wayland", QT_DEBUG_PLUGINS="1"
            )
            # (with the supervision window too: its live plots are imported by name, which a build can miss)
            command = without(X11_HELPERS, [str(PROGRAM), "--source", str(CLIP), "--supervise", "--quit-when-shown"])
            done = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True, timeout=120)
        finally:
            compositor.terminate()
            compositor.wait(timeout=10)
    loaded = [line for line in done.stderr.splitlines() if "platforms/" in line and line.endswith("loaded library")]
    if done.returncode != 0 or SHOWN not in done.stdout.splitlines():
        raise SmokeError(f"app start on Wayland (weston): exit {done.returncode}, stdout {done.stdout[-200:]!r}")
    if not loaded or "libqwayland" not in loaded[-1]:
        raise SmokeError(f"app start on Wayland: Qt loaded {loaded or 'no platform plugin'}, not its Wayland plugin")
    print(
        "Wayland session (weston, headless, no X11 display, without the X11 helpers): window shown, Qt's Wayland plugin"
    )


def check_source_says_what_to_install(home: Path) -> None:
    """The source install, on the same desktop without the X11 helpers: one line naming the
    packages, exit status 2, no abort."""
    with tempfile.TemporaryDirectory(prefix="facecoach-xvfb-") as folder:
        screen = Xvfb(Path(folder))
        try:
            env = {**user_env(home), "DISPLAY": screen.display}
            del env["QT_QPA_PLATFORM"]
            command = without(X11_HELPERS, [sys.executable, "-m", "coach", "--source", str(CLIP), "--quit-when-shown"])
            done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
        finally:
            screen.close()
    lines = done.stderr.strip().splitlines()
    expected = ("facecoach: error: cannot open a window: ", "sudo apt install ", "libxcb-icccm4", "xcb-util-wm")
    if done.returncode != 2 or len(lines) != 1 or not all(part in lines[0] for part in expected):
        raise SmokeError(f"the source install without the X11 helpers: exit {done.returncode}, stderr {lines[:3]!r}")
    print(f"source install without the X11 helpers: exit 2 and one line: {lines[0]}")


def check_archive(home: Path) -> Path:
    """Unpack the tar.xz as a user would, add the menu entry with install.sh, run what it points at."""
    archive = REPO / "dist" / f"{archive_top()}.tar.xz"
    if not archive.is_file():
        raise SmokeError(f"{archive} is missing (run packaging/build_app.py)")
    unpack = home / "Applications"
    unpack.mkdir()
    run(["tar", "xf", str(archive), "-C", str(unpack)], bare_env(home), home, "unpacking the tar.xz")
    top = unpack / archive_top()
    for name in ("facecoach/facecoach", "facecoach.desktop", "facecoach.png", "install.sh", "INSTALL.txt"):
        if not (top / name).exists():
            raise SmokeError(f"the tar.xz has no {top.name}/{name}")
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
    print(f"tar.xz: unpacks, install.sh adds a menu entry running {program.relative_to(home)}, which runs")
    return archive


def build_listing() -> set[str]:
    return {str(p.relative_to(APP_DIR)) for p in APP_DIR.rglob("*")}


def folder_sizes(folder: Path) -> tuple[float, float]:
    """MB of the files' bytes (links as links), and MiB they take on disk (as `du -sm` says:
    some libraries patched by auditwheel have holes that take no disk)."""
    entries = [p.lstat() for p in folder.rglob("*") if p.is_symlink() or p.is_file()]
    return sum(e.st_size for e in entries) / 1e6, sum(e.st_blocks * 512 for e in entries) / 2**20


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
            check_real_window(home)
            check_wayland_window(home)
            check_source_says_what_to_install(home)
            archive = check_archive(home)
            written = sorted(build_listing() - before)
            if written:  # user data, caches, .pyc: everything the app writes belongs in HOME
                raise SmokeError(f"the app wrote inside the build folder: {written[0]} ({len(written)} files)")
        except SmokeError as failure:
            print(f"smoke_test: FAILED: {failure}", file=sys.stderr)
            return 1
    files_mb, disk_mib = folder_sizes(APP_DIR)
    print(
        f"sizes: build folder {disk_mib:.0f} MiB on disk ({files_mb:.0f} MB of files), "
        f"{archive.name} {archive.stat().st_size / 1e6:.0f} MB"
    )
    print("smoke_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
