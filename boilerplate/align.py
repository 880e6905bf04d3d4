"""Labels from (page, clean text) pairs: a block is content when its tokens are found, in page order,
in the clean text.

Each clean-text token n-gram can be claimed once, in page order, so a caption or paragraph repeated a
second time on the page (a teaser of the first paragraph, a duplicated caption) is not content twice.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .metrics import token_prf, tokens
from .segment import Blocks

NGRAM = 3  # tokens per n-gram when matching a block against the clean text
MIN_SHARE = 0.5  # a block is content if at least this share of its n-grams is found


def _ngrams(toks: list[str], n: int) -> list[tuple[str, ...]]:
    if len(toks) < n:
        return [tuple(toks)] if toks else []
    return [tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)]


def align(blocks: Blocks, clean: str, *, ngram: int = NGRAM, min_share: float = MIN_SHARE) -> np.ndarray:
    """Boolean content label per block, derived from the page's clean text."""
    clean_toks = tokens(clean)
    available = Counter(_ngrams(clean_toks, ngram))
    # short blocks (fewer tokens than an n-gram) match as a whole against all shorter n-grams
    short = Counter(tuple(clean_toks[i:i + k]) for k in range(1, ngram) for i in range(len(clean_toks) - k + 1))
    labels = np.zeros(len(blocks), dtype=bool)
    for i, text in enumerate(blocks.texts):
        grams = _ngrams(tokens(text), ngram)
        if not grams:
            continue
        pool = short if len(grams[0]) < ngram else available
        found = [g for g in grams if pool[g] > 0]
        if len(found) >= min_share * len(grams):
            labels[i] = True
            for g in found:
                pool[g] -= 1
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
    best, chosen = token_prf("", clean).f1, []
    for _, text in scored:
        f1 = token_prf("\n".join(chosen + [text]), clean).f1
        if f1 >= best:
            best = f1
            chosen.append(text)
    return best
