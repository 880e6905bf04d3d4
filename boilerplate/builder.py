"""Kept blocks → the content model (content.py): each kept block's chain of structural nodes opens and
closes containers, its pieces become inline content; the model's decision of which blocks are kept is
taken as given. Structure comes from the walk's record (segment.Structure); a page without one (a text
dump, or HTML segmented without `structure`) gets a flat model from its blocks' tags alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from .containers import (
    _BLOCK_IN_CELL,
    HEADINGS,
    LAYOUT_ROLES,
    MAX_NESTING,
    _Caption,
    _code_text,
    _finish,
    _flow,
    _has_pre,
    _int,
    _Item,
    _Row,
    _TableBuild,
    _unwrap,
)
from .content import (
    Block,
    Break,
    Cell,
    CodeBlock,
    Figure,
    Heading,
    Image,
    ListBlock,
    Math,
    MathBlock,
    Paragraph,
    Quote,
    safe_url,
)
from .inline import Inlines
from .segment import Structure


class LineLike(Protocol):
    """What the builder reads of a page's lines (document.Line)."""

    @property
    def text(self) -> str:
        """The line's text."""

    @property
    def is_content(self) -> bool:
        """Whether the line is kept as content."""

    @property
    def role(self) -> str:
        """Its role (document.Role)."""

    @property
    def tag(self) -> str:
        """The HTML element holding it."""


def build_content(lines: Sequence[LineLike], structure: Structure | None, *, url: str | None = None,
                  links: bool = True, images: bool = True) -> list[Block]:
    """The content lines (kept, title aside) of a page as content blocks, by the walk's `structure`
    record of its blocks (one line per block), or by the lines' tags alone without one. `url` resolves
    relative links and images (after the page's <base href>); `links` and `images` keep links (else
    their text alone) and images."""
    kept = [i for i, line in enumerate(lines) if line.is_content and line.role != "title"]
    if structure is None or len(structure.node) != len(lines):
        return _flat(lines, kept)
    base = url
    if structure.base:
        base = safe_url(structure.base, url) or url
    return _Builder(structure, Inlines(structure, links, images, base)).build(lines, kept)


def _flat(lines: Sequence[LineLike], kept: list[int]) -> list[Block]:
    """Content blocks from the lines' tags alone (no structure recorded): headings, list items, quotes,
    code and paragraphs."""
    out: list[Block] = []
    prev = -2
    for i in kept:
        tag, text = lines[i].tag, lines[i].text
        if tag in HEADINGS:
            out.append(Heading(HEADINGS[tag], [text]))
        elif tag == "li":
            if out and isinstance(out[-1], ListBlock) and prev == i - 1:
                out[-1].items.append([Paragraph([text])])
            else:
                out.append(ListBlock(False, [[Paragraph([text])]]))
        elif tag == "blockquote":
            out.append(Quote([Paragraph([text])]))
        elif tag == "pre":
            out.append(CodeBlock(text))
        else:
            out.append(Paragraph([text], lines[i].role))
        prev = i
    return out




class _Builder:
    """One page's content blocks, built block by block along each block's chain of structural nodes."""

    def __init__(self, structure: Structure, inline: Inlines):
        self.s, self.inline = structure, inline
        self.layout: dict[int, bool] = {}  # per table or figure met: is it page layout (or a wrapper)?
        self.chains: dict[int, tuple[int, ...]] = {0: ()}

    def _descendants(self, node: int) -> Iterator[int]:
        """The ids of the nodes below `node`: those after it whose parent is it or after it (nodes are in
        document order, so a subtree is a run)."""
        parents = self.s.parents
        for j in range(node, len(parents)):
            if parents[j] < node:
                return
            yield j + 1

    def _is_layout(self, node: int) -> bool:
        """A table used for page layout: one holding a table, heading, <pre>, quote or figure, of fewer than
        two rows or columns, or of role presentation. A figure holding more than images and its caption is
        a wrapper (WordPress' <figure class="wp-block-table">), read as layout too."""
        got = self.layout.get(node)
        if got is not None:
            return got
        tags, attrs = self.s.tags, self.s.attrs[node - 1]
        if tags[node - 1] == "figure":
            got = any(tags[d - 1] != "figcaption" for d in self._descendants(node))
        else:
            got = isinstance(attrs, str) and attrs.strip().lower() in LAYOUT_ROLES
            rows, cells = 0, Counter[int]()
            for d in self._descendants(node):
                tag = tags[d - 1]
                if tag in _BLOCK_IN_CELL:
                    got = True
                    break
                if tag == "tr":
                    rows += 1
                elif tag in ("td", "th"):
                    cells[self.s.parents[d - 1]] += 1
            got = got or rows < 2 or max(cells.values(), default=0) < 2
        self.layout[node] = got
        return got

    def _table_of(self, node: int) -> int:
        """The nearest table above a node (0: none)."""
        tags, parents = self.s.tags, self.s.parents
        parent = parents[node - 1]
        while parent and tags[parent - 1] != "table":
            parent = parents[parent - 1]
        return parent

    # -- structural chains

    def chain(self, node: int) -> tuple[int, ...]:
        """The rendered structural nodes from the outermost down to `node`: layout tables, their rows and
        cells, <thead> and definition lists are left out; nothing is kept below a cell, heading, caption
        or <pre>, nor past MAX_NESTING."""
        got = self.chains.get(node)
        if got is not None:
            return got
        tag, parent = self.s.tags[node - 1], self.s.parents[node - 1]
        above = self.chain(parent)
        inner = self.s.tags[above[-1] - 1] if above else ""
        if inner in _LEAVES or len(above) >= MAX_NESTING or (inner == "figure" and tag != "figcaption"):
            out = above
        elif tag in ("thead", "dl", "dt", "dd") or self._in_layout(node, tag):
            out = above
        else:
            out = above + (node,)
        self.chains[node] = out
        return out

    def _in_layout(self, node: int, tag: str) -> bool:
        if tag in ("table", "figure"):
            return self._is_layout(node)
        if tag in ("tr", "td", "th", "caption"):
            table = self._table_of(node)
            return self._is_layout(table) if table else True
        return False

    # -- blocks

    def build(self, lines: Sequence[LineLike], kept: list[int]) -> list[Block]:
        root: list[Block] = []
        open_: list[tuple[int, object]] = []  # the open containers: (node id, content object)
        last: tuple[int, Any] | None = None  # (block index, the paragraph-like object it wrote)
        s = self.s
        for i in kept:
            chain = self.chain(s.node[i])
            depth = 0
            while depth < len(chain) and depth < len(open_) and open_[depth][0] == chain[depth]:
                depth += 1
            if depth < len(open_):
                del open_[depth:]
                last = None
            for node in chain[depth:]:
                open_.append((node, self._open(node, open_, root)))
            holder: Any = open_[-1][1] if open_ else root  # (a block being built: dispatched on its type)
            pieces = s.block_pieces(i)
            kind = type(holder)
            if kind is list or kind is _Item or kind is Quote or kind is ListBlock:
                if s.node[i] and s.tags[s.node[i] - 1] == "tr" and _has_pre(pieces):
                    self._with_code(_flow(holder), pieces)  # a row of a layout table holding code
                    last = None
                    continue
                lead, inlines = self.inline.read(pieces, lines[i].text)
                flow = _flow(holder)
                for x in lead:
                    flow.append(MathBlock(x.tex) if isinstance(x, Math) else Paragraph([x]))
                if not inlines:
                    continue
                if last is not None and last[0] == i - 1 and s.breaks[i - 1] and flow and last[1] is flow[-1]:
                    flow[-1].inlines += [Break(), *inlines]  # (lines of one paragraph parted by a <br>)
                else:
                    flow.append(Paragraph(inlines, "caption" if lines[i].role == "caption" else "body"))
                last = (i, flow[-1])
                continue
            if kind is CodeBlock:
                holder.text += ("\n" if holder.text else "") + _code_text(pieces)
                continue
            if kind is _Row:  # a data row: its cells are marked in the block's pieces
                self._row(holder, pieces)
                continue
            if kind is _TableBuild:  # text in a table outside its cells: a row of its own
                holder.rows.append(_Row(holder, 0))
                holder = holder.rows[-1].loose()
                kind = Cell
            lead, inlines = self.inline.read(pieces, lines[i].text)
            if kind is Figure:
                holder.images.extend(x for x in lead if isinstance(x, Image))
                holder.images.extend(x for x in inlines if isinstance(x, Image))
                text = [x for x in inlines if not isinstance(x, Image)]
                if holder.caption and text:
                    holder.caption.append(Break())
                holder.caption.extend(text)
                continue
            target = holder.inlines  # a heading, a cell or a caption: one run of inline content
            if target and inlines:
                joined = last is not None and last[0] == i - 1 and s.breaks[i - 1]
                target.append(Break() if joined or kind is Cell else " ")
            if kind is Cell:
                target.extend(lead + inlines)
            else:  # (a heading's bold is the heading's own)
                target.extend(_unwrap(inlines, "strong") if kind is Heading else inlines)
            last = (i, holder)
        return _finish(root)

    def _open(self, node: int, open_: list[tuple[int, object]], root: list[Block]) -> object:
        """The content object of a structural node newly met, attached to the innermost open container."""
        tag, attrs = self.s.tags[node - 1], self.s.attrs[node - 1]
        attrs_: Any = attrs  # (what the walk recorded for this tag: see Structure)
        holder = open_[-1][1] if open_ else root
        if tag == "li":
            if not isinstance(holder, ListBlock):  # an item outside a list: a list of its own
                holder = ListBlock(False)
                _flow(open_[-1][1] if open_ else root).append(holder)
            item: list[Block] = []
            holder.items.append(item)
            return _Item(item)
        if tag in ("td", "th") or tag == "tr" or tag == "caption":
            table = next((obj for _, obj in reversed(open_) if isinstance(obj, _TableBuild)), None)
            if table is None:  # (a cell whose table is not open: read as flow)
                return _Item(_flow(holder))
            if tag == "caption":
                return table.caption
            if tag == "tr":
                row = _Row(table, node)
                table.rows.append(row)
                return row
            row = holder if isinstance(holder, _Row) else table.row_for(node)
            return row.cell(node, self.s, tag == "th")
        if tag in HEADINGS:
            obj: object = Heading(HEADINGS[tag], [])
        elif tag in ("ul", "ol"):
            obj = ListBlock(tag == "ol", [], _int(attrs_, 1, 1 << 31) if tag == "ol" else 1)
        elif tag == "pre":
            obj = CodeBlock("", attrs_)
        elif tag == "blockquote":
            obj = Quote()
        elif tag == "table":
            obj = _TableBuild()
        elif tag == "figure":
            obj = Figure()
        elif tag == "figcaption":
            if isinstance(holder, Figure):
                return holder
            obj = _Caption([])
        else:
            return _Item(_flow(holder))
        if isinstance(holder, ListBlock):  # (text of a list outside its items: an item of its own)
            item = []
            holder.items.append(item)
            item.append(obj)  # type: ignore[arg-type]
        else:
            _flow(holder).append(obj)
        return obj

    def _with_code(self, flow: list, pieces: list) -> None:
        """A block holding <pre> elements (a data row of a layout table: a code listing beside its line
        numbers): its code as code blocks, the rest as paragraphs, in order."""
        part: list = []
        for p in [*pieces, ("/pre", 0)]:
            if type(p) is tuple and p[0] in ("pre", "/pre"):
                if p[0] == "/pre" and any(type(x) is tuple and x[0] == "pre" for x in part[:1]):
                    code = _code_text(part[1:])
                    if code.strip():
                        flow.append(CodeBlock(code, self.s.attrs[part[0][1] - 1]))
                else:
                    lead, inlines = self.inline.read(part)
                    flow.extend(Paragraph([x]) for x in lead)
                    if inlines:
                        flow.append(Paragraph(inlines))
                part = [p] if p[0] == "pre" else []
            else:
                part.append(p)

    def _row(self, row: _Row, pieces: list) -> None:
        """A data row's block: its pieces cut at the cell marks, each part into its cell (text before
        the first mark into a cell of its own)."""
        part: list = []
        cell_node = 0
        for p in [*pieces, ("cell", -1)]:
            if type(p) is tuple and p[0] == "cell":
                _, inlines = self.inline.read(part)
                if cell_node:
                    cell = row.cell(cell_node, self.s, self.s.tags[cell_node - 1] == "th")
                    cell.inlines.extend(inlines)
                elif inlines:
                    row.loose().inlines.extend(inlines)
                part, cell_node = [], p[1]
            else:
                part.append(p)


_LEAVES = frozenset({"td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "caption", "figcaption", "pre"})
