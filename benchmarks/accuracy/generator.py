"""Graded one-sided weakness on real faces, with the truth known from the generator's geometry.

Why: the product's symmetry has to be judged against a truth that is known by construction, on real
faces, with some faces kept out of any tuning.

Faces (media from tests/data/, see tests/data/PROVENANCE.md):

* ``frontal_neutral`` (TUNING face): frontal_neutral.jpg resized to 480x480, a still.
* held back, never used to tune anything:
  ``astronaut`` (astronaut.png, face crop upscaled to 480, a still),
  ``blink_face`` (blink_face.mp4 frame 0, a still),
  ``head_motion`` (head_motion_face.mp4 frames 40-95: roll +5.5 to -8.7°, ~120 px of translation),
  ``single_face`` (single_face.mp4: a real smile; its weak half is pulled back toward rest by p with
  ``tests/synthetic.weaken_side``).

Stills are repeated for 56 frames with camera noise (σ = 2 grey levels). Synthetic movements are smooth
Gaussian pixel warps with a known displacement field (out(x) = in(x − D(x))): smile = each mouth corner
out 6.0 mm and up 4.5 mm; brow lift = 6.4 mm; droop = one corner lowered 2 or 4 mm at rest. The weak side
moves (1 − p) of the healthy amount, p ∈ {0, 0.25, 0.5, 0.75, 1}.

Truth: for every landmark and frame, the true position is where the warp put the pixel content that the
model saw at that landmark on the *unmodified* frame (fixed-point solve of y = x + D(y); exact for
weaken_side, whose warp is exact at its control points). Caveat: on the two videos "unmodified" means the
model's reading of the original frames, so the truth of a weak side at p = 1 is not zero there
(head_motion ~0.5-1.6 mm, single_face ~3.3 mm); on the stills it is ~0.
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
MEDIA = REPO / "tests" / "data"
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "facecoach_accuracy_cache"

FPS = 30.0
N_FRAMES = 56
HOLD = slice(24, 38)  # frames where the synthetic profile is at 1
NOISE_SIGMA = 2.0  # camera noise added to still-image clips (grey levels)
HEAD_START = 40  # head_motion segment: roll +5.5 -> -8.7 deg and 120 px of translation

SMILE_OUT_MM, SMILE_UP_MM = 6.0, 4.5  # 7.5 mm commissure excursion
BROW_LIFT_MM = 6.4
DROOPS_MM = (2.0, 4.0)
DROOP_FRAMES = 6

TUNE = ["frontal_neutral"]
HELD = ["astronaut", "blink_face", "head_motion", "single_face"]
FACES = TUNE + HELD
EXERCISES = {
    "frontal_neutral": ["smile", "brow"],
    "astronaut": ["smile", "brow"],
    "blink_face": ["smile", "brow"],
    "head_motion": ["smile", "brow"],
    "single_face": ["smile"],  # real smile, weak side pulled back
}
DROOP_FACES = ["frontal_neutral", "astronaut", "blink_face"]  # stills only
PS = (0.0, 0.25, 0.5, 0.75, 1.0)

L_CORNER, R_CORNER = 291, 61
L_IRIS, R_IRIS = 473, 468
UPPER_LID = {"left": (386, 385, 387, 388, 384), "right": (159, 158, 160, 161, 157)}
BROWS = {
    "left": (300, 293, 334, 296, 336, 276, 283, 282, 295, 285),
    "right": (70, 63, 105, 66, 107, 46, 53, 52, 65, 55),
}
SINGLE_FACE_NEUTRAL = range(10)

# Movements of the full examination (benchmarks/grading/examination.py): snarl, pucker, lower lip, eye closures.
SNARL_MM = 3.0  # upper lip lateral part and nasal ala lifted
PUCKER_MM = 3.0  # mouth corner towards the midline
LOWER_LIP_MM = 3.0  # lower lip lateral part pulled down
#: eye closures: the upper lid margin lowered by this share of the lid gap (healthy side)
EYE_CLOSURE = {"eye_gentle": 0.8, "eye_full": 1.0}
EYE_CORNERS = {"left": (362, 263), "right": (133, 33)}
EYE_UPPER = {"left": (398, 384, 385, 386, 387, 388, 466), "right": (173, 157, 158, 159, 160, 161, 246)}
EYE_LOWER = {"left": (382, 381, 380, 374, 373, 390, 249), "right": (155, 154, 153, 145, 144, 163, 7)}
UPPER_LIP_LATERAL = {"left": (267, 269, 270), "right": (37, 39, 40)}
NASAL_ALA = {"left": (358, 294, 327), "right": (129, 64, 98)}
LOWER_LIP_LATERAL = {"left": (314, 405, 321), "right": (84, 181, 91)}
LID_SKIN = 0.4  # the skin above the upper lid margin follows it, less and less, over this share of the eye's width


def profile(n: int = N_FRAMES) -> np.ndarray:
    """Rest 14, rise 10, hold 14, fall 10, rest 8 frames (raised cosine), 0..1."""
    t = np.arange(n, dtype=float)
    up = np.clip((t - 14) / 10, 0, 1)
    down = np.clip((t - 38) / 10, 0, 1)
    return 0.5 - 0.5 * np.cos(np.pi * (up - down))


# ---------------------------------------------------------------- landmarks (cached)
class Landmarks:
    """The product's landmarker (IMAGE mode, max 2 faces, largest face kept), one worker, cached as .npy."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self.cache.mkdir(parents=True, exist_ok=True)
        self._detector = None

    def close(self) -> None:
        """Release the model before interpreter shutdown (MediaPipe complains if it is garbage-collected late)."""
        if self._detector is not None:
            self._detector.close()
            self._detector = None

    def _detect(self, image: np.ndarray) -> np.ndarray | None:
        from coach.measure.landmarks import LandmarkDetector, default_model_path, face_size_px, load_model_bytes

        if self._detector is None:
            self._detector = LandmarkDetector(load_model_bytes(default_model_path()), max_faces=2)
        faces = self._detector.detect(image)
        return max(faces, key=face_size_px) if faces else None

    def detect_all(self, frames: list[np.ndarray]) -> np.ndarray:
        """(N, 478, 3) pixels; a frame without a face repeats the previous face (NaN at the start)."""
        out, last = [], None
        for frame in frames:
            face = self._detect(frame)
            if face is None:
                face = last if last is not None else np.full((478, 3), np.nan)
            out.append(face)
            last = face
        return np.array(out)

    def cached(self, name: str, frames: Callable[[], list[np.ndarray]]) -> np.ndarray:
        """Landmarks stored under `name`; `frames` is only called (and detected) on a cache miss."""
        path = self.cache / f"{name}.npy"
        if path.exists():
            return np.load(path)
        points = self.detect_all(frames())
        np.save(path, points)
        return points


def _read_video(name: str) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(MEDIA / name))
    frames = []
    while True:
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    return frames


def _read_image(name: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(MEDIA / name)), cv2.COLOR_BGR2RGB)


def base_frames(face: str) -> tuple[list[np.ndarray], bool]:
    """(frames, is_still) of the unmodified face. Stills are one frame, repeated by the clip maker."""
    if face == "frontal_neutral":
        return [cv2.resize(_read_image("frontal_neutral.jpg"), (480, 480), interpolation=cv2.INTER_AREA)], True
    if face == "astronaut":
        crop = _read_image("astronaut.png")[0:260, 110:370]
        return [cv2.resize(crop, (480, 480), interpolation=cv2.INTER_CUBIC)], True
    if face == "blink_face":
        return [_read_video("blink_face.mp4")[0]], True
    if face == "head_motion":
        return _read_video("head_motion_face.mp4")[HEAD_START : HEAD_START + N_FRAMES], False
    if face == "single_face":
        return _read_video("single_face.mp4"), False
    raise KeyError(face)


# ---------------------------------------------------------------- displacement fields
Bump = Callable[[np.ndarray], np.ndarray]


def face_axes(landmarks_px: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Image axes of the face: towards the patient's left, down the face; mm per px (iris); iris gap px."""
    iris_line = landmarks_px[L_IRIS, :2] - landmarks_px[R_IRIS, :2]
    gap = float(np.linalg.norm(iris_line))
    ex = iris_line / gap
    ey = np.array([-ex[1], ex[0]])
    iris = (
        np.linalg.norm(landmarks_px[474, :2] - landmarks_px[476, :2])
        + np.linalg.norm(landmarks_px[469, :2] - landmarks_px[471, :2])
    ) / 2
    return ex, ey, 11.7 / iris, gap


@dataclass
class Field:
    """Sum of displacement bumps; evaluates D(x) in pixels for (..., 2) points."""

    bumps: list[Bump] = field(default_factory=list)

    def __call__(self, points: np.ndarray) -> np.ndarray:
        out = np.zeros((*points.shape[:-1], 2))
        for bump in self.bumps:
            out += bump(points)
        return out


def gauss_bump(centre: np.ndarray, vec: np.ndarray, sigma: float) -> Bump:
    """A Gaussian-weighted displacement `vec` around `centre`."""

    def displacement(points: np.ndarray) -> np.ndarray:
        r2 = ((points - centre) ** 2).sum(-1)
        return np.exp(-0.5 * r2 / sigma**2)[..., None] * vec

    return displacement


def brow_bump(landmarks_px: np.ndarray, side: str, vec: np.ndarray) -> Bump:
    """Brow and forehead lift by `vec`: flat along the brow, fading slowly up the forehead and by a cosine ramp
    down to a little below the upper-lid margin (the lid margin moves ~6 %)."""
    ex, ey, _, gap = face_axes(landmarks_px)
    brow = landmarks_px[list(BROWS[side]), :2]
    centre = brow.mean(axis=0)
    along = (brow - centre) @ ex
    half = (along.max() - along.min()) / 2
    lid = landmarks_px[list(UPPER_LID[side]), :2]
    ramp = 1.2 * ((lid - centre) @ ey).mean()  # from the brow's centre line to a little below the lid margin

    def displacement(points: np.ndarray) -> np.ndarray:
        rel = points - centre
        uu = np.abs(rel @ ex)
        nn = rel @ ey
        w_along = np.where(uu < half, 1.0, np.exp(-0.5 * ((uu - half) / (0.35 * half)) ** 2))
        s = np.clip(nn / ramp, 0.0, 1.0)
        w_down = np.where(nn > 0, 0.5 + 0.5 * np.cos(np.pi * s), np.exp(-0.5 * (np.minimum(nn, 0) / (0.8 * gap)) ** 2))
        return (w_along * w_down)[..., None] * vec

    return displacement


def region_bump(points_px: np.ndarray, vec: np.ndarray, sigmas: tuple[float, float], ex: np.ndarray) -> Bump:
    """An anisotropic Gaussian bump (sigmas across / down the face) centred on the points' mean, scaled so that
    the points move by `vec` on average (their mean weight is 1)."""
    centre = points_px.mean(axis=0)
    ey = np.array([-ex[1], ex[0]])

    def weight(points: np.ndarray) -> np.ndarray:
        rel = points - centre
        return np.exp(-0.5 * ((rel @ ex) / sigmas[0]) ** 2 - 0.5 * ((rel @ ey) / sigmas[1]) ** 2)

    scale = 1.0 / float(weight(points_px).mean())

    def displacement(points: np.ndarray) -> np.ndarray:
        return (scale * weight(points))[..., None] * vec

    return displacement


class LidBump:
    """The upper lid of one eye lowered towards the lower lid by `fraction` of the lid gap (a vertical squash).

    In the eye's axes (u across, n down), per column u between the corners, with the upper and lower margins
    n_up(u), n_low(u) (lid contour landmarks) and the gap g = n_low − n_up, content at n moves down by
    F(u, n) = f·(n_low − n) inside the opening (the opening is squashed onto the lower lid, which stays),
    f·g·s((n_up − n)/H) above it (the lid skin follows, fading by a cosine over H = LID_SKIN × eye width),
    and 0 below the lower lid. The map n → n + F is monotone, so the pixel warp (`__call__`, D in output
    coordinates) is its exact inverse by bisection, and `push` (where content goes) is exact: the fixed-point
    solve of `forward` is not needed (nor would it converge on the squash, whose slope is −f/(1 − f))."""

    def __init__(self, landmarks_px: np.ndarray, side: str, fraction: float) -> None:
        ex, ey, _, _ = face_axes(landmarks_px)
        self.ex, self.ey, self.fraction = ex, ey, float(fraction)
        corners = landmarks_px[list(EYE_CORNERS[side]), :2]
        self.centre = corners.mean(axis=0)

        def contour(indices: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
            points = np.vstack([corners, landmarks_px[list(indices), :2]]) - self.centre
            u, n = points @ ex, points @ ey
            order = np.argsort(u)
            return u[order], n[order]

        self._upper, self._lower = contour(EYE_UPPER[side]), contour(EYE_LOWER[side])
        width = float(np.ptp(self._upper[0]))
        self.skin = LID_SKIN * width
        gap = np.interp(self._upper[0], *self._lower) - self._upper[1]
        u_up, n_up = self._upper
        self.reach = (u_up.min(), u_up.max(), n_up.min() - self.skin, self._lower[1].max())
        self.max_push = self.fraction * max(float(gap.max()), 0.0)

    def _lids(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        up = np.interp(u, *self._upper)
        return up, np.maximum(np.interp(u, *self._lower), up)

    def _push_n(self, u: np.ndarray, n: np.ndarray) -> np.ndarray:
        """F(u, n): how far content at (u, n) moves down (px)."""
        up, low = self._lids(u)
        t = np.clip((up - n) / self.skin, 0.0, 1.0)
        above = self.fraction * (low - up) * (0.5 + 0.5 * np.cos(np.pi * t))
        return np.where(n >= low, 0.0, np.where(n >= up, self.fraction * (low - n), above))

    def _local(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rel = points - self.centre
        u, n = rel @ self.ex, rel @ self.ey
        u0, u1, n0, n1 = self.reach
        inside = (u > u0) & (u < u1) & (n > n0) & (n < n1 + self.max_push)
        return u, n, inside

    def push(self, points: np.ndarray) -> np.ndarray:
        """Where content at `points` goes: its exact displacement (px)."""
        u, n, inside = self._local(points)
        moved = np.zeros(n.shape)
        moved[inside] = self._push_n(u[inside], n[inside])
        return moved[..., None] * self.ey

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """D(y) of the pixel warp out(y) = in(y − D(y)): solve n + F(u, n) = n_out by bisection."""
        u, n, inside = self._local(points)
        out = np.zeros(n.shape)
        if self.max_push > 0 and inside.any():
            uu, target = u[inside], n[inside]
            lo, hi = target - self.max_push - 1e-6, target.copy()
            for _ in range(40):
                mid = 0.5 * (lo + hi)
                below = mid + self._push_n(uu, mid) < target
                lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
            out[inside] = target - 0.5 * (lo + hi)
        return out[..., None] * self.ey


def _exam_bumps(
    landmarks_px: np.ndarray, exercise: str, weak: str | None, p: float, amount: float, mouth_sigma: float
) -> list[Bump]:
    """The bumps of the examination's further movements (pucker, snarl, lower lip, eye closures); none for
    an unknown name (as `make_field` always did)."""
    ex, ey, mm_per_px, _ = face_axes(landmarks_px)
    strength = {side: amount * ((1 - p) if side == weak else 1.0) for side in ("left", "right")}
    if exercise == "pucker":
        return [
            gauss_bump(landmarks_px[idx, :2].copy(), -strength[side] * sign * PUCKER_MM * ex / mm_per_px, mouth_sigma)
            for side, idx, sign in (("left", L_CORNER, 1.0), ("right", R_CORNER, -1.0))
        ]
    if exercise in EYE_CLOSURE:
        return [LidBump(landmarks_px, side, EYE_CLOSURE[exercise] * strength[side]) for side in ("left", "right")]
    if exercise not in ("snarl", "lower_lip"):
        return []
    regions = {
        side: landmarks_px[list(UPPER_LIP_LATERAL[side] + NASAL_ALA[side]), :2]
        if exercise == "snarl"
        else landmarks_px[list(LOWER_LIP_LATERAL[side]), :2]
        for side in ("left", "right")
    }
    apart = float(np.linalg.norm(regions["left"].mean(0) - regions["right"].mean(0)))
    if exercise == "snarl":  # centred between lip and ala: narrow across, long down the face (the sides stay apart)
        sigmas, vec = (0.2 * apart, 0.6 * float(np.ptp(regions["left"] @ ey))), -SNARL_MM * ey / mm_per_px
    else:
        sigmas, vec = (0.22 * apart, 0.35 * apart), LOWER_LIP_MM * ey / mm_per_px
    return [region_bump(regions[side], strength[side] * vec, sigmas, ex) for side in ("left", "right")]


def make_field(
    landmarks_px: np.ndarray,
    exercise: str,
    weak: str | None,
    p: float,
    amount: float,
    droop_mm: float = 0.0,
    eye_narrowing: dict[str, float] | None = None,
) -> Field:
    """The displacement field of one frame: `amount` of the full movement, the weak side at (1 − p).

    `eye_narrowing` (synkinesis): side → share of the lid gap closed at the full movement, scaled by `amount`
    (not by p), with the lid warp of the eye closures; not with an eye closure itself.
    """
    ex, ey, mm_per_px, _ = face_axes(landmarks_px)
    fld = Field()
    mouth_sigma = 0.35 * np.linalg.norm(landmarks_px[L_CORNER, :2] - landmarks_px[R_CORNER, :2])
    if exercise == "smile":
        for side, idx, sign in (("left", L_CORNER, 1.0), ("right", R_CORNER, -1.0)):
            k = amount * ((1 - p) if side == weak else 1.0)
            vec = k * (sign * SMILE_OUT_MM * ex - SMILE_UP_MM * ey) / mm_per_px
            fld.bumps.append(gauss_bump(landmarks_px[idx, :2].copy(), vec, mouth_sigma))
    elif exercise == "brow":
        for side in ("left", "right"):
            k = amount * ((1 - p) if side == weak else 1.0)
            fld.bumps.append(brow_bump(landmarks_px, side, -k * BROW_LIFT_MM * ey / mm_per_px))
    elif exercise == "droop":
        idx = L_CORNER if weak == "left" else R_CORNER
        fld.bumps.append(gauss_bump(landmarks_px[idx, :2].copy(), droop_mm * ey / mm_per_px, mouth_sigma))
    else:
        fld.bumps += _exam_bumps(landmarks_px, exercise, weak, p, amount, mouth_sigma)
    if eye_narrowing:
        if exercise in EYE_CLOSURE:
            raise ValueError("eye narrowing is a synkinesis of another movement, not of an eye closure")
        fld.bumps += [LidBump(landmarks_px, side, amount * share) for side, share in eye_narrowing.items()]
    return fld


def forward(fld: Field, points_px: np.ndarray, iters: int = 30) -> np.ndarray:
    """Where content at `points_px` ends up under out(y) = in(y − D(y)): solve y = x + D(y).

    Lid squashes (`LidBump`) move content exactly (`push`); the other bumps are solved from there (they act
    far from the eyes, so the two compose)."""
    moved = points_px.copy()
    lids = [bump for bump in fld.bumps if isinstance(bump, LidBump)]
    start, others = points_px, fld
    if lids:
        start = points_px + sum(bump.push(points_px) for bump in lids)
        others = Field([bump for bump in fld.bumps if not isinstance(bump, LidBump)])
        moved = start.copy()
    for _ in range(iters):
        moved = start + others(moved)
    return moved


def apply_field(image: np.ndarray, fld: Field) -> np.ndarray:
    """Warp the image by the field (cubic, reflected border)."""
    h, w = image.shape[:2]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
    displacement_px = fld(np.stack([gx, gy], -1))
    if not np.abs(displacement_px).max() > 1e-3:
        return image.copy()
    map_x = (gx - displacement_px[..., 0]).astype(np.float32)
    map_y = (gy - displacement_px[..., 1]).astype(np.float32)
    return cv2.remap(image, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


# ---------------------------------------------------------------- clips
@dataclass
class Clip:
    """One generated clip: its frames (if made) and the truth needed to judge the product on it."""

    face: str
    exercise: str
    weak: str | None
    p: float
    frames: list[np.ndarray]
    orig_px: np.ndarray  # (N, 478, 3) model on the unmodified frames (true pose, true rest)
    true_px: np.ndarray  # (N, 478, 3) true positions of the content under each original landmark
    neutral: range  # frames at rest (true)
    hold: np.ndarray  # frames at full movement
    droop_mm: float = 0.0

    @property
    def key(self) -> str:
        """Cache name of the clip's landmarks."""
        extra = f"_{self.droop_mm:g}mm" if self.exercise == "droop" else ""
        return f"lw_{self.face}_{self.exercise}{extra}_{self.weak}_{self.p:g}"


class Generator:
    """Makes clips of the chosen faces and caches the landmarks of the unmodified and generated frames."""

    def __init__(self, landmarks: Landmarks) -> None:
        self.landmarks = landmarks
        self._base: dict[str, tuple[list[np.ndarray], bool]] = {}

    def base(self, face: str) -> tuple[list[np.ndarray], bool]:
        """The unmodified frames (read once)."""
        if face not in self._base:
            self._base[face] = base_frames(face)
        return self._base[face]

    def orig_landmarks(self, face: str) -> np.ndarray:
        """Landmarks of the unmodified frames (N, 478, 3); stills: one clean detection."""
        return self.landmarks.cached(f"orig_{face}", lambda: self.base(face)[0])

    def make_clip(
        self, face: str, exercise: str, weak: str | None, p: float, droop_mm: float = 0.0, images: bool = True
    ) -> Clip:
        """A clip and its truth; `images=False` skips the pixels (enough when the landmarks are cached)."""
        if face == "single_face":
            return self._weakened_real_smile(weak, p, images)
        frames0, still = self.base(face)
        orig = self.orig_landmarks(face)
        rng = np.random.default_rng(zlib.crc32(f"{face}{exercise}{weak}{p}{droop_mm}".encode()))
        prof = profile(N_FRAMES)
        n = DROOP_FRAMES if exercise == "droop" else N_FRAMES
        frames, true_px, orig_px = [], [], []
        for f in range(n):
            landmarks_px = orig[0] if still else orig[f]
            amount = 1.0 if exercise == "droop" else prof[f]
            fld = make_field(landmarks_px, exercise, weak, p, amount, droop_mm)
            if images:
                img = apply_field(frames0[0] if still else frames0[f], fld)
                if still:
                    noisy = img.astype(np.float32) + rng.normal(0, NOISE_SIGMA, img.shape)
                    img = np.clip(noisy, 0, 255).astype(np.uint8)
                frames.append(img)
            moved = landmarks_px.copy()
            moved[:, :2] = forward(fld, landmarks_px[:, :2])
            true_px.append(moved)
            orig_px.append(landmarks_px)
        neutral = range(0) if exercise == "droop" else range(0, 14)
        hold = np.arange(HOLD.start, HOLD.stop)
        return Clip(face, exercise, weak, p, frames, np.array(orig_px), np.array(true_px), neutral, hold, droop_mm)

    def _weakened_real_smile(self, weak: str | None, p: float, images: bool) -> Clip:
        """single_face: the real smile with the weak half pulled back by p (tests/synthetic.weaken_side)."""
        import synthetic

        frames0, _ = self.base("single_face")
        orig = self.orig_landmarks("single_face")
        faces = list(orig)
        frames: list[np.ndarray] = []
        if images:
            if p > 0:
                frames = synthetic.weaken_side(frames0, faces, weak, p, neutral_frames=SINGLE_FACE_NEUTRAL)
            else:
                frames = [f.copy() for f in frames0]
        rest = np.median(orig[list(SINGLE_FACE_NEUTRAL)], axis=0)
        true_px = []
        for face_pts in faces:
            moved = face_pts.copy()
            if p > 0:  # the same pull as weaken_side, applied to the landmarks (exact at its control points)
                matrix = synthetic._pose_map(rest, face_pts)
                rest_here = rest[:, :2] @ matrix[:, :2].T + matrix[:, 2]
                weight = synthetic._side_weight(face_pts, weak)[:, None]
                moved[:, :2] = face_pts[:, :2] + p * weight * (rest_here - face_pts[:, :2])
            true_px.append(moved)
        # hold: frames where the original smile is >= 90 % of its peak (mean of both corners)
        corners = [L_CORNER, R_CORNER]
        excursion = np.linalg.norm(orig[:, corners, :2] - rest[corners, :2], axis=2).mean(1)
        hold = np.nonzero(excursion >= 0.9 * excursion.max())[0]
        return Clip("single_face", "smile", weak, p, frames, orig, np.array(true_px), SINGLE_FACE_NEUTRAL, hold)

    def detected(self, clip: Clip) -> np.ndarray:
        """Landmarks of the generated clip (cached); the clip's pixels are regenerated on a cache miss."""

        def frames() -> list[np.ndarray]:
            if clip.frames:
                return clip.frames
            return self.make_clip(clip.face, clip.exercise, clip.weak, clip.p, clip.droop_mm).frames

        return self.landmarks.cached(clip.key, frames)


def movement_specs(faces: list[str]) -> Iterator[tuple[str, str, str | None, float]]:
    """(face, exercise, weak side, p) of every movement clip: p = 0 once, else both weak sides."""
    for face in faces:
        for exercise in EXERCISES[face]:
            for p in PS:
                for weak in [None] if p == 0 else ["left", "right"]:
                    yield face, exercise, weak, p
