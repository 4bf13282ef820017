"""Frame sources behind one interface: a camera, a video file, one image, a folder of images.

Every source hands out `Frame`s whose timestamps we own: seconds from the start of the
source, strictly increasing. For files they come from the frame index and the nominal
frame rate (container timestamps can go backwards); for a camera from the monotonic
clock. A video file stands in for the webcam everywhere, through this same interface.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from coach.errors import SourceError

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
            raise SourceError(f"cannot open video {self.path}: no such file")
        self._capture = cv2.VideoCapture(str(self.path))
        if not self._capture.isOpened():
            raise SourceError(
                f"cannot open video {self.path}: not a video format this machine can decode"
            )
        fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        # Containers sometimes report 0, NaN or absurd rates; fall back to a webcam rate.
        self.nominal_fps = fps if 1.0 <= fps <= 240.0 else DEFAULT_SEQUENCE_FPS
        self._count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0) or None
        self._next_index = 0

    @property
    def frame_count_hint(self) -> int | None:
        return self._count

    def read(self) -> Frame | None:
        ok, image = self._capture.read()
        if not ok or image is None:
            if self._next_index == 0:
                raise SourceError(
                    f"cannot read video {self.path}: no frame could be decoded "
                    "(the file is damaged or not a video)"
                )
            return None
        frame = Frame(self._next_index, self._next_index / self.nominal_fps, _bgr_to_rgb(image))
        self._next_index += 1
        return frame

    def close(self) -> None:
        self._capture.release()


def read_image_rgb(path: Path) -> np.ndarray:
    """Read one picture file as RGB, or raise SourceError saying why it cannot be used."""
    if not path.is_file():
        raise SourceError(f"cannot open image {path}: no such file")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SourceError(f"cannot read image {path}: the file is damaged or not an image")
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


class ImageFolderSource(FrameSource):
    """A folder of pictures in name order, played as a sequence at `fps`.

    Unreadable files are skipped and listed in `skipped` so the caller can warn.
    """

    def __init__(self, path: str | Path, fps: float = DEFAULT_SEQUENCE_FPS) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.nominal_fps = fps
        self._files = sorted(
            p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
        )
        if not self._files:
            raise SourceError(
                f"cannot use folder {self.path}: it holds no image files "
                f"({', '.join(sorted(IMAGE_SUFFIXES))})"
            )
        self.skipped: list[Path] = []
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
            except SourceError:
                self.skipped.append(path)
                continue
            frame = Frame(self._next_index, self._next_index / self.nominal_fps, image)
            self._next_index += 1
            return frame
        if self._next_index == 0:
            raise SourceError(f"cannot use folder {self.path}: none of its images can be read")
        return None


class CameraSource(FrameSource):
    """A webcam by index; timestamps from the monotonic clock since it opened."""

    def __init__(self, index: int = 0) -> None:
        self.index = index
        self.name = f"camera {index}"
        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            self._capture.release()
            raise SourceError(
                f"no camera found at index {index}: connect a camera, pick another with "
                "--camera N, or use a video file with --source FILE"
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
                f"camera {self.index} stopped delivering frames: check that it is plugged in "
                "and not used by another program"
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
        raise SourceError(f"cannot open {path}: no such file or folder")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path)
    return VideoFileSource(path)
