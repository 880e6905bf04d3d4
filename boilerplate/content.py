"""The content model: the page as a document of headings, paragraphs, lists, code, tables, quotes, figures
and formulas, with inline links, emphasis, code and images. Every renderer (render.py: Markdown, HTML,
JSON) reads it; builder.py builds it from the kept blocks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

_UNSAFE_SCHEME = re.compile(r"^(?:javascript|vbscript|data):", re.I)
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]")  # what browsers strip from a URL before reading its scheme


# ---- inline content: str (text), or one of these


@dataclass
class Span:
    """Inline markup around text: kind "link" (with `href`), "em", "strong", "code", "del", "sub", "sup"."""

    kind: str
    children: list[Inline] = field(default_factory=list)
    href: str | None = None


@dataclass
class Image:
    """An image: its resolved `src` and its `alt` text."""

    src: str
    alt: str = ""


@dataclass
class Math:
    """A formula as TeX (from MathML's TeX annotation or text, KaTeX, MathJax)."""

    tex: str
    display: bool = False


@dataclass
class Break:
    """A line break (<br>) inside a paragraph, heading or cell."""


Inline = str | Span | Image | Math | Break


# ---- blocks


@dataclass
class Heading:
    """A subhead of the content, level 2 to 6 (the title is level 1)."""

    level: int
    inlines: list[Inline]


@dataclass
class Paragraph:
    """A paragraph (or a caption, by its role) of inline content."""

    inlines: list[Inline]
    role: str = "body"  # the line's role (document.Role): a caption is written in italics


@dataclass
class ListBlock:
    """A list: ordered or not, its items each a list of blocks."""

    ordered: bool
    items: list[list[Block]] = field(default_factory=list)
    start: int = 1


@dataclass
class CodeBlock:
    """Code with its exact whitespace and, where the page says, its language."""

    text: str
    language: str | None = None


@dataclass
class Cell:
    """A table cell: its inline content, and whether it is a header cell."""

    inlines: list[Inline]
    header: bool = False


@dataclass
class Table:
    """Rows of cells, spans expanded (a cell spanning columns or rows is repeated in each); `header`
    when the first row is a header row (<th> cells or <thead>)."""

    rows: list[list[Cell]]
    header: bool = False
    caption: list[Inline] = field(default_factory=list)


@dataclass
class Quote:
    """A block quote of blocks."""

    blocks: list[Block] = field(default_factory=list)


@dataclass
class Figure:
    """A figure: its images and caption."""

    images: list[Image] = field(default_factory=list)
    caption: list[Inline] = field(default_factory=list)


@dataclass
class MathBlock:
    """A displayed formula as TeX."""

    tex: str


Block = Heading | Paragraph | ListBlock | CodeBlock | Table | Quote | Figure | MathBlock


def plain(inlines: Sequence[Inline]) -> str:
    """The text of inline content (formulas as TeX, images left out, line breaks as newlines)."""
    out: list[str] = []
    for x in inlines:
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, Span):
            out.append(plain(x.children))
        elif isinstance(x, Math):
            out.append(x.tex)
        elif isinstance(x, Break):
            out.append("\n")
    return "".join(out)


def safe_url(url: str | None, base: str | None) -> str | None:
    """`url` resolved against `base` (left relative without one); None for javascript:, vbscript: and
    data: URLs and for empty ones."""
    if not url:
        return None
    url = url.strip()
    if not url or _UNSAFE_SCHEME.match(_URL_JUNK.sub("", url)):
        return None
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:  # a malformed URL (an unclosed IPv6 bracket): kept as written
            pass
    return url
