"""The exercise engine: neutral reference, repetitions, per-side scores.

Works on per-frame measure series (mm in the resting face's axes), so the same code serves a recorded
video and, sample by sample, the live coach.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coach.measure.sides import symmetry, weaker_side

#: a repetition's "hold" is the time the movement stays within this fraction of its peak
HOLD_FRACTION = 0.8
#: sides differing by less than this are "even" (weaker side None), whatever the noise
NOISE_FLOOR_MM = 0.5
#: a gap without a face longer than this ends a repetition
MAX_GAP_S = 0.5
#: a movement above the onset threshold for less than this is not a repetition: a spontaneous
#: blink (100-400 ms from closing to open again), a twitch, or a jolt of the head. Prompted
#: movements are held for seconds.
MIN_REPETITION_S = 0.4
#: a repetition is a movement HELD near its peak (within HOLD_FRACTION) at least this long.
#: Blinks (100-400 ms closed), the lip, brow and lid movements of speech (syllables of
#: 150-300 ms) and twitches never stay at their peak this long; every exercise asks for a
#: hold of seconds (3-5 s), so a real attempt holds far longer. The same rule counts live
#: and recorded repetitions (`counts_as_repetition`).
MIN_HELD_S = 0.5
#: shortest stretch accepted as the neutral reference, and the search span at the start
NEUTRAL_WINDOW_S = 0.33
NEUTRAL_SEARCH_S = 1.5


@dataclass(frozen=True)
class NeutralChoice:
    """Which frames form the neutral reference (indices into the frames with a face)."""

    indices: np.ndarray
    start_s: float
    end_s: float
    #: how still the face was in the chosen stretch (mm, mean landmark spread)
    spread_mm: float


def choose_neutral(timestamps_s: np.ndarray, shapes_mm: np.ndarray) -> NeutralChoice:
    """The calmest stretch at the start: still, and close to how the face began.

    shapes_mm: (N, 478, 3) face shapes, aligned to one another, in approximate mm.
    Among windows of NEUTRAL_WINDOW_S inside the first NEUTRAL_SEARCH_S, pick the one
    with the least movement inside it plus the least distance from the first frames,
    so that a steady *held smile* is not mistaken for rest.
    """
    n = len(timestamps_s)
    t0 = timestamps_s[0]
    dt = np.median(np.diff(timestamps_s)) if n > 1 else 1.0
    width = max(3, round(NEUTRAL_WINDOW_S / max(dt, 1e-6)))
    if n <= width:
        idx = np.arange(n)
        spread = float(np.linalg.norm(shapes_mm - shapes_mm.mean(axis=0), axis=2).mean()) if n > 1 else 0.0
        return NeutralChoice(idx, float(timestamps_s[0]), float(timestamps_s[-1]), spread)
    start_shape = np.median(shapes_mm[: min(3, n)], axis=0)
    best: tuple[float, int, float] | None = None
    for start in range(0, n - width + 1):
        if timestamps_s[start + width - 1] - t0 > NEUTRAL_SEARCH_S and best is not None:
            break
        window = shapes_mm[start : start + width]
        centre = window.mean(axis=0)
        spread = float(np.linalg.norm(window - centre, axis=2).mean())
        distance = float(np.linalg.norm(centre - start_shape, axis=1).mean())
        score = spread + 0.5 * distance
        if best is None or score < best[0]:
            best = (score, start, spread)
    assert best is not None
    _, start, spread = best
    idx = np.arange(start, start + width)
    return NeutralChoice(idx, float(timestamps_s[idx[0]]), float(timestamps_s[idx[-1]]), spread)


def choose_rest_by_expression(
    timestamps_s: np.ndarray, shapes_mm: np.ndarray, activation_mm: np.ndarray
) -> NeutralChoice:
    """The stretch of the recording where the exercise's movement is least, and the face still.

    activation_mm: (N,) the exercise's movement read signed and linearly against any one
    frame (measures.ACTIVATION, mean of both sides): lower is nearer rest. Unlike the
    stillest stretch, this cannot take a held expression for rest when the recording goes
    straight into the movement. Each window's score is its activation above the least
    active window's plus how much the face moved inside it (both mm).
    """
    n = len(timestamps_s)
    dt = np.median(np.diff(timestamps_s)) if n > 1 else 1.0
    width = max(3, round(NEUTRAL_WINDOW_S / max(dt, 1e-6)))
    if n <= width:
        return choose_neutral(timestamps_s, shapes_mm)
    starts = np.arange(0, n - width + 1)
    spans = timestamps_s[starts + width - 1] - timestamps_s[starts]
    starts = starts[spans <= 2.0 * NEUTRAL_WINDOW_S]  # no window across a stretch without a face
    if len(starts) == 0:
        return choose_neutral(timestamps_s, shapes_mm)
    windows = np.lib.stride_tricks.sliding_window_view(activation_mm, width)[starts]
    level = windows.mean(axis=1)
    spread = np.array(
        [
            float(np.linalg.norm(shapes_mm[s : s + width] - shapes_mm[s : s + width].mean(0), axis=2).mean())
            for s in starts
        ]
    )
    best = int(np.argmin(level - level.min() + spread))
    idx = np.arange(starts[best], starts[best] + width)
    return NeutralChoice(idx, float(timestamps_s[idx[0]]), float(timestamps_s[idx[-1]]), float(spread[best]))


def median3(series: np.ndarray) -> np.ndarray:
    """3-sample running median along axis 0: removes single-frame landmark glitches
    without the amplitude bias of a smoothing filter."""
    if len(series) < 3:
        return series.copy()
    padded = np.concatenate([series[:1], series, series[-1:]])
    return np.median(np.stack([padded[:-2], padded[1:-1], padded[2:]]), axis=0)


@dataclass
class RepetitionDetector:
    """Hysteresis on the movement signal: a repetition starts when the signal rises
    above `on_mm` and ends when it falls back to `off_mm` (or the face is lost for
    longer than MAX_GAP_S). Its start is back-dated to where the signal last left rest.

    Feed samples in time order with `update`; closed repetitions are returned as
    (start, end, complete) sample-index tuples.
    """

    on_mm: float
    off_mm: float
    _rest_index: int = 0
    _active_start: int | None = None
    _last_t: float | None = None
    _count: int = 0
    closed: list[tuple[int, int, bool]] = field(default_factory=list)

    def update(self, t: float, signal: float) -> tuple[int, int, bool] | None:
        index = self._count
        self._count += 1
        finished: tuple[int, int, bool] | None = None
        if self._last_t is not None and t - self._last_t > MAX_GAP_S:
            # After a gap (face lost) nothing before it can start a new repetition.
            if self._active_start is not None:
                finished = (self._active_start, index - 1, False)
                self._active_start = None
            self._rest_index = index
        self._last_t = t
        if self._active_start is None:
            if signal <= self.off_mm:
                self._rest_index = index
            elif signal >= self.on_mm:
                self._active_start = self._rest_index
        elif signal <= self.off_mm:
            finished = (self._active_start, index, True)
            self._active_start = None
            self._rest_index = index
        if finished is not None:
            self.closed.append(finished)
        return finished

    def finish(self) -> tuple[int, int, bool] | None:
        """Close a repetition still under way when the recording ends (incomplete)."""
        if self._active_start is None:
            return None
        finished = (self._active_start, self._count - 1, False)
        self._active_start = None
        self.closed.append(finished)
        return finished


def side_noise_mm(neutral_series: np.ndarray) -> float:
    """Threshold for telling the sides apart: 3 standard deviations of their difference at rest."""
    if len(neutral_series) < 2:
        return NOISE_FLOOR_MM
    difference = neutral_series[:, 0] - neutral_series[:, 1]
    return max(NOISE_FLOOR_MM, 3.0 * float(np.std(difference)))


@dataclass(frozen=True)
class Repetition:
    start_s: float
    peak_s: float
    end_s: float
    left_mm: float
    right_mm: float
    symmetry: float | None
    weaker_side: str | None
    hold_s: float
    complete: bool
    #: watch measure → {"left": %, "right": %}
    synkinesis: dict[str, dict[str, float]]
    #: every primary measure (and what is read during the hold) → {"left": mm, "right": mm} at its peak
    measures: dict[str, dict[str, float]]

    def to_json(self) -> dict[str, object]:
        return {
            "start_s": round(self.start_s, 3),
            "peak_s": round(self.peak_s, 3),
            "end_s": round(self.end_s, 3),
            "left_mm": round(self.left_mm, 2),
            "right_mm": round(self.right_mm, 2),
            "symmetry": None if self.symmetry is None else round(self.symmetry, 3),
            "weaker_side": self.weaker_side,
            "hold_s": round(self.hold_s, 3),
            "complete": self.complete,
            "synkinesis": _round_sides(self.synkinesis, 1),
            "measures": _round_sides(self.measures, 2),
        }


def _round_sides(table: dict[str, dict[str, float]], digits: int) -> dict[str, dict[str, float]]:
    return {k: {side: round(v, digits) for side, v in sides.items()} for k, sides in table.items()}


def _held_stretch(signal: np.ndarray, peak: int) -> slice:
    """The unbroken stretch around the peak that stays near the peak value (HOLD_FRACTION)."""
    level = HOLD_FRACTION * signal[peak]
    first = last = peak
    while first > 0 and signal[first - 1] >= level:
        first -= 1
    while last < len(signal) - 1 and signal[last + 1] >= level:
        last += 1
    return slice(first, last + 1)


def describe_repetition(
    window: tuple[int, int, bool],
    timestamps_s: np.ndarray,
    primary: dict[str, np.ndarray],
    watch: dict[str, np.ndarray],
    noise_mm: float,
    fps: float,
    during_hold: dict[str, np.ndarray] | None = None,
) -> Repetition:
    """Scores for one repetition from the (already median-filtered) series.

    Each side's peak is its median over the stretch held near the peak of the stronger
    side, not its single highest frame: the highest frame of a side that does not move is
    its jitter, which read a still mouth corner 0.4-1 mm "moving" (docs/accuracy.md).
    `during_hold` series (the lid gap still open, for instance) are read the same way and
    kept with the peaks in `measures`.
    """
    start, end, complete = window
    span = slice(start, end + 1)
    first_name = next(iter(primary))
    series = primary[first_name][span]
    signal = series.max(axis=1)
    peak = int(np.argmax(signal))
    held = _held_stretch(signal, peak)
    left, right = (float(v) for v in np.median(series[held], axis=0))
    measures = {
        name: dict(zip(("left", "right"), (float(v) for v in np.median(values[span][held], axis=0)), strict=True))
        for name, values in {**primary, **(during_hold or {})}.items()
    }
    synkinesis = {
        name: dict(
            zip(("left", "right"), (max(0.0, float(v)) for v in np.percentile(values[span], 90, axis=0)), strict=True)
        )
        for name, values in watch.items()
    }
    return Repetition(
        start_s=float(timestamps_s[start]),
        peak_s=float(timestamps_s[start + peak]),
        end_s=float(timestamps_s[end]),
        left_mm=left,
        right_mm=right,
        symmetry=symmetry(left, right),
        weaker_side=weaker_side(left, right, noise_mm),
        hold_s=float(timestamps_s[span][held.stop - 1] - timestamps_s[span][held.start]) + 1.0 / fps,
        complete=complete,
        synkinesis=synkinesis,
        measures=measures,
    )


@dataclass(frozen=True)
class Attempt:
    """Whether a stretch of movement counts as a repetition, and if not, why (kept in English:
    "no movement" or "not held"; the session words it)."""

    counted: bool
    reason: str = ""


def counts_as_repetition(signal_mm: np.ndarray, timestamps_s: np.ndarray, on_mm: float, fps: float) -> Attempt:
    """The one rule for live and recorded repetitions: the stronger side moved beyond the
    onset threshold (`on_mm`: the exercise's least movement, or the resting noise if larger)
    toward the exercise's direction, for at least MIN_REPETITION_S, and held near its peak
    for at least MIN_HELD_S. `signal_mm`: the stronger side's movement over the attempt
    (median-filtered), signed so that the exercise's direction is positive."""
    if len(signal_mm) == 0 or float(np.max(signal_mm)) < on_mm:
        return Attempt(False, "no movement")
    if float(np.count_nonzero(signal_mm >= on_mm)) / fps < MIN_REPETITION_S:
        return Attempt(False, "not held")
    held = _held_stretch(signal_mm, int(np.argmax(signal_mm)))
    held_s = float(timestamps_s[held.stop - 1] - timestamps_s[held.start]) + 1.0 / fps
    if held_s < MIN_HELD_S:
        return Attempt(False, "not held")
    return Attempt(True)


def onset_mm(min_movement_mm: float, noise_mm: float) -> float:
    """Where a movement begins: the exercise's least movement, or the resting noise if larger."""
    return max(min_movement_mm, noise_mm)


def find_repetitions(
    timestamps_s: np.ndarray,
    primary: dict[str, np.ndarray],
    watch: dict[str, np.ndarray],
    min_movement_mm: float,
    noise_mm: float,
    fps: float,
    during_hold: dict[str, np.ndarray] | None = None,
) -> list[Repetition]:
    """All repetitions in a recording. The first primary measure drives detection,
    on the stronger side, so a fully paralysed side still lets the repetition count."""
    filtered_primary = {name: median3(values) for name, values in primary.items()}
    filtered_watch = {name: median3(values) for name, values in watch.items()}
    filtered_hold = {name: median3(values) for name, values in (during_hold or {}).items()}
    signal = next(iter(filtered_primary.values())).max(axis=1)
    on_mm = onset_mm(min_movement_mm, noise_mm)
    detector = RepetitionDetector(on_mm=on_mm, off_mm=0.5 * on_mm)
    for t, value in zip(timestamps_s, signal, strict=True):
        detector.update(float(t), float(value))
    detector.finish()
    return [
        describe_repetition(window, timestamps_s, filtered_primary, filtered_watch, noise_mm, fps, filtered_hold)
        for window in detector.closed
        if counts_as_repetition(
            signal[window[0] : window[1] + 1], timestamps_s[window[0] : window[1] + 1], on_mm, fps
        ).counted
    ]


@dataclass(frozen=True)
class Summary:
    reps: int
    left_mm: float | None
    right_mm: float | None
    symmetry: float | None
    weaker_side: str | None

    def to_json(self) -> dict[str, object]:
        def r(v: float | None, d: int) -> float | None:
            return None if v is None else round(v, d)

        return {
            "reps": self.reps,
            "left_mm": r(self.left_mm, 2),
            "right_mm": r(self.right_mm, 2),
            "symmetry": r(self.symmetry, 3),
            "weaker_side": self.weaker_side,
        }


def summarise(reps: list[Repetition], noise_mm: float) -> Summary:
    """Mean per-side peak over the repetitions, and the symmetry of those means."""
    if not reps:
        return Summary(0, None, None, None, None)
    left = float(np.mean([r.left_mm for r in reps]))
    right = float(np.mean([r.right_mm for r in reps]))
    return Summary(len(reps), left, right, symmetry(left, right), weaker_side(left, right, noise_mm))
