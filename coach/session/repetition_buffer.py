"""The frames of one live repetition, kept until its move → hold → relax window is over."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from coach.session import engine


@dataclass
class RepetitionBuffer:
    """Per-frame measures of the repetition under way, scored as one window when it ends
    (the same scoring as a recorded video's repetitions)."""

    times: list[float] = field(default_factory=list)
    primary: dict[str, list[np.ndarray]] = field(default_factory=dict)
    watch: dict[str, list[np.ndarray]] = field(default_factory=dict)
    during_hold: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(
        self,
        t: float,
        primary: dict[str, np.ndarray],
        watch: dict[str, np.ndarray],
        during_hold: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.times.append(t)
        for kept, values_now in ((self.primary, primary), (self.watch, watch), (self.during_hold, during_hold or {})):
            for name, values in values_now.items():
                kept.setdefault(name, []).append(values)

    def seen(self) -> bool:
        """Whether enough frames saw a face to judge the attempt at all."""
        return len(self.times) >= 3

    def attempt(self, on_mm: float, fps: float) -> engine.Attempt:
        """Whether this move → hold → relax window holds a repetition, by the rule a recorded
        video's repetitions follow (`engine.counts_as_repetition`), on its first primary measure."""
        first = next(iter(self.primary))
        signal = engine.median3(np.array(self.primary[first])).max(axis=1)
        return engine.counts_as_repetition(signal, np.array(self.times), on_mm, fps)

    def describe(self, noise_mm: float, fps: float) -> engine.Repetition | None:
        """The repetition measured over the whole move → hold → relax window; None if too few frames saw a face."""
        if not self.seen():
            return None
        times = np.array(self.times)
        primary = {name: engine.median3(np.array(v)) for name, v in self.primary.items()}
        watch = {name: engine.median3(np.array(v)) for name, v in self.watch.items()}
        held = {name: engine.median3(np.array(v)) for name, v in self.during_hold.items()}
        return engine.describe_repetition((0, len(times) - 1, True), times, primary, watch, noise_mm, fps, held)
