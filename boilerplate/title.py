"""Blocks → the page's headline, found from the page's own declarations.

The `<title>` and og:title usually hold the headline plus the site's name; the headline as shown is the
block whose words are nearly all in one of them and cover most of it (an `<h1>` preferred, links not).
When no block matches, the first `<h1>`, else og:title, else the `<title>` is the title. Text dumps
have no such declarations and get no title. Measured against corpora's gold titles in docs/corpora.md.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .metrics import TOKEN_RE
from .segment import TAG_ID, Blocks

MIN_PRECISION = 0.8  # share of a block's tokens that must be words of the reference title
MIN_RECALL = 0.3  # share of the reference title's distinct words the block must cover
TAG_BONUS = {TAG_ID["h1"]: 0.3, TAG_ID["h2"]: 0.15, TAG_ID["h3"]: 0.1}  # added to the covered share
LINK_PENALTY = 0.3  # subtracted for a block that is mostly link text (a menu entry, a teaser)
_H1 = TAG_ID["h1"]


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
    refs = [(ref, max(MIN_RECALL * len(ref), 1)) for ref in
            (set(_words(r)) for r in dict.fromkeys((blocks.meta_title, blocks.title))) if ref]
    # (a block much longer than the references cannot be mostly made of their words)
    max_chars = max(len(blocks.meta_title), len(blocks.title)) / MIN_PRECISION + 10 if refs else -1
    best: Title | None = None
    best_score = 0.0
    for i, text in enumerate(blocks.texts):
        if len(text) > max_chars:
            continue
        block_tokens = _words(text)
        if not block_tokens:
            continue
        for ref, min_covered in refs:
            inside = sum(map(ref.__contains__, block_tokens))
            covered = len(ref.intersection(block_tokens)) if inside >= MIN_PRECISION * len(block_tokens) else 0
            if covered < min_covered:
                continue
            score = covered / len(ref) + TAG_BONUS.get(int(blocks.tag[i]), 0.0)
            if blocks.link_chars[i] > 0.5 * len(text):
                score -= LINK_PENALTY
            if score > best_score:
                best, best_score = Title(text, i), score
    if best is not None:
        return best
    h1 = np.flatnonzero(blocks.tag == _H1)
    if len(h1):
        return Title(blocks.texts[h1[0]], int(h1[0]))
    if blocks.meta_title or blocks.title:
        return Title(blocks.meta_title or blocks.title, None)
    return None
