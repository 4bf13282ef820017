"""A printable PDF of one session and the patient's progress, for the treating therapist.

Drawn with matplotlib alone: one `Figure` on an explicit Agg canvas, cleared and reused
for every page, saved through `PdfPages`. No pyplot, so no GUI backend or global figure
manager is involved and the Qt app's own backend choice does not matter; rcParams are
changed only inside an `rc_context` while a report is drawn (one report at a time:
matplotlib's settings and fonts are process-wide). The whole layout is planned first,
from measured text widths and fixed line and row heights, so each footer can say
"page i of n" and long tables split between pages with their header repeated.

Print legibility: A4 portrait, body text 10 pt, tables and chart labels 9 pt, headings
14–16 pt, black text; the patient's left is blue with circles and solid lines, the
right vermillion with squares, dashed lines and hatched bars (Okabe–Ito colours, told
apart in grey print and by colour-blind readers too). Left and right are the patient's
anatomical sides, labelled "(patient's)" in every table and chart.
"""

from __future__ import annotations

import functools
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from coach import __version__, engine
from coach.errors import CoachError
from coach.exercises import load_exercises
from coach.exports import patient_fields
from coach.palette import (
    BAND_COLOUR,
    LEFT_COLOUR,
    LEFT_LABEL,
    RESTING_STYLES,
    RIGHT_COLOUR,
    RIGHT_LABEL,
    SYMMETRY_COLOUR,
    TARGET_COLOUR,
)
from coach.snapshots import Snapshot, draw_measured_regions
from coach.store import ExerciseRecord, SessionDetail

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

# the colours of sides and targets are in coach.palette
ROW_SHADE = "#EFEFEF"
BOX_SHADE = "#F4F4F4"
LEFT_LINE = {"color": LEFT_COLOUR, "marker": "o", "linestyle": "-", "linewidth": 1.6, "markersize": 4.5}
RIGHT_LINE = {"color": RIGHT_COLOUR, "marker": "s", "linestyle": "--", "linewidth": 1.6, "markersize": 4.5}

DASH = "-"  # what a missing value reads as, everywhere

#: typical landmark measurement noise on a webcam (engine.NOISE_FLOOR_MM)
NOISE_MM = engine.NOISE_FLOOR_MM

RESTING_LABELS = {
    "brow_height_mm": "Brow height above the iris",
    "palpebral_fissure_mm": "Eye opening (palpebral fissure)",
    "commissure_height_mm": "Mouth corner below the eyes",
    "mouth_half_width_mm": "Mouth corner to the midline",
}
MEASURE_LABELS = {
    "brow_lift_mm": "brow lift",
    "brow_frown_mm": "frown (medial brow)",
    "eye_closure_mm": "eye closure",
    "commissure_excursion_mm": "mouth-corner movement",
    "corner_medial_mm": "mouth corner towards the midline",
    "upper_lip_elevation_mm": "upper lip and nose lift",
    "lower_lip_depression_mm": "lower lip lowering",
    "eye_narrowing_pct": "Eye narrowing",
    "mouth_corner_pull_pct": "Mouth-corner pull",
    "brow_movement_pct": "Brow movement",
}
STATUS_WORDS = {
    "completed": "completed",
    "skipped": "skipped",
    "stopped": "stopped early",
    "interrupted": "interrupted (app closed or crashed)",
    "in_progress": "in progress",
}

ABOUT_TITLE = "About these numbers"
ABOUT_LINES = (
    "Movement: how far landmarks on each side of the face moved from the resting face, in millimetres. The "
    "landmarks come from a face-landmark model on an ordinary webcam picture; millimetres are scaled from the "
    "iris, taken as 11.7 mm across.",
    "Symmetry: the weaker side's movement divided by the stronger side's (100 % = both sides moved the same).",
    "Synkinesis: unwanted movement of another region during the exercise (for example the eye narrowing during "
    "a smile), as a percentage of that region's size at rest.",
    f"Typical measurement noise is about {NOISE_MM:.1f} mm; sides closer than that, or than 5 % of the movement, "
    "count as even. Light, head "
    "turn and distance from the camera change the numbers, so compare sessions recorded the same way.",
    "Left and right are always the patient's own (anatomical) sides, whatever the camera picture shows.",
)
DISCLAIMER = (
    "This tool does not diagnose or grade facial palsy and does not replace clinical assessment. It records "
    "home exercise practice for discussion with the treating clinician."
)


def _line_h(pt: float) -> float:
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


def _width(text: str, pt: float, bold: bool = False) -> float:
    """Printed width in inches, from the font's own advances (cached per glyph: cheap)."""
    return sum(_advance_em(character, bold) for character in text) * pt / 72


def _wrap(text: str, width_in: float, pt: float, bold: bool = False) -> list[str]:
    """Greedy word wrap to a measured width; explicit newlines are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and _width(candidate, pt, bold) > width_in:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _clip(text: str, width_in: float, pt: float, bold: bool = False) -> str:
    """Shorten to fit a table cell (an ellipsis shows something was cut)."""
    if _width(text, pt, bold) <= width_in:
        return text
    while text and _width(text + "…", pt, bold) > width_in:
        text = text[:-1]
    return text.rstrip() + "…"


# --------------------------------------------------------------------------- drawing primitives


def _fx(x: float) -> float:
    return x / PAGE_W


def _fy(y: float) -> float:
    """Inches from the top of the page → figure fraction from the bottom."""
    return 1.0 - y / PAGE_H


def _text(fig: Figure, x: float, y: float, text: str, pt: float = BODY_PT, **style: Any) -> None:
    style.setdefault("va", "top")
    style.setdefault("ha", "left")
    fig.text(_fx(x), _fy(y), text, fontsize=pt, color="black", **style)


def _rule(fig: Figure, y: float, width: float = 0.8, x0: float = MARGIN_X, x1: float = MARGIN_X + CONTENT_W) -> None:
    fig.add_artist(Line2D([_fx(x0), _fx(x1)], [_fy(y), _fy(y)], color="black", linewidth=width))


def _axes(fig: Figure, x: float, y: float, w: float, h: float) -> Axes:
    """Axes whose plotting area spans (x, y)–(x + w, y + h), inches from the top left."""
    ax = fig.add_axes((_fx(x), _fy(y + h), w / PAGE_W, h / PAGE_H))
    ax.tick_params(labelsize=SMALL_PT, colors="black")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return ax


# --------------------------------------------------------------------------- flowables


@dataclass
class _Block:
    """Unsplittable content: its height and how to draw it with its top at y."""

    height: float
    draw: Callable[[Figure, float], None]


@dataclass
class _Column:
    title: str  # may hold "\n"
    width: float
    align: str = "right"


@dataclass
class _Table:
    """Rows split across pages; the header is repeated on each part, and a part on a
    page of its own says whose rows they are (`caption` + "(continued)")."""

    columns: list[_Column]
    rows: list[list[str]]
    caption: str = ""
    pt: float = SMALL_PT
    row_h: float = 0.23
    after: float = 0.14

    def __post_init__(self) -> None:
        self.titles = [
            "\n".join(_wrap(column.title, column.width - 0.1, self.pt, bold=True)) for column in self.columns
        ]

    @property
    def header_h(self) -> float:
        lines = max(title.count("\n") + 1 for title in self.titles)
        return lines * _line_h(self.pt) + 0.1

    def height(self, rows: int, continued: bool = False) -> float:
        caption_h = _line_h(SUBHEADING_PT) + 0.1 if continued and self.caption else 0.0
        return caption_h + self.header_h + rows * self.row_h + self.after

    def rows_fitting(self, room: float, continued: bool = False) -> int:
        return max(0, int((room - self.height(0, continued) + 1e-9) // self.row_h))

    def part(self, rows: list[list[str]], continued: bool = False) -> _Block:
        def draw(fig: Figure, y: float) -> None:
            if continued and self.caption:
                _text(fig, MARGIN_X, y, f"{self.caption} (continued)", SUBHEADING_PT, fontweight="bold")
                y += _line_h(SUBHEADING_PT) + 0.1
            self._draw(fig, y, rows)

        return _Block(self.height(len(rows), continued), draw)

    def _draw(self, fig: Figure, y: float, rows: list[list[str]]) -> None:
        x = MARGIN_X
        lefts = []
        for column in self.columns:
            lefts.append(x)
            x += column.width
        right_edge = x
        header_bottom = y + self.header_h
        for left, column, title in zip(lefts, self.columns, self.titles, strict=True):
            cx, ha = _cell_x(left, column)
            _text(
                fig,
                cx,
                header_bottom - 0.05,
                title,
                self.pt,
                va="bottom",
                ha=ha,
                fontweight="bold",
                multialignment=ha,
            )
        _rule(fig, header_bottom, 1.0, x1=right_edge)
        for index, row in enumerate(rows):
            top = header_bottom + index * self.row_h
            if index % 2:
                fig.add_artist(
                    Rectangle(
                        (_fx(MARGIN_X), _fy(top + self.row_h)),
                        (right_edge - MARGIN_X) / PAGE_W,
                        self.row_h / PAGE_H,
                        facecolor=ROW_SHADE,
                        edgecolor="none",
                        zorder=-1,
                    )
                )
            for left, column, cell in zip(lefts, self.columns, row, strict=True):
                cx, ha = _cell_x(left, column)
                _text(
                    fig,
                    cx,
                    top + self.row_h / 2,
                    _clip(cell, column.width - 0.1, self.pt),
                    self.pt,
                    va="center_baseline",
                    ha=ha,
                )
        _rule(fig, header_bottom + len(rows) * self.row_h, 0.8, x1=right_edge)


def _cell_x(left: float, column: _Column) -> tuple[float, str]:
    if column.align == "left":
        return left + 0.05, "left"
    if column.align == "center":
        return left + column.width / 2, "center"
    return left + column.width - 0.1, "right"


@dataclass
class _Section:
    """Kept on one page when it fits; `new_page` starts it on a fresh page regardless."""

    items: list[_Block | _Table]
    new_page: bool = False

    @property
    def height(self) -> float:
        return sum(item.height(len(item.rows)) if isinstance(item, _Table) else item.height for item in self.items)


@dataclass
class _Page:
    placed: list[tuple[_Block, float]] = field(default_factory=list)
    used: float = 0.0

    def room(self) -> float:
        return USABLE_H - self.used

    def place(self, block: _Block) -> None:
        self.placed.append((block, MARGIN_TOP + self.used))
        self.used += block.height


def _paginate(sections: list[_Section]) -> list[_Page]:
    """Flow sections onto pages: a section that does not fit what is left of a page
    starts the next one; only a section taller than a page is split (between table rows)."""
    pages = [_Page()]
    for section in sections:
        if pages[-1].placed and (section.new_page or section.height > pages[-1].room()):
            pages.append(_Page())
        for item in section.items:
            if isinstance(item, _Block):
                if item.height > pages[-1].room() and pages[-1].placed:
                    pages.append(_Page())
                pages[-1].place(item)
                continue
            rows, continued = item.rows, False
            while rows:
                fitting = item.rows_fitting(pages[-1].room(), continued)
                if fitting == 0 and pages[-1].placed:
                    pages.append(_Page())
                    continue
                taken = max(1, fitting)
                pages[-1].place(item.part(rows[:taken], continued))
                rows = rows[taken:]
                if rows:
                    pages.append(_Page())
                    continued = True
    return pages


def _heading(text: str, pt: float = HEADING_PT, before: float = 0.05, after: float = 0.08) -> _Block:
    height = before + pt * 1.3 / 72 + after
    return _Block(height, lambda fig, y: _text(fig, MARGIN_X, y + before, text, pt, fontweight="bold"))


def _paragraph(text: str, pt: float = BODY_PT, after: float = 0.1, **style: Any) -> _Block:
    lines = _wrap(text, CONTENT_W, pt)

    def draw(fig: Figure, y: float) -> None:
        for index, line in enumerate(lines):
            _text(fig, MARGIN_X, y + index * _line_h(pt), line, pt, **style)

    return _Block(len(lines) * _line_h(pt) + after, draw)


def _spacer(height: float) -> _Block:
    return _Block(height, lambda fig, y: None)


def _key_values(columns: list[list[tuple[str, str]]], label_w: float = 1.25, after: float = 0.15) -> _Block:
    """Side-by-side lists of bold label and value (the page-1 header)."""
    pt = BODY_PT
    column_w = CONTENT_W / len(columns)
    wrapped = [[(label, _wrap(value, column_w - label_w - 0.1, pt)) for label, value in pairs] for pairs in columns]
    heights = [sum(len(lines) for _, lines in pairs) for pairs in wrapped]

    def draw(fig: Figure, y: float) -> None:
        for number, pairs in enumerate(wrapped):
            x = MARGIN_X + number * column_w
            line = 0
            for label, lines in pairs:
                _text(fig, x, y + line * _line_h(pt), label, pt, fontweight="bold")
                for text in lines:
                    _text(fig, x + label_w, y + line * _line_h(pt), text, pt)
                    line += 1

    return _Block(max(heights) * _line_h(pt) + after, draw)


def _boxed(title: str, paragraphs: Sequence[str], closing: str) -> _Block:
    """The statement of what the numbers are and are not, framed so it is not missed."""
    pt, pad = BODY_PT, 0.14
    bullet_w = 0.18
    body = [_wrap(text, CONTENT_W - 2 * pad - bullet_w, pt) for text in paragraphs]
    ending = _wrap(closing, CONTENT_W - 2 * pad, pt, bold=True)
    lines = sum(len(b) for b in body) + len(ending)
    height = 2 * pad + _line_h(SUBHEADING_PT) + lines * _line_h(pt) + 0.1

    def draw(fig: Figure, y: float) -> None:
        fig.add_artist(
            Rectangle(
                (_fx(MARGIN_X), _fy(y + height)),
                CONTENT_W / PAGE_W,
                height / PAGE_H,
                facecolor=BOX_SHADE,
                edgecolor="black",
                linewidth=1.2,
                zorder=-1,
            )
        )
        x = MARGIN_X + pad
        line_y = y + pad
        _text(fig, x, line_y, title, SUBHEADING_PT, fontweight="bold")
        line_y += _line_h(SUBHEADING_PT)
        for lines in body:
            _text(fig, x, line_y, "•", pt)
            for text in lines:
                _text(fig, x + bullet_w, line_y, text, pt)
                line_y += _line_h(pt)
        line_y += 0.1
        for text in ending:
            _text(fig, x, line_y, text, pt, fontweight="bold")
            line_y += _line_h(pt)

    return _Block(height + 0.15, draw)


# --------------------------------------------------------------------------- values as text


def _mm(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else f"{value:.1f}"


def _signed_mm(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else f"{value:+.1f}".replace("-", "−")


def _percent(fraction: float | None) -> str:
    return DASH if fraction is None or not math.isfinite(fraction) else f"{100 * fraction:.0f} %"


def _side(side: str | None, symmetry: float | None, short: bool = False) -> str:
    """The weaker side: 'even' when the sides are within the noise, '-' when nothing moved.
    `short` drops "(patient's)" for table cells whose column header carries it."""
    if side in ("left", "right"):
        return side.capitalize() if short else f"{side.capitalize()} (patient's)"
    return DASH if symmetry is None else "even"


def _seconds(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else f"{value:.1f}"


def _local(moment: datetime) -> datetime:
    return moment.astimezone()


def _session_stamp(session: SessionDetail) -> str:
    return f"{_local(session.started_at):%Y-%m-%d %H:%M}"


def _measure_label(name: str | None) -> str:
    if not name:
        return DASH
    return MEASURE_LABELS.get(name, name.removesuffix("_mm").removesuffix("_pct").replace("_", " "))


def _value(fields: Mapping[str, Any] | None, name: str) -> Any:
    return None if fields is None else fields.get(name)


def _text_of(value: Any) -> str:
    if value is None or value == "":
        return DASH
    return str(value)


def _affected_side(value: Any) -> str:
    text = str(value).strip().lower() if value is not None else ""
    if text in ("left", "right"):
        return f"{text.capitalize()} (patient's)"
    if text in ("both", "bilateral"):
        return "Both sides"
    return _text_of(value)


def _onset(value: Any, session: SessionDetail) -> str:
    """The onset date and how long before this session it was (recovery time matters)."""
    if value is None or value == "":
        return DASH
    when: date | None = None
    if isinstance(value, datetime):
        when = value.date()
    elif isinstance(value, date):
        when = value
    else:
        try:
            when = date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    days = (_local(session.started_at).date() - when).days
    if days < 0:
        return when.isoformat()
    span = f"{days} days" if days < 70 else f"{days // 7} weeks" if days < 730 else f"{days / 365.25:.1f} years"
    return f"{when.isoformat()} ({span} before this session)"


def _means(exercise: ExerciseRecord) -> engine.Summary:
    """The stored summary; for an exercise stopped or interrupted before one was kept,
    the same means worked out from its saved repetitions."""
    if exercise.summary is not None and exercise.summary.reps:
        return exercise.summary
    return engine.summarise([record.repetition for record in exercise.repetitions], NOISE_MM)


def _target_band(exercise: ExerciseRecord) -> tuple[float, float] | None:
    band = exercise.target.get("target_mm")
    if isinstance(band, list | tuple) and len(band) == 2:
        return float(band[0]), float(band[1])
    return None


def _target_symmetry(exercise: ExerciseRecord) -> float | None:
    value = exercise.target.get("target_symmetry")
    return None if value is None else float(value)


#: an exercise's synkinesis warning limit when neither its target nor its file says otherwise
DEFAULT_SYNKINESIS_LIMIT_PCT = 25.0


@functools.cache
def _shipped_limits() -> dict[str, float]:
    """Each shipped exercise's `synkinesis_limit_pct` (read once; none if the files cannot be read)."""
    try:
        return {key: exercise.synkinesis_limit_pct for key, exercise in load_exercises().items()}
    except (CoachError, OSError):
        return {}


def synkinesis_limit(exercise: ExerciseRecord) -> float:
    """The warning limit (%) for this exercise: its session target, else its exercise file, else 25 %."""
    value = exercise.target.get("synkinesis_limit_pct")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return _shipped_limits().get(exercise.exercise_id, DEFAULT_SYNKINESIS_LIMIT_PCT)


def synkinesis_means(exercise: ExerciseRecord) -> dict[str, tuple[float, float]]:
    """Per watched measure, the mean (left %, right %) over the exercise's repetitions
    (NaN for a side never measured); measures without any value are left out."""
    values: dict[str, tuple[list[float], list[float]]] = {}
    for record in exercise.repetitions:
        for name, sides in (record.repetition.synkinesis or {}).items():
            left, right = values.setdefault(name, ([], []))
            for side, into in (("left", left), ("right", right)):
                value = sides.get(side) if isinstance(sides, Mapping) else None
                if isinstance(value, int | float) and math.isfinite(value):
                    into.append(float(value))
    return {
        name: (float(np.mean(left)) if left else math.nan, float(np.mean(right)) if right else math.nan)
        for name, (left, right) in values.items()
        if left or right
    }


# --------------------------------------------------------------------------- page 1


def _front_sections(session: SessionDetail, patient: dict[str, Any] | None) -> list[_Section]:
    started = _local(session.started_at)
    duration = DASH
    if session.ended_at is not None:
        minutes = max(0.0, (session.ended_at - session.started_at).total_seconds() / 60)
        duration = f"{minutes:.0f} min" if minutes >= 1 else "under 1 min"
    repetitions = sum(len(exercise.repetitions) for exercise in session.exercises)
    patient_column = [
        ("Patient code", _text_of(_value(patient, "code"))),
        ("Name", _text_of(_value(patient, "display_name"))),
        ("Affected side", _affected_side(_value(patient, "affected_side"))),
        ("Onset", _onset(_value(patient, "onset_date"), session)),
        ("Cause", _text_of(_value(patient, "cause"))),
    ]
    session_column = [
        ("Date", f"{started:%A %d %B %Y}"),
        ("Time", f"{started:%H:%M} (local, {started:%Z})".replace(" ()", "")),
        ("Duration", duration),
        ("Programme", session.programme_name or session.programme_id or "single exercise"),
        ("Kind", "live (webcam)" if session.kind == "live" else "recorded video"),
        ("Source", session.source),
        ("Status", STATUS_WORDS.get(session.status, session.status)),
        ("Recorded", f"{len(session.exercises)} exercise(s), {repetitions} repetition(s)"),
    ]
    header = [
        _Block(
            0.42,
            lambda fig, y: _text(fig, MARGIN_X, y, "Facial exercise session report", TITLE_PT, fontweight="bold"),
        ),
        _paragraph(f"Facial Symmetry Coach {__version__} · home practice record", SMALL_PT, after=0.05),
        _Block(0.12, lambda fig, y: _rule(fig, y + 0.04, 1.2)),
        _key_values([patient_column, session_column]),
    ]
    resting: list[_Block | _Table] = [_heading("Resting face", SUBHEADING_PT)]
    if session.resting:
        rows = []
        for name, sides in session.resting.items():
            left, right = sides.get("left"), sides.get("right")
            difference = sides.get("difference")
            if difference is None and left is not None and right is not None:
                difference = left - right
            rows.append([RESTING_LABELS.get(name, name), _mm(left), _mm(right), _signed_mm(difference)])
        resting.append(
            _Table(
                [
                    _Column("Measure (mm)", 3.0, "left"),
                    _Column(LEFT_LABEL, 1.3),
                    _Column(RIGHT_LABEL, 1.3),
                    _Column("L − R", 1.0),
                ],
                rows,
            )
        )
    else:
        resting.append(_paragraph(f"Resting measures: {DASH} (none were recorded in this session)."))
    overview: list[_Block | _Table] = [_heading("Exercises in this session", SUBHEADING_PT)]
    if session.exercises:
        rows = []
        for number, exercise in enumerate(session.exercises, 1):
            means = _means(exercise)
            rows.append(
                [
                    str(number),
                    exercise.exercise_name,
                    STATUS_WORDS.get(exercise.status, exercise.status).split(" (")[0],
                    str(len(exercise.repetitions)),
                    _mm(means.left_mm),
                    _mm(means.right_mm),
                    _percent(means.symmetry),
                    _side(means.weaker_side, means.symmetry, short=True),
                ]
            )
        overview.append(
            _Table(
                [
                    _Column("#", 0.3),
                    _Column("Exercise", 1.7, "left"),
                    _Column("Status", 0.95, "left"),
                    _Column("Reps", 0.5),
                    _Column("Left (patient's) mean mm", 0.85),
                    _Column("Right (patient's) mean mm", 0.85),
                    _Column("Symmetry", 0.82),
                    _Column("Weaker side (patient's)", 0.9, "left"),
                ],
                rows,
            )
        )
    else:
        overview.append(_paragraph(f"Exercises: {DASH} (none were started)."))
    about = [_boxed(ABOUT_TITLE, ABOUT_LINES, DISCLAIMER)]
    return [_Section(header), _Section(resting), _Section(overview), _Section(about)]


# --------------------------------------------------------------------------- exercise pages


def _snapshot_block(snapshot: Snapshot) -> _Block:
    """The snapshot as the camera saw it (not mirrored) with the measured regions drawn,
    its sides named for the reader."""
    picture = np.asarray(snapshot.picture_rgb)
    if picture.ndim != 3 or picture.shape[2] != 3 or 0 in picture.shape or picture.dtype != np.uint8:
        raise ValueError(
            f"a snapshot is an RGB picture (rows, columns, 3) of bytes, not {picture.dtype} {picture.shape}"
        )
    picture = draw_measured_regions(snapshot)
    step = max(1, math.ceil(max(picture.shape[:2]) / 900))  # enough for print, small in the file
    picture = picture[::step, ::step]
    rows, cols = picture.shape[:2]
    height = min(2.6, 0.6 * CONTENT_W * rows / cols)
    width = height * cols / rows
    # name the sides under the picture in full when there is room, else by their initials
    right_side, left_side = f"◀ {RIGHT_LABEL}", f"{LEFT_LABEL} ▶"
    if _width(right_side + left_side, SMALL_PT) + 0.2 > width:
        right_side, left_side = "◀ R", "L ▶"
    note_x = MARGIN_X + width + 0.2
    note = _wrap(
        "Snapshot at the peak, kept at the patient's request. As the camera saw it, not mirrored: the patient's "
        "right side (R) is on the left of the picture, their left side (L) on the right. Outlined: the regions "
        "measured, the patient's left in blue, their right in orange.",
        CONTENT_W - width - 0.2,
        SMALL_PT,
    )
    caption_h = _line_h(SMALL_PT) + 0.05

    def draw(fig: Figure, y: float) -> None:
        ax = fig.add_axes((_fx(MARGIN_X), _fy(y + height), width / PAGE_W, height / PAGE_H))
        ax.imshow(picture, interpolation="antialiased")
        ax.set_axis_off()
        _text(fig, MARGIN_X, y + height + 0.04, right_side, SMALL_PT)
        _text(fig, MARGIN_X + width, y + height + 0.04, left_side, SMALL_PT, ha="right")
        for line, text in enumerate(note):
            _text(fig, note_x, y + line * _line_h(SMALL_PT), text, SMALL_PT)

    return _Block(max(height + caption_h, len(note) * _line_h(SMALL_PT)) + 0.15, draw)


def _repetition_chart(exercise: ExerciseRecord) -> _Block:
    """Grouped bars, patient's left vs right, per repetition, over the target band."""
    numbers = np.array([record.number for record in exercise.repetitions], dtype=float)
    left = np.array([record.repetition.left_mm for record in exercise.repetitions], dtype=float)
    right = np.array([record.repetition.right_mm for record in exercise.repetitions], dtype=float)
    band = _target_band(exercise)
    height = 2.45

    def draw(fig: Figure, y: float) -> None:
        ax = _axes(fig, MARGIN_X + 0.65, y + 0.38, CONTENT_W - 0.75, height - 0.85)
        if band is not None:
            ax.axhspan(band[0], band[1], color=BAND_COLOUR, alpha=0.3, linewidth=0, label="Target range")
        ax.bar(numbers - 0.2, left, 0.38, color=LEFT_COLOUR, edgecolor="black", linewidth=0.5, label=LEFT_LABEL)
        ax.bar(
            numbers + 0.2,
            right,
            0.38,
            color=RIGHT_COLOUR,
            edgecolor="black",
            linewidth=0.5,
            hatch="///",
            label=RIGHT_LABEL,
        )
        top = np.nanmax(np.concatenate([left, right, [band[1] if band else 0.0, 1.0]]))
        bottom = min(0.0, float(np.nanmin(np.concatenate([left, right]))))
        ax.set_ylim(bottom * 1.1, top * 1.12)
        ax.set_xlim(numbers.min() - 0.6, numbers.max() + 0.6)
        ax.set_xticks(numbers)
        ax.set_xlabel("Repetition", fontsize=SMALL_PT)
        ax.set_ylabel("Peak movement (mm)", fontsize=SMALL_PT)
        ax.grid(axis="y", color="#CCCCCC", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=3, fontsize=SMALL_PT, frameon=False, borderaxespad=0.0
        )

    return _Block(height, draw)


def _repetition_table(number: int, exercise: ExerciseRecord) -> _Table:
    watched: list[str] = []
    for record in exercise.repetitions:
        watched += [name for name in record.repetition.synkinesis if name not in watched]
    columns = [
        _Column("#", 0.35),
        _Column("Left (patient's) mm", 0.82),
        _Column("Right (patient's) mm", 0.82),
        _Column("Symmetry", 0.82),
        _Column("Weaker side (patient's)", 0.9, "left"),
        _Column("Hold s", 0.55),
        _Column("Complete", 0.8, "center"),
    ]
    room = CONTENT_W - sum(column.width for column in columns)
    for name in watched:
        title = f"{_measure_label(name)} % Left / Right (patient's)"
        columns.append(_Column(title, room / len(watched), "center"))
    rows = []
    for record in exercise.repetitions:
        rep = record.repetition
        row = [
            str(record.number),
            _mm(rep.left_mm),
            _mm(rep.right_mm),
            _percent(rep.symmetry),
            _side(rep.weaker_side, rep.symmetry, short=True),
            _seconds(rep.hold_s),
            "yes" if rep.complete else "no",
        ]
        for name in watched:
            sides = rep.synkinesis.get(name)
            row.append(DASH if not sides else f"{sides.get('left', math.nan):.0f} / {sides.get('right', math.nan):.0f}")
        rows.append(row)
    return _Table(columns, rows, caption=f"{number}. {exercise.exercise_name}: repetitions")


def _exercise_section(number: int, exercise: ExerciseRecord, snapshot: Snapshot | None) -> _Section:
    means = _means(exercise)
    band = _target_band(exercise)
    wanted_symmetry = _target_symmetry(exercise)
    target = exercise.target
    asked = []
    if band is not None:
        asked.append(f"movement {band[0]:.1f}–{band[1]:.1f} mm on each side")
    if wanted_symmetry is not None:
        asked.append(f"symmetry at least {_percent(wanted_symmetry)}")
    if target.get("repetitions"):
        asked.append(f"{target['repetitions']} repetitions")
    if target.get("hold_s"):
        asked.append(f"hold {float(target['hold_s']):g} s")
    if target.get("relax_s"):
        asked.append(f"relax {float(target['relax_s']):g} s")
    items: list[_Block | _Table] = [
        _heading(f"{number}. {exercise.exercise_name}"),
        _paragraph(
            f"Exercise {exercise.exercise_id}; measured: {_measure_label(exercise.primary_measure)}; "
            f"status: {STATUS_WORDS.get(exercise.status, exercise.status)}.",
            after=0.02,
        ),
        _paragraph(f"Therapist's target: {', '.join(asked) if asked else DASH}.", after=0.02),
        _paragraph(
            f"Summary: {means.reps} repetition(s); mean peak {LEFT_LABEL} {_mm(means.left_mm)} mm, "
            f"{RIGHT_LABEL} {_mm(means.right_mm)} mm; symmetry {_percent(means.symmetry)}; "
            f"weaker side: {_side(means.weaker_side, means.symmetry)}.",
            after=0.12,
        ),
    ]
    if snapshot is not None:
        items.insert(1, _snapshot_block(snapshot))
    if exercise.repetitions:
        items += [_repetition_chart(exercise), _repetition_table(number, exercise)]
        if not all(record.repetition.complete for record in exercise.repetitions):
            items.append(
                _paragraph("Complete “no”: the repetition was cut off (face lost or the recording ended).", SMALL_PT)
            )
    elif exercise.primary_measure is None:
        items.append(_paragraph("A resting-face exercise: its measures are in the resting face table on page 1."))
    else:
        items.append(_paragraph(f"Repetitions: {DASH} (none were recorded for this exercise)."))
    items.append(_spacer(0.2))
    return _Section(items)


# --------------------------------------------------------------------------- trend pages


def _date_axis(ax: Axes) -> None:
    """Dates that read alone ("08 Jan", not "08"), with the year once at the end."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    formatter = mdates.ConciseDateFormatter(
        locator,
        formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%b", "%d %b", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y", "%Y", "%Y", "%d %b %Y", "%d %b %Y"],
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


def _when(moment: datetime) -> float:
    """Local wall-clock time as a matplotlib date number (the dates the patient lived)."""
    return float(mdates.date2num(_local(moment).replace(tzinfo=None)))


@dataclass
class _ExerciseTrend:
    name: str
    x: list[float] = field(default_factory=list)
    left: list[float] = field(default_factory=list)
    right: list[float] = field(default_factory=list)
    symmetry: list[float] = field(default_factory=list)
    band_low: list[float] = field(default_factory=list)
    band_high: list[float] = field(default_factory=list)
    wanted_symmetry: list[float] = field(default_factory=list)
    #: per point, the mean synkinesis (left %, right %) of each watched measure
    synkinesis: list[dict[str, tuple[float, float]]] = field(default_factory=list)
    limit: list[float] = field(default_factory=list)

    def synkinesis_series(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per measure (in order of first appearance), left and right aligned with `x`."""
        names = list(dict.fromkeys(name for point in self.synkinesis for name in point))
        nan = (math.nan, math.nan)
        return {
            name: (
                np.array([point.get(name, nan)[0] for point in self.synkinesis]),
                np.array([point.get(name, nan)[1] for point in self.synkinesis]),
            )
            for name in names
        }


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _exercise_trends(session: SessionDetail, history: list[SessionDetail]) -> dict[str, _ExerciseTrend]:
    """Per exercise id, one point per time it was done with repetitions: this session's
    exercises first, in its order, then any others the patient has done."""
    trends: dict[str, _ExerciseTrend] = {
        exercise.exercise_id: _ExerciseTrend(exercise.exercise_name) for exercise in session.exercises
    }
    for past in history:
        for exercise in past.exercises:
            means = _means(exercise)
            if not means.reps or exercise.primary_measure is None:
                continue
            trend = trends.setdefault(exercise.exercise_id, _ExerciseTrend(exercise.exercise_name))
            band = _target_band(exercise)
            trend.x.append(_when(exercise.started_at))
            trend.left.append(_nan(means.left_mm))
            trend.right.append(_nan(means.right_mm))
            trend.symmetry.append(100 * _nan(means.symmetry))
            trend.band_low.append(math.nan if band is None else band[0])
            trend.band_high.append(math.nan if band is None else band[1])
            trend.wanted_symmetry.append(100 * _nan(_target_symmetry(exercise)))
            trend.synkinesis.append(synkinesis_means(exercise))
            trend.limit.append(synkinesis_limit(exercise))
    return {key: trend for key, trend in trends.items() if trend.x}


def _mark_this_session(ax: Axes, x_now: float) -> None:
    ax.axvline(x_now, color="#555555", linewidth=1.0, linestyle=":")


def _marker_size(points: int) -> float:
    """Markers small enough that a hundred sessions still read as a line."""
    return 4.5 if points <= 30 else 3.0 if points <= 80 else 2.2


SYNKINESIS_HEADER = "Synkinesis: unwanted movement as % of the region at rest (mean per session)"
LIMIT_LINE = {"color": "#000000", "linewidth": 1.2, "linestyle": (0, (5, 3))}
SYNKINESIS_ROW_H = 2.1  # header, legend, panel titles, panels and their dates


def _synkinesis_row(fig: Figure, y: float, trend: _ExerciseTrend, x_now: float) -> None:
    """One small chart per watched measure: left vs right mean synkinesis, with the dashed warning limit."""
    x = np.array(trend.x)
    series = trend.synkinesis_series()
    _text(fig, MARGIN_X, y, SYNKINESIS_HEADER, SMALL_PT, fontweight="bold")
    limits = np.array(trend.limit)
    constant = len({round(v, 6) for v in limits}) == 1
    limit_label = f"Warning limit {limits[0]:g} %" if constant else "Warning limit"
    size = _marker_size(len(x))
    handles = [
        Line2D([], [], **{**LEFT_LINE, "markersize": size}, label=LEFT_LABEL),
        Line2D([], [], **{**RIGHT_LINE, "markersize": size}, label=RIGHT_LABEL),
        Line2D([], [], **LIMIT_LINE, label=limit_label),
    ]
    fig.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(_fx(MARGIN_X), _fy(y + 0.22)), ncol=3,
        fontsize=SMALL_PT, frameon=False, borderaxespad=0.0, borderpad=0.0,
    )  # fmt: skip
    columns = max(2, len(series))
    gap = 0.8 if columns == 2 else 0.7
    chart_w = (CONTENT_W - 0.55 - (columns - 1) * gap) / columns
    for index, (name, (left, right)) in enumerate(series.items()):
        ax = _axes(fig, MARGIN_X + 0.55 + index * (chart_w + gap), y + 0.7, chart_w, 0.95)
        ax.set_title(_measure_label(name), fontsize=SMALL_PT, loc="left", pad=3)
        if constant:
            ax.axhline(limits[0], **LIMIT_LINE)
        else:
            ax.plot(x, limits, drawstyle="steps-mid", **LIMIT_LINE)
        ax.plot(x, left, **{**LEFT_LINE, "markersize": size})
        ax.plot(x, right, **{**RIGHT_LINE, "markersize": size})
        _mark_this_session(ax, x_now)
        top = float(np.nanmax([*left, *right, *limits, 1.0]))
        ax.set_ylim(0, top * 1.15)
        ax.set_ylabel("%", fontsize=SMALL_PT)
        _date_axis(ax)
        ax.grid(color="#DDDDDD", linewidth=0.5)


def _trend_block(trend: _ExerciseTrend, x_now: float) -> _Block:
    """Two charts side by side: per-side movement with its target, and symmetry with its target;
    under them, when synkinesis was measured, a row of small synkinesis charts with the warning limit."""
    height = 2.55
    x = np.array(trend.x)
    with_synkinesis = any(trend.synkinesis)

    def draw(fig: Figure, y: float) -> None:
        _text(fig, MARGIN_X, y, trend.name, SUBHEADING_PT, fontweight="bold")
        chart_w = (CONTENT_W - 1.35) / 2
        movement = _axes(fig, MARGIN_X + 0.55, y + 0.62, chart_w, height - 1.1)
        low, high = np.array(trend.band_low), np.array(trend.band_high)
        if np.isfinite(low).any():
            movement.fill_between(
                x, low, high, step="mid", color=BAND_COLOUR, alpha=0.3, linewidth=0, label="Target range"
            )
        size = _marker_size(len(x))
        movement.plot(x, trend.left, label=LEFT_LABEL, **{**LEFT_LINE, "markersize": size})
        movement.plot(x, trend.right, label=RIGHT_LABEL, **{**RIGHT_LINE, "markersize": size})
        _mark_this_session(movement, x_now)
        movement.set_ylabel("Mean peak movement (mm)", fontsize=SMALL_PT)
        movement.set_ylim(bottom=min(0.0, float(np.nanmin([*trend.left, *trend.right, 0.0]))))
        movement.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=2, fontsize=SMALL_PT, frameon=False, borderaxespad=0.0
        )
        symmetry = _axes(fig, MARGIN_X + 0.55 + chart_w + 0.8, y + 0.62, chart_w, height - 1.1)
        wanted = np.array(trend.wanted_symmetry)
        if np.isfinite(wanted).any():
            symmetry.plot(
                x,
                wanted,
                drawstyle="steps-mid",
                color=TARGET_COLOUR,
                linewidth=1.4,
                linestyle="-.",
                label="Target symmetry",
            )
        symmetry.plot(
            x,
            trend.symmetry,
            color=SYMMETRY_COLOUR,
            marker="D",
            markersize=size,
            linewidth=1.4,
            label="Symmetry (weaker ÷ stronger)",
        )
        _mark_this_session(symmetry, x_now)
        symmetry.set_ylim(0, 105)
        symmetry.set_ylabel("Symmetry (%)", fontsize=SMALL_PT)
        symmetry.legend(
            loc="lower left", bbox_to_anchor=(0.0, 1.02), ncol=1, fontsize=SMALL_PT, frameon=False, borderaxespad=0.0
        )
        for ax in (movement, symmetry):
            _date_axis(ax)
            ax.grid(color="#DDDDDD", linewidth=0.5)
        if with_synkinesis:
            _synkinesis_row(fig, y + height, trend, x_now)

    return _Block(height + 0.15 + (SYNKINESIS_ROW_H if with_synkinesis else 0.0), draw)


def _resting_trend_block(history: list[SessionDetail], x_now: float) -> _Block | None:
    """|L − R| of each resting measure over time: is the resting face becoming more even?"""
    names = [name for name in RESTING_LABELS if any(s.resting and name in s.resting for s in history)]
    if not names:
        return None
    x = np.array([_when(s.started_at) for s in history if s.resting])
    series = {}
    for name in names:
        values = []
        for past in history:
            if not past.resting:
                continue
            sides = past.resting.get(name) or {}
            left, right = sides.get("left"), sides.get("right")
            values.append(math.nan if left is None or right is None else abs(float(left) - float(right)))
        series[name] = np.array(values)
    columns = 2
    panel_w, panel_h, gap_x, gap_y = (CONTENT_W - 1.3) / 2, 1.35, 0.75, 0.8
    rows = math.ceil(len(names) / columns)
    note = _wrap(
        f"|Left (patient's) − Right (patient's)| in mm, one point per session; dashed line: typical noise "
        f"({NOISE_MM:.1f} mm). Lower is more even.",
        CONTENT_W,
        SMALL_PT,
    )
    top = 0.32 + len(note) * _line_h(SMALL_PT) + 0.3
    height = top + rows * (panel_h + gap_y)

    def draw(fig: Figure, y: float) -> None:
        _text(
            fig, MARGIN_X, y, "Resting face: difference between the patient's sides", SUBHEADING_PT, fontweight="bold"
        )
        for line, text in enumerate(note):
            _text(fig, MARGIN_X, y + 0.32 + line * _line_h(SMALL_PT), text, SMALL_PT)
        for index, (style, name) in enumerate(zip(RESTING_STYLES, names, strict=False)):
            row, column = divmod(index, columns)
            ax = _axes(
                fig, MARGIN_X + 0.55 + column * (panel_w + gap_x), y + top + row * (panel_h + gap_y), panel_w, panel_h
            )
            ax.set_title(RESTING_LABELS[name], fontsize=SMALL_PT, loc="left", pad=4)
            ax.axhline(NOISE_MM, color="#555555", linewidth=1.0, linestyle=(0, (6, 3)))
            ax.plot(x, series[name], linewidth=1.4, markersize=_marker_size(len(x)), **{**style, "linestyle": "-"})
            _mark_this_session(ax, x_now)
            ax.set_ylim(0, max(1.0, float(np.nanmax(series[name], initial=0.0)) * 1.15))
            ax.set_ylabel("|L − R| mm", fontsize=SMALL_PT)
            _date_axis(ax)
            ax.grid(color="#DDDDDD", linewidth=0.5)

    return _Block(height, draw)


def _trend_sections(session: SessionDetail, history: list[SessionDetail]) -> list[_Section]:
    intro = _heading("Progress over time", HEADING_PT)
    if len(history) < 2:
        return [
            _Section([intro, _paragraph("Only this session so far: trend charts appear from the second session on.")])
        ]
    first, last = (_local(history[i].started_at) for i in (0, -1))
    x_now = _when(session.started_at)
    sections = [
        _Section(
            [
                intro,
                _paragraph(
                    f"{len(history)} sessions from {first:%Y-%m-%d} to {last:%Y-%m-%d}. Each point is the mean of one "
                    "exercise's repetitions in one session; the shaded band and the dash-dot line are the therapist's "
                    "targets at the time; the dotted vertical line marks this session; on the synkinesis charts the "
                    "dashed line is the exercise's warning limit.",
                    after=0.15,
                ),
            ],
            new_page=True,
        )
    ]
    sections += [_Section([_trend_block(trend, x_now)]) for trend in _exercise_trends(session, history).values()]
    resting = _resting_trend_block(history, x_now)
    if resting is not None:
        sections.append(_Section([resting]))
    return sections


# --------------------------------------------------------------------------- the report


def _footer(fig: Figure, patient_code: str, session: SessionDetail, number: int, total: int) -> None:
    y = PAGE_H - MARGIN_BOTTOM + 0.35
    _rule(fig, y - 0.08, 0.6)
    who = "No patient recorded" if patient_code == DASH else f"Patient {patient_code}"
    _text(fig, MARGIN_X, y, f"{who} · session {_session_stamp(session)}", SMALL_PT)
    _text(fig, MARGIN_X + CONTENT_W, y, f"page {number} of {total}", SMALL_PT, ha="right")


def _history_with(session: SessionDetail, history: Sequence[SessionDetail]) -> list[SessionDetail]:
    """This patient's sessions up to this one, oldest → newest, this one included once.
    Another patient's sessions are never drawn into the trends, whatever the caller passes."""
    by_id = {past.id: past for past in history if past.patient_id == session.patient_id}
    by_id[session.id] = session
    return sorted(
        (past for past in by_id.values() if past.started_at <= session.started_at),
        key=lambda past: (past.started_at, past.id),
    )


_RC = {
    "pdf.fonttype": 42,  # TrueType: crisp at any zoom, text selectable and searchable
    "font.family": FONT_FAMILY,
    "font.size": BODY_PT,
    "text.color": "black",
    "axes.labelcolor": "black",
    "axes.edgecolor": "black",
    "xtick.color": "black",
    "ytick.color": "black",
    "hatch.linewidth": 0.7,
    "legend.handlelength": 2.6,  # long enough to show dashed vs solid
}


def write_session_report(
    pdf_path: Path | str,
    session: SessionDetail,
    history: list[SessionDetail],
    patient: Mapping[str, Any] | object | None = None,
    snapshots: Mapping[int, Snapshot] | None = None,
) -> int:
    """Write the session's report to `pdf_path` and return its page count.

    history: the patient's sessions for the trend charts (this one is added if missing;
    later ones, and any of another patient, are left out). patient: a mapping or an
    object with code, display_name, affected_side, onset_date, cause (any may be
    missing). snapshots: the pictures kept at the peak of exercises, keyed by
    `ExerciseRecord.id` (`SessionStore.session_snapshots`); drawn with their measured
    regions. There are some only where the person chose to keep pictures.
    The file appears complete or not at all (written aside, then renamed).
    """
    fields = patient_fields(patient)
    code = _text_of(_value(fields, "code"))
    past = _history_with(session, history)
    snapshots = snapshots or {}
    sections = _front_sections(session, fields)
    for number, exercise in enumerate(session.exercises, 1):
        section = _exercise_section(number, exercise, snapshots.get(exercise.id))
        section.new_page = number == 1
        sections.append(section)
    sections += _trend_sections(session, past)
    pages = _paginate(sections)

    target = Path(pdf_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    metadata = {
        "Title": f"Session report {code} {_session_stamp(session)}",
        "Subject": "Facial exercise session: per-side movement, symmetry and synkinesis (patient's sides)",
        "Creator": f"Facial Symmetry Coach {__version__}",
    }
    try:
        with matplotlib.rc_context(_RC):
            figure = Figure(figsize=(PAGE_W, PAGE_H))
            FigureCanvasAgg(figure)  # explicitly Agg, whatever backend pyplot may have chosen
            with PdfPages(temporary, metadata=metadata) as pdf:
                for number, page in enumerate(pages, 1):
                    figure.clear()
                    for block, y in page.placed:
                        block.draw(figure, y)
                    _footer(figure, code, session, number, len(pages))
                    pdf.savefig(figure)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(pages)
