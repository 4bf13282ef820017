"""Build the desktop app that runs without Python: `.venv/bin/python packaging/build_app.py`.

Makes, from the checkout this file is in:
  dist/facecoach/                                  PyInstaller one-folder build (packaging/facecoach.spec)
  dist/facecoach-<version>-linux-<arch>.tar.xz     that folder + .desktop file, icon, install.sh, INSTALL.txt

It installs nothing: PyInstaller comes from the `build` extra (`.venv/bin/pip install '.[build]'`).
The X11 libraries Qt needs that this machine lacks are fetched as Debian packages
(`apt-get download`, no installing) into `build/system-libraries/` and carried in the build,
so that it opens its window on desktops that lack them too.
`build/pyinstaller/` holds PyInstaller's work files. See packaging/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import lzma
import os
import platform
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))  # the checkout's coach/, for its table of system libraries

from coach.base.system_libraries import install_hint, missing_for, needed_libraries, system_package  # noqa: E402

SPEC = HERE / "facecoach.spec"
NAME = "facecoach"
MIN_PYINSTALLER = (6, 6)
# Qt's desktop platform plugins: what they need must be in the build or on every desktop
PLATFORM_PLUGINS = ("libqxcb.so", "libqwayland.so")
# xz: the archive users download is about a third smaller than gzip's (measured in packaging/README.md)
XZ_PRESET = 9


def fail(message: str) -> None:
    print(f"build_app: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def project_version() -> str:
    with (REPO / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def archive_name(version: str) -> str:
    """`facecoach-<version>-linux-x86_64`: the archive (without .tar.xz) and the folder inside it."""
    return f"{NAME}-{version}-linux-{platform.machine().lower()}"


def check_pyinstaller() -> str:
    if importlib.util.find_spec("PyInstaller") is None:
        fail(
            f"PyInstaller is not installed in {sys.executable}; install the build extra first: "
            ".venv/bin/pip install '.[build]'"
        )
    import PyInstaller

    version = PyInstaller.__version__
    numbers = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    if numbers < MIN_PYINSTALLER:
        fail(f"PyInstaller {version} is too old (the recipe needs >= 6.6): .venv/bin/pip install '.[build]'")
    return version


def check_sources() -> None:
    models = sorted((REPO / "assets" / "models").glob("*.task"))
    if not models:
        fail("no landmark model (assets/models/*.task) in the checkout")
    for model in models:
        with model.open("rb") as f:
            if f.read(64).startswith(b"version https://git-lfs"):
                fail(f"{model} is a Git LFS pointer, not the model: fetch it first")
    for folder in ("assets", "exercises"):
        if not (REPO / folder).is_dir():
            fail(f"{REPO / folder} is missing")


def _qt_folders() -> tuple[Path, Path]:
    """PySide6's Qt plugins and libraries in this environment."""
    qt = Path(importlib.util.find_spec("PySide6").origin).parent / "Qt"
    return qt / "plugins", qt / "lib"


def left_to_the_system(soname: str) -> bool:
    """Libraries PyInstaller never carries, on purpose: the C library and its loader, libxcb,
    OpenGL/EGL, Wayland's client libraries (every desktop has them, matched to its drivers)."""
    from PyInstaller.depend import dylib

    return soname.startswith("ld-linux") or not dylib.include_library(soname)


def fetch_system_libraries(folder: Path) -> Path:
    """The libraries Qt's platform plugins need that this machine lacks, unpacked from their
    Debian packages into `folder` (nothing is installed); returns the folder they are in.

    PyInstaller then finds them there (LD_LIBRARY_PATH) and carries them, as it carries those
    the machine has. Repeated, since a fetched library may need another one."""
    plugins, qt_libraries = _qt_folders()
    unpacked = folder / "root"
    library_dir = unpacked / "usr" / "lib" / f"{platform.machine()}-linux-gnu"
    fetched: set[str] = set()
    for _round in range(4):
        missing = sorted(
            {soname for name in PLATFORM_PLUGINS for soname in missing_for(
                plugins / "platforms" / name, [qt_libraries, library_dir]) if not left_to_the_system(soname)}
        )  # fmt: skip
        if not missing:
            return library_dir
        packages = sorted({system_package(soname).debian for soname in missing if system_package(soname)} - fetched)
        if not packages or shutil.which("apt-get") is None:
            fail(
                f"Qt's window plugins need {', '.join(missing)}, which this machine lacks and cannot fetch; "
                f"install them ({install_hint(missing)}) and build again"
            )
        print(f"build_app: fetching {', '.join(packages)} (for {', '.join(missing)}) to carry in the build", flush=True)
        debs = folder / "debs"
        debs.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["apt-get", "download", *packages], cwd=debs, capture_output=True, text=True)
        if done.returncode != 0:
            fail(f"apt-get download {' '.join(packages)} failed: {done.stderr.strip().splitlines()[-1:]}")
        for deb in debs.glob("*.deb"):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
        fetched.update(packages)
    fail(f"Qt's window plugins still lack {', '.join(missing)} after fetching {', '.join(sorted(fetched))}")
    raise AssertionError  # fail() does not return


def run_pyinstaller(dist: Path, work: Path, system_libraries: Path | None) -> None:
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work), str(SPEC),
    ]  # fmt: skip
    env = dict(os.environ)
    if system_libraries is not None and system_libraries.is_dir():
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(system_libraries), env.get("LD_LIBRARY_PATH")]))
    print("build_app: " + " ".join(command), flush=True)
    done = subprocess.run(command, cwd=REPO, env=env)
    if done.returncode != 0:
        fail(f"PyInstaller failed (exit status {done.returncode}); its messages are above")


def check_build(app_dir: Path) -> None:
    """The program and the data the app looks for at coach/_data/ inside the bundle."""
    program = app_dir / NAME
    if not (program.is_file() and os.access(program, os.X_OK)):
        fail(f"{program} was not built")
    data = app_dir / "_internal" / "coach" / "_data"
    for expected in ("assets/landmark_crosstalk.toml", "exercises/programmes"):
        if not (data / expected).exists():
            fail(f"{data / expected} is missing from the build")
    if not list((data / "assets" / "models").glob("*.task")):
        fail(f"no model in {data / 'assets' / 'models'}")


def check_platform_libraries(app_dir: Path) -> None:
    """Every library Qt's window plugins need is in the build, or is one that PyInstaller
    leaves to the system on purpose (libc, libxcb, OpenGL, Wayland's own: on every desktop)."""
    internal = app_dir / "_internal"
    folders = [internal, internal / "PySide6" / "Qt" / "lib"]
    for name in PLATFORM_PLUGINS:
        plugin = internal / "PySide6" / "Qt" / "plugins" / "platforms" / name
        if not plugin.is_file():
            fail(f"{plugin} is missing from the build")
        to_read, seen = [plugin], set()
        while to_read:
            for soname in needed_libraries(to_read.pop()):
                inside = next((folder / soname for folder in folders if (folder / soname).exists()), None)
                if soname in seen:
                    continue
                seen.add(soname)
                if inside is not None:
                    to_read.append(inside)
                elif not left_to_the_system(soname):
                    fail(f"the build lacks {soname}, which {name} needs (it would have to come from the user's system)")


def _load_segments_aligned(path: Path) -> bool:
    """What the dynamic loader checks first: each loadable segment's file offset and address
    agree modulo its alignment (`strip` can break this in libraries patched by auditwheel)."""
    data = path.read_bytes()[:65536]
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return True
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for index in range(phnum):
        kind, _flags, offset, vaddr, _paddr, _filesz, _memsz, align = struct.unpack_from(
            "<IIQQQQQQ", data, phoff + index * phentsize
        )
        if kind == 1 and align > 1 and (vaddr - offset) % align:
            return False
    return True


def strip_symbols(app_dir: Path) -> int:
    """Remove symbol tables and debug notes nobody uses at run time (`strip --strip-unneeded`),
    keeping a file as it was wherever stripping would break its loading. Returns bytes saved."""
    if shutil.which("strip") is None:
        print("build_app: note: no `strip` on this machine; the build keeps its symbol tables", flush=True)
        return 0
    saved = 0
    for path in sorted(app_dir.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.name == NAME:
            continue
        with path.open("rb") as f:
            if f.read(4) != b"\x7fELF":
                continue
        with tempfile.TemporaryDirectory(dir=app_dir.parent) as tmp:
            stripped = Path(tmp) / path.name
            done = subprocess.run(["strip", "--strip-unneeded", "-o", str(stripped), str(path)], capture_output=True)
            if done.returncode != 0 or not _load_segments_aligned(stripped):
                continue
            saved += path.stat().st_size - stripped.stat().st_size
            shutil.copymode(path, stripped)
            stripped.replace(path)
    return saved


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owner and group as root, so the archive does not carry the builder's account."""
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def _text_member(archive: tarfile.TarFile, name: str, text: str, mode: int) -> None:
    data = text.encode()
    info = _normalised(tarfile.TarInfo(name))
    info.size, info.mode, info.mtime = len(data), mode, int(time.time())
    archive.addfile(info, io.BytesIO(data))


@contextlib.contextmanager
def _xz_writer(target: Path) -> Iterator[IO[bytes]]:
    """A stream whose bytes land xz-compressed in `target`: through the `xz` program on every
    core when there is one (several times faster), else Python's own lzma, on one core."""
    if shutil.which("xz") is None:
        with lzma.open(target, "wb", preset=XZ_PRESET) as stream:
            yield stream
        return
    with target.open("wb") as out:
        xz = subprocess.Popen(["xz", f"-{XZ_PRESET}", "--threads=0", "-c"], stdin=subprocess.PIPE, stdout=out)
        try:
            yield xz.stdin
        finally:
            xz.stdin.close()
            if xz.wait() != 0:
                fail(f"xz failed (exit status {xz.returncode}) while packing {target.name}")


def make_archive(app_dir: Path, version: str) -> Path:
    """dist/<archive>.tar.xz: one folder with the build, the menu entry, its icon and how to install."""
    top = archive_name(version)
    target = app_dir.parent / f"{top}.tar.xz"
    for old in app_dir.parent.glob(f"{NAME}-*.tar.*"):
        old.unlink()  # an archive of an earlier build is not this build
    partial = target.with_suffix(".xz.partial")
    install_text = (HERE / "INSTALL.txt").read_text(encoding="utf-8")
    for key, value in {"VERSION": version, "ARCH": platform.machine(), "ARCHIVE": target.name, "FOLDER": top}.items():
        install_text = install_text.replace(f"@{key}@", value)
    with _xz_writer(partial) as stream, tarfile.open(fileobj=stream, mode="w|") as archive:
        archive.add(app_dir, arcname=f"{top}/{NAME}", filter=_normalised)  # symbolic links stay links
        archive.add(HERE / "facecoach.desktop", arcname=f"{top}/facecoach.desktop", filter=_normalised)
        archive.add(HERE / "icon.png", arcname=f"{top}/facecoach.png", filter=_normalised)
        icon_svg = HERE.parent / "assets" / "icons" / "facecoach.svg"
        archive.add(icon_svg, arcname=f"{top}/facecoach.svg", filter=_normalised)
        _text_member(archive, f"{top}/install.sh", (HERE / "install.sh").read_text(encoding="utf-8"), 0o755)
        _text_member(archive, f"{top}/INSTALL.txt", install_text, 0o644)
    partial.replace(target)
    return target


def folder_size(folder: Path) -> int:
    """Bytes in the folder's files, links counted as links (as they are unpacked)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_symlink() or p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-archive", action="store_true", help="build dist/facecoach/ only, no tar.xz")
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("build_app: note: only the Linux build is tested; no archive is made on this system", flush=True)
        args.no_archive = True
    started = time.monotonic()
    pyinstaller_version = check_pyinstaller()
    check_sources()
    version = project_version()
    dist, work = REPO / "dist", REPO / "build" / "pyinstaller"
    app_dir = dist / NAME
    if app_dir.exists():
        shutil.rmtree(app_dir)  # nothing of an earlier build may survive into this one
    print(f"build_app: facecoach {version} with PyInstaller {pyinstaller_version}, Python {platform.python_version()}")
    system_libraries = fetch_system_libraries(REPO / "build" / "system-libraries") if sys.platform == "linux" else None
    run_pyinstaller(dist, work, system_libraries)
    check_build(app_dir)
    if sys.platform == "linux":
        check_platform_libraries(app_dir)
        print(f"build_app: stripped symbol tables: {strip_symbols(app_dir) / 1e6:.0f} MB saved", flush=True)
    built = time.monotonic()
    print(f"build_app: built {app_dir} ({folder_size(app_dir) / 1e6:.0f} MB) in {built - started:.0f} s", flush=True)
    if not args.no_archive:
        archive = make_archive(app_dir, version)
        print(
            f"build_app: packed {archive} ({archive.stat().st_size / 1e6:.0f} MB) in {time.monotonic() - built:.0f} s"
        )
    print(f"build_app: done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
