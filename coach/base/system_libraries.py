"""Which shared libraries a native file needs, which of them this computer cannot load,
and which system package brings each.

Why: Qt's X11 plugin links a dozen small X libraries that stock desktops do not all have
(Ubuntu 22.04 lacks libxcb-cursor0, Debian 12 lacks libxcb-icccm4 and libxcb-keysyms1).
Without them Qt aborts the whole process with a page of text; the app says instead, in one
line, which package to install. The desktop build uses the same table to fetch the
libraries it carries (packaging/build_app.py).

Linux only (ELF, 64-bit little-endian: x86-64 and aarch64); elsewhere nothing is missing.
"""

from __future__ import annotations

import ctypes
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from coach.base.i18n import tr

_PT_LOAD, _PT_DYNAMIC = 1, 2
_DT_NULL, _DT_NEEDED, _DT_STRTAB = 0, 1, 5

# soname -> (Debian/Ubuntu package, Fedora package). The xcb extension libraries
# (libxcb-randr.so.0 …) follow one rule and are named by `system_package` below.
_PACKAGES: dict[str, tuple[str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-ewmh.so.2": ("libxcb-ewmh2", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libXau.so.6": ("libxau6", "libXau"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
}
_XCB_EXTENSION = re.compile(r"^libxcb-([a-z0-9]+)\.so\.(\d+)$")


@dataclass(frozen=True)
class SystemPackage:
    """The package that brings a library, by distribution family."""

    debian: str
    fedora: str


def system_package(soname: str) -> SystemPackage | None:
    """The package with `soname` on Debian/Ubuntu and Fedora; None if we do not know it."""
    if soname in _PACKAGES:
        return SystemPackage(*_PACKAGES[soname])
    extension = _XCB_EXTENSION.match(soname)
    if extension:  # libxcb-randr.so.0 -> libxcb-randr0 (Debian); all of them are in Fedora's libxcb
        name, version = extension.groups()
        return SystemPackage(f"libxcb-{name}{version}", "libxcb")
    return None


def install_hint(sonames: Iterable[str]) -> str:
    """ "sudo apt install … (Debian/Ubuntu) or sudo dnf install … (Fedora)" for these libraries;
    a library whose package we do not know is named as it is."""
    sonames = list(dict.fromkeys(sonames))
    packages = [system_package(name) for name in sonames]
    debian = list(dict.fromkeys(p.debian if p else name for p, name in zip(packages, sonames, strict=True)))
    fedora = list(dict.fromkeys(p.fedora if p else name for p, name in zip(packages, sonames, strict=True)))
    return tr(
        "{debian} (Debian/Ubuntu) or {fedora} (Fedora)",
        debian=f"sudo apt install {' '.join(debian)}",
        fedora=f"sudo dnf install {' '.join(fedora)}",
    )


def needed_libraries(path: Path) -> list[str]:
    """The DT_NEEDED entries of a 64-bit little-endian ELF file, in order; [] for anything else
    (another format, a damaged file): then nothing can be said, and nothing is claimed."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return []
    try:
        return _needed(data)
    except (struct.error, IndexError, ValueError):
        return []


def _needed(data: bytes) -> list[str]:
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads: list[tuple[int, int, int]] = []  # (vaddr, offset, filesz)
    dynamic: tuple[int, int] | None = None
    for index in range(phnum):
        kind, _flags, offset, vaddr, _paddr, filesz = struct.unpack_from("<IIQQQQ", data, phoff + index * phentsize)
        if kind == _PT_LOAD:
            loads.append((vaddr, offset, filesz))
        elif kind == _PT_DYNAMIC:
            dynamic = (offset, filesz)
    if dynamic is None:
        return []
    entries = [struct.unpack_from("<qQ", data, dynamic[0] + at) for at in range(0, dynamic[1], 16)]
    strtab_vaddr = next((value for tag, value in entries if tag == _DT_STRTAB), None)
    if strtab_vaddr is None:
        return []
    strtab = next(
        offset + strtab_vaddr - vaddr for vaddr, offset, size in loads if vaddr <= strtab_vaddr < vaddr + size
    )
    names = []
    for tag, value in entries:
        if tag == _DT_NULL:
            break
        if tag == _DT_NEEDED:
            end = data.index(b"\0", strtab + value)
            names.append(data[strtab + value : end].decode("ascii", "replace"))
    return names


def unloadable(sonames: Iterable[str]) -> list[str]:
    """Those of `sonames` the dynamic loader cannot load here, each named by the library that is
    really missing (a present library may lack one of its own)."""
    missing: list[str] = []
    for soname in sonames:
        try:
            ctypes.CDLL(soname)
        except OSError as exc:  # "libxcb-util.so.1: cannot open shared object file: …"
            first = str(exc).split(":", 1)[0].strip()
            missing.append(Path(first).name if first.startswith(("lib", "/")) and ".so" in first else soname)
    return list(dict.fromkeys(missing))


def missing_for(native_file: Path, bundled: Iterable[Path]) -> list[str]:
    """The libraries that `native_file` (a plugin) needs, directly or through the libraries
    in the `bundled` folders beside it, that this computer cannot load."""
    folders = [folder for folder in bundled if folder.is_dir()]
    to_read, seen, system = [native_file], set(), []
    while to_read:
        current = to_read.pop()
        for soname in needed_libraries(current):
            if soname in seen:
                continue
            seen.add(soname)
            inside = next((folder / soname for folder in folders if (folder / soname).is_file()), None)
            if inside is not None:
                to_read.append(inside)  # the app's own copy: what it needs in turn is what matters
            else:
                system.append(soname)
    return unloadable(system)
