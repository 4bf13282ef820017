"""Full facial-grading examinations as videos with a known truth, to validate measured Sunnybrook / eFACE suggestions.

    python benchmarks/grading/examination.py [--faces ...] [--ps ...] [--weak ...] [--synkinesis 0.4] [--check]
    python benchmarks/grading/examination.py --tests-data   # the two small examinations in tests/data/

One examination per (face, weak side, p[, synkinesis]), 30 fps: rest 2.0 s, then for each movement in order
raise_brows, gentle_eye_closure, big_smile, snarl, pucker, tight_eye_closure, lower_lip (the app's exercise ids)
two repetitions of: ramp up 0.4 s (raised cosine), hold 1.5 s, ramp down 0.4 s, rest 1.2 s (51 s in all).
The weak side moves (1 − p) of the healthy side. Movements are the accuracy generator's smooth pixel warps with a
known displacement field (benchmarks/accuracy/generator.py: brow 6.4 mm, smile 6.0 mm out + 4.5 mm up, snarl 3.0 mm,
pucker 3.0 mm, lower lip 3.0 mm, eye closures: the upper lid lowered by 80 % / 100 % of the lid gap). Optional
synkinesis: the lid gap of one or both eyes narrowed by a share (e.g. 40 %) during the smile, with its amount.

Faces: ``frontal_neutral`` (TUNING), held back: ``astronaut``, ``blink_face``, ``head_motion`` (frames 40-95 of
head_motion_face.mp4 played back and forth; each frame's warp follows that frame's landmarks). Stills get camera
noise (σ = 2 grey levels) on every frame; the video does not. The mp4 (mp4v) encoder smooths most of that noise
away and adds its own error (about 35 dB PSNR against the clean frames).

Eye closures: the lid warp (generator.LidBump) reads at about 0.7-1.1 of its truth on frontal_neutral and astronaut
but at only 0.4-0.5 on blink_face (its heavy eye make-up stretches into a dark band above the shut lid; the model
reads the eye as still half open), so on ``blink_face`` the closures (and the synkinetic narrowing) are REAL: lid
states from its second real blink (blink_face.mp4 frames 101-112, each moved onto frame 102 by a 2D similarity on
the rigid landmarks: the head drifts up to 2 px), the patient's left half of one real frame joined at the midline to
the right half of another as in benchmarks/accuracy/eyes.py; gentle = 80 % of each eye's deepest real closure,
full = 100 %. blink_face's still is therefore frame 102 (the open frame just before that blink), not frame 0 as in
the accuracy benchmark.

Truth (truth.json beside each video): per movement, the time segments, and per side the true amplitude in mm during
the holds: the product's measure without its cross-talk correction, applied to where the warp put the content under
each landmark (generator.forward) against the unmodified frame's landmarks, both posed into the resting face's
millimetre axes (iris scale 11.7 mm). For the real closures the truth of each eye's landmarks is the model's
reading of the real source frame (as in eyes.py: a closed eye reads a small gap there, not 0). A full lid warp
lowers the upper lid onto the lower one at the same place across the eye, yet the measured gap (mean of three upper
to mean of three lower lid points, which do not sit straight above one another) keeps ~20 % of itself: the truth
says so (gentle ~71 %, full ~80 % of the gap on frontal_neutral). Videos and landmarks are cached in --cache
(default under the system temp dir); a second call is instant.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
for _path in (REPO / "tests", REPO):  # the product (and tests/synthetic.py) from this checkout
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks.accuracy import eyes  # noqa: E402
from benchmarks.accuracy import generator as gen  # noqa: E402
from coach.measure import measures  # noqa: E402
from coach.measure.geometry import RestingFace, mean_shape, rigid_pose  # noqa: E402
from coach.measure.sides import symmetry  # noqa: E402

VERSION = 2  # bump when the videos or their truth change (the cache is keyed on it)
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "facecoach_exam_cache"
FPS = 30.0
REST_S, RAMP_S, HOLD_S, RELAX_S, REPS = 2.0, 0.4, 1.5, 1.2, 2
GOP = 60  # frames between key frames of the mp4 (the encoder's default of 12 makes files 3-4 x larger)

MOVEMENTS = ("raise_brows", "gentle_eye_closure", "big_smile", "snarl", "pucker", "tight_eye_closure", "lower_lip")
#: each generated movement as the product's examination exercise (exercises/programmes/examination.toml)
PRODUCT_EXERCISE = {
    movement: f"exam_{name}"
    for movement, name in zip(
        MOVEMENTS,
        ("brow_lift", "gentle_eye_closure", "smile", "snarl", "pucker", "full_eye_closure", "lower_lip"),
        strict=True,
    )
}
WARP = {
    "raise_brows": "brow",
    "gentle_eye_closure": "eye_gentle",
    "big_smile": "smile",
    "snarl": "snarl",
    "pucker": "pucker",
    "tight_eye_closure": "eye_full",
    "lower_lip": "lower_lip",
}
MEASURE = {
    "raise_brows": "brow_lift_mm",
    "gentle_eye_closure": "eye_closure_mm",
    "big_smile": "commissure_excursion_mm",
    "snarl": "upper_lip_elevation_mm",
    "pucker": "corner_medial_mm",
    "tight_eye_closure": "eye_closure_mm",
    "lower_lip": "lower_lip_depression_mm",
}
ROLE = {"frontal_neutral": "tuning", "astronaut": "held back", "blink_face": "held back", "head_motion": "held back"}
FACES = tuple(ROLE)
REAL_EYES = ("blink_face",)  # faces whose eye closures are real lid states (the warp does not read there)
REAL_LIDS = "blink_face_blink2"  # their source (benchmarks/accuracy/eyes.py): frames 101-112, open at 102
SYNKINESIS_SHARE = 0.4
SIDES = ("left", "right")


@dataclass
class ExamClip:
    """One examination video and its truth (truth.json)."""

    path: Path
    truth: dict


# ---------------------------------------------------------------- timeline
@dataclass
class Timeline:
    """Per frame: which movement (index into MOVEMENTS, −1 at rest) and how much of it (0..1)."""

    fps: float
    movement: np.ndarray
    amount: np.ndarray
    segments: list[dict]  # per movement: its repetitions (frame indices) and analysis window

    @property
    def frames(self) -> int:
        return len(self.movement)


def timeline(fps: float = FPS) -> Timeline:
    """Rest, then two repetitions of each movement; holds are never shorter than HOLD_S."""
    rest, ramp, relax = (round(s * fps) for s in (REST_S, RAMP_S, RELAX_S))
    hold = math.ceil(HOLD_S * fps - 1e-9)
    up = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
    movement, amount = [-1] * rest, [0.0] * rest
    segments = []
    for m in range(len(MOVEMENTS)):
        window_start, reps = len(movement) - (rest if m == 0 else relax), []
        for _ in range(REPS):
            start = len(movement)
            reps.append({"start": start, "hold_start": start + ramp, "hold_end": start + ramp + hold,
                         "end": start + 2 * ramp + hold})  # fmt: skip
            movement += [m] * (2 * ramp + hold) + [-1] * relax
            amount += list(up) + [1.0] * hold + list(up[::-1]) + [0.0] * relax
        segments.append({"reps": reps, "window": (window_start, len(movement))})
    return Timeline(fps, np.array(movement), np.array(amount), segments)


# ---------------------------------------------------------------- faces
#: the landmarks of each eye (lid contour, corners, iris): the only ones a real lid state changes in the truth
EYE_POINTS = {
    side: (*gen.EYE_CORNERS[side], *gen.EYE_UPPER[side], *gen.EYE_LOWER[side], *range(iris, iris + 5))
    for side, iris in (("left", 473), ("right", 468))
}


class RealEyes:
    """blink_face's lid states from its second real blink, joined at the midline (benchmarks/accuracy/eyes.py).

    Its head drifts up to 2 px over the blink, so each source frame is first moved onto the open base frame by a
    2D similarity on the rigid landmarks (`eyes._similarity_2d`), its landmarks with it. Truth: the base frame's
    landmarks, with each eye's own landmarks (`EYE_POINTS`) from that side's registered source frame."""

    def __init__(self, generator: gen.Generator) -> None:
        maker = eyes.EyeClips(generator)
        source = eyes.SOURCES[REAL_LIDS]
        frames, points = maker.frames(source.video), maker.landmarks(source.video)
        self.base, self.ladder = source.base, list(source.span)
        self.points, self.frames = points.copy(), {}
        target = points[self.base, eyes.REGISTRATION_POINTS, :2]
        height, width = frames[self.base].shape[:2]
        for f in [self.base, *self.ladder]:
            move = eyes._similarity_2d(points[f, eyes.REGISTRATION_POINTS, :2], target)
            if f == self.base:
                self.frames[f] = frames[f]
                continue
            self.points[f, :, :2] = points[f, :, :2] @ move[:, :2].T + move[:, 2]
            self.frames[f] = cv2.warpAffine(
                frames[f], move, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
            )
        self.closure = eyes._closure_fractions(self.points, self.base)
        self.deepest = self.closure[self.ladder].max(axis=0)  # per side, the deepest real closure (fraction)
        base = self.points[self.base]
        slope, intercept = np.polyfit(base[list(eyes.NOSE_RIDGE), 1], base[list(eyes.NOSE_RIDGE), 0], 1)
        xs, ys = np.meshgrid(np.arange(width), np.arange(height))
        self.weight_left = np.clip((xs - (slope * ys + intercept)) / (2 * eyes.SEAM_PX) + 0.5, 0, 1)[..., None]

    def sources(self, wanted: dict[str, float]) -> tuple[int, int]:
        """The real frame per side (left, right) whose lid is closed nearest to the wanted fraction."""
        return tuple(  # type: ignore[return-value]
            self.base
            if wanted.get(side, 0.0) < 0.02
            else min(self.ladder, key=lambda f, k=k, side=side: abs(self.closure[f, k] - wanted[side]))
            for k, side in enumerate(SIDES)
        )

    def image(self, sources: tuple[int, int]) -> np.ndarray:
        """The patient's left half (image right) from one registered frame, the right half from the other."""
        left, right = (self.frames[s].astype(np.float32) for s in sources)
        return np.clip(self.weight_left * left + (1 - self.weight_left) * right + 0.5, 0, 255).astype(np.uint8)

    def landmarks(self, sources: tuple[int, int]) -> np.ndarray:
        """True positions: the base frame's, each eye's own landmarks from its source."""
        out = self.points[self.base].copy()
        for side, source in zip(SIDES, sources, strict=True):
            out[list(EYE_POINTS[side])] = self.points[source, list(EYE_POINTS[side])]
        return out


@dataclass
class Face:
    """The unmodified frames of a face and the model's reading of them."""

    name: str
    images: list[np.ndarray]
    points: np.ndarray  # (K, 478, 3)
    still: bool
    real_eyes: RealEyes | None = None

    def index(self, frame: int) -> int:
        """Stills: 0; a video is played back and forth."""
        k = len(self.images)
        if k == 1:
            return 0
        period = 2 * (k - 1)
        i = frame % period
        return i if i < k else period - i


def load_face(generator: gen.Generator, name: str) -> Face:
    if name in REAL_EYES:
        real = RealEyes(generator)
        return Face(name, [real.frames[real.base]], real.points[[real.base]], True, real)
    images, still = generator.base(name)
    return Face(name, images, generator.orig_landmarks(name), still)


# ---------------------------------------------------------------- frames
def warp(image: np.ndarray, fld: gen.Field, step: int = 8) -> np.ndarray:
    """`generator.apply_field`, computed only where the field moves anything (found on a coarse grid)."""
    if not fld.bumps:
        return image.copy()
    h, w = image.shape[:2]
    xs, ys = np.arange(0, w + step, step).clip(max=w - 1), np.arange(0, h + step, step).clip(max=h - 1)
    cx, cy = np.meshgrid(xs.astype(np.float64), ys.astype(np.float64))
    moving = np.abs(fld(np.stack([cx, cy], -1))).max(-1) > 1e-3
    if not moving.any():
        return image.copy()
    rows, cols = np.nonzero(moving.any(1))[0], np.nonzero(moving.any(0))[0]
    y0, y1 = max(0, ys[max(rows[0] - 2, 0)]), min(h, ys[min(rows[-1] + 2, len(ys) - 1)] + 1)
    x0, x1 = max(0, xs[max(cols[0] - 2, 0)]), min(w, xs[min(cols[-1] + 2, len(xs) - 1)] + 1)
    gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64))
    displacement = fld(np.stack([gx, gy], -1))
    out = image.copy()
    map_x = (gx - displacement[..., 0]).astype(np.float32)
    map_y = (gy - displacement[..., 1]).astype(np.float32)
    out[y0:y1, x0:x1] = cv2.remap(image, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)
    return out


@dataclass
class Spec:
    """What one examination shows."""

    face: str
    weak: str | None
    p: float
    eye_narrowing: dict[str, float]  # synkinesis during the smile: side → share of the lid gap
    fps: float = FPS
    size: int | None = None  # square output size (None: the face's own, 480)

    @property
    def key(self) -> str:
        synk = "".join(f"_synk{side[0]}{share:g}" for side, share in sorted(self.eye_narrowing.items()))
        size = f"_{self.size}px" if self.size else ""
        return f"exam_v{VERSION}_{self.face}_{self.weak}_{self.p:g}{synk}_{self.fps:g}fps{size}"


def _frame(face: Face, spec: Spec, movement: int, amount: float, frame: int) -> tuple[tuple, gen.Field, np.ndarray]:
    """(cache key of the picture, the warp, the landmarks the warp moves) of one frame."""
    k = face.index(frame)
    points = face.points[k]
    if movement < 0 or amount <= 0:
        return ("rest", k), gen.Field(), points
    exercise = MOVEMENTS[movement]
    name = WARP[exercise]
    narrowing = spec.eye_narrowing if exercise == "big_smile" else None
    if face.real_eyes is not None and (name in gen.EYE_CLOSURE or narrowing):
        real = face.real_eyes
        if name in gen.EYE_CLOSURE:
            level = {s: gen.EYE_CLOSURE[name] * (1 - spec.p if s == spec.weak else 1.0) for s in SIDES}
            wanted = {s: amount * level[s] * real.deepest[i] for i, s in enumerate(SIDES)}
            name, narrowing = "none", None
        else:
            wanted = {s: amount * share for s, share in (narrowing or {}).items()}
            narrowing = None
        sources = real.sources(wanted)
        fld = gen.make_field(points, name, spec.weak, spec.p, amount)
        return (exercise, round(amount, 6), sources), fld, real.landmarks(sources)
    fld = gen.make_field(points, name, spec.weak, spec.p, amount, eye_narrowing=narrowing)
    return (exercise, round(amount, 6), k), fld, points


def _picture(face: Face, key: tuple, fld: gen.Field) -> np.ndarray:
    """The warped frame (before resizing and noise)."""
    if face.real_eyes is not None and len(key) == 3 and isinstance(key[2], tuple):
        return warp(face.real_eyes.image(key[2]), fld)
    k = key[1] if key[0] == "rest" else key[2]
    return warp(face.images[k], fld)


def _writer(path: Path, fps: float, size: tuple[int, int]) -> cv2.VideoWriter:
    writer = cv2.VideoWriter(
        str(path), cv2.CAP_FFMPEG, cv2.VideoWriter_fourcc(*"mp4v"), fps, size, [cv2.VIDEOWRITER_PROP_GOP_SIZE, GOP]
    )
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path} (mp4v)")
    return writer


def render(face: Face, spec: Spec, path: Path) -> tuple[np.ndarray, np.ndarray, Timeline]:
    """Write the video; return the unmodified and the true landmarks of every frame (pixels of the source)."""
    plan = timeline(spec.fps)
    rng = np.random.default_rng(zlib.crc32(spec.key.encode()))
    pictures: dict[tuple, np.ndarray] = {}
    unmodified, true = [], []
    writer = None
    for f in range(plan.frames):
        key, fld, moved_from = _frame(face, spec, int(plan.movement[f]), float(plan.amount[f]), f)
        picture = pictures.get(key) if face.still else None
        if picture is None:
            picture = _picture(face, key, fld)
            if spec.size:
                picture = cv2.resize(picture, (spec.size, spec.size), interpolation=cv2.INTER_AREA)
            if face.still:
                pictures[key] = picture
        if face.still:
            noisy = picture + rng.standard_normal(picture.shape, dtype=np.float32) * gen.NOISE_SIGMA
            picture = np.clip(noisy + 0.5, 0, 255).astype(np.uint8)
        if writer is None:
            writer = _writer(path, spec.fps, (picture.shape[1], picture.shape[0]))
        writer.write(cv2.cvtColor(picture, cv2.COLOR_RGB2BGR))
        moved = moved_from.copy()
        moved[:, :2] = gen.forward(fld, moved_from[:, :2]) if fld.bumps else moved_from[:, :2]
        unmodified.append(face.points[face.index(f)])
        true.append(moved)
    if writer is not None:
        writer.release()
    return np.array(unmodified), np.array(true), plan


# ---------------------------------------------------------------- truth
def true_measure(name: str, points_mm: np.ndarray, neutral_mm: np.ndarray) -> np.ndarray:
    """The product's measure without its cross-talk correction (the truth has no cross-talk to undo)."""
    if name == "brow_lift_mm":
        return -measures.raw_displacement_mm(points_mm, neutral_mm, "brow")[..., 1]
    if name == "eye_closure_mm":
        return measures.raw_eye_closure_mm(points_mm, neutral_mm)
    corner = measures.raw_displacement_mm(points_mm, neutral_mm, "mouth_corner")
    if name == "commissure_excursion_mm":
        return np.linalg.norm(corner, axis=-1)
    if name == "corner_medial_mm":
        return -measures.SIDE_SIGN * corner[..., 0]
    return measures.MOVEMENT_MEASURES[name].compute(points_mm, neutral_mm)  # snarl, lower lip: no correction


def _sides(values: np.ndarray, digits: int = 3) -> dict[str, float]:
    return {side: round(float(v), digits) for side, v in zip(SIDES, values, strict=True)}


def truth_of(face: Face, spec: Spec, unmodified: np.ndarray, true: np.ndarray, plan: Timeline) -> dict:
    """truth.json: the segments and the true per-side amplitudes (see the module's docstring)."""
    reference = face.points[0] if face.still else mean_shape(face.points)
    resting_face = RestingFace.from_reference(reference)
    scale, rotation, translation = rigid_pose(unmodified, reference)

    def posed_mm(points: np.ndarray) -> np.ndarray:
        aligned = scale[:, None, None] * (points @ rotation.transpose(0, 2, 1)) + translation[:, None]
        return resting_face.to_mm(aligned)

    true_mm, neutral_mm = posed_mm(true), posed_mm(unmodified)
    aperture = measures._eye_aperture_mm(neutral_mm)
    fps = spec.fps
    movements = []
    for m, exercise in enumerate(MOVEMENTS):
        segment = plan.segments[m]
        hold = np.concatenate([np.arange(r["hold_start"], r["hold_end"]) for r in segment["reps"]])
        amplitude = true_measure(MEASURE[exercise], true_mm[hold], neutral_mm[hold]).mean(axis=0)
        narrowing = 100 * measures.raw_eye_closure_mm(true_mm[hold], neutral_mm[hold]) / aperture[hold]
        healthy = "right" if spec.weak == "left" else "left"
        if spec.weak is None:
            truth_ratio = symmetry(*amplitude)
            truth_ratio = 1.0 if truth_ratio is None else truth_ratio
        else:
            truth_ratio = float(amplitude[SIDES.index(spec.weak)] / max(amplitude[SIDES.index(healthy)], 1e-9))
        movements.append(
            {
                "exercise": exercise,
                "warp": WARP[exercise] if not (face.real_eyes and WARP[exercise] in gen.EYE_CLOSURE) else "real lids",
                "measure": MEASURE[exercise],
                "window_s": [round(i / fps, 4) for i in segment["window"]],
                "reps": [{name: round(i / fps, 4) for name, i in r.items()} for r in segment["reps"]],
                "truth_mm": _sides(amplitude),
                "weak_over_healthy": {"nominal": round(1 - spec.p, 3), "true": round(truth_ratio, 3)},
                "eye_narrowing_pct": _sides(narrowing.mean(axis=0), 1),
            }
        )
    size = spec.size or face.images[0].shape[1]
    return {
        "version": VERSION,
        "face": spec.face,
        "role": ROLE[spec.face],
        "weak": spec.weak,
        "p": spec.p,
        "fps": fps,
        "frames": plan.frames,
        "duration_s": round(plan.frames / fps, 3),
        "size_px": [size, size],
        "camera_noise_sigma": gen.NOISE_SIGMA if face.still else 0.0,
        "eye_closures": "real lid states (blink_face.mp4 frames 101-112)" if face.real_eyes else "lid warp",
        "synkinesis": {"eye_narrowing_during_big_smile": spec.eye_narrowing},
        "rest_s": [0.0, round(plan.segments[0]["reps"][0]["start"] / fps, 4)],
        "movements": movements,
    }


# ---------------------------------------------------------------- examinations
def _synkinesis(synkinesis: bool | float | dict[str, float], weak: str | None) -> dict[str, float]:
    """False: none; True or a share: that share on the weak side's eye (both eyes without a weak side)."""
    if isinstance(synkinesis, dict):
        return dict(synkinesis)
    if synkinesis is False or synkinesis == 0:
        return {}
    share = SYNKINESIS_SHARE if synkinesis is True else float(synkinesis)
    return {side: share for side in ([weak] if weak else SIDES)}


def examination(generator: gen.Generator, spec: Spec, cache: Path, faces: dict[str, Face] | None = None) -> ExamClip:
    """One examination (made on a cache miss)."""
    folder = cache / spec.key
    video, truth_path = folder / "exam.mp4", folder / "truth.json"
    if video.exists() and truth_path.exists():
        return ExamClip(video, json.loads(truth_path.read_text()))
    faces = {} if faces is None else faces
    if spec.face not in faces:
        faces[spec.face] = load_face(generator, spec.face)
    face = faces[spec.face]
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "exam.partial.mp4"
    start = time.perf_counter()
    unmodified, true, plan = render(face, spec, partial)
    truth = truth_of(face, spec, unmodified, true, plan)
    truth["made_in_s"] = round(time.perf_counter() - start, 1)
    truth_path.write_text(json.dumps(truth, indent=1) + "\n")
    partial.replace(video)
    return ExamClip(video, truth)


def examinations(
    faces: list[str],
    ps: list[float],
    weak_sides: list[str | None],
    synkinesis: bool | float | dict[str, float] = False,
    cache: Path = DEFAULT_CACHE,
    fps: float = FPS,
    size: int | None = None,
) -> list[ExamClip]:
    """Every (face, weak side, p) examination; p = 0 is made once, without a weak side."""
    generator = gen.Generator(gen.Landmarks(gen.DEFAULT_CACHE))
    loaded: dict[str, Face] = {}
    clips = []
    try:
        for face in faces:
            for p in ps:
                for weak in [None] if p == 0 else [w for w in weak_sides if w]:
                    spec = Spec(face, weak, float(p), _synkinesis(synkinesis, weak), fps, size)
                    clips.append(examination(generator, spec, Path(cache), loaded))
    finally:
        generator.landmarks.close()
    return clips


# ---------------------------------------------------------------- what the product reads
def read_track(clip: ExamClip, landmarker: object):
    """The product's landmarks of the whole video (`collect_landmarks`), cached beside it."""
    from coach.capture.sources import VideoFileSource
    from coach.session.analysis import LandmarkTrack, collect_landmarks

    stored = clip.path.with_name("landmarks.npz")
    if stored.exists() and stored.stat().st_mtime >= clip.path.stat().st_mtime:
        data = np.load(stored)
        return LandmarkTrack(
            source=clip.path.name,
            fps=float(data["fps"]),
            image_size=tuple(int(v) for v in data["image_size"]),
            timestamps_s=data["timestamps_s"],
            frames_with_face=data["frames_with_face"],
            points_px=data["points_px"],
            faces_seen=data["faces_seen"],
            eye_glare=data["eye_glare"],
        )
    track = collect_landmarks(VideoFileSource(clip.path), landmarker)
    with open(stored, "wb") as handle:
        np.savez(handle, fps=track.fps, image_size=np.array(track.image_size), timestamps_s=track.timestamps_s,
                 frames_with_face=track.frames_with_face, points_px=track.points_px, faces_seen=track.faces_seen,
                 eye_glare=track.eye_glare)  # fmt: skip
    return track


def sub_track(track, start_s: float, end_s: float):
    """The frames of [start_s, end_s) as a track of their own (timestamps kept)."""
    first = int(np.searchsorted(track.timestamps_s, start_s - 1e-6))
    stop = int(np.searchsorted(track.timestamps_s, end_s - 1e-6))
    keep = (track.frames_with_face >= first) & (track.frames_with_face < stop)
    return replace(
        track,
        timestamps_s=track.timestamps_s[first:stop],
        frames_with_face=track.frames_with_face[keep] - first,
        points_px=track.points_px[keep],
        faces_seen=track.faces_seen[first:stop],
        eye_glare=None if track.eye_glare is None else track.eye_glare[keep],
        warnings=list(track.warnings),
    )


def check(clip: ExamClip, track) -> list[dict]:
    """Per movement: the truth and what `analyse_track` reads on that movement's stretch."""
    from coach.plans.exercises import get_exercise
    from coach.session.analysis import analyse_track

    rows = []
    for movement in clip.truth["movements"]:
        analysis = analyse_track(sub_track(track, *movement["window_s"]), get_exercise(movement["exercise"]))
        summary = analysis.summary
        narrowing = [r.synkinesis.get("eye_narrowing_pct") for r in analysis.reps]
        narrowing = [n for n in narrowing if n]
        truth = movement["truth_mm"]
        rows.append(
            {
                "exercise": movement["exercise"],
                "truth": (truth["left"], truth["right"]),
                "read": (summary.left_mm, summary.right_mm),
                "reps": summary.reps,
                "sym_truth": symmetry(truth["left"], truth["right"]),
                "sym_read": summary.symmetry,
                "narrowing_truth": (movement["eye_narrowing_pct"]["left"], movement["eye_narrowing_pct"]["right"]),
                "narrowing_read": tuple(float(np.mean([n[s] for n in narrowing])) for s in SIDES)
                if narrowing
                else None,
            }
        )
    return rows


def _fmt(pair: tuple | None, digits: int = 1) -> str:
    if pair is None or pair[0] is None:
        return "-"
    return "/".join(f"{v:.{digits}f}" for v in pair)


def check_table(clips: list[ExamClip]) -> str:
    """Markdown: truth vs read per clip and movement (runs the model on a cache miss, one process, 2 threads)."""
    from coach.measure.landmarks import ParallelLandmarker, default_model_path, load_model_bytes

    lines = [
        "| face (role) | weak, p | movement | truth L/R mm | read L/R mm | reps | symmetry truth | symmetry read "
        "| eye narrowing % truth L/R | read L/R |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    with ParallelLandmarker(load_model_bytes(default_model_path())) as landmarker:
        for clip in clips:
            track = read_track(clip, landmarker)
            t = clip.truth
            for row in check(clip, track):
                smile = row["exercise"] == "big_smile"
                sym_read = "-" if row["sym_read"] is None else f"{row['sym_read']:.2f}"
                lines.append(
                    f"| {t['face']} ({t['role']}) | {t['weak']}, {t['p']:g} | {row['exercise']} "
                    f"| {_fmt(row['truth'])} | {_fmt(row['read'])} | {row['reps']} | {row['sym_truth']:.2f} "
                    f"| {sym_read} | {_fmt(row['narrowing_truth'], 0) if smile else ''} "
                    f"| {_fmt(row['narrowing_read'], 0) if smile else ''} |"
                )
    return "\n".join(lines)


# ---------------------------------------------------------------- tests/data
TESTS_DATA = {"exam_healthy_blink_face": (None, 0.0), "exam_weak_left_blink_face": ("left", 1.0)}
TESTS_SIZE, TESTS_FPS = 320, 15.0


def write_tests_data(cache: Path = DEFAULT_CACHE, folder: Path = REPO / "tests" / "data") -> list[Path]:
    """The two small examinations of tests/data/ (blink_face, 320x320, 15 fps) and their truth."""
    generator = gen.Generator(gen.Landmarks(gen.DEFAULT_CACHE))
    written = []
    try:
        for name, (weak, p) in TESTS_DATA.items():
            clip = examination(generator, Spec("blink_face", weak, p, {}, TESTS_FPS, TESTS_SIZE), cache)
            shutil.copyfile(clip.path, folder / f"{name}.mp4")
            truth = dict(clip.truth, video=f"{name}.mp4")
            truth.pop("made_in_s", None)
            (folder / f"{name}.json").write_text(json.dumps(truth, indent=1) + "\n")
            written += [folder / f"{name}.mp4", folder / f"{name}.json"]
    finally:
        generator.landmarks.close()
    return written


def _clip_table(clips: list[ExamClip]) -> str:
    lines = [
        "| face (role) | weak | p | synkinesis | frames | s | made in s | video |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for clip in clips:
        t = clip.truth
        synk = ", ".join(f"{s} {100 * v:.0f} %" for s, v in t["synkinesis"]["eye_narrowing_during_big_smile"].items())
        lines.append(
            f"| {t['face']} ({t['role']}) | {t['weak']} | {t['p']:g} | {synk or '-'} | {t['frames']} "
            f"| {t['duration_s']:.1f} | {t.get('made_in_s', '-')} | {clip.path} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--faces", nargs="+", default=list(FACES), choices=FACES)
    parser.add_argument("--ps", nargs="+", type=float, default=[0.0, 0.5, 1.0])
    parser.add_argument("--weak", nargs="+", default=["left"], choices=SIDES)
    parser.add_argument("--synkinesis", type=float, default=0.0, help="eye narrowing share during the smile (0: none)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--check", action="store_true", help="run the product's analysis on every movement")
    parser.add_argument("--tests-data", action="store_true", help="write the two examinations of tests/data/")
    args = parser.parse_args(argv)
    if args.tests_data:
        for path in write_tests_data(args.cache):
            print(f"{path} ({path.stat().st_size / 1024:.0f} KiB)")
        return 0
    clips = examinations(args.faces, args.ps, args.weak, args.synkinesis, args.cache)
    print(_clip_table(clips))
    if args.check:
        print()
        print(check_table(clips))
    return 0


if __name__ == "__main__":
    sys.exit(main())
