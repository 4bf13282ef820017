"""Content that flows onto pages: blocks, tables that split between pages, sections kept together.

The whole layout is planned before anything is drawn, from measured text widths and fixed
line and row heights, so each footer can say "page i of n" and a long table continues on
the next page with its header repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from coach.base.i18n import tr
from coach.reports.pdf.layout import (
    BODY_PT,
    BOX_SHADE,
    CONTENT_W,
    HEADING_PT,
    MARGIN_TOP,
    MARGIN_X,
    PAGE_H,
    PAGE_W,
    ROW_SHADE,
    SMALL_PT,
    SUBHEADING_PT,
    USABLE_H,
    clip,
    draw_rule,
    draw_text,
    fx,
    fy,
    line_height,
    text_width,
    wrap,
)


@dataclass
class Block:
    """Unsplittable content: its height and how to draw it with its top at y."""

    height: float
    draw: Callable[[Figure, float], None]


@dataclass
class Column:
    title: str  # may hold "\n"
    width: float
    align: str = "right"

    def anchor(self, left: float) -> tuple[float, str]:
        """Where a cell's text is anchored, and how, for a column starting at `left`."""
        if self.align == "left":
            return left + 0.05, "left"
        if self.align == "center":
            return left + self.width / 2, "center"
        return left + self.width - 0.1, "right"


def fitted_columns(columns: list[Column], rows: list[list[str]], pt: float) -> list[Column]:
    """The columns, widened where a header word or a cell does not fit (a long German
    compound), by the room the other columns do not need; the total width is kept."""
    needs = [
        max(
            [0.0, *(text_width(word, pt, bold=True) for word in column.title.split())]
            + [text_width(row[index], pt) for row in rows if index < len(row)]
        )
        + 0.1
        for index, column in enumerate(columns)
    ]
    short = sum(max(0.0, need - column.width) for need, column in zip(needs, columns, strict=True))
    spare = sum(max(0.0, column.width - need) for need, column in zip(needs, columns, strict=True))
    if short <= 0 or spare <= 0:
        return columns
    moved = min(short, spare)
    return [
        Column(
            column.title,
            column.width + moved * (need - column.width) / short
            if need > column.width
            else column.width - moved * (column.width - need) / spare,
            column.align,
        )
        for need, column in zip(needs, columns, strict=True)
    ]


@dataclass
class Table:
    """Rows split across pages; the header is repeated on each part, and a part on a
    page of its own says whose rows they are (`caption` + "(continued)")."""

    columns: list[Column]
    rows: list[list[str]]
    caption: str = ""
    pt: float = SMALL_PT
    row_h: float = 0.23
    after: float = 0.14

    def __post_init__(self) -> None:
        self.columns = fitted_columns(self.columns, self.rows, self.pt)
        self.titles = ["\n".join(wrap(column.title, column.width - 0.1, self.pt, bold=True)) for column in self.columns]

    @property
    def header_h(self) -> float:
        lines = max(title.count("\n") + 1 for title in self.titles)
        return lines * line_height(self.pt) + 0.1

    def height(self, rows: int, continued: bool = False) -> float:
        caption_h = line_height(SUBHEADING_PT) + 0.1 if continued and self.caption else 0.0
        return caption_h + self.header_h + rows * self.row_h + self.after

    def rows_fitting(self, room: float, continued: bool = False) -> int:
        return max(0, int((room - self.height(0, continued) + 1e-9) // self.row_h))

    def part(self, rows: list[list[str]], continued: bool = False) -> Block:
        def draw(fig: Figure, y: float) -> None:
            if continued and self.caption:
                caption = tr("{caption} (continued)", caption=self.caption)
                draw_text(fig, MARGIN_X, y, caption, SUBHEADING_PT, fontweight="bold")
                y += line_height(SUBHEADING_PT) + 0.1
            self._draw(fig, y, rows)

        return Block(self.height(len(rows), continued), draw)

    def _draw(self, fig: Figure, y: float, rows: list[list[str]]) -> None:
        x = MARGIN_X
        lefts = []
        for column in self.columns:
            lefts.append(x)
            x += column.width
        right_edge = x
        header_bottom = y + self.header_h
        for left, column, title in zip(lefts, self.columns, self.titles, strict=True):
            cx, ha = column.anchor(left)
            draw_text(
                fig, cx, header_bottom - 0.05, title, self.pt, va="bottom", ha=ha, fontweight="bold", multialignment=ha
            )
        draw_rule(fig, header_bottom, 1.0, x1=right_edge)
        for index, row in enumerate(rows):
            top = header_bottom + index * self.row_h
            if index % 2:
                fig.add_artist(
                    Rectangle(
                        (fx(MARGIN_X), fy(top + self.row_h)),
                        (right_edge - MARGIN_X) / PAGE_W,
                        self.row_h / PAGE_H,
                        facecolor=ROW_SHADE,
                        edgecolor="none",
                        zorder=-1,
                    )
                )
            for left, column, cell in zip(lefts, self.columns, row, strict=True):
                cx, ha = column.anchor(left)
                text = clip(cell, column.width - 0.1, self.pt)
                draw_text(fig, cx, top + self.row_h / 2, text, self.pt, va="center_baseline", ha=ha)
        draw_rule(fig, header_bottom + len(rows) * self.row_h, 0.8, x1=right_edge)


@dataclass
class Section:
    """Kept on one page when it fits; `new_page` starts it on a fresh page regardless."""

    items: list[Block | Table]
    new_page: bool = False

    @property
    def height(self) -> float:
        return sum(item.height(len(item.rows)) if isinstance(item, Table) else item.height for item in self.items)


@dataclass
class Page:
    placed: list[tuple[Block, float]] = field(default_factory=list)
    used: float = 0.0

    def room(self) -> float:
        return USABLE_H - self.used

    def place(self, block: Block) -> None:
        self.placed.append((block, MARGIN_TOP + self.used))
        self.used += block.height


def _place_table(pages: list[Page], table: Table) -> None:
    """As many rows as fit on this page, the rest on the next ones (at least one row per page)."""
    rows, continued = table.rows, False
    while rows:
        fitting = table.rows_fitting(pages[-1].room(), continued)
        if fitting == 0 and pages[-1].placed:
            pages.append(Page())
            continue
        taken = max(1, fitting)
        pages[-1].place(table.part(rows[:taken], continued))
        rows = rows[taken:]
        if rows:
            pages.append(Page())
            continued = True


def paginate(sections: list[Section]) -> list[Page]:
    """Flow sections onto pages: a section that does not fit what is left of a page
    starts the next one; only a section taller than a page is split (between table rows)."""
    pages = [Page()]
    for section in sections:
        if pages[-1].placed and (section.new_page or section.height > pages[-1].room()):
            pages.append(Page())
        for item in section.items:
            if isinstance(item, Table):
                _place_table(pages, item)
                continue
            if item.height > pages[-1].room() and pages[-1].placed:
                pages.append(Page())
            pages[-1].place(item)
    return pages


# --------------------------------------------------------------------------- ready-made blocks


def heading(text: str, pt: float = HEADING_PT, before: float = 0.05, after: float = 0.08) -> Block:
    height = before + pt * 1.3 / 72 + after
    return Block(height, lambda fig, y: draw_text(fig, MARGIN_X, y + before, text, pt, fontweight="bold"))


def paragraph(text: str, pt: float = BODY_PT, after: float = 0.1, **style: Any) -> Block:
    """Text wrapped to the content width."""
    lines = wrap(text, CONTENT_W, pt)

    def draw(fig: Figure, y: float) -> None:
        for index, line in enumerate(lines):
            draw_text(fig, MARGIN_X, y + index * line_height(pt), line, pt, **style)

    return Block(len(lines) * line_height(pt) + after, draw)


def spacer(height: float) -> Block:
    return Block(height, lambda fig, y: None)


def key_values(columns: list[list[tuple[str, str]]], label_w: float = 1.25, after: float = 0.15) -> Block:
    """Side-by-side lists of bold label and value (the page-1 header); the labels get
    at least `label_w`, more when a label (in a longer language) needs it."""
    pt = BODY_PT
    column_w = CONTENT_W / len(columns)
    label_w = max(label_w, *(text_width(label, pt, bold=True) + 0.12 for pairs in columns for label, _ in pairs))
    wrapped = [[(label, wrap(value, column_w - label_w - 0.1, pt)) for label, value in pairs] for pairs in columns]
    heights = [sum(len(lines) for _, lines in pairs) for pairs in wrapped]

    def draw(fig: Figure, y: float) -> None:
        for number, pairs in enumerate(wrapped):
            x = MARGIN_X + number * column_w
            line = 0
            for label, lines in pairs:
                draw_text(fig, x, y + line * line_height(pt), label, pt, fontweight="bold")
                for text in lines:
                    draw_text(fig, x + label_w, y + line * line_height(pt), text, pt)
                    line += 1

    return Block(max(heights) * line_height(pt) + after, draw)


def boxed(title: str, paragraphs: Sequence[str], closing: str) -> Block:
    """Bulleted paragraphs and a bold closing line in a shaded frame, so they are not missed."""
    pt, pad = BODY_PT, 0.14
    bullet_w = 0.18
    body = [wrap(text, CONTENT_W - 2 * pad - bullet_w, pt) for text in paragraphs]
    ending = wrap(closing, CONTENT_W - 2 * pad, pt, bold=True)
    lines = sum(len(b) for b in body) + len(ending)
    height = 2 * pad + line_height(SUBHEADING_PT) + lines * line_height(pt) + 0.1

    def draw(fig: Figure, y: float) -> None:
        fig.add_artist(
            Rectangle(
                (fx(MARGIN_X), fy(y + height)),
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
        draw_text(fig, x, line_y, title, SUBHEADING_PT, fontweight="bold")
        line_y += line_height(SUBHEADING_PT)
        for lines in body:
            draw_text(fig, x, line_y, "•", pt)
            for text in lines:
                draw_text(fig, x + bullet_w, line_y, text, pt)
                line_y += line_height(pt)
        line_y += 0.1
        for text in ending:
            draw_text(fig, x, line_y, text, pt, fontweight="bold")
            line_y += line_height(pt)

    return Block(height + 0.15, draw)
