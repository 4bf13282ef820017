"""Colours and side names shared by every chart and picture (report, app, snapshots).

Okabe–Ito colours, readable by people with colour-blind vision and in greyscale print;
every pair also differs in marker, line style or hatching where it is drawn. Sides are
always the patient's anatomical sides. The side names are shown text: marked with `N_`,
translated where shown, with `tr(LEFT_LABEL)`.
"""

from __future__ import annotations

from coach.base.i18n import N_, tr

LEFT_COLOUR = "#0072B2"
RIGHT_COLOUR = "#D55E00"
SYMMETRY_COLOUR = "#000000"
TARGET_COLOUR = "#009E73"
BAND_COLOUR = "#A0A0A0"
RESTING_STYLES = (
    {"color": "#0072B2", "marker": "o", "linestyle": "-"},
    {"color": "#D55E00", "marker": "s", "linestyle": "--"},
    {"color": "#009E73", "marker": "^", "linestyle": "-."},
    {"color": "#CC79A7", "marker": "D", "linestyle": ":"},
)

#: the patient's sides as words (translated where shown, with `weaker_side_word` or tr)
SIDE_WORDS = {"left": N_("left"), "right": N_("right")}

LEFT_LABEL = N_("Left (patient's)")
RIGHT_LABEL = N_("Right (patient's)")


def rgb(colour: str) -> tuple[int, int, int]:
    """'#0072B2' → (0, 114, 178)."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def weaker_side_word(side: str | None) -> str:
    """How a weaker side reads where it is shown: the patient's side, or "even" (None)."""
    return tr("even") if side is None else tr(SIDE_WORDS.get(side, side))
