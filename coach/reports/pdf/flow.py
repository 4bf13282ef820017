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
    MUTED_TEXT,
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
    #: cells wrap onto more lines (the row grows) instead of being cut short: for words a reader needs whole
    wrap: bool = False

    def anchor(self, left: float) -> tuple[float, str]:
        """Where a cell's text is anchored, and how, for a column starting at `left`."""
        if self.align == "left":
            return left + 0.05, "left"
        if self.align == "center":
            return left + self.width / 2, "center"
        return left + self.width - 0.1, "right"


@dataclass(frozen=True)
class RowStyle:
    """How one row of a table stands out: `bold` (a therapist's note), `struck` (grey and struck
    through: shown, but not counted), `note` (a line under the row's cells, saying why)."""

    bold: bool = False
    struck: bool = False
    note: str = ""


PLAIN_ROW = RowStyle()


def _cell_need(text: str, column: Column, pt: float) -> float:
    """The width a cell needs: all of it, or in a wrapping column its longest word."""
    if column.wrap:
        return max([0.0, *(text_width(word, pt) for word in text.split())])
    return text_width(text, pt)


def fitted_columns(columns: list[Column], rows: list[list[str]], pt: float) -> list[Column]:
    """The columns, widened where a header word or a cell does not fit (a long German
    compound), by the room the other columns do not need; the total width is kept."""
    needs = [
        max(
            [0.0, *(text_width(word, pt, bold=True) for word in column.title.split())]
            + [_cell_need(row[index], column, pt) for row in rows if index < len(row)]
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
            column.wrap,
        )
        for need, column in zip(needs, columns, strict=True)
    ]


@dataclass
class Table:
    """Rows split across pages; the header is repeated on each part, and a part on a
    page of its own says whose rows they are (`caption` + "(continued)"). A row is one line
    tall unless a wrapping column or its style's note needs more (`styles`: one per row, or none)."""

    columns: list[Column]
    rows: list[list[str]]
    caption: str = ""
    pt: float = SMALL_PT
    row_h: float = 0.23
    after: float = 0.14
    styles: list[RowStyle] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.columns = fitted_columns(self.columns, self.rows, self.pt)
        self.titles = ["\n".join(wrap(column.title, column.width - 0.1, self.pt, bold=True)) for column in self.columns]
        if self.styles and len(self.styles) != len(self.rows):
            raise ValueError(f"a table of {len(self.rows)} rows takes as many row styles, not {len(self.styles)}")
        self.styles = self.styles or [PLAIN_ROW] * len(self.rows)
        self.cell_lines = [self._cell_lines(row, style) for row, style in zip(self.rows, self.styles, strict=True)]
        #: a note starts under the second column, so the row's number stays on its own at the left
        self.note_x = MARGIN_X + (self.columns[0].width if len(self.columns) > 1 else 0.0)
        note_w = self.width - (self.note_x - MARGIN_X) - 0.1
        self.note_lines = [wrap(style.note, note_w, self.pt) if style.note else [] for style in self.styles]
        self.row_heights = [
            self.row_h + (max(len(lines) for lines in cells) - 1 + len(notes)) * line_height(self.pt)
            for cells, notes in zip(self.cell_lines, self.note_lines, strict=True)
        ]

    @property
    def width(self) -> float:
        return sum(column.width for column in self.columns)

    def _cell_lines(self, row: list[str], style: RowStyle) -> list[list[str]]:
        """Each cell's lines: wrapped in a wrapping column, else one line cut short to fit."""
        return [
            wrap(cell, column.width - 0.1, self.pt, bold=style.bold)
            if column.wrap
            else [clip(cell, column.width - 0.1, self.pt, bold=style.bold)]
            for column, cell in zip(self.columns, row, strict=True)
        ]

    @property
    def header_h(self) -> float:
        lines = max(title.count("\n") + 1 for title in self.titles)
        return lines * line_height(self.pt) + 0.1

    def height(self, start: int = 0, stop: int | None = None, continued: bool = False) -> float:
        """The height of rows start to stop (all by default), with the header and the space after."""
        caption_h = line_height(SUBHEADING_PT) + 0.1 if continued and self.caption else 0.0
        return caption_h + self.header_h + sum(self.row_heights[start:stop]) + self.after

    def rows_fitting(self, start: int, room: float, continued: bool = False) -> int:
        """How many rows from `start` on fit in `room`."""
        used = self.height(start, start, continued)
        count = 0
        for row_height in self.row_heights[start:]:
            if used + row_height > room + 1e-9:
                break
            used += row_height
            count += 1
        return count

    def part(self, start: int, stop: int, continued: bool = False) -> Block:
        def draw(fig: Figure, y: float) -> None:
            if continued and self.caption:
                caption = tr("{caption} (continued)", caption=self.caption)
                draw_text(fig, MARGIN_X, y, caption, SUBHEADING_PT, fontweight="bold")
                y += line_height(SUBHEADING_PT) + 0.1
            self._draw(fig, y, start, stop)

        return Block(self.height(start, stop, continued), draw)

    def _draw(self, fig: Figure, y: float, start: int, stop: int) -> None:
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
        top = header_bottom
        for index in range(start, stop):
            row_height = self.row_heights[index]
            if (index - start) % 2:
                fig.add_artist(
                    Rectangle(
                        (fx(MARGIN_X), fy(top + row_height)),
                        (right_edge - MARGIN_X) / PAGE_W,
                        row_height / PAGE_H,
                        facecolor=ROW_SHADE,
                        edgecolor="none",
                        zorder=-1,
                    )
                )
            self._draw_row(fig, top, index, lefts, right_edge)
            top += row_height
        draw_rule(fig, top, 0.8, x1=right_edge)

    def _draw_row(self, fig: Figure, top: float, index: int, lefts: list[float], right_edge: float) -> None:
        """One row's cells (grey and struck through if it does not count), then its note."""
        style = self.styles[index]
        first_line = top + self.row_h / 2
        colour, weight = (MUTED_TEXT if style.struck else "black"), ("bold" if style.bold else "normal")
        for left, column, lines in zip(lefts, self.columns, self.cell_lines[index], strict=True):
            cx, ha = column.anchor(left)
            for number, text in enumerate(lines):
                y = first_line + number * line_height(self.pt)
                draw_text(fig, cx, y, text, self.pt, va="center_baseline", ha=ha, color=colour, fontweight=weight)
        if style.struck:
            draw_rule(fig, first_line, 0.7, x1=right_edge, colour=MUTED_TEXT)
        below = first_line + max(len(lines) for lines in self.cell_lines[index]) * line_height(self.pt)
        for number, text in enumerate(self.note_lines[index]):
            y = below + number * line_height(self.pt)
            draw_text(fig, self.note_x + 0.05, y, text, self.pt, va="center_baseline", fontstyle="italic")


@dataclass
class Section:
    """Kept on one page when it fits; `new_page` starts it on a fresh page regardless."""

    items: list[Block | Table]
    new_page: bool = False

    @property
    def height(self) -> float:
        return sum(item.height() if isinstance(item, Table) else item.height for item in self.items)


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
    start, continued = 0, False
    while start < len(table.rows):
        fitting = table.rows_fitting(start, pages[-1].room(), continued)
        if fitting == 0 and pages[-1].placed:
            pages.append(Page())
            continue
        stop = start + max(1, fitting)
        pages[-1].place(table.part(start, stop, continued))
        start = stop
        if start < len(table.rows):
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
