"""Labels from (page, clean text) pairs: a block is content when its tokens are found, in page order,
in the clean text.

Two passes. Anchors: each block of at least ANCHOR_TOKENS tokens is placed where most of its token
n-grams fall in the clean text, and the heaviest chain of anchors whose places increase in page order is
kept, so a pull quote or teaser repeating a paragraph out of order is left out. Gaps: every other block
is matched only against the clean text between the two chained anchors around it, so a menu item
"About" is not content merely because the word occurs somewhere in the article; within a gap, the
heaviest set of blocks whose matches follow page order is kept.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict

import numpy as np

from .metrics import token_prf, tokens
from .segment import Blocks

NGRAM = 3  # tokens per n-gram when matching a block against the clean text
MIN_SHARE = 0.5  # a block is content if at least this share of its n-grams is found
ANCHOR_TOKENS = 8  # blocks this long are placed on their own; shorter ones only between anchors
MAX_PLACES = 64  # places looked at per n-gram: bounds the cost of n-grams repeated all over a text


def _ngrams(toks: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)]


def _place(grams: list[tuple[str, ...]], where: dict[tuple[str, ...], list[int]], size: int,
           min_share: float) -> tuple[int, int] | None:
    """(start in the clean text, n-grams agreeing on it) for a block, or None when too few agree.

    Each n-gram found at clean position q votes for the block starting at q - (its offset in the
    block); votes within a tenth of the block's length of each other agree (small edits shift them)."""
    votes = np.array([q - k for k, g in enumerate(grams) for q in where.get(g, ())[:MAX_PLACES]],
                     dtype=np.int64)
    if len(votes) < min_share * len(grams):
        return None
    votes.sort()
    slack = max(3, size // 10)
    ends = np.searchsorted(votes, votes + 2 * slack, side="right")
    agree = ends - np.arange(len(votes))
    k = int(np.argmax(agree))
    n = min(int(agree[k]), len(grams))
    if n < min_share * len(grams):
        return None
    return int(np.median(votes[k:ends[k]])), n


def _chain(anchors: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The heaviest subsequence of (block, start, end, weight) anchors, in block order, whose starts
    increase (weighted longest increasing subsequence with a prefix-max Fenwick tree)."""
    if not anchors:
        return []
    ranks = {s: r for r, s in enumerate(sorted({a[1] for a in anchors}), 1)}
    tree = [(0, -1)] * (len(ranks) + 1)  # (best chain weight, its last anchor) per rank prefix
    best: list[int] = []
    back: list[int] = []
    for i, (_, start, _, weight) in enumerate(anchors):
        r, top = ranks[start] - 1, (0, -1)  # chains ending at a strictly smaller start
        while r > 0:
            top = max(top, tree[r])
            r -= r & -r
        best.append(top[0] + weight)
        back.append(top[1])
        r = ranks[start]
        while r < len(tree):
            tree[r] = max(tree[r], (best[i], i))
            r += r & -r
    i = int(np.argmax(best))
    chain = []
    while i >= 0:
        chain.append(anchors[i])
        i = back[i]
    return chain[::-1]


def _candidates(toks: list[str], clean: list[str], at: dict[tuple[str, ...], list[int]], lo: int, hi: int,
                n: int, min_share: float) -> list[tuple[int, int]]:
    """(start, end) places in clean[lo:hi] where a block may match: its verbatim occurrences (at most
    MAX_PLACES); for a block of n or more tokens with none, the span of its n-grams found there, if
    they are min_share of its n-grams."""
    places = at.get(tuple(toks[:n] if len(toks) >= n else toks[:1]), [])
    found: list[tuple[int, int]] = []
    for p in places[bisect_left(places, lo):]:
        if p + len(toks) > hi or len(found) >= MAX_PLACES:
            break
        if clean[p:p + len(toks)] == toks:
            found.append((p, p + len(toks)))
    if found or len(toks) < n:
        return found
    grams = _ngrams(toks, n)
    hits = []
    for g in grams:
        places = at.get(g, [])
        j = bisect_left(places, lo)
        if j < len(places) and places[j] + n <= hi:
            hits.append(places[j])
    return [(min(hits), max(hits) + n)] if hits and len(hits) >= min_share * len(grams) else []


def _gap_chain(block_toks: list[list[str]], blocks: range, clean: list[str],
               at: dict[tuple[str, ...], list[int]], lo: int, hi: int, n: int, min_share: float) -> list[int]:
    """The blocks of a gap to label content: the heaviest set (by tokens) whose matches in clean[lo:hi]
    follow page order without overlapping, each block matched at most once (a prefix-max Fenwick tree
    over match ends). Greedy first matches let one early stray match ("Deals" found inside "Video Game
    Deals") push every later block out of reach."""
    size = hi - lo + 1
    tree = [(0, -1)] * (size + 1)  # per end position (1-based, lo → 1): (best weight, its last choice)
    choices: list[tuple[int, int]] = []  # (block, previous choice)
    best = (0, -1)
    for b in blocks:
        toks = block_toks[b]
        if not toks:
            continue
        updates = []
        for start, end in _candidates(toks, clean, at, lo, hi, n, min_share):
            r, top = start - lo + 1, (0, -1)  # chains ending at or before this start
            while r > 0:
                top = max(top, tree[r])
                r -= r & -r
            updates.append((end - lo + 1, top[0] + len(toks), top[1]))
        for r, weight, prev in updates:  # after all of the block's candidates: it is used at most once
            choices.append((b, prev))
            entry = (weight, len(choices) - 1)
            best = max(best, entry)
            while r <= size:
                tree[r] = max(tree[r], entry)
                r += r & -r
    chosen, k = [], best[1]
    while k >= 0:
        chosen.append(choices[k][0])
        k = choices[k][1]
    return chosen


def align(blocks: Blocks, clean: str, *, ngram: int = NGRAM, min_share: float = MIN_SHARE,
          anchor_tokens: int = ANCHOR_TOKENS) -> np.ndarray:
    """Boolean content label per block, derived from the page's clean text."""
    clean_toks = tokens(clean)
    at: dict[tuple[str, ...], list[int]] = defaultdict(list)  # n-gram (and first token) → clean positions
    for i in range(len(clean_toks)):
        at[tuple(clean_toks[i:i + 1])].append(i)
        if i + ngram <= len(clean_toks):
            at[tuple(clean_toks[i:i + ngram])].append(i)
    block_toks = [tokens(t) for t in blocks.texts]
    anchors = []
    for b, toks in enumerate(block_toks):
        if len(toks) >= max(anchor_tokens, ngram):
            placed = _place(_ngrams(toks, ngram), at, len(toks), min_share)
            if placed:
                anchors.append((b, placed[0], placed[0] + len(toks), placed[1]))
    chain = _chain(anchors)
    labels = np.zeros(len(blocks), dtype=bool)
    for b, *_ in chain:
        labels[b] = True
    # the gaps: before the first anchor, between consecutive ones, after the last
    bounds = [(-1, 0, 0)] + [(b, s, e) for b, s, e, _ in chain] + [(len(blocks), len(clean_toks), 0)]
    for (b0, _, lo), (b1, hi, _) in zip(bounds, bounds[1:]):
        if b1 > b0 + 1 and hi > lo:
            labels[_gap_chain(block_toks, range(b0 + 1, b1), clean_toks, at, lo, hi, ngram, min_share)] = True
    return labels


def oracle_f1(blocks: Blocks, clean: str) -> float:
    """Best token F1 any choice of blocks reaches (greedy by block precision): the segmentation ceiling."""
    gold = Counter(tokens(clean))
    scored = []
    for text in blocks.texts:
        toks = Counter(tokens(text))
        n = sum(toks.values())
        if n:
            scored.append((sum((toks & gold).values()) / n, text))
    scored.sort(key=lambda x: -x[0])
    best, chosen = token_prf("", clean).f1, list[str]()
    for _, text in scored:
        f1 = token_prf("\n".join(chosen + [text]), clean).f1
        if f1 >= best:
            best = f1
            chosen.append(text)
    return best
