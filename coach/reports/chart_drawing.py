"""Matplotlib pieces both renderers of the chart model share (the app's Trends tab and the PDF's
progress pages draw with matplotlib alike), so a reference line is drawn the same way on both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes

from coach.base.palette import RESTING_STYLES
from coach.reports.charts import Level

#: markers for lines past the palette's resting styles, so no two lines share colour AND marker
MORE_MARKERS = ("v", "P", "X", "*")


def draw_level(ax: Axes, x: Sequence[float], level: Level, style: dict[str, Any], label: str | None = None) -> None:
    """A reference line: straight across when it never changed, in steps per session when it did."""
    if level.constant is not None:
        ax.axhline(level.constant, label=label, **style)
    else:
        ax.plot(x, level.values, drawstyle="steps-mid", label=label, **style)


def resting_style(index: int) -> dict[str, Any]:
    """The style of the resting chart's line `index`: the palette's, then its colours again with other
    markers, so a resting measure added to the table is drawn (and told apart) like the others."""
    style = RESTING_STYLES[index % len(RESTING_STYLES)]
    lap = index // len(RESTING_STYLES)
    return style if lap == 0 else {**style, "marker": MORE_MARKERS[(lap - 1) % len(MORE_MARKERS)]}
