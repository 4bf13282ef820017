"""Issue 12's targets, judged on the held-back clips: the value, and met or missed (every clip must pass).

Why: one table a reader can check against the issue, printed by run.py, so the README's accuracy table is
the output of a command and not assembled by hand. Speed and live latency come from `facecoach bench`
(separate command, same machine) and are not measured here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.accuracy.crosstalk import FIT_AXES, SeriesRow, clip_metrics
from benchmarks.accuracy.droop import DroopReading


@dataclass(frozen=True)
class Target:
    """One row: what is asked, and the per-clip values it is judged on (with the bound each must meet)."""

    name: str
    asked: str
    values: list[float]
    low: float = -np.inf
    high: float = np.inf
    digits: int = 2

    def row(self, exercise: str) -> str:
        """The markdown row: mean (range) of the values, and met only if every value is within bounds."""
        if not self.values:
            return f"| {self.name} | {exercise} | {self.asked} | - | not measured |"
        values = np.array(self.values)
        met = bool(np.all((values >= self.low) & (values <= self.high)))
        failing = int(np.sum((values < self.low) | (values > self.high)))
        verdict = "met" if met else f"**missed** ({failing} of {len(values)})"
        d = self.digits
        shown = (
            f"{values.mean():.{d}f}"
            if len(values) == 1
            else f"{values.mean():.{d}f} ({values.min():.{d}f}..{values.max():.{d}f})"
        )
        return f"| {self.name} | {exercise} | {self.asked} | {shown} | {verdict} |"


def _movement_targets(rows: list[SeriesRow]) -> list[Target]:
    """The movement targets of one exercise's clips."""
    m = clip_metrics(rows)
    return [
        Target(
            "symmetry error, mean over clips",
            "≤ 0.10",
            [float(np.mean(m.errors))] if m.errors else [],
            high=0.10,
            digits=3,
        ),
        Target("symmetry error, each clip", "≤ 0.20", m.errors, high=0.20),
        Target("side that does not move: mm above its truth", "≤ 1.5 mm", m.still_minus_truth, high=1.5),
        Target("side that does not move: symmetry", "≤ 0.15", m.still_sym, high=0.15),
        Target("other side ÷ its reading with no weakness", "within 15 %", m.healthy_vs_own_p0, 0.85, 1.15),
        Target("healthy amplitude ÷ truth", "within 15 %", m.amplitude, 0.85, 1.15),
    ]


def targets_table(rows: list[SeriesRow], held: list[str], droop: list[DroopReading], droop_held: list[str]) -> str:
    """Markdown: every target per exercise on the held-back faces, and the resting droop."""
    lines = ["| target | exercise | asked | held-back clips: mean (range) | verdict |", "|---|---|---|---|---|"]
    for exercise in FIT_AXES:
        chosen = [r for r in rows if r.face in held and r.exercise == exercise]
        lines += [target.row(exercise) for target in _movement_targets(chosen)]
    droops = [(mm, read, truth) for face, mm, _, read, truth in droop if face in droop_held]
    lines.append(
        Target(
            "droop: read − truth at the landmarks, absolute", "≤ 1 mm", [abs(r - t) for _, r, t in droops], high=1.0
        ).row("rest")
    )
    lines.append(
        Target(
            "droop: read − nominal 2 / 4 mm, absolute", "≤ 1 mm", [abs(r - mm) for mm, r, _ in droops], high=1.0
        ).row("rest")
    )
    return "\n".join(lines)
