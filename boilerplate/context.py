"""Stage-one scores → context features: each block's first score seen beside its page's, its containers'
and its neighbours' (the second model stage reads them with the block features, so that a block is judged
by what the page around it looks like to the model: the kept region, its siblings, the best block).

Computed by the compiled loops of _context.pyx, page by page; `groups` are features.Batch's page-local
parent, grandparent and tag-path ids.
"""

from __future__ import annotations

import numpy as np

from ._context import COLUMNS, context_columns
from .features import FEATURE_NAMES, row_tokens
from .lexicon import LEXICON_NAMES

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
if CONTEXT_NAMES != COLUMNS:  # (the compiled loops write the columns in their order)
    raise ImportError(f"context: CONTEXT_FEATURES {CONTEXT_NAMES} are not the compiled columns {COLUMNS}")
STACKED_NAMES: tuple[str, ...] = FEATURE_NAMES + LEXICON_NAMES + CONTEXT_NAMES  # the second stage's columns


def context_features(scores: np.ndarray, X: np.ndarray, offsets: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """The CONTEXT_NAMES columns (float32) for every row, from first-stage `scores` of the same rows."""
    out = np.empty((len(scores), len(CONTEXT_NAMES)), dtype=np.float32)
    weight = row_tokens(X) + 1  # a block's tokens + 1
    context_columns(np.ascontiguousarray(scores, dtype=np.float64), weight,
                    np.ascontiguousarray(offsets, dtype=np.int64), np.ascontiguousarray(groups, dtype=np.int32),
                    out, KEPT, WINDOW, DIST_CLIP)
    return out
