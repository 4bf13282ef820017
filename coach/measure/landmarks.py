"""MediaPipe Face Landmarker (Tasks API): 478 unsmoothed landmarks per face, in pixels.

Why IMAGE mode: in VIDEO mode with one face MediaPipe runs a One-Euro filter inside
the graph, which biased a symmetric brow raise to a symmetry of 0.69 (design notes).
IMAGE mode treats every frame on its own, so the landmarks are unsmoothed and frames
can be processed in parallel. `max_faces=2` lets us see a second face and keep
measuring the largest one, consistently.
"""

from __future__ import annotations

import hashlib
import os
import threading
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from coach.base.errors import ModelError
from coach.base.i18n import tr
from coach.base.native import quiet_native_stderr
from coach.base.resources import assets_dir
from coach.capture.sources import Frame
from coach.measure.eye_visibility import glare_fraction

#: SHA-256 of Google's published face_landmarker/float16/1 bundle (assets/models/).
MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
MODEL_ENV_VAR = "FACECOACH_MODEL"
NUM_LANDMARKS = 478


def default_model_path() -> Path:
    return assets_dir() / "models" / "face_landmarker.task"


def resolve_model_path(option: str | Path | None = None) -> Path:
    """The model to load: the command-line option, else $FACECOACH_MODEL, else the shipped one."""
    if option:
        return Path(option).expanduser()
    if os.environ.get(MODEL_ENV_VAR):
        return Path(os.environ[MODEL_ENV_VAR]).expanduser()
    return default_model_path()


def load_model_bytes(path: Path) -> bytes:
    """Read the model bundle once and check it, so what we hash is what we load.

    The shipped model must match its published digest. A model the user chose
    themselves cannot be pinned in advance; it must at least be a Face Landmarker
    bundle.
    """
    shipped = path.resolve() == default_model_path().resolve()
    if not path.is_file():
        raise ModelError(
            tr(
                "landmark model not found at {path} (expected SHA-256 {expected}); reinstall, or point "
                "--model / ${variable} to a face_landmarker.task file",
                path=path,
                expected=MODEL_SHA256,
                variable=MODEL_ENV_VAR,
            )
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if shipped and digest != MODEL_SHA256:
        raise ModelError(
            tr(
                "landmark model {path} is corrupt: SHA-256 {digest}, expected SHA-256 {expected}; "
                "reinstall the package",
                path=path,
                digest=digest,
                expected=MODEL_SHA256,
            )
        )
    try:
        with zipfile.ZipFile(path) as bundle:
            names = set(bundle.namelist())
    except (zipfile.BadZipFile, OSError):
        names = set()
    if "face_landmarks_detector.tflite" not in names:
        raise ModelError(
            tr(
                "{path} is not a MediaPipe Face Landmarker bundle (SHA-256 {digest}); "
                "the shipped model has expected SHA-256 {expected}",
                path=path,
                digest=digest,
                expected=MODEL_SHA256,
            )
        )
    return data


def _c_landmark_layout(landmarker: object) -> np.dtype | None:
    """NumPy view of MediaPipe's C landmark struct, if this mediapipe exposes it."""
    import ctypes

    try:
        from mediapipe.tasks.python.components.containers import landmark_c

        struct = landmark_c.MpNormalizedLandmarkC
        landmarker._lib.MpFaceLandmarkerDetectImage  # noqa: B018 - probing the C API exists
        landmarker._handle  # noqa: B018
        offsets = [struct.x.offset, struct.y.offset, struct.z.offset]
    except (ImportError, AttributeError):
        return None
    return np.dtype(
        {"names": ["x", "y", "z"], "formats": ["<f4"] * 3, "offsets": offsets, "itemsize": ctypes.sizeof(struct)}
    )


class LandmarkDetector:
    """One MediaPipe Face Landmarker. Not thread-safe: use one per thread."""

    def __init__(self, model_bytes: bytes, max_faces: int = 2) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=model_bytes),
            running_mode=vision.RunningMode.IMAGE,
            num_faces=max_faces,
            output_face_blendshapes=False,
            output_facial_transformation_matrixes=False,
        )
        try:
            with quiet_native_stderr():
                self._landmarker = vision.FaceLandmarker.create_from_options(options)
        except (RuntimeError, ValueError) as exc:
            raise ModelError(tr("the landmark model could not be loaded: {problem}", problem=exc)) from exc
        self._fast = _c_landmark_layout(self._landmarker)

    def detect(self, image_rgb: np.ndarray) -> list[np.ndarray]:
        """All faces in the picture, each as a (478, 3) array in pixel units.

        x and y are pixels; z is MediaPipe's relative depth scaled by the image width
        (its own convention), so the three axes share one unit.
        """
        import mediapipe as mp

        height, width = image_rgb.shape[:2]
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(image_rgb))
        normalised = self._detect_fast(image) if self._fast else self._detect_public(image)
        scale = np.array([width, height, width], dtype=np.float64)
        return [points * scale for points in normalised if len(points) == NUM_LANDMARKS]

    def _detect_public(self, image: object) -> list[np.ndarray]:
        result = self._landmarker.detect(image)
        return [np.array([(p.x, p.y, p.z) for p in face], dtype=np.float64) for face in result.face_landmarks]

    def _detect_fast(self, image: object) -> list[np.ndarray]:
        """The same call as `FaceLandmarker.detect`, reading the landmarks straight from
        the C result into NumPy. The public wrapper builds 478 Python objects per face,
        2.6 of the ~21 ms a frame costs here, under the GIL. Used only where this
        mediapipe has the C result layout we know (mediapipe ≥ 1.0); checked
        against the public path by the tests."""
        import ctypes

        from mediapipe.tasks.python.vision import face_landmarker as mp_face_landmarker

        result = mp_face_landmarker.MpFaceLandmarkerResultC()
        lib = self._landmarker._lib
        lib.MpFaceLandmarkerDetectImage(self._landmarker._handle, image._image_ptr, None, ctypes.byref(result))
        try:
            faces = []
            for i in range(result.face_landmarks_count):
                landmarks = result.face_landmarks[i]
                count = landmarks.landmarks_count
                raw = ctypes.string_at(landmarks.landmarks, count * self._fast.itemsize)
                table = np.frombuffer(raw, dtype=self._fast, count=count)
                faces.append(np.stack([table["x"], table["y"], table["z"]], axis=1).astype(np.float64))
            return faces
        finally:
            lib.MpFaceLandmarkerCloseResult(ctypes.byref(result))

    def close(self) -> None:
        self._landmarker.close()

    def __enter__(self) -> LandmarkDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def face_size_px(points_px: np.ndarray) -> float:
    """Area of the face's bounding box in the image, to pick the largest face."""
    span = points_px[:, :2].max(axis=0) - points_px[:, :2].min(axis=0)
    return float(span[0] * span[1])


class FaceSelector:
    """Chooses which face to measure when several are seen: the largest, consistently.

    Consistently means we keep following the face we measured last (nearest centre)
    unless another face becomes clearly larger, so a second person passing by does
    not make the measurement jump between faces.
    """

    SWITCH_RATIO = 1.3

    def __init__(self) -> None:
        self._last_centre: np.ndarray | None = None

    def choose(self, faces: list[np.ndarray]) -> np.ndarray | None:
        if not faces:
            return None
        sizes = [face_size_px(f) for f in faces]
        largest = int(np.argmax(sizes))
        chosen = largest
        if self._last_centre is not None and len(faces) > 1:
            centres = [f[:, :2].mean(axis=0) for f in faces]
            nearest = int(np.argmin([np.linalg.norm(c - self._last_centre) for c in centres]))
            if sizes[largest] < self.SWITCH_RATIO * sizes[nearest]:
                chosen = nearest
        self._last_centre = faces[chosen][:, :2].mean(axis=0)
        return faces[chosen]


@dataclass(frozen=True)
class FrameLandmarks:
    """What the landmarker saw in one frame: every face, in pixel units."""

    index: int
    timestamp_s: float
    image_size: tuple[int, int]
    faces: list[np.ndarray]
    #: per face, the share of each eye's region (left, right) whited out (`eye_visibility`)
    eye_glare: list[np.ndarray] = field(default_factory=list)


class ParallelLandmarker:
    """Runs landmark detection on a stream of frames on several threads, in order.

    MediaPipe releases the GIL while it infers, so two threads use both cores of a
    small laptop. Results come back in frame order; at most a few frames are in
    flight, so memory stays flat on long videos.
    """

    def __init__(self, model_bytes: bytes, workers: int | None = None, max_faces: int = 2) -> None:
        self.workers = max(1, workers if workers is not None else min(2, os.cpu_count() or 1))
        self._model_bytes = model_bytes
        self._max_faces = max_faces
        self._local = threading.local()
        self._detectors: list[LandmarkDetector] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="landmarker")
        # Load every detector now, on the caller's thread, so load errors surface here.
        for _ in range(self.workers):
            self._detectors.append(LandmarkDetector(model_bytes, max_faces))
        self._free = list(self._detectors)

    def _detect(self, frame: Frame) -> FrameLandmarks:
        detector = getattr(self._local, "detector", None)
        if detector is None:
            with self._lock:
                detector = self._free.pop()
            self._local.detector = detector
        faces = detector.detect(frame.image_rgb)
        glare = [glare_fraction(frame.image_rgb, face) for face in faces]  # where the picture still is
        return FrameLandmarks(frame.index, frame.timestamp_s, frame.size, faces, glare)

    def run(self, frames: Iterable[Frame]) -> Iterator[FrameLandmarks]:
        pending: deque[Future[FrameLandmarks]] = deque()
        for frame in frames:
            pending.append(self._pool.submit(self._detect, frame))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for detector in self._detectors:
            detector.close()

    def __enter__(self) -> ParallelLandmarker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
