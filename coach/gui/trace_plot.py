"""Live per-side traces of the last 30 seconds, drawn with pyqtgraph (made for live data).

Each measure is two lines, the patient's left and right side in the sides' own colours
(solid left, dashed right: told apart without colour too), against the target band and a
threshold line. Values arrive with every measured picture; the plot is redrawn on a timer
(`redraw`), so a busy session never waits on the drawing.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from coach.base.i18n import tr
from coach.base.palette import LEFT_COLOUR, RIGHT_COLOUR, SIDE_WORDS, TARGET_COLOUR
from coach.gui.labels import points

#: how much of the session the traces show, seconds
WINDOW_S = 30.0


class TracePlot(pg.PlotWidget):
    """Per-side traces of some measures (mm or %) over the last WINDOW_S seconds."""

    def __init__(self, title: str, unit: str) -> None:
        super().__init__(background="w")
        self.setAccessibleName(title)
        self.setTitle(title, color="#1C2526", size=f"{points(11):.0f}pt")
        self.setLabel("left", unit)
        self.setLabel("bottom", "s")
        self.showGrid(x=False, y=True, alpha=0.2)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        # top right, on white, in the text colour: readable over the traces it may cover
        self.legend = self.addLegend(offset=(-8, 8), brush=pg.mkBrush(255, 255, 255, 230), labelTextColor="#1C2526")
        #: (time s, {measure: (left, right)}) of every picture measured lately, oldest first
        self.samples: deque[tuple[float, dict[str, tuple[float, float]]]] = deque()
        self._lines: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.band = pg.LinearRegionItem(orientation="horizontal", movable=False,
                                        brush=pg.mkBrush(0, 158, 115, 40), pen=pg.mkPen(None))  # fmt: skip
        self.threshold = pg.InfiniteLine(angle=0, movable=False,
                                         pen=pg.mkPen(TARGET_COLOUR, width=1, style=Qt.PenStyle.DotLine))  # fmt: skip
        for item in (self.band, self.threshold):
            item.setZValue(-10)
            item.hide()
            self.addItem(item)

    def set_measures(self, names: dict[str, str]) -> None:
        """Draw these measures (id → the words shown in the legend) from now on; the old traces go."""
        for line in self._lines.values():
            self.removeItem(line)
        self.legend.clear()
        self._lines.clear()
        self.samples.clear()
        for measure, words in names.items():
            for side, colour, style in (("left", LEFT_COLOUR, Qt.PenStyle.SolidLine),
                                        ("right", RIGHT_COLOUR, Qt.PenStyle.DashLine)):  # fmt: skip
                pen = pg.mkPen(colour, width=2, style=style)
                self._lines[(measure, side)] = self.plot([], [], pen=pen, name=f"{words}: {tr(SIDE_WORDS[side])}")

    def set_band(self, band: tuple[float, float] | None, threshold: float | None) -> None:
        """The target band (shaded) and the threshold (dotted), or none."""
        self.band.setVisible(band is not None)
        if band is not None:
            self.band.setRegion(band)
        self.threshold.setVisible(threshold is not None)
        if threshold is not None:
            self.threshold.setValue(threshold)

    def add(self, at_s: float, values: dict[str, tuple[float, float]]) -> None:
        """One picture's values; what is older than the window is forgotten."""
        self.samples.append((at_s, values))
        while self.samples and at_s - self.samples[0][0] > WINDOW_S:
            self.samples.popleft()

    def redraw(self) -> None:
        """Draw what has arrived (called on a timer)."""
        if not self.samples:
            return
        times = np.array([at for at, _ in self.samples])
        for (measure, side), line in self._lines.items():
            index = 0 if side == "left" else 1
            values = np.array([v.get(measure, (np.nan, np.nan))[index] for _, v in self.samples], dtype=float)
            line.setData(times - times[-1], values, connect="finite")
        self.setXRange(-WINDOW_S, 0, padding=0)
