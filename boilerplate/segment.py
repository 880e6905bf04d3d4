"""str → Blocks: cut a text dump into lines, or an HTML page into the text blocks a browser would show.

A `Blocks` is columnar: a list of texts plus one numpy array per structural fact, so that the feature
stage can work on whole columns at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
from lxml import etree

from ._columns import Tables
from ._head import Meta, base_href, page_titles
from ._hints import AD, HintWords
from ._walk import Walked, mark_owners, walk
from .errors import InputError
from .metadata import MAX_LD_CHARS, Declared

Kind = Literal["auto", "text", "html"]

# Tags whose subtree is never rendered as text.
# <noscript> is rendered: some sites (Discourse forums) put their whole content there for readers without
# JavaScript; its blocks carry the "noscript" hint.
SKIP_TAGS = frozenset({"script", "style", "noframes", "template", "head", "svg", "math", "iframe",
                       "object", "embed", "canvas", "select", "button", "input", "textarea"})
# Tags that start a new rendered line (block-level boxes, list items, table cells, line breaks).
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "frameset", "frame",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "main",
    "menu", "nav", "noscript", "ol", "option", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul", "br", "caption",
})
# Owner tags known to the model; everything else is "other". Index 0 is reserved for text dumps.
TAGS = ("text", "other", "p", "div", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "span",
        "a", "figcaption", "blockquote", "pre", "dd", "dt", "section", "article", "header", "footer",
        "nav", "aside", "form", "figure", "caption", "font", "strong", "b", "em", "ul", "ol", "table",
        "tr", "main", "body", "center", "address", "time", "label", "summary", "legend")
TAG_ID = {t: i for i, t in enumerate(TAGS)}

# Groups of class/id/tag words that hint at a block's role; a block carries the union of its ancestors'.
# A "class id" string holds a group's hint where one of its words is found in it, lowercased, read left
# to right: at each place the first word in this order that starts there (the one found; the reading
# goes on after it). AD: "ad" or "ads" standing alone (_hints.AD).
HINT_WORDS: dict[str, tuple[str | None, ...]] = {
    "nav": ("nav", "menu", "breadcrumb", "crumb", "topbar", "toolbar", "masthead", "header", "head_", "channel",
            "pagination", "pager"),
    "footer": ("foot", "copyright", "bottom", "disclaimer", "legal", "contact"),
    "comment": ("comment", "reply", "discus", "respond", "review", "disqus"),
    "share": ("share", "social", "sns", "facebook", "twitter", "weibo", "wechat", "line-it", "lineit", "follow",
              "subscribe", "newsletter"),
    "related": ("relat", "recommend", "more", "hot", "popular", "rank", "trend", "also", "sidebar", "side", "aside",
                "widget", "list", "extend"),
    "ad": (AD, "advert", "banner", "sponsor", "promo", "gg_", "google_ad", "dfp", "outbrain", "taboola"),
    "content": ("article", "content", "post", "story", "entry", "body", "text", "main", "detail", "news_txt",
                "newstxt", "zoom", "cont"),
    "caption": ("caption", "figure", "photo", "img", "image", "pic", "media", "video"),
    "title": ("title", "headline", "heading", "h1"),
    "meta": ("author", "byline", "date", "time", "meta", "source", "info", "editor", "reporter", "publish"),
    "tags": ("tag", "keyword", "label", "topic"),
    "hidden": ("hidden", "display-none", "displaynone", "sr-only", "visually-hidden", "modal", "popup", "cookie",
               "consent", "gdpr"),
    "landmark": (),  # no class/id words: set by tags alone, see _HINT_TAGS
    "noscript": (),  # inside <noscript>
    "invisible": (),  # inside an element with the `hidden` attribute or `display: none`: still text of the
    # page (closed tabs, collapsed sections, other languages' code samples), often kept by the gold
}
HINTS = tuple(HINT_WORDS)
_HINT_WORDS = HintWords([(word, 1 << i) for i, words in enumerate(HINT_WORDS.values()) for word in words])
_LANDMARK = 1 << HINTS.index("landmark")  # the ARIA landmarks of page chrome: navigation, complementary,
# banner and contentinfo, i.e. <nav>, <aside>, <header>/<footer> outside any SECTIONING element, or any
# element whose role attribute is one of LANDMARK_ROLES
_INVISIBLE = 1 << HINTS.index("invisible")
SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})
LANDMARK_ROLES = frozenset({"navigation", "complementary", "contentinfo", "banner", "search", "menu",
                            "menubar"})
_HINT_TAGS = {"nav": 1 << HINTS.index("nav") | _LANDMARK, "header": 1 << HINTS.index("nav") | _LANDMARK,
              "footer": 1 << HINTS.index("footer") | _LANDMARK,
              "aside": 1 << HINTS.index("related") | _LANDMARK,
              "article": 1 << HINTS.index("content"), "main": 1 << HINTS.index("content"),
              "figure": 1 << HINTS.index("caption"), "figcaption": 1 << HINTS.index("caption"),
              "form": 1 << HINTS.index("nav"), "h1": 1 << HINTS.index("title"),
              "noscript": 1 << HINTS.index("noscript")}

CELL_TAGS = frozenset({"td", "th"})
# Elements the content model keeps (structure mode): the structural ones become nodes of a block's
# structure, the inline ones contexts of its text (content.py reads both).
STRUCT_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote",
                         "pre", "table", "caption", "thead", "tr", "td", "th", "figure", "figcaption"})
INLINE_TAGS = frozenset({"a", "em", "i", "strong", "b", "code", "kbd", "samp", "tt", "del", "s", "strike",
                         "sub", "sup"})
_LANG_HINT = re.compile(r"(?:^|\s)(?:language|lang|highlight|hljs|brush:|sourcecode)-?\s*"
                        r"(?:source-)?([a-z][\w+#.-]{0,30})", re.I)
MAX_ROW_CHARS = 300  # a table row with more text than this is page layout, not a line of data
MAX_BUTTON_CHARS = 500  # a <button> holding more visible characters than this is read, not skipped:
# libxml2 does not close a button at </button> when a <div> inside it is left open, and the rest of the
# page ends up inside the button (browsers close it)
CELL_SEP = " | "  # between the non-empty cells of a data-table row, which is one block
_CELL_MARK = "\x1f"  # marks a cell boundary while the row's text is collected
MAX_DEPTH = 2048  # libxml2's HTML nesting limit; deeper pages raise InputError
MAX_BLOCKS = 1_000_000  # pages with more blocks raise InputError
MAX_TEXT_CHARS = 10_000_000  # nor may their blocks hold more characters: feature memory is ~65 B/char
MAX_ATTRIBUTES = 10_000  # per tag; libxml2 checks each against the others (10,000: 0.1 s, 200,000: minutes)
BLOCK_MARK = "data-bp-block"  # the attribute mark_blocks sets on each block's element
PATH_LEN = 3  # tags kept in a block's path: enough to tell list structures apart, bounded for deep DOMs
_DATE_PREFIX = re.compile(r"^\s?date \d{4}-\d{2}-\d{2}(?=\s|$)")
_WS = re.compile(r"\s+")
_HTML_SNIFF = re.compile(
    r"<(?:!--|(?:!doctype\s+html|html|head|body|meta|title|div|p|table|br|span|a\s|script|ul|li|h[1-6]|frameset)\b)",
    re.I)


@dataclass
class Blocks:
    """The blocks of one page, columnar. `line_no` is the 1-based source line (text) or block number (HTML)."""

    texts: list[str]
    is_html: bool
    line_no: np.ndarray  # int32
    link_chars: np.ndarray  # int32, characters inside <a> (0 for text dumps)
    tag: np.ndarray  # int16, index into TAGS of the block's owner element
    depth: np.ndarray  # int16, DOM depth of the owner element
    hints: np.ndarray  # int32 bitmask over HINTS, from the owner and all its ancestors
    near_hints: np.ndarray  # int32 bitmask over HINTS, from the owner, its parent and its grandparent
    parent: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # owner's parent element id
    grandparent: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # and its parent's
    path: list[str] = field(default_factory=list)  # last PATH_LEN tags down to the owner ("body/div/p")
    # block-level elements holding blocks, one row each: (depth, first block, end block), blocks first:end
    containers: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), dtype=np.int32))
    # class/id token hashes (int64) of each block's nearest ancestors: block i's are
    # attr_hashes[attr_starts[i]:attr_starts[i + 1]], its owner's, parent's and grandparent's from attr_near[i]
    attr_hashes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    attr_starts: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    attr_near: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    title: str = ""  # the document <title>, HTML only
    meta_title: str = ""  # og:title (else twitter:title) of the page's <meta> tags, HTML only
    structure: Structure | None = None  # what content.py needs to write the blocks as a document
    declared: Declared | None = None  # the page's own metadata (<meta>, JSON-LD, <time>...), for metadata.py

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class Structure:
    """The walk's record of each block's structure (segment(structure=True); HTML only), read by content.py.

    The structural elements (STRUCT_TAGS) are nodes, id = index + 1 (0: none), in document order: `tags`,
    `parents` (node ids) and `attrs` (a cell's (colspan, rowspan), an <ol>'s start, a <pre>'s language
    hint, a <table>'s role; else None). `contexts`: the inline elements (INLINE_TAGS) as (tag, parent
    context id, href). Block i's text as the walk met it is `pieces[starts[i]:starts[i + 1]]`: context ids
    (int) before the text (str) they hold, images ("img", src, data-src, alt, width, height), formulas
    ("math", TeX, display), a formula's rendered text ("glyphs", text) and, in a row read as one block,
    ("cell", node id) before each cell and ("pre", node id) / ("/pre", node id) around a <pre>. Per block
    also `node` (the innermost structural element holding it) and `breaks` (a <br> ended it). `base`: the
    page's <base href>."""

    tags: list[str]
    parents: list[int]
    attrs: list[object]
    contexts: list[tuple]
    pieces: list[object]
    starts: list[int]
    node: list[int]
    breaks: list[bool]
    base: str | None = None

    def block_pieces(self, i: int) -> list[object]:
        """Block i's pieces."""
        return self.pieces[self.starts[i]:self.starts[i + 1]]


def looks_like_html(text: str) -> bool:
    """True if the text's first few KB contain HTML tags (the rule behind kind="auto")."""
    return _HTML_SNIFF.search(text[:8192]) is not None


def segment(text: str, kind: Kind = "auto", utf8: bytes | None = None, structure: bool = False,
            metadata: bool | None = None) -> Blocks:
    """Cut a page into blocks; `kind` forces text-dump or HTML handling instead of sniffing; `utf8`, when
    the caller has it (decode.Decoded), is `text` encoded as UTF-8, parsed without encoding it again;
    `structure` also records what the content model needs (HTML: `Blocks.structure`), `metadata` (by
    default as `structure`) what the page declares of itself (`Blocks.declared`); the blocks are the same."""
    if kind not in ("auto", "text", "html"):
        raise InputError(f"kind must be 'auto', 'text' or 'html', not {kind!r}")
    if kind == "html" or (kind == "auto" and looks_like_html(text)):
        blocks = segment_html(text, utf8, structure, structure if metadata is None else metadata)
    else:
        blocks = segment_text(text)
    if len(blocks) > MAX_BLOCKS:
        raise InputError(f"page has {len(blocks):,} blocks; the limit is {MAX_BLOCKS:,}")
    chars = sum(map(len, blocks.texts))
    if chars > MAX_TEXT_CHARS:
        raise InputError(f"page has {chars:,} characters of text; the limit is {MAX_TEXT_CHARS:,}")
    return blocks


def segment_text(text: str) -> Blocks:
    """One block per non-blank line; a leading ` date YYYY-MM-DD` marker is page metadata and dropped."""
    texts: list[str] = []
    line_no: list[int] = []
    for i, line in enumerate(text.splitlines(), 1):
        if i == 1:
            line = _DATE_PREFIX.sub("", line)
        line = line.strip()
        if line:
            texts.append(line)
            line_no.append(i)
    n = len(texts)
    zeros = np.zeros(n, dtype=np.int16)
    return Blocks(texts=texts, is_html=False, line_no=np.asarray(line_no, dtype=np.int32),
                  link_chars=np.zeros(n, dtype=np.int32), tag=zeros, depth=zeros.copy(),
                  hints=np.zeros(n, dtype=np.int32), near_hints=np.zeros(n, dtype=np.int32),
                  path=[""] * n, attr_starts=np.zeros(n + 1, dtype=np.int64),
                  attr_near=np.zeros(n, dtype=np.int64))


@lru_cache(maxsize=1 << 12)
def lang_hint(classes: str) -> str | None:
    """A code block's language from its class ("language-python", "lang-js", "highlight-sh"), or None."""
    m = _LANG_HINT.search(classes)
    return m.group(1).lower() if m else None


_TABLES = Tables(skip=SKIP_TAGS, block=BLOCK_TAGS, cells=CELL_TAGS, sectioning=SECTIONING,
                 landmark_roles=LANDMARK_ROLES, tag_id=TAG_ID, tag_bits=_HINT_TAGS, hints=_HINT_WORDS,
                 landmark=_LANDMARK, invisible=_INVISIBLE, path_len=PATH_LEN, max_row_chars=MAX_ROW_CHARS,
                 max_button_chars=MAX_BUTTON_CHARS,
                 cell_mark=_CELL_MARK, cell_sep=CELL_SEP, struct_tags=STRUCT_TAGS, inline_tags=INLINE_TAGS,
                 lang_hint=lang_hint)


def _check_attributes(data: bytes) -> None:
    """InputError for a tag of more than MAX_ATTRIBUTES attributes, which libxml2 reads in quadratic time
    (200,000 of them: minutes). Cheap for every other page: only where the page holds that many "=" are
    its long tags (no "<" or ">" for 2 × MAX_ATTRIBUTES bytes) looked for and counted."""
    raw = np.frombuffer(data, dtype=np.uint8)
    if np.count_nonzero(raw == 61) <= MAX_ATTRIBUTES:  # "=" (numpy: a fifth of bytes.count's time)
        return
    marks = np.flatnonzero((raw == 60) | (raw == 62))  # "<" and ">"
    gaps = np.flatnonzero(np.diff(marks) > 2 * MAX_ATTRIBUTES)  # (an attribute takes 2+ characters)
    for start, end in zip(marks[gaps].tolist(), marks[gaps + 1].tolist()):
        if data[start] == 60 and data.count(b"=", start, end) > MAX_ATTRIBUTES:
            raise InputError(f"a tag with more than {MAX_ATTRIBUTES:,} attributes (libxml2 would take minutes)")
    if len(marks) and data[marks[-1]] == 60 and data.count(b"=", marks[-1]) > MAX_ATTRIBUTES:  # (never closed)
        raise InputError(f"a tag with more than {MAX_ATTRIBUTES:,} attributes (libxml2 would take minutes)")


def parse_html(text: str, utf8: bytes | None = None) -> etree._Element | None:
    """Parse HTML leniently with lxml; None when there is nothing to parse. `text` is decode's output,
    `utf8` (optional) the same text encoded as UTF-8."""
    if not text.strip():
        return None
    data = text.encode("utf-8", "replace") if utf8 is None else utf8
    _check_attributes(data)
    parser = etree.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, no_network=True,
                              encoding="utf-8")
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if any("Excessive depth" in e.message for e in parser.error_log):
        # libxml2 drops everything below its depth limit: refuse rather than return a silent partial page
        raise InputError(f"HTML nested deeper than libxml2's limit of {MAX_DEPTH} levels")
    return root


def segment_html(text: str, utf8: bytes | None = None, structure: bool = False, metadata: bool = False) -> Blocks:
    """Parse, then walk the DOM once (compiled, iteratively: deep nesting is safe), one block per
    rendered line (`utf8`, `structure` and `metadata` as for `segment`)."""
    root = parse_html(text, utf8)
    if root is None:
        blocks = _no_blocks()
        if structure:
            blocks.structure = Structure([], [], [], [], [], [0], [], [])
        if metadata:
            blocks.declared = Declared()
        return blocks
    meta = Meta(MAX_LD_CHARS) if metadata else None
    walked = walk(root, _TABLES, structure, meta)
    blocks = _html_blocks(walked, *page_titles(root))
    if walked.record is not None:
        blocks.structure = Structure(**walked.record._asdict(), base=base_href(root))
    if meta is not None:
        blocks.declared = Declared(*meta.result(root))
    return blocks


def mark_blocks(text: str, utf8: bytes | None = None) -> tuple[str, Blocks]:
    """The page's HTML with each block's element marked BLOCK_MARK="i" (an element owning several blocks:
    "i j"), and its blocks, the same as `segment_html` gives: to show the blocks on the page."""
    root = parse_html(text, utf8)
    if root is None:
        return "", _no_blocks()
    walked = walk(root, _TABLES, False, None, True)
    blocks = _html_blocks(walked, *page_titles(root))
    mark_owners(root, walked.owners or [], BLOCK_MARK)
    return etree.tostring(root, method="html", encoding="unicode"), blocks


def _no_blocks() -> Blocks:
    """The Blocks of a page with nothing to parse."""
    return _html_blocks(Walked([], [], [], [], [], [], [], [], [], [], None, None, None), "", "")


def _html_blocks(walked: Walked, title: str, meta_title: str) -> Blocks:
    n = len(walked.texts)
    hashes, starts, attr_near = walked.tokens or (np.zeros(0, np.int64), np.zeros(n + 1, np.int64),
                                                  np.zeros(n, np.int64))
    return Blocks(texts=walked.texts, is_html=True, line_no=np.arange(1, n + 1, dtype=np.int32),
                  link_chars=np.asarray(walked.link_chars, dtype=np.int32),
                  tag=np.asarray(walked.tags, dtype=np.int16), depth=np.asarray(walked.depths, dtype=np.int16),
                  hints=np.asarray(walked.hints, dtype=np.int32), near_hints=np.asarray(walked.near, dtype=np.int32),
                  parent=np.asarray(walked.parents, dtype=np.int64),
                  grandparent=np.asarray(walked.grandparents, dtype=np.int64), path=walked.paths, title=title,
                  meta_title=meta_title, attr_hashes=hashes, attr_starts=starts, attr_near=attr_near,
                  containers=np.asarray(walked.containers, dtype=np.int32).reshape(-1, 3))
