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

from .errors import InputError

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
HINT_PATTERNS = {
    "nav": r"nav|menu|breadcrumb|crumb|topbar|toolbar|masthead|header|head_|channel|pagination|pager",
    "footer": r"foot|copyright|bottom|disclaimer|legal|contact",
    "comment": r"comment|reply|discus|respond|review|disqus",
    "share": r"share|social|sns|facebook|twitter|weibo|wechat|line-?it|follow|subscribe|newsletter",
    "related": r"relat|recommend|more|hot|popular|rank|trend|also|sidebar|side|aside|widget|list|extend",
    "ad": r"(?:^|[-_ \d])ads?(?:$|[-_ \d])|advert|banner|sponsor|promo|gg_|google_ad|dfp|outbrain|taboola",
    "content": r"article|content|post|story|entry|body|text|main|detail|news_?txt|zoom|cont",
    "caption": r"caption|figure|photo|img|image|pic|media|video",
    "title": r"title|headline|heading|h1",
    "meta": r"author|byline|date|time|meta|source|info|editor|reporter|publish",
    "tags": r"tag|keyword|label|topic",
    "hidden": r"hidden|display-?none|sr-only|visually-hidden|modal|popup|cookie|consent|gdpr",
    "landmark": None,  # no class/id words: set by tags alone, see _HINT_TAGS
    "noscript": None,  # inside <noscript>
    "invisible": None,  # inside an element with the `hidden` attribute or `display: none`: still text of
    # the page (closed tabs, collapsed sections, other languages' code samples), often kept by the gold
}
HINTS = tuple(HINT_PATTERNS)
_HINT_RE = re.compile("|".join(f"(?P<{name}>{p})" for name, p in HINT_PATTERNS.items() if p))
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
MAX_ROW_CHARS = 300  # a table row with more text than this is page layout, not a line of data
CELL_SEP = " | "  # between the non-empty cells of a data-table row, which is one block
_CELL_MARK = "\x1f"  # marks a cell boundary while the row's text is collected
MAX_DEPTH = 2048  # libxml2's HTML nesting limit; deeper pages raise InputError
MAX_BLOCKS = 1_000_000  # pages with more blocks raise InputError (features.BLOCK_BITS needs < 2**21)
MAX_TEXT_CHARS = 10_000_000  # nor may their blocks hold more characters: feature memory is ~65 B/char
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
    title: str = ""  # the document <title>, HTML only
    meta_title: str = ""  # og:title (else twitter:title) of the page's <meta> tags, HTML only

    def __len__(self) -> int:
        return len(self.texts)


def looks_like_html(text: str) -> bool:
    """True if the text's first few KB contain HTML tags (the rule behind kind="auto")."""
    return _HTML_SNIFF.search(text[:8192]) is not None


def segment(text: str, kind: Kind = "auto") -> Blocks:
    """Cut a page into blocks; `kind` forces text-dump or HTML handling instead of sniffing."""
    if kind not in ("auto", "text", "html"):
        raise InputError(f"kind must be 'auto', 'text' or 'html', not {kind!r}")
    if kind == "html" or (kind == "auto" and looks_like_html(text)):
        blocks = segment_html(text)
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
                  path=[""] * n)


@lru_cache(maxsize=1 << 16)
def _hint_bits(attrs: str) -> int:
    """HINTS bitmask of a "class id" string (memoized: sites repeat the same classes page after page)."""
    bits = 0
    for m in _HINT_RE.finditer(attrs.lower()):
        bits |= 1 << HINTS.index(m.lastgroup)
    return bits


def parse_html(text: str) -> etree._Element | None:
    """Parse HTML leniently with lxml; None when there is nothing to parse. `text` is decode's output."""
    if not text.strip():
        return None
    parser = etree.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, no_network=True,
                              encoding="utf-8")
    try:
        root = etree.fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if any("Excessive depth" in e.message for e in parser.error_log):
        # libxml2 drops everything below its depth limit: refuse rather than return a silent partial page
        raise InputError(f"HTML nested deeper than libxml2's limit of {MAX_DEPTH} levels")
    return root


def segment_html(text: str) -> Blocks:
    """Walk the DOM once (iteratively, so deep nesting is safe) and emit one block per rendered line."""
    root = parse_html(text)
    texts: list[str] = []
    link_chars: list[int] = []
    tags: list[int] = []
    depths: list[int] = []
    hints: list[int] = []
    near: list[int] = []
    parents: list[int] = []
    grandparents: list[int] = []
    paths: list[str] = []
    containers: list[tuple[int, int, int]] = []  # (depth, first block, end block) of block-level elements
    title = meta_title = ""
    if root is None:
        return _html_blocks(texts, link_chars, tags, depths, hints, near, parents, grandparents, paths, title,
                            containers, meta_title)
    title_el = root.find(".//title")
    if title_el is not None:
        title = _WS.sub(" ", "".join(title_el.itertext())).strip()
    meta_title = _meta_title(root)

    parts: list[str] = []  # text pieces of the block being built
    link_parts = 0  # characters of those pieces inside <a>
    in_link = 0
    # stack of (tag, hint bits of all ancestors, depth, (own hint bits, own|parent's,
    # own|parent's|grandparent's), element id) for open elements;
    # owner = innermost block-level one; skipped subtrees have depth -1
    stack: list[tuple[str, int, int, tuple[int, int, int], int]] = [("root", 0, 0, (0, 0, 0), 0)]
    # open block-level elements: (index into stack, index of the first block it may hold)
    owners: list[tuple[int, int]] = [(0, 0)]
    data_row = -1  # stack index of the open data-table row, whose cells and their blocks are inline

    def flush() -> None:
        """Emit the pending text pieces as one block of the innermost open block-level element."""
        nonlocal link_parts
        block = "".join(parts)
        if _CELL_MARK in block:
            cells = (_WS.sub(" ", cell).strip() for cell in block.split(_CELL_MARK))
            block = CELL_SEP.join(c for c in cells if c)
        else:
            block = _WS.sub(" ", block).strip()
        if block:
            at = owners[-1][0]
            tag, bits, depth, levels, _ = stack[at]
            texts.append(block)
            link_chars.append(min(link_parts, len(block)))
            tags.append(TAG_ID.get(tag, 1))
            depths.append(min(depth, 32767))
            hints.append(bits)
            near.append(levels[2])
            parents.append(stack[max(at - 1, 0)][4])
            grandparents.append(stack[max(at - 2, 0)][4])
            paths.append("/".join(entry[0] for entry in stack[max(at - PATH_LEN + 1, 1):at + 1]))
        parts.clear()
        link_parts = 0

    def add(s: str | None) -> None:
        nonlocal link_parts
        if s:
            parts.append(s)
            if in_link:
                link_parts += len(s.strip())

    serial = 0  # element ids, unique within the page
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):  # comments / processing instructions: only their tail is text
            if event == "end":
                add(el.tail)
            continue
        if event == "start":  # (libxml2's HTML parser has lowercased the tag names)
            style = el.get("style")
            if tag in SKIP_TAGS:
                walker.skip_subtree()
                stack.append((tag, 0, -1, (0, 0, 0), 0))
                continue
            _, parent_bits, parent_depth, (p0, p1, _), _ = stack[-1]
            cls, ident = el.get("class"), el.get("id")
            own = _HINT_TAGS.get(tag, 0)
            if tag in ("header", "footer") and any(entry[0] in SECTIONING for entry in stack):
                own &= ~_LANDMARK  # an article's own header or footer is not page chrome
            if cls or ident:
                own |= _hint_bits(f"{cls or ''} {ident or ''}")
            role = el.get("role")
            if role and role.strip().lower() in LANDMARK_ROLES:
                own |= _LANDMARK
            if el.get("hidden") is not None or \
                    (style and "none" in style and "display:none" in style.replace(" ", "")):
                own |= _INVISIBLE
            serial += 1
            stack.append((tag, parent_bits | own, parent_depth + 1, (own, own | p0, own | p1), serial))
            if data_row >= 0 and tag in BLOCK_TAGS:
                parts.append(_CELL_MARK if tag in CELL_TAGS else " ")
            elif tag in BLOCK_TAGS:
                if parts:
                    flush()
                owners.append((len(stack) - 1, len(texts)))
                if tag == "tr" and _is_data_row(el):
                    data_row = len(stack) - 1
            if tag == "a":
                in_link += 1
            add(el.text)
        else:
            if stack[-1][2] >= 0:  # not a skipped subtree
                if tag == "a":
                    in_link -= 1
                if owners[-1][0] == len(stack) - 1:
                    if parts:
                        flush()
                    _, first = owners.pop()
                    if len(texts) > first:
                        containers.append((stack[-1][2], first, len(texts)))
                    if data_row == len(stack) - 1:
                        data_row = -1
            stack.pop()
            add(el.tail)
    if parts:
        flush()
    return _html_blocks(texts, link_chars, tags, depths, hints, near, parents, grandparents, paths, title,
                        containers, meta_title)


def _meta_title(root: etree._Element) -> str:
    """The og:title, else twitter:title, of the page's <meta> tags ("" when it has neither)."""
    for xpath in ('.//meta[@property="og:title"]', './/meta[@name="twitter:title"]'):
        el = root.find(xpath)
        if el is not None and (el.get("content") or "").strip():
            return _WS.sub(" ", el.get("content")).strip()
    return ""


def _is_data_row(tr: etree._Element) -> bool:
    """A table row of two or more cells, no nested table and little text reads as one line of data;
    any other row is page layout, whose cells are blocks of their own."""
    cells = 0
    for el in tr.iterdescendants():
        if el.tag in CELL_TAGS:
            cells += 1
        elif el.tag == "table":
            return False
    return cells >= 2 and sum(map(len, tr.itertext())) <= MAX_ROW_CHARS


def _html_blocks(texts: list[str], link_chars: list[int], tags: list[int], depths: list[int],
                 hints: list[int], near: list[int], parents: list[int], grandparents: list[int],
                 paths: list[str], title: str, containers: list[tuple[int, int, int]],
                 meta_title: str) -> Blocks:
    n = len(texts)
    return Blocks(texts=texts, is_html=True, line_no=np.arange(1, n + 1, dtype=np.int32),
                  link_chars=np.asarray(link_chars, dtype=np.int32),
                  tag=np.asarray(tags, dtype=np.int16), depth=np.asarray(depths, dtype=np.int16),
                  hints=np.asarray(hints, dtype=np.int32), near_hints=np.asarray(near, dtype=np.int32),
                  parent=np.asarray(parents, dtype=np.int64), grandparent=np.asarray(grandparents, dtype=np.int64),
                  path=paths, title=title, meta_title=meta_title,
                  containers=np.asarray(containers, dtype=np.int32).reshape(-1, 3))
