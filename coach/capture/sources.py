"""Frame sources behind one interface: a camera, a video file, one image, a folder of images.

Every source hands out `Frame`s whose timestamps we own: seconds from the start of the
source, strictly increasing. For files they come from the frame index and the nominal
frame rate (container timestamps can go backwards); for a camera from the monotonic
clock. A video file stands in for the webcam everywhere, through this same interface.
"""

from __future__ import annotations

import os
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# FFmpeg (inside OpenCV) prints its own complaints about damaged files on stderr, on
# top of the SourceError we raise; it reads this when the first video is opened.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET, unless the user set a level

import cv2  # after the environment variable above
import numpy as np

from coach.base.errors import SourceError
from coach.base.i18n import tr, trn
from coach.base.native import quiet_native_stderr

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"})
DEFAULT_SEQUENCE_FPS = 30.0


@dataclass(frozen=True)
class Frame:
    """One picture from a source, RGB, with our own monotonic timestamp."""

    index: int
    timestamp_s: float
    image_rgb: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.image_rgb.shape[1], self.image_rgb.shape[0]


class FrameSource(ABC):
    """A stream of frames. `read()` returns None at the end; failures raise SourceError."""

    #: a short human-readable name ("camera 0", the file name)
    name: str
    #: frames per second the source is meant to be played at (None for a single image)
    nominal_fps: float | None

    @abstractmethod
    def read(self) -> Frame | None: ...

    def close(self) -> None:  # noqa: B027 - most sources hold nothing to release
        """Release the device or file."""

    @property
    def frame_count_hint(self) -> int | None:
        """How many frames the source expects to deliver, if it knows (files only)."""
        return None

    @property
    def warnings(self) -> list[str]:
        """Problems met while reading that did not stop it, for the user to see."""
        return []

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _bgr_to_rgb(image_bgr: np.ndarray) -> np.ndarray:
    if image_bgr.ndim == 2:
        return cv2.cvtColor(image_bgr, cv2.COLOR_GRAY2RGB)
    if image_bgr.shape[2] == 4:
        return cv2.cvtColor(image_bgr, cv2.COLOR_BGRA2RGB)
    return cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)


class VideoFileSource(FrameSource):
    """A video file decoded frame by frame; timestamps are index / nominal fps."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        if not self.path.is_file():
            raise SourceError(tr("cannot open video {path}: no such file", path=self.path))
        with quiet_native_stderr():
            self._capture = cv2.VideoCapture(str(self.path))
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(
                tr("cannot open video {path}: not a video format this machine can decode", path=self.path)
            )
        fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        # Containers sometimes report 0, NaN or absurd rates; fall back to a webcam rate.
        self.nominal_fps = fps if 1.0 <= fps <= 240.0 else DEFAULT_SEQUENCE_FPS
        self._count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0) or None
        self._next_index = 0
        self._warnings: list[str] = []

    @property
    def frame_count_hint(self) -> int | None:
        return self._count

    @property
    def warnings(self) -> list[str]:
        return list(self._warnings)

    def read(self) -> Frame | None:
        ok, image = self._capture.read()
        if not ok or image is None:
            if self._next_index == 0:
                raise SourceError(
                    tr(
                        "cannot read video {path}: no frame could be decoded (the file is damaged or not a video)",
                        path=self.path,
                    )
                )
            # The frame count in the header is an estimate for some containers (a few
            # frames off); far fewer frames means the decoder gave up on damaged data.
            decoded, expected = self._next_index, self._count or 0
            if not self._warnings and expected - decoded >= max(3, 0.1 * expected):
                self._warnings.append(
                    tr(
                        "{file}: decoding stopped after {decoded} of about {expected} frames; "
                        "the rest of the file is damaged or cut short and was left out",
                        file=self.name,
                        decoded=decoded,
                        expected=expected,
                    )
                )
            return None
        frame = Frame(self._next_index, self._next_index / self.nominal_fps, _bgr_to_rgb(image))
        self._next_index += 1
        return frame

    def close(self) -> None:
        self._capture.release()


#: what walking a JPEG's markers found: the image ends (complete), the file ends first
#: (truncated), or a layout we do not know (the decoder decides)
_COMPLETE, _TRUNCATED, _UNKNOWN = "complete", "truncated", "unknown"


def _jpeg_is_truncated(data: bytes) -> bool:
    """True for a JPEG cut short before its end-of-image marker (an interrupted copy or
    download). libjpeg would decode it anyway, the missing part filled in grey, and only
    grumble on stderr.

    Walks the marker segments of the main image up to its end marker, so data appended
    after a complete image (phones add previews and motion clips) is not mistaken for
    damage. Anything it does not understand is left for the decoder to judge.
    """
    if not data.startswith(b"\xff\xd8"):
        return False
    pos = 2
    while isinstance(pos, int):
        pos = _next_jpeg_segment(data, pos)
    return pos == _TRUNCATED


def _next_jpeg_segment(data: bytes, pos: int) -> int | str:
    """Where the segment after the marker at `pos` starts, or how the walk ended."""
    size = len(data)
    if pos >= size:
        return _TRUNCATED
    if data[pos] != 0xFF:
        return _UNKNOWN
    while pos < size and data[pos] == 0xFF:  # fill bytes before a marker
        pos += 1
    if pos >= size:
        return _TRUNCATED
    marker = data[pos]
    pos += 1
    if marker == 0xD9:  # end of image
        return _COMPLETE
    if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
        return pos
    if pos + 2 > size:
        return _TRUNCATED
    length = int.from_bytes(data[pos : pos + 2], "big")
    if length < 2:
        return _UNKNOWN
    pos += length
    return _end_of_scan(data, pos) if marker == 0xDA else pos


def _end_of_scan(data: bytes, pos: int) -> int | str:
    """After a start of scan: entropy-coded data runs up to the next real marker."""
    size = len(data)
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= size:
            return _TRUNCATED
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos = found + (1 if following == 0xFF else 2)
            continue
        return found


def read_image_rgb(path: Path) -> np.ndarray:
    """Read one picture file as RGB, or raise SourceError saying why it cannot be used."""
    if not path.is_file():
        raise SourceError(tr("cannot open image {path}: no such file", path=path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(tr("cannot read image {path}: {problem}", path=path, problem=exc.strerror or exc)) from exc
    if _jpeg_is_truncated(data):
        raise SourceError(tr("cannot read image {path}: the JPEG file is cut short (damaged)", path=path))
    # imdecode rather than imread: same decoding (EXIF orientation included), and it
    # copes with non-ASCII paths on Windows.
    with quiet_native_stderr():
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR) if data else None
    if image is None:
        raise SourceError(tr("cannot read image {path}: the file is damaged or not an image", path=path))
    return _bgr_to_rgb(image)


class ImageSource(FrameSource):
    """A single photo: one frame at t = 0."""

    nominal_fps = None

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self._image = read_image_rgb(self.path)
        self._done = False

    @property
    def frame_count_hint(self) -> int | None:
        return 1

    def read(self) -> Frame | None:
        if self._done:
            return None
        self._done = True
        return Frame(0, 0.0, self._image)


def _natural_key(path: Path) -> tuple[object, ...]:
    """Sort key for file names with numbers: frame2.png before frame10.png."""
    parts = re.split(r"(\d+)", path.name.casefold())
    return tuple((0, int(part), part) if part.isdigit() else (1, 0, part) for part in parts), path.name


class ImageFolderSource(FrameSource):
    """A folder of pictures in name order (numbers by value: frame2 before frame10),
    played as a sequence at `fps`.

    Unreadable files are skipped and listed in `skipped` so the caller can warn.
    """

    def __init__(self, path: str | Path, fps: float = DEFAULT_SEQUENCE_FPS) -> None:
        self.path = Path(path)
        self.name = self.path.name or self.path.resolve().name or str(self.path)
        self.nominal_fps = fps
        try:
            self._files = sorted(
                (p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
                key=_natural_key,
            )
        except OSError as exc:
            raise SourceError(
                tr("cannot use folder {path}: {problem}", path=self.path, problem=exc.strerror or exc)
            ) from exc
        if not self._files:
            raise SourceError(
                tr(
                    "cannot use folder {path}: it holds no image files ({suffixes})",
                    path=self.path,
                    suffixes=", ".join(sorted(IMAGE_SUFFIXES)),
                )
            )
        self.skipped: list[Path] = []
        self._first_problem = ""
        self._position = 0
        self._next_index = 0

    @property
    def frame_count_hint(self) -> int | None:
        return len(self._files)

    def read(self) -> Frame | None:
        while self._position < len(self._files):
            path = self._files[self._position]
            self._position += 1
            try:
                image = read_image_rgb(path)
            except SourceError as exc:
                self.skipped.append(path)
                self._first_problem = self._first_problem or str(exc)
                continue
            frame = Frame(self._next_index, self._next_index / self.nominal_fps, image)
            self._next_index += 1
            return frame
        if self._next_index == 0:
            raise SourceError(
                trn(
                    "cannot use folder {path}: its {count} image file cannot be read ({problem})",
                    "cannot use folder {path}: none of its {count} image files can be read ({problem})",
                    len(self._files),
                    path=self.path,
                    problem=self._first_problem,
                )
            )
        return None


class CameraSource(FrameSource):
    """A webcam by index; timestamps from the monotonic clock since it opened."""

    def __init__(self, index: int = 0) -> None:
        self.index = index
        self.name = f"camera {index}"
        with quiet_native_stderr():
            self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(
                tr(
                    "no camera found at index {index}: connect a camera or give another camera "
                    "index, or use a video file, a photo or a folder of images instead",
                    index=index,
                )
            )
        fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        self.nominal_fps = fps if 1.0 <= fps <= 240.0 else DEFAULT_SEQUENCE_FPS
        self._start = time.monotonic()
        self._last_timestamp = -1.0
        self._next_index = 0

    def read(self) -> Frame | None:
        ok, image = self._capture.read()
        if not ok or image is None:
            raise SourceError(
                tr(
                    "camera {index} stopped delivering frames: check that it is plugged in "
                    "and not used by another program",
                    index=self.index,
                )
            )
        timestamp = max(time.monotonic() - self._start, self._last_timestamp + 1e-6)
        self._last_timestamp = timestamp
        frame = Frame(self._next_index, timestamp, _bgr_to_rgb(image))
        self._next_index += 1
        return frame

    def close(self) -> None:
        self._capture.release()


def open_source(spec: str | Path, sequence_fps: float = DEFAULT_SEQUENCE_FPS) -> FrameSource:
    """Open a source from what a user typed: a camera index, or a video, image or folder path."""
    text = str(spec)
    if text.isdigit():
        return CameraSource(int(text))
    path = Path(text).expanduser()
    if path.is_dir():
        return ImageFolderSource(path, fps=sequence_fps)
    if not path.exists():
        raise SourceError(tr("cannot open {path}: no such file or folder", path=path))
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path)
    return VideoFileSource(path)
