"""The containers open while the content model is built (list items, captions, tables and their rows
with spans), and the tidy-up of the finished model (empty blocks dropped, wrappers unwrapped)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .content import (
    Block,
    Cell,
    CodeBlock,
    Figure,
    Heading,
    Image,
    Inline,
    ListBlock,
    Paragraph,
    Quote,
    Span,
    Table,
    plain,
)
from .segment import Structure

MAX_NESTING = 16  # structural containers kept around a block (deeper ones are read as plain flow)
MAX_INLINE_NESTING = 8  # inline elements kept around a piece of text
MAX_COLUMNS = 1000  # a table's columns (the HTML limit of colspan); wider rows are cut
MAX_ROWSPAN = 65534  # the HTML limit of rowspan
SPAN_BUDGET = 10_000  # cells a table's spans may add beyond 4 per cell it has (colspan="1000000")
MIN_IMAGE_SIZE = 3  # images declared narrower or lower than this (tracking pixels) are left out
LAYOUT_ROLES = frozenset({"presentation", "none"})
HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_IN_CELL = frozenset({"pre", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "figure"})


def _int(value: str | None, default: int, high: int) -> int:
    """An integer attribute as browsers read it (leading digits), within [1, high]; `default` when absent
    or unreadable."""
    m = re.match(r"\s*\+?(\d+)", value or "")
    return min(max(int(m.group(1)), 1), high) if m else default



@dataclass
class _Item:
    """An open container whose content is a flow of blocks (a list item, a cell read as flow)."""

    blocks: list


@dataclass
class _Caption:
    """A <figcaption> outside a figure: a caption paragraph."""

    inlines: list


class _TableBuild:
    """A data table being read: its rows of cells with their spans, expanded when finished."""

    def __init__(self) -> None:
        self.rows: list[_Row] = []
        self.caption: _Caption = _Caption([])
        self.after: list[Block] = []  # blocks met in the table outside any cell (invalid HTML), kept after it

    def row_for(self, cell_node: int) -> _Row:
        """The row of a cell whose <tr> is not open (a cell directly in a table)."""
        if not self.rows or self.rows[-1].node != -cell_node:
            self.rows.append(_Row(self, -cell_node))
        return self.rows[-1]

    def table(self) -> Table | None:
        """The rows with spans expanded (ragged: renderers pad), empty rows left out; None if none is left."""
        grid: list[list[Cell]] = []
        carried: dict[int, tuple[Cell, int]] = {}  # column → (cell spanning down into it, rows left)
        header = False
        budget = 4 * sum(len(row.cells) for row in self.rows) + SPAN_BUDGET
        for r, row in enumerate(self.rows):
            out: list[Cell] = []
            col = 0
            cells = iter(row.cells)
            while True:
                while col in carried and len(out) < MAX_COLUMNS:
                    cell, left = carried[col]
                    out.append(cell)
                    if left <= 1:
                        del carried[col]
                    else:
                        carried[col] = (cell, left - 1)
                    col += 1
                nxt = next(cells, None)
                if nxt is None or len(out) >= MAX_COLUMNS:
                    break
                cell, colspan, rowspan = nxt
                if budget <= 0:
                    colspan = rowspan = 1
                budget -= colspan * rowspan - 1
                for _ in range(min(colspan, MAX_COLUMNS - len(out))):
                    out.append(cell)
                    if rowspan > 1:
                        carried[col] = (cell, min(rowspan - 1, len(self.rows) - r - 1))
                    col += 1
            if out and any(plain(c.inlines).strip() for c in out):
                grid.append(out)
                if len(grid) == 1:
                    header = row.head or all(c.header for c in out)
            carried = {c: v for c, v in carried.items() if v[1] > 0}
        if not grid:
            return None
        return Table(grid, header, self.caption.inlines)


class _Row:
    """A table row being read: its cells with their spans, in order, and whether it is a header row."""

    def __init__(self, table: _TableBuild, node: int):
        self.table, self.node = table, node
        self.cells: list[tuple[Cell, int, int]] = []
        self.by_node: dict[int, Cell] = {}
        self.head = False

    def loose(self) -> Cell:
        """A cell of its own for text in the row outside its cells."""
        cell = Cell([])
        self.cells.append((cell, 1, 1))
        return cell

    def cell(self, node: int, s: Structure, header: bool) -> Cell:
        got = self.by_node.get(node)
        if got is None:
            attrs: Any = s.attrs[node - 1] or (None, None)
            got = self.by_node[node] = Cell([], header)
            self.cells.append((got, _int(attrs[0], 1, MAX_COLUMNS), _int(attrs[1], 1, MAX_ROWSPAN)))
            parent = s.parents[node - 1]
            grand = s.parents[parent - 1] if parent else 0
            if grand and s.tags[grand - 1] == "thead" or parent and s.tags[parent - 1] == "thead":
                self.head = True
        return got


def _flow(holder: object) -> list[Any]:
    """The list of blocks a container holds (the root list itself, an item's, a quote's)."""
    if isinstance(holder, list):
        return holder
    if isinstance(holder, (_Item, Quote)):
        return holder.blocks
    if isinstance(holder, ListBlock):
        item: list = []
        holder.items.append(item)
        return item
    if isinstance(holder, _Row):
        holder = holder.table
    if isinstance(holder, _TableBuild):  # blocks in a table outside its cells (invalid HTML)
        return holder.after
    raise TypeError(f"no flow in {type(holder).__name__}")  # (never: every container above has one)


def _has_pre(pieces: list) -> bool:
    return any(type(p) is tuple and p[0] == "pre" for p in pieces)


def _code_text(pieces: list) -> str:
    """A <pre> block's text as written: its text pieces joined, blank lines at either end dropped."""
    text = "".join(p for p in pieces if type(p) is str)
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


def _unwrap(inlines: list[Inline], kind: str) -> list[Inline]:
    """Inline content with the spans of `kind` replaced by their content."""
    out: list[Inline] = []
    for x in inlines:
        if isinstance(x, Span):
            if x.kind == kind:
                out.extend(_unwrap(x.children, kind))
                continue
            x.children = _unwrap(x.children, kind)
        out.append(x)
    return out


def _tidy(inlines: list[Inline]) -> list[Inline]:
    """Inline content without empty spans, adjacent text and adjacent spans of one kind merged."""
    out: list[Inline] = []
    for x in inlines:
        if isinstance(x, Span):
            x.children = _tidy(x.children)
            if not x.children or (x.kind != "code" and not plain(x.children).strip()
                                  and not any(isinstance(c, Image) for c in x.children)):
                if x.children:
                    out.extend(c for c in x.children if isinstance(c, str))
                continue
        if isinstance(x, str) and out and isinstance(out[-1], str):
            out[-1] += x
        elif isinstance(x, Span) and out and isinstance(out[-1], Span) \
                and (out[-1].kind, out[-1].href) == (x.kind, x.href):
            out[-1].children = _tidy(out[-1].children + x.children)  # (*a**b* would not read as one span)
        else:
            out.append(x)
    return out


def _finish(blocks: list) -> list[Block]:
    """The built blocks with tables expanded, empty containers dropped and items tidied."""
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, _TableBuild):
            filled = [[c for c, _, _ in row.cells if plain(c.inlines).strip()] for row in b.rows]
            filled = [cells for cells in filled if cells]
            if len(filled) == 1 and len(filled[0]) == 1:  # one cell kept (a title spanning the table):
                out.append(Paragraph(filled[0][0].inlines))  # a line of text, not a table of its copies
            elif filled and (table := b.table()) is not None:
                out.append(table)
            out.extend(_finish(b.after))
        elif isinstance(b, _Caption):
            if b.inlines:
                out.append(Paragraph(b.inlines, "caption"))
        elif isinstance(b, ListBlock):
            b.items = [items for items in (_finish(item) for item in b.items) if items]
            if b.items:
                out.append(b)
        elif isinstance(b, Quote):
            b.blocks = _finish(b.blocks)
            if b.blocks:
                out.append(b)
        elif isinstance(b, Heading):
            if plain(b.inlines).strip():
                out.append(b)
        elif isinstance(b, CodeBlock):
            if b.text.strip():
                out.append(b)
        elif isinstance(b, Figure):
            b.caption = _tidy(b.caption)
            if b.images or b.caption:
                out.append(b)
        else:
            out.append(b)
    return out
