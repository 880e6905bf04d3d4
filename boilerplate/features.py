"""Blocks → X: one row of float32 features per block, computed by the compiled loops of _features.pyx.

Every feature is listed in FEATURES with a one-line description; FEATURE_NAMES is the column order the
model is trained and checked against. NaN means "missing" (e.g. link density of a text dump) and is
handled natively by LightGBM.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from ._features import feature_rows
from ._layout import Layout
from .segment import HINTS, Blocks
from .title import Title, find_title

# Character classes, looked up per code point (BMP table; astral planes handled separately).
C_OTHER, C_SPACE, C_CJK, C_LATIN, C_DIGIT, C_PUNCT = range(6)
_CLASS = np.zeros(0x10000, dtype=np.uint8)
_CLASS[[9, 10, 11, 12, 13, 32, 0xA0, 0x3000]] = C_SPACE
for lo, hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
               (0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F), (0x31F0, 0x31FF)):
    _CLASS[lo:hi + 1] = C_CJK
for lo, hi in ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF),
               (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)):
    _CLASS[lo:hi + 1] = C_LATIN
_CLASS[[0xD7, 0xF7]] = C_PUNCT
for lo, hi in ((0x30, 0x39), (0xFF10, 0xFF19)):
    _CLASS[lo:hi + 1] = C_DIGIT
for lo, hi in ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E), (0xA1, 0xBF), (0x2000, 0x206F),
               (0x3001, 0x303F), (0xFF01, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF65),
               (0xFE30, 0xFE4F), (0x30FB, 0x30FB)):
    _CLASS[lo:hi + 1] = C_PUNCT
_SENTENCE_END = np.zeros(0x10000, dtype=bool)
_SENTENCE_END[[ord(c) for c in ".!?。！？」』”\"'）)；;：:"]] = True
_FULL_STOP = np.zeros(0x10000, dtype=bool)
_FULL_STOP[[ord(c) for c in ".!?。！？；;"]] = True

MAIN_MIN_TOKENS = 30  # blocks with at least this many tokens add their excess to the main run's score;
# shorter ones subtract MAIN_MIN_TOKENS, however short, so that runs of headlines break the run
LINK_BLOCK_COST = 0.3  # a mostly-link short block subtracts only this share of MAIN_MIN_TOKENS: a few
# related-headline links set between paragraphs do not end the article's run; a long menu still does
LATIN_WORD_WEIGHT = 2.0  # a word of a non-CJK script weighs this many CJK characters in the main run
MAIN_MAX_TOKENS = 300  # a single block counts at most this many tokens toward the main run
SHARE_POWER = 3  # container text shares weigh each block's main-run weight cubed: a container of long
# prose outweighs one of many short lines (a reply list, a link list) holding as many tokens
ROOT_SHARE = 0.7  # the article root: the deepest block-level element holding this share of the
# main-run weight
HEAD_ROOT_TOKENS = 25  # the headline's article: the deepest block-level element holding the headline
# block and this many prose tokens after it (blocks of PROSE_MIN_TOKENS or more, link density under
# PROSE_MAX_LINK_DENSITY): where a sidebar outweighs a short article, the article root misses it
PROSE_MIN_TOKENS = 5
PROSE_MAX_LINK_DENSITY = 0.5
DIST_CLIP = 50  # block distances are clipped to ±this
HEADLINE_OVERLAP = 0.6  # a headline's bigrams are this much in the <title>, and hold this share of the
# title's bigrams
DATED_MAX_CHARS = 80  # a text-dump line this short holding a date or a time reads as a post's header
DATED_MIN_LINES = 3  # ... on a dump with this many such lines (fewer: a byline or a dateline, counted as none)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"
                   r"|\d{4}\s*年\s*\d{1,2}\s*月|\b" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b"
                   r"|\b\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+\d{4}\b"
                   r"|\b\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\s+ago\b", re.IGNORECASE)
WINDOW = (-2, -1, 1, 2)  # neighbour offsets whose features are copied into each row
NEIGHBOUR_BASE = ("n_chars", "punct_ratio", "ends_sentence", "link_density", "repeat", "main_overlap",
                  "cjk_ratio")

BASE_FEATURES = {
    "n_chars": "log(1 + characters), whitespace excluded",
    "n_tokens": "log(1 + tokens): CJK characters plus runs of letters/digits",
    "cjk_ratio": "share of characters that are Han, kana or hangul",
    "latin_ratio": "share of characters that are letters (Latin, Greek, Cyrillic)",
    "digit_ratio": "share of characters that are digits",
    "punct_ratio": "share of characters that are punctuation, full-width CJK punctuation included",
    "n_stops": "log(1 + sentence-ending marks inside the block: 。！？；.!?;)",
    "ends_sentence": "1 if the block ends like a sentence (。！？.!?」” ...) and not with an ellipsis",
    "ends_ellipsis": "1 if the block ends with … or ... (a truncated teaser)",
    "link_density": "characters inside <a> / characters (HTML; NaN for text dumps)",
    "repeat": "how many blocks of the page have the same whitespace-free text",
    "earlier_copies": "how many blocks before this one have the same whitespace-free text",
    "len_rank": "rank of the block's length within the page, 0 (shortest) to 1 (longest)",
    "in_main": "1 inside the main run: the max-sum run of blocks scored by tokens beyond MAIN_MIN_TOKENS "
               "(shorter blocks cost MAIN_MIN_TOKENS, mostly-link ones LINK_BLOCK_COST of it)",
    "d_main_start": "block index minus the main run's first block (clipped to ±DIST_CLIP)",
    "d_main_end": "block index minus the main run's last block (clipped to ±DIST_CLIP)",
    "main_overlap": "share of the block's distinct character bigrams found in other blocks of the main run",
    "title_overlap": "share of the block's character bigrams found in the HTML <title> (NaN for text)",
    "d_headline": "block index minus the headline's: the first block best matching the <title>, whose "
                  "bigrams are mostly in it and hold most of its bigrams (both ≥ HEADLINE_OVERLAP; clipped "
                  "to ±DIST_CLIP; NaN without a headline)",
    "tag": "the owner element's tag, categorical (0 = text dump)",
    "depth": "DOM depth of the owner element minus the main run's median depth (NaN for text dumps)",
    "path_share": "share of the page's blocks with the same last-3-tags path (NaN for text dumps)",
    "parent_text_share": "share of the page's text mass under the owner's parent element (NaN for text); "
                         "a block's mass is its main-run weight ** SHARE_POWER",
    "parent_link_density": "link density of all blocks under the owner's parent element (NaN for text)",
    "grandparent_text_share": "share of the page's text mass under the owner's grandparent (NaN for text)",
    "grandparent_link_density": "link density of all blocks under the owner's grandparent (NaN for text)",
    "path_text_share": "share of the page's tokens in blocks with the same last-3-tags path: how much a "
                       "repeated structure (teaser list, card grid, reply list) carries (NaN for text)",
    "path_link_density": "link density of all blocks with the same last-3-tags path (NaN for text dumps)",
    "position": "block index / (blocks - 1): 0 at the top of the page, 1 at the bottom",
    "page_blocks": "page: log(1 + number of blocks)",
    "page_tokens": "page: log(1 + tokens of all blocks)",
    "page_max_tokens": "page: log(1 + tokens of its longest block)",
    "page_long_blocks": "page: log(1 + blocks whose main-run weight reaches MAIN_MIN_TOKENS)",
    "page_main_share": "page: share of its main-run weight inside the main run (one main text, or none?)",
    "page_link_density": "page: characters inside <a> / characters (NaN for text dumps)",
    "in_root": "1 inside the article root: the deepest block-level element holding ROOT_SHARE of the page's "
               "main-run weight (NaN for text)",
    "in_head_root": "1 inside the headline's article: the deepest block-level element holding the headline "
                    "block (title.py) and HEAD_ROOT_TOKENS prose tokens after it (NaN when there is none)",
    "dated": "text dumps: 1 if the line is at most DATED_MAX_CHARS long and holds a date or a time (a post's "
             "or a comment's header) and the dump has DATED_MIN_LINES such lines, else 0 (NaN for HTML)",
    "dated_above": "text dumps: log(1 + dated lines before this one): the article's byline, or comments' headers",
    "page_dated": "text dumps: log(1 + dated lines of the page)",
    **{f"hint_{h}": f"2 if the owner or its 2 nearest ancestors have a class/id/tag hinting '{h}', "
                    f"1 if only a further ancestor has, else 0 (NaN for text)" for h in HINTS},
}
FEATURES = dict(BASE_FEATURES)
for _off in WINDOW:
    for _name in NEIGHBOUR_BASE:
        FEATURES[f"{_name}@{_off:+d}"] = f"{_name} of the block {_off:+d} away (NaN past the page edge)"
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)
CATEGORICAL = ("tag",)


_LAYOUT = Layout(FEATURE_NAMES, HINTS, NEIGHBOUR_BASE, WINDOW, _CLASS, _SENTENCE_END.view(np.uint8),
                 _FULL_STOP.view(np.uint8), c_space=C_SPACE, c_cjk=C_CJK, c_latin=C_LATIN, c_digit=C_DIGIT,
                 c_punct=C_PUNCT, c_other=C_OTHER, main_min_tokens=MAIN_MIN_TOKENS,
                 link_block_cost=LINK_BLOCK_COST, latin_word_weight=LATIN_WORD_WEIGHT,
                 main_max_tokens=MAIN_MAX_TOKENS, share_power=SHARE_POWER, root_share=ROOT_SHARE,
                 dist_clip=DIST_CLIP, headline_overlap=HEADLINE_OVERLAP, head_root_tokens=HEAD_ROOT_TOKENS,
                 prose_min_tokens=PROSE_MIN_TOKENS, prose_max_link_density=PROSE_MAX_LINK_DENSITY)


class Batch(NamedTuple):
    """The feature rows of many pages: page i owns rows offsets[i]:offsets[i+1]; `groups` holds each row's
    page-local ids of its parent, grandparent and tag-path group (GROUPS; 0 for text dumps)."""

    X: np.ndarray
    offsets: np.ndarray
    groups: np.ndarray


GROUPS = ("parent", "grandparent", "path")


_N_TOKENS = FEATURE_NAMES.index("n_tokens")


def row_tokens(X: np.ndarray) -> np.ndarray:
    """Each row's token count (float64), recovered from its `n_tokens` feature (log1p of it)."""
    return np.expm1(X[:, _N_TOKENS].astype(np.float64))


def page_features(blocks: Blocks) -> np.ndarray:
    """The feature matrix (n_blocks × len(FEATURE_NAMES), float32) of one page."""
    return batch_features([blocks]).X


def batch_features(pages: list[Blocks], titles: list[Title | None] | None = None) -> Batch:
    """Features of many pages as one matrix, with each page's rows and group ids; `titles` are the
    pages' `find_title` results when the caller has them already."""
    offsets = np.zeros(len(pages) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in pages], out=offsets[1:])
    X = np.empty((offsets[-1], len(FEATURE_NAMES)), dtype=np.float32)
    groups = np.empty((offsets[-1], len(GROUPS)), dtype=np.int32)
    for i, blocks in enumerate(pages):
        title = find_title(blocks) if titles is None else titles[i]
        feature_rows(_LAYOUT, blocks, X[offsets[i]:offsets[i + 1]], groups[offsets[i]:offsets[i + 1]],
             -1 if title is None or title.block is None else title.block)
        if not blocks.is_html:
            _dated(blocks.texts, X[offsets[i]:offsets[i + 1]])
    return Batch(X, offsets, groups)


_DATED = FEATURE_NAMES.index("dated"), FEATURE_NAMES.index("dated_above"), FEATURE_NAMES.index("page_dated")


def _dated(texts: list[str], out: np.ndarray) -> None:
    """The dated-line columns of a text dump's rows."""
    dated = np.fromiter((len(t) <= DATED_MAX_CHARS and _DATE.search(t) is not None for t in texts),
                        dtype=np.float32, count=len(texts))
    if dated.sum() < DATED_MIN_LINES:
        dated[:] = 0
    out[:, _DATED[0]] = dated
    out[:, _DATED[1]] = np.log1p(np.cumsum(dated) - dated)
    out[:, _DATED[2]] = np.log1p(dated.sum())
