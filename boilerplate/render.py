"""The content model (content.py) written out: GitHub-flavoured Markdown, clean semantic HTML, and JSON-ready
typed blocks. Renderers read only the content model, never the page."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from typing import Any

from .comments import Comment
from .content import (
    Block,
    Break,
    CodeBlock,
    Figure,
    Heading,
    Image,
    Inline,
    ListBlock,
    Math,
    MathBlock,
    Paragraph,
    Quote,
    Span,
    Table,
    plain,
)

# ---- Markdown

_ESCAPE = re.compile(r"[\\`*\[\]~]|(?<![^\W_])_|_(?![^\W_])|<(?=[A-Za-z/!?])|&(?=#?\w+;)")
_ESCAPE_CELL = re.compile(r"[\\`*\[\]~|]|(?<![^\W_])_|_(?![^\W_])|<(?=[A-Za-z/!?])|&(?=#?\w+;)")
_SPECIAL = re.compile(r"[\\`*\[\]~_<&|]")  # (a text without these needs no escaping inside a line)
_LEAD = re.compile(r"^(?:([#>+\-=|])|(\d{1,9})([.)])(?=\s|$))")  # a line start that would read as markup
_MD_SPAN = {"em": "*", "strong": "**", "del": "~~"}
_BACKTICKS = re.compile(r"`+")
_LEAD_CHARS = frozenset("#>+-=|0123456789")
HARD_BREAK = "  \n"  # (two spaces, then a newline: CommonMark's hard line break)


def _escape_lead(text: str) -> str:
    return _LEAD.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), text, 1)


def _code_span(text: str) -> str:
    """Inline code with a fence longer than any run of backticks it holds."""
    text = " ".join(text.split())
    if not text:
        return ""
    fence = "`" * (max(map(len, _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _strings(inlines: Sequence[Inline]) -> str:
    """The text of inline content alone (no formula, no image): what inline code shows."""
    return "".join(x if isinstance(x, str) else _strings(x.children) if isinstance(x, Span) else ""
                   for x in inlines)


def _destination(url: str) -> str:
    """A link or image destination: spaces and angle brackets percent-encoded, parentheses escaped."""
    return (url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E").replace("\\", "%5C")
            .replace("(", "\\(").replace(")", "\\)"))


class _Inline:
    """Inline content → Markdown; `cell`: inside a table cell (pipes escaped, breaks as <br>)."""

    def __init__(self, cell: bool = False):
        self.escape = _ESCAPE_CELL if cell else _ESCAPE
        self.brk = "<br>" if cell else HARD_BREAK
        self.at_start = True

    def text(self, text: str) -> str:
        out = self.escape.sub(r"\\\g<0>", text) if _SPECIAL.search(text) else text
        if self.at_start and out[:1] in _LEAD_CHARS:
            out = _escape_lead(out)
        self.at_start = False
        return out

    def render(self, inlines: Sequence[Inline]) -> str:
        if len(inlines) == 1 and type(inlines[0]) is str:  # (most paragraphs: text alone)
            return self.text(inlines[0])
        out: list[str] = []
        for x in inlines:
            if isinstance(x, str):
                out.append(self.text(x))
            elif isinstance(x, Break):
                out.append(self.brk)
                self.at_start = True
            elif isinstance(x, Math):
                out.append(f"$${x.tex}$$" if x.display else f"${x.tex}$")
                self.at_start = False
            elif isinstance(x, Image):
                out.append(f"![{self.text(x.alt)}]({_destination(x.src)})")
            elif x.kind == "code":
                out.append(_code_span(_strings(x.children)))
                self.at_start = False
            elif x.kind == "link":
                self.at_start = False
                out.append(f"[{self.render(x.children)}]({_destination(x.href or '')})")
            else:
                inner = self.render(x.children)
                mark = _MD_SPAN.get(x.kind, "")
                out.append(f"{mark}{inner}{mark}" if inner.strip() else inner)
        return "".join(out)


def inline_markdown(inlines: Sequence[Inline], *, cell: bool = False) -> str:
    """Inline content as Markdown, text that would read as markup escaped."""
    return _Inline(cell).render(inlines)


def _indent(text: str, first: str, rest: str) -> str:
    """`text` with `first` before its first line and `rest` before the others (blank lines stay blank)."""
    lines = text.split("\n")
    return "\n".join([first + lines[0]] + [(rest + line) if line else rest.rstrip() for line in lines[1:]])


def _fence(text: str) -> str:
    return "`" * max(3, max(map(len, re.findall(r"`{3,}", text)), default=0) + 1)


def _table_markdown(table: Table) -> str:
    width = max(map(len, table.rows))
    rows = [[inline_markdown(c.inlines, cell=True) for c in row] for row in table.rows]
    head = rows[0] + [""] * (width - len(rows[0]))
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([" --- "] * width) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    out = "\n".join(lines)
    if table.caption:
        out = f"*{inline_markdown(table.caption)}*\n\n{out}"
    return out


def block_markdown(block: Block) -> str:
    """One content block as Markdown ("" when it renders to nothing)."""
    if isinstance(block, Paragraph):
        text = inline_markdown(block.inlines)
        return f"*{text}*" if block.role == "caption" and text.strip() else text
    if isinstance(block, Heading):
        return f"{'#' * max(2, block.level)} {inline_markdown(block.inlines).replace(HARD_BREAK, ' ')}"
    if isinstance(block, CodeBlock):
        fence = _fence(block.text)
        lang = re.sub(r"[^\w+#.-]", "", block.language or "")
        return f"{fence}{lang}\n{block.text}\n{fence}"
    if isinstance(block, ListBlock):
        items = []
        for n, item in enumerate(block.items, block.start):
            marker = f"{n}. " if block.ordered else "- "
            body = _item_markdown(item)
            items.append(_indent(body, marker, " " * len(marker)))
        return "\n".join(items)
    if isinstance(block, Table):
        return _table_markdown(block)
    if isinstance(block, Quote):
        return _indent(markdown(block.blocks), "> ", "> ")
    if isinstance(block, Figure):
        parts = [inline_markdown([img]) for img in block.images]
        if block.caption:
            parts.append(f"*{inline_markdown(block.caption)}*")
        return "\n\n".join(parts)
    if isinstance(block, MathBlock):
        return f"$$\n{block.tex}\n$$"
    raise TypeError(f"not a content block: {type(block).__name__}")


def _item_markdown(blocks: Sequence[Block]) -> str:
    """A list item's blocks: a list right after a paragraph on the next line (the item stays tight)."""
    out = ""
    for block in blocks:
        text = block_markdown(block)
        if text:
            out += ("" if not out else "\n" if isinstance(block, ListBlock) else "\n\n") + text
    return out


def markdown(blocks: Sequence[Block]) -> str:
    """Content blocks as Markdown, separated by blank lines."""
    return "\n\n".join(filter(None, map(block_markdown, blocks)))


# ---- HTML

_HTML_SPAN = {"em": "em", "strong": "strong", "del": "del", "sub": "sub", "sup": "sup", "code": "code"}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def inline_html(inlines: Sequence[Inline]) -> str:
    """Inline content as HTML: text escaped, links, images, emphasis, code, breaks, formulas."""
    out: list[str] = []
    for x in inlines:
        if isinstance(x, str):
            out.append(_e(x))
        elif isinstance(x, Break):
            out.append("<br>")
        elif isinstance(x, Math):
            out.append(_e(f"\\[{x.tex}\\]" if x.display else f"\\({x.tex}\\)"))
        elif isinstance(x, Image):
            out.append(f'<img src="{_e(x.src)}" alt="{_e(x.alt)}">')
        elif x.kind == "link":
            out.append(f'<a href="{_e(x.href or "")}">{inline_html(x.children)}</a>')
        else:
            tag = _HTML_SPAN[x.kind]
            out.append(f"<{tag}>{inline_html(x.children)}</{tag}>")
    return "".join(out)


def block_html(block: Block) -> str:
    """One content block as semantic HTML."""
    if isinstance(block, Paragraph):
        return f"<p>{inline_html(block.inlines)}</p>"
    if isinstance(block, Heading):
        level = max(2, block.level)
        return f"<h{level}>{inline_html(block.inlines)}</h{level}>"
    if isinstance(block, CodeBlock):
        return f"<pre><code>{_e(block.text)}</code></pre>"
    if isinstance(block, ListBlock):
        tag = "ol" if block.ordered else "ul"
        start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
        items = "".join(f"<li>{html_blocks(item)}</li>" for item in block.items)
        return f"<{tag}{start}>{items}</{tag}>"
    if isinstance(block, Table):
        caption = f"<caption>{inline_html(block.caption)}</caption>" if block.caption else ""
        rows = []
        for r, row in enumerate(block.rows):
            cells = []
            for c in row:
                tag = "th" if c.header or (r == 0 and block.header) else "td"
                cells.append(f"<{tag}>{inline_html(c.inlines)}</{tag}>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        if block.header:
            return f"<table>{caption}<thead>{rows[0]}</thead><tbody>{''.join(rows[1:])}</tbody></table>"
        return f"<table>{caption}<tbody>{''.join(rows)}</tbody></table>"
    if isinstance(block, Quote):
        return f"<blockquote>{html_blocks(block.blocks)}</blockquote>"
    if isinstance(block, Figure):
        images = inline_html(block.images)
        caption = f"<figcaption>{inline_html(block.caption)}</figcaption>" if block.caption else ""
        return f"<figure>{images}{caption}</figure>"
    if isinstance(block, MathBlock):
        return f"<p>{inline_html([Math(block.tex, True)])}</p>"
    raise TypeError(f"not a content block: {type(block).__name__}")


def html_blocks(blocks: Sequence[Block]) -> str:
    """Content blocks as semantic HTML, one element per line."""
    return "\n".join(map(block_html, blocks))


def html_document(title: str | None, blocks: Sequence[Block], comments: Sequence[Comment] = ()) -> str:
    """A whole HTML document: the title as <h1>, then the content blocks in an <article>, then the
    comments in a <section>."""
    head = f"<title>{_e(title)}</title>" if title else ""
    heading = f"<h1>{_e(title)}</h1>\n" if title else ""
    thread = ""
    if comments:
        items = []
        for c in comments:
            header = " ".join(x for x in (f"<strong>{_e(c.author)}</strong>" if c.author else "", _e(c.date or ""))
                              if x)
            paragraphs = "".join(f"<p>{_e(line)}</p>" for line in c.text.split("\n") if line)
            items.append(f"<article>{f'<p>{header}</p>' if header else ''}{paragraphs}</article>")
        thread = "\n<section><h2>Comments</h2>\n" + "\n".join(items) + "\n</section>"
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8">' + head + "</head>\n<body><article>\n"
            + heading + html_blocks(blocks) + "\n</article>" + thread + "</body></html>\n")


def front_matter(fields: dict[str, Any]) -> str:
    """A YAML front-matter block of the fields that have a value (strings and lists of strings, quoted as
    JSON, which YAML reads)."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items() if value]
    return "---\n" + "\n".join(lines) + "\n---\n\n" if lines else ""


# ---- comments


def comment_text(comment: Comment) -> str:
    """A comment as plain lines: "author, date" (where known), then its text."""
    header = ", ".join(x for x in (comment.author, comment.date) if x)
    return f"{header}\n{comment.text}" if header else comment.text


def comments_markdown(comments: Sequence[Comment]) -> str:
    """A "Comments" section: a quote per comment, its author in bold and its date first."""
    if not comments:
        return ""
    out = ["## Comments"]
    for c in comments:
        header = " · ".join(x for x in (f"**{inline_markdown([c.author])}**" if c.author else "",
                                        inline_markdown([c.date]) if c.date else "") if x)
        body = "\n\n".join(inline_markdown([line]) for line in c.text.split("\n") if line)
        out.append(_indent("\n\n".join(filter(None, (header, body))), "> ", "> "))
    return "\n\n".join(out)


# ---- JSON


def _links(inlines: Sequence[Inline]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for x in inlines:
        if isinstance(x, Span):
            if x.kind == "link" and x.href:
                out.append({"text": plain(x.children), "href": x.href})
            out.extend(_links(x.children))
    return out


def _images(inlines: Sequence[Inline]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for x in inlines:
        if isinstance(x, Image):
            out.append({"src": x.src, "alt": x.alt})
        elif isinstance(x, Span):
            out.extend(_images(x.children))
    return out


def _text_fields(inlines: Sequence[Inline]) -> dict[str, Any]:
    out: dict[str, Any] = {"text": plain(inlines)}
    links, images = _links(inlines), _images(inlines)
    if links:
        out["links"] = links
    if images:
        out["images"] = images
    return out


def block_json(block: Block) -> dict[str, Any]:
    """One content block as a JSON-ready dict with a "type"."""
    if isinstance(block, Paragraph):
        return {"type": "caption" if block.role == "caption" else "paragraph", **_text_fields(block.inlines)}
    if isinstance(block, Heading):
        return {"type": "heading", "level": block.level, **_text_fields(block.inlines)}
    if isinstance(block, CodeBlock):
        return {"type": "code", "language": block.language, "text": block.text}
    if isinstance(block, ListBlock):
        out: dict[str, Any] = {"type": "list", "ordered": block.ordered}
        if block.ordered:
            out["start"] = block.start
        out["items"] = [json_blocks(item) for item in block.items]
        return out
    if isinstance(block, Table):
        return {"type": "table", "header": block.header, "caption": plain(block.caption),
                "rows": [[plain(c.inlines) for c in row] for row in block.rows]}
    if isinstance(block, Quote):
        return {"type": "quote", "blocks": json_blocks(block.blocks)}
    if isinstance(block, Figure):
        return {"type": "figure", "images": _images(block.images),
                "caption": plain(block.caption)}
    if isinstance(block, MathBlock):
        return {"type": "math", "tex": block.tex}
    raise TypeError(f"not a content block: {type(block).__name__}")


def json_blocks(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Content blocks as JSON-ready typed dicts (the `blocks` of the JSON output)."""
    return [block_json(b) for b in blocks]
