"""Build the desktop app that runs without Python: `.venv/bin/python packaging/build_app.py`.

Makes, from the checkout this file is in:
  dist/facecoach/                                  PyInstaller one-folder build (packaging/facecoach.spec)
  dist/facecoach-<version>-linux-<arch>.tar.gz     that folder + .desktop file, icon, install.sh, INSTALL.txt

It installs nothing: PyInstaller comes from the `build` extra (`.venv/bin/pip install '.[build]'`).
`build/pyinstaller/` holds PyInstaller's work files. See packaging/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SPEC = HERE / "facecoach.spec"
NAME = "facecoach"
MIN_PYINSTALLER = (6, 6)


def fail(message: str) -> None:
    print(f"build_app: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def project_version() -> str:
    with (REPO / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]["version"]


def archive_name(version: str) -> str:
    """`facecoach-<version>-linux-x86_64`: the tar.gz (without .tar.gz) and the folder inside it."""
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


def run_pyinstaller(dist: Path, work: Path) -> None:
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work), str(SPEC),
    ]  # fmt: skip
    print("build_app: " + " ".join(command), flush=True)
    done = subprocess.run(command, cwd=REPO)
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


def make_archive(app_dir: Path, version: str) -> Path:
    """dist/<archive>.tar.gz: one folder with the build, the menu entry, its icon and how to install."""
    top = archive_name(version)
    target = app_dir.parent / f"{top}.tar.gz"
    partial = target.with_suffix(".gz.partial")
    install_text = (HERE / "INSTALL.txt").read_text(encoding="utf-8")
    for key, value in {"VERSION": version, "ARCH": platform.machine(), "ARCHIVE": target.name, "FOLDER": top}.items():
        install_text = install_text.replace(f"@{key}@", value)
    with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
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
    parser.add_argument("--no-archive", action="store_true", help="build dist/facecoach/ only, no tar.gz")
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
    run_pyinstaller(dist, work)
    check_build(app_dir)
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
