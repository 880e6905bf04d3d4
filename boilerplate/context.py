"""Stage-one scores → context features: each block's first score seen beside its page's, its containers'
and its neighbours' (the second model stage reads them with the block features, so that a block is judged
by what the page around it looks like to the model: the kept region, its siblings, the best block).

Vectorized over a whole batch of pages; `groups` are features.Batch's page-local parent, grandparent and
tag-path ids.
"""

from __future__ import annotations

import numpy as np

from .features import FEATURE_NAMES

WINDOW = 5  # blocks on each side for the window maximum and mean
DIST_CLIP = 50  # distances in blocks are clipped to this
KEPT = 0.5  # a first-stage score at or above this counts as kept

CONTEXT_FEATURES = {
    "s": "the block's first-stage score",
    "s_page_max": "page: the best first-stage score",
    "s_page_mean": "page: the mean first-stage score",
    "s_kept_share": "page: share of its blocks scored ≥ KEPT",
    "s_kept_tokens": "page: share of its tokens in blocks scored ≥ KEPT",
    "s_rank": "rank of the block's score within the page, 0 (best) to 1",
    "s_rel": "the block's score / the page's best",
    "s_parent": "token-weighted mean score of the blocks under the same parent element",
    "s_grandparent": "token-weighted mean score of the blocks under the same grandparent element",
    "s_path": "token-weighted mean score of the blocks with the same tag path",
    "s_parent_max": "best score under the same parent element",
    "s_path_max": "best score among the blocks with the same tag path",
    "s@-1": "score of the previous block (NaN at the page's edge)",
    "s@+1": "score of the next block",
    "s@-2": "score of the block two before",
    "s@+2": "score of the block two after",
    "s_win_max": "best score within ±WINDOW blocks",
    "s_win_mean": "mean score within ±WINDOW blocks",
    "d_kept_prev": "blocks since the last block scored ≥ KEPT, this one included (≤ DIST_CLIP; NaN when none is)",
    "d_kept_next": "blocks until the next block scored ≥ KEPT (≤ DIST_CLIP; NaN when none is)",
    "d_best": "block index minus the best-scored block's (clipped to ±DIST_CLIP)",
}
CONTEXT_NAMES: tuple[str, ...] = tuple(CONTEXT_FEATURES)
STACKED_NAMES: tuple[str, ...] = FEATURE_NAMES + CONTEXT_NAMES  # the second stage's columns
_N_TOKENS = FEATURE_NAMES.index("n_tokens")
_COL = {name: i for i, name in enumerate(CONTEXT_NAMES)}


def context_features(scores: np.ndarray, X: np.ndarray, offsets: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The CONTEXT_NAMES columns (float32) for every row, from first-stage `scores` of the same rows."""
    n_rows = len(scores)
    out = np.full((n_rows, len(CONTEXT_NAMES)), np.nan, dtype=np.float32)
    if n_rows == 0:
        return out
    s = np.asarray(scores, dtype=np.float64)
    sizes = np.diff(offsets)
    page = np.repeat(np.arange(len(sizes)), sizes)
    start, n = offsets[:-1][page], sizes[page]
    local = np.arange(n_rows) - start
    weight = np.expm1(X[:, _N_TOKENS].astype(np.float64)) + 1
    kept = s >= KEPT
    n_pages = len(sizes)

    def col(name: str, values: np.ndarray) -> None:
        out[:, _COL[name]] = values

    best = np.full(n_pages, -np.inf)
    np.maximum.at(best, page, s)
    col("s", s)
    col("s_page_max", best[page])
    col("s_page_mean", (np.bincount(page, s, n_pages) / np.maximum(sizes, 1))[page])
    n_kept = np.bincount(page, kept, n_pages)
    col("s_kept_share", (n_kept / np.maximum(sizes, 1))[page])
    tokens = weight - 1
    col("s_kept_tokens", (np.bincount(page, tokens * kept, n_pages) /
                          np.maximum(np.bincount(page, tokens, n_pages), 1))[page])
    order = np.lexsort((local, -s, page))  # by page, best score first, ties in page order
    rank = np.empty(n_rows)
    rank[order] = np.arange(n_rows) - start[order]
    col("s_rank", rank / np.maximum(n - 1, 1))
    col("s_rel", s / np.maximum(best[page], 1e-6))
    for name, k in (("parent", 0), ("grandparent", 1), ("path", 2)):
        g = start + groups[:, k]  # batch-wide group ids (page-local ids are below the page's size)
        col(f"s_{name}", (np.bincount(g, s * weight, n_rows) / np.maximum(np.bincount(g, weight, n_rows), 1e-12))[g])
        if name != "grandparent":
            top = np.full(n_rows, -np.inf)
            np.maximum.at(top, g, s)
            col(f"s_{name}_max", top[g])
    index = np.arange(n_rows)
    win_max = s.copy()
    win_sum, win_n = s.copy(), np.ones(n_rows)
    for d in range(-WINDOW, WINDOW + 1):
        if d == 0:
            continue
        valid = (local + d >= 0) & (local + d < n)
        shifted = np.where(valid, s[np.clip(index + d, 0, n_rows - 1)], np.nan)
        if abs(d) <= 2:
            col(f"s@{d:+d}", shifted)
        np.fmax(win_max, shifted, out=win_max)
        win_sum += np.nan_to_num(shifted)
        win_n += valid
    col("s_win_max", win_max)
    col("s_win_mean", win_sum / win_n)
    last = np.maximum.accumulate(np.where(kept, index, -1))  # the last kept row at or before each row
    col("d_kept_prev", np.where(last >= start, np.minimum(index - last, DIST_CLIP), DIST_CLIP))
    following = np.minimum.accumulate(np.where(kept, index, n_rows)[::-1])[::-1]
    col("d_kept_next", np.where(following < start + n, np.minimum(following - index, DIST_CLIP), DIST_CLIP))
    none_kept = n_kept[page] == 0
    out[none_kept, _COL["d_kept_prev"]] = np.nan
    out[none_kept, _COL["d_kept_next"]] = np.nan
    first_best = np.full(n_pages, n_rows)
    at_best = np.flatnonzero(s == best[page])
    np.minimum.at(first_best, page[at_best], at_best)
    col("d_best", np.clip(index - first_best[page], -DIST_CLIP, DIST_CLIP))
    return out
