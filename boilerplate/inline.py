"""A block's pieces (segment.Structure.block_pieces) → inline content: text runs with whitespace
collapsed as in the block's text, links, emphasis, code and the like nested by the walk's inline
contexts, images and formulas."""

from __future__ import annotations

from .containers import MAX_INLINE_NESTING, MIN_IMAGE_SIZE, _int, _tidy
from .content import Image, Inline, Math, Span, safe_url
from .segment import Structure

_INLINE_KIND = {"a": "link", "em": "em", "i": "em", "strong": "strong", "b": "strong", "code": "code",
                "kbd": "code", "samp": "code", "tt": "code", "del": "del", "s": "del", "strike": "del",
                "sub": "sub", "sup": "sup"}


class Inlines:
    """One page's inline reader: `links` keeps links with a safe href (resolved against `base`), `images`
    keeps images of at least MIN_IMAGE_SIZE."""

    def __init__(self, structure: Structure, links: bool, images: bool, base: str | None):
        self.s, self.links, self.images, self.base = structure, links, images, base
        self.ctx_chains: dict[int, tuple[int, ...]] = {0: ()}
        self.hrefs: dict[int, str] = {}  # each kept link context's href, resolved

    def ctx_chain(self, ctx: int) -> tuple[int, ...]:
        """The inline contexts kept around text of context `ctx`, outermost first: links only with
        `links` and a safe href, one of each kind, nothing inside code."""
        got = self.ctx_chains.get(ctx)
        if got is not None:
            return got
        tag, parent, href = self.s.contexts[ctx - 1]
        above = self.ctx_chain(parent)
        kind = _INLINE_KIND[tag]
        kinds = [_INLINE_KIND[self.s.contexts[c - 1][0]] for c in above]
        resolved = safe_url(href, self.base) if kind == "link" and self.links else None
        if "code" in kinds or kind in kinds or len(above) >= MAX_INLINE_NESTING or (kind == "link" and not resolved):
            out = above
        else:
            out = above + (ctx,)
            if resolved:
                self.hrefs[ctx] = resolved
        self.ctx_chains[ctx] = out
        return out

    def read(self, pieces: list, text: str | None = None) -> tuple[list[Inline], list[Inline]]:
        """A block's pieces as (leading images and display formulas, inline content): whitespace runs
        collapsed to one space as in the block's text, markup nested by the pieces' contexts. `text`: the
        block's text, which is its content when its pieces are one run of text."""
        if len(pieces) == 1 and type(pieces[0]) is str:  # (most blocks: one run of text, no markup)
            return [], [text if text is not None else " ".join(pieces[0].split())]
        lead: list[Inline] = []
        root: list[Inline] = []
        stack: list[tuple[int, list[Inline]]] = [(0, root)]
        ctx, pending, started, cell_sep, spans = 0, False, False, False, False
        for p in pieces:
            kind = type(p)
            if kind is int:
                ctx = p
                continue
            if kind is str:
                words = p.split()
                if not words:
                    pending = pending or bool(p)
                    continue
                space = started and (pending or p[0].isspace())
                joined = " ".join(words)
                if cell_sep:  # a data row read as flow (a layout table's): its cells as the text has them
                    joined, space, cell_sep = "| " + joined, True, False
                value: Inline = joined
                pending, started = p[-1].isspace(), True
            elif p[0] == "cell":
                cell_sep = started
                continue
            elif p[0] == "glyphs":  # (the formula is its TeX)
                continue
            else:
                item = self._item(p)
                if item is None:
                    continue
                value = item
                if not started and (isinstance(value, Image) or (isinstance(value, Math) and value.display)):
                    lead.append(value)
                    continue
                space, pending, started = started and pending, False, True
            chain = self.ctx_chain(ctx)
            depth = 0
            while depth < len(chain) and depth + 1 < len(stack) and stack[depth + 1][0] == chain[depth]:
                depth += 1
            del stack[depth + 1:]
            target = stack[-1][1]
            if space:
                if target and type(target[-1]) is str:
                    target[-1] += " "
                else:
                    target.append(" ")
            for c in chain[depth:]:
                span = Span(_INLINE_KIND[self.s.contexts[c - 1][0]], [], self.hrefs.get(c))
                target.append(span)
                stack.append((c, span.children))
                target = span.children
                spans = True
            if type(value) is str and target and type(target[-1]) is str:
                target[-1] += value
            else:
                target.append(value)
        return lead, _tidy(root) if spans else root

    def _item(self, item: tuple) -> Inline | None:
        if item[0] == "math":
            return Math(item[1], item[2])
        if item[0] != "img" or not self.images:
            return None
        _, src, data_src, alt, width, height = item
        if not src or src.strip().startswith("data:"):
            src = data_src or src
        if min(_int(width, MIN_IMAGE_SIZE, 1 << 20), _int(height, MIN_IMAGE_SIZE, 1 << 20)) < MIN_IMAGE_SIZE:
            return None
        src = safe_url(src, self.base)
        return Image(src, " ".join((alt or "").split())) if src else None
