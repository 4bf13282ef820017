"""The page: A4 geometry, print sizes and styles, text measured and wrapped, and the drawing primitives.

Every position is in inches from the top left of the page; the primitives turn them into
the figure fractions matplotlib wants. Text widths come from the font's own glyph advances,
so a whole report can be laid out before anything is drawn.
"""

from __future__ import annotations

import functools
from typing import Any

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.ticker import ScalarFormatter

from coach.base.formats import decimal_mark
from coach.base.palette import LEFT_COLOUR, RIGHT_COLOUR
from coach.reports.steering_log import SET_ASIDE_GREY

try:
    from matplotlib.ft2font import LoadFlags

    _NO_HINTING = LoadFlags.NO_HINTING
except ImportError:  # matplotlib < 3.10
    from matplotlib.ft2font import LOAD_NO_HINTING as _NO_HINTING  # type: ignore[attr-defined,no-redef]

# --------------------------------------------------------------------------- page geometry (inches, points)

PAGE_W, PAGE_H = 8.27, 11.69  # A4 portrait
MARGIN_X = 0.7
MARGIN_TOP = 0.6
MARGIN_BOTTOM = 0.85  # the footer sits inside it
CONTENT_W = PAGE_W - 2 * MARGIN_X
USABLE_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM

TITLE_PT = 16
HEADING_PT = 14
SUBHEADING_PT = 11.5
BODY_PT = 10
SMALL_PT = 9  # tables, chart labels, footer: the smallest text in the report
#: ships with matplotlib, so every machine lays the report out alike
FONT_FAMILY = "DejaVu Sans"

# the colours of sides and targets are in coach.base.palette
ROW_SHADE = "#EFEFEF"
#: text that is shown but does not count (a repetition set aside)
MUTED_TEXT = SET_ASIDE_GREY
BOX_SHADE = "#F4F4F4"
LEFT_LINE = {"color": LEFT_COLOUR, "marker": "o", "linestyle": "-", "linewidth": 1.6, "markersize": 4.5}
RIGHT_LINE = {"color": RIGHT_COLOUR, "marker": "s", "linestyle": "--", "linewidth": 1.6, "markersize": 4.5}

# --------------------------------------------------------------------------- text measured


def line_height(pt: float) -> float:
    """The distance between lines of `pt`-point text, in inches."""
    return pt * 1.42 / 72


@functools.cache
def _font(bold: bool) -> FT2Font:
    font = FT2Font(font_manager.findfont(FontProperties(family=FONT_FAMILY, weight="bold" if bold else "normal")))
    font.set_size(100, 72)
    return font


@functools.cache
def _advance_em(character: str, bold: bool) -> float:
    glyph = _font(bold).load_char(ord(character), flags=_NO_HINTING)
    return glyph.linearHoriAdvance / 65536 / 100


@functools.cache
def _ascent_em(bold: bool) -> float:
    """How far ordinary text ("lp", no accented capitals) reaches above its baseline, per em."""
    font = _font(bold)
    font.set_text("lp", 0.0, flags=_NO_HINTING)
    _width, height = font.get_width_height()
    return (height - font.get_descent()) / 64 / 100


def text_width(text: str, pt: float, bold: bool = False) -> float:
    """Printed width in inches, from the font's own advances (cached per glyph: cheap)."""
    return sum(_advance_em(character, bold) for character in text) * pt / 72


#: kept on the line of the number before them: "11.7 mm" never breaks between the two
UNITS = frozenset({"mm", "%", "s", "min"})


def _words(paragraph: str) -> list[str]:
    """The paragraph's words, a unit joined to the number before it (also one closing a bracket: "mm)")."""
    words: list[str] = []
    for word in paragraph.split():
        if words and word.rstrip(").,;:“”") in UNITS and words[-1][-1:].isdigit():
            words[-1] += " " + word
        else:
            words.append(word)
    return words


def wrap(text: str, width_in: float, pt: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to a measured width; explicit newlines are kept, units stay with their numbers."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in _words(paragraph):
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, pt, bold) > width_in:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def clip(text: str, width_in: float, pt: float, bold: bool = False) -> str:
    """Shorten to fit a table cell (an ellipsis shows something was cut)."""
    if text_width(text, pt, bold) <= width_in:
        return text
    while text and text_width(text + "…", pt, bold) > width_in:
        text = text[:-1]
    return text.rstrip() + "…"


# --------------------------------------------------------------------------- drawing primitives


def fx(x: float) -> float:
    """Inches from the left of the page → figure fraction."""
    return x / PAGE_W


def fy(y: float) -> float:
    """Inches from the top of the page → figure fraction from the bottom."""
    return 1.0 - y / PAGE_H


def draw_text(fig: Figure, x: float, y: float, text: str, pt: float = BODY_PT, **style: Any) -> None:
    """Text whose top left is at (x, y), black, unless `style` anchors or colours it otherwise. A line
    is hung by the height of ordinary text, so one with a capital umlaut (Ü) is not pushed down."""
    style.setdefault("va", "top")
    style.setdefault("ha", "left")
    style.setdefault("color", "black")
    if style["va"] == "top" and "\n" not in text:
        style["va"] = "baseline"
        y += _ascent_em(style.get("fontweight") == "bold") * pt / 72
    fig.text(fx(x), fy(y), text, fontsize=pt, **style)


def draw_rule(
    fig: Figure,
    y: float,
    width: float = 0.8,
    x0: float = MARGIN_X,
    x1: float = MARGIN_X + CONTENT_W,
    colour: str = "black",
) -> None:
    """A horizontal line across the content (or from x0 to x1), black unless told."""
    fig.add_artist(Line2D([fx(x0), fx(x1)], [fy(y), fy(y)], color=colour, linewidth=width))


class DecimalTicks(ScalarFormatter):
    """Tick labels with the reader's decimal mark (2,5 in German)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return super().__call__(x, pos).replace(".", decimal_mark())


def chart_axes(fig: Figure, x: float, y: float, w: float, h: float) -> Axes:
    """Axes whose plotting area spans (x, y)–(x + w, y + h), inches from the top left;
    the values up the side written with the reader's decimal mark."""
    ax = fig.add_axes((fx(x), fy(y + h), w / PAGE_W, h / PAGE_H))
    ax.yaxis.set_major_formatter(DecimalTicks())
    ax.tick_params(labelsize=SMALL_PT, colors="black")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return ax
