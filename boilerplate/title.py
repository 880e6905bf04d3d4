"""Blocks → the page's headline, found from the page's own declarations.

The `<title>` and og:title usually hold the headline plus the site's name; the headline as shown is the
block whose words are nearly all in one of them and cover most of it (an `<h1>` preferred, links not).
When no block matches, the first `<h1>`, else og:title, else the `<title>` is the title. Text dumps
have no such declarations and get no title. Measured against corpora's gold titles in docs/corpora.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ._title import best_block
from .metrics import _CJK, TOKEN_RE
from .segment import TAG_ID, Blocks

MIN_PRECISION = 0.8  # share of a block's tokens that must be words of the reference title
MIN_RECALL = 0.3  # share of the reference title's distinct words the block must cover
TAG_BONUS = {TAG_ID["h1"]: 0.3, TAG_ID["h2"]: 0.15, TAG_ID["h3"]: 0.1}  # added to the covered share
LINK_PENALTY = 0.3  # subtracted for a block that is mostly link text (a menu entry, a teaser)
_H1 = TAG_ID["h1"]
_TAG_BONUS = np.zeros(max(TAG_ID.values()) + 1)
_TAG_BONUS[list(TAG_BONUS)] = list(TAG_BONUS.values())
_CJK_RANGES = [(ord(a), ord(b)) for a, b in re.findall(r"(.)-(.)", _CJK)]


def _words(text: str) -> list[str]:
    """The metric's tokens of a text, casefolded first (faster; the same but for a few letters, such as
    "İ", whose casefolding adds a combining mark)."""
    return TOKEN_RE.findall(text.casefold())


class Title(NamedTuple):
    """The headline's text and its block's index (None when it comes from the page's metadata)."""

    text: str
    block: int | None


def find_title(blocks: Blocks) -> Title | None:
    """The page's headline, or None (text dumps, pages without any title)."""
    if not blocks.is_html:
        return None
    refs = [ref for ref in (set(_words(r)) for r in dict.fromkeys((blocks.meta_title, blocks.title))) if ref]
    if refs:
        # (a block much longer than the references cannot be mostly made of their words)
        max_chars = max(len(blocks.meta_title), len(blocks.title)) / MIN_PRECISION + 10
        best = best_block(blocks.texts, blocks.tag, blocks.link_chars, refs, max_chars, _TAG_BONUS, _classes(),
                          _words, MIN_PRECISION, MIN_RECALL, LINK_PENALTY)
        if best >= 0:
            return Title(blocks.texts[best], best)
    h1 = np.flatnonzero(blocks.tag == _H1)
    if len(h1):
        return Title(blocks.texts[h1[0]], int(h1[0]))
    if blocks.meta_title or blocks.title:
        return Title(blocks.meta_title or blocks.title, None)
    return None


@lru_cache(maxsize=1)
def _classes() -> np.ndarray:
    """How the compiled search reads each BMP character (_title's OTHER 0 / TOKEN 1 / SEPARATOR 2): a CJK
    character is a word by itself, a character that is no part of a word (and that casefolding leaves
    alone) separates words, and any other non-ASCII character sends its block to `_words`."""
    classes = np.zeros(0x10000, dtype=np.uint8)
    for lo, hi in _CJK_RANGES:
        classes[lo:min(hi + 1, 0x10000)] = 1  # (casefolding leaves CJK characters alone: tested)
    for c in np.flatnonzero(classes[0x80:] == 0) + 0x80:
        ch = chr(c)
        if ch.casefold() == ch and TOKEN_RE.fullmatch(ch) is None:
            classes[c] = 2
    return classes
