"""Blocks → X: one row of float32 features per block, computed column-wise for the whole page at once.

Every feature is listed in FEATURES with a one-line description; FEATURE_NAMES is the column order the
model is trained and checked against. NaN means "missing" (e.g. link density of a text dump) and is
handled natively by LightGBM.
"""

from __future__ import annotations


import numpy as np

from .segment import HINTS, Blocks

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
BLOCK_BITS = 21  # bits of a block index packed beside a bigram key; segment.MAX_BLOCKS < 2**BLOCK_BITS
SHARE_POWER = 3  # container text shares weigh each block's main-run weight cubed: a container of long
# prose outweighs one of many short lines (a reply list, a link list) holding as many tokens
ROOT_SHARE = 0.7  # the article root: the deepest block-level element holding this share of the
# main-run weight
DIST_CLIP = 50  # block distances are clipped to ±this
HEADLINE_OVERLAP = 0.6  # a headline's bigrams are this much in the <title>, and hold this share of the
# title's bigrams
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
    **{f"hint_{h}": f"2 if the owner or its 2 nearest ancestors have a class/id/tag hinting '{h}', "
                    f"1 if only a further ancestor has, else 0 (NaN for text)" for h in HINTS},
}
FEATURES = dict(BASE_FEATURES)
for _off in WINDOW:
    for _name in NEIGHBOUR_BASE:
        FEATURES[f"{_name}@{_off:+d}"] = f"{_name} of the block {_off:+d} away (NaN past the page edge)"
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)
CATEGORICAL = ("tag",)
_HINT_COLS = [FEATURE_NAMES.index(f"hint_{h}") for h in HINTS]
_NEIGHBOUR_COLS = [FEATURE_NAMES.index(name) for name in NEIGHBOUR_BASE]
_WINDOW_COLS = {off: [FEATURE_NAMES.index(f"{name}@{off:+d}") for name in NEIGHBOUR_BASE] for off in WINDOW}


def _codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All block texts as one array of code points, plus each block's start offset."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    joined = "".join(texts).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(joined, dtype=np.uint32), starts


def _classes(codes: np.ndarray) -> np.ndarray:
    """The character class (C_*, uint8) of each code point; astral Han extensions count as CJK."""
    cls = _CLASS[np.minimum(codes, 0xFFFF)]
    astral = np.flatnonzero(codes > 0xFFFF)
    if len(astral):
        cls[astral] = np.where((codes[astral] >= 0x20000) & (codes[astral] <= 0x3FFFF), C_CJK, C_OTHER)
    return cls


def _segment_sum(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """How many True values of `mask` fall within each block [starts[i], starts[i+1]) (empty → 0)."""
    csum = np.zeros(len(mask) + 1, dtype=np.int32)
    np.cumsum(mask, dtype=np.int32, out=csum[1:])
    return (csum[starts[1:]] - csum[starts[:-1]]).astype(np.float64)


def _main_run(score: np.ndarray) -> tuple[int, int]:
    """First and last index of the contiguous run with the largest sum of `score` (Kadane, vectorized)."""
    if len(score) == 0:
        return 0, -1
    csum = np.concatenate(([0.0], np.cumsum(score)))
    run_min = np.minimum.accumulate(csum[:-1])
    gains = csum[1:] - run_min
    end = int(np.argmax(gains))
    start = int(np.argmax(csum[: end + 1] == run_min[end]))
    return start, end


def _bigram_keys(codes: np.ndarray, cls: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys of adjacent word-character pairs within a block (two code points, ASCII lowercased, in
    42 bits), and the block each pair belongs to."""
    word = (cls == C_CJK) | (cls == C_LATIN) | (cls == C_DIGIT)
    ok = word[:-1] & word[1:]
    inner = starts[1:-1]
    ok[inner[(inner > 0) & (inner < len(codes))] - 1] = False  # no pair across a block boundary
    at = np.flatnonzero(ok)
    lower = codes + ((codes >= 0x41) & (codes <= 0x5A)).astype(np.uint32) * 32
    keys = lower[at].astype(np.int64)
    keys <<= 21
    at += 1
    keys |= lower[at]
    return keys, np.searchsorted(starts, at, side="right") - 1  # at: the second character


def _distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values, sorting `values` in place (numpy's hashing np.unique is far slower)."""
    values.sort()
    if len(values) == 0:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _main_overlap(keys: np.ndarray, owner: np.ndarray, in_main: np.ndarray, n: int) -> np.ndarray:
    """Per block: share of its distinct bigram keys that occur in some *other* block of the main run."""
    if len(keys) == 0:
        return np.full(n, np.nan)
    pairs = keys << BLOCK_BITS
    pairs |= owner
    pairs = _distinct(pairs)  # distinct (key, block) pairs, grouped by key
    pair_block = pairs & ((1 << BLOCK_BITS) - 1)
    pairs >>= BLOCK_BITS
    group = np.zeros(len(pairs), dtype=np.int32)  # index of each pair's key among the distinct keys
    np.cumsum(pairs[1:] != pairs[:-1], out=group[1:])
    del pairs
    pair_main = in_main[pair_block]
    shared = np.bincount(group, weights=pair_main)[group] > pair_main
    total = np.bincount(pair_block, minlength=n).astype(np.float64)
    hit = np.bincount(pair_block, weights=shared, minlength=n)
    return np.where(total > 0, hit / np.maximum(total, 1), np.nan)


def _overlap(keys: np.ndarray, owner: np.ndarray, reference: np.ndarray, n: int) -> np.ndarray:
    """Per block: share of its bigram keys found in `reference` (sorted, distinct; NaN for blocks
    without bigrams)."""
    total = np.bincount(owner, minlength=n).astype(np.float64)
    found = reference[np.minimum(np.searchsorted(reference, keys), len(reference) - 1)] == keys
    hit = np.bincount(owner, weights=found, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, hit / np.maximum(total, 1), np.nan)


def _root(containers: np.ndarray, weight: np.ndarray) -> tuple[int, int]:
    """The blocks first:end of the article root: the deepest container (the narrowest among equally deep
    ones) holding ROOT_SHARE of the weight; the whole page when none does."""
    total = weight.sum()
    cum = np.concatenate(([0.0], np.cumsum(weight)))
    depth, first, end = containers[:, 0], containers[:, 1], containers[:, 2]
    held = np.flatnonzero(cum[end] - cum[first] >= ROOT_SHARE * total) if total > 0 else []
    if len(held) == 0:
        return 0, len(weight)
    k = held[np.lexsort(((end - first)[held], -depth[held]))[0]]
    return int(first[k]), int(end[k])


def page_features(blocks: Blocks) -> np.ndarray:
    """The feature matrix (n_blocks × len(FEATURE_NAMES), float32) of one page."""
    n = len(blocks)
    out = np.full((n, len(FEATURE_NAMES)), np.nan, dtype=np.float32)
    if n == 0:
        return out
    codes, starts = _codes(blocks.texts)
    bmp = np.minimum(codes, 0xFFFF)
    cls = _classes(codes)

    def count(c: int) -> np.ndarray:
        return _segment_sum(cls == c, starts)

    n_space = count(C_SPACE)
    n_chars = np.diff(starts).astype(np.float64) - n_space
    denom = np.maximum(n_chars, 1)
    n_cjk, n_latin, n_digit, n_punct = count(C_CJK), count(C_LATIN), count(C_DIGIT), count(C_PUNCT)
    last = np.maximum(starts[1:] - 1, 0)
    nonempty = np.diff(starts) > 0
    alnum = (cls == C_LATIN) | (cls == C_DIGIT)
    word_start = alnum & ~np.concatenate(([False], alnum[:-1]))
    word_start[starts[:-1][nonempty]] = alnum[starts[:-1][nonempty]]  # a block starts a new word
    n_tokens = n_cjk + _segment_sum(word_start, starts)
    n_stops = _segment_sum(_FULL_STOP[bmp], starts)
    ends_ellipsis = nonempty & ((bmp[last] == 0x2026) | np.fromiter(
        (t.endswith("...") for t in blocks.texts), dtype=bool, count=n))
    ends_sentence = _SENTENCE_END[bmp[last]] & nonempty & ~ends_ellipsis

    if blocks.is_html:
        link_density = np.minimum(blocks.link_chars / denom, 1.0)
    else:
        link_density = np.full(n, np.nan)
    texts_seen: dict[str, int] = {}  # whitespace-free text → its id, in order of first appearance
    # (an HTML block's only whitespace is single spaces, see segment)
    bare = ([t.replace(" ", "") for t in blocks.texts] if blocks.is_html
            else ["".join(t.split()) for t in blocks.texts])
    same = np.fromiter((texts_seen.setdefault(t, len(texts_seen)) for t in bare), dtype=np.int64, count=n)
    repeat = np.bincount(same)[same].astype(np.float64)
    order = np.argsort(same, kind="stable")  # copies of a text together, in page order
    earlier = np.empty(n)
    earlier[order] = np.arange(n) - np.searchsorted(same[order], same[order])

    # the main run: blocks score their tokens beyond MAIN_MIN_TOKENS; link text, repeated blocks and
    # truncated teasers count for less or nothing; short blocks cost, mostly-link ones less
    weight = n_cjk + LATIN_WORD_WEIGHT * (n_tokens - n_cjk)
    eff = np.minimum(weight, MAIN_MAX_TOKENS) * (1 - np.nan_to_num(link_density)) / np.sqrt(repeat)
    eff[ends_ellipsis] = 0
    cost = np.where(np.nan_to_num(link_density) > 0.5, LINK_BLOCK_COST * MAIN_MIN_TOKENS, MAIN_MIN_TOKENS)
    start, end = _main_run(np.where(eff >= MAIN_MIN_TOKENS, eff - MAIN_MIN_TOKENS, -cost))
    idx = np.arange(n)
    keys, owner = _bigram_keys(codes, cls, starts)
    in_main = ((idx >= start) & (idx <= end)).astype(np.float64)

    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    base = {
        "n_chars": np.log1p(n_chars),
        "n_tokens": np.log1p(n_tokens),
        "cjk_ratio": n_cjk / denom,
        "latin_ratio": n_latin / denom,
        "digit_ratio": n_digit / denom,
        "punct_ratio": n_punct / denom,
        "n_stops": np.log1p(n_stops),
        "ends_sentence": ends_sentence.astype(np.float64),
        "ends_ellipsis": ends_ellipsis.astype(np.float64),
        "link_density": link_density,
        "repeat": repeat,
        "earlier_copies": earlier,
        "len_rank": np.argsort(np.argsort(n_chars, kind="stable"), kind="stable") / max(n - 1, 1),
        "in_main": in_main,
        "d_main_start": np.clip(idx - start, -DIST_CLIP, DIST_CLIP),
        "d_main_end": np.clip(idx - end, -DIST_CLIP, DIST_CLIP),
        "main_overlap": _main_overlap(keys, owner, in_main, n),
        "tag": blocks.tag.astype(np.float64),
        "position": idx / max(n - 1, 1),
        "page_blocks": np.full(n, np.log1p(n)),
        "page_tokens": np.full(n, np.log1p(n_tokens.sum())),
        "page_max_tokens": np.full(n, np.log1p(n_tokens.max())),
        "page_long_blocks": np.full(n, np.log1p(np.count_nonzero(eff >= MAIN_MIN_TOKENS))),
        "page_main_share": np.full(n, eff[start:end + 1].sum() / max(eff.sum(), 1.0)),
    }
    if blocks.is_html:
        title_codes, _ = _codes([blocks.title])
        title_keys, _ = _bigram_keys(title_codes, _classes(title_codes), np.array([0, len(title_codes)]))
        base["title_overlap"] = _overlap(keys, owner, _distinct(title_keys), n) if len(title_keys) else \
            np.full(n, np.nan)
        # the headline is mostly the title, and holds most of it: a one-word "Apple" is not a headline
        overlap = np.nan_to_num(base["title_overlap"], nan=0.0)
        coverage = np.minimum(np.bincount(owner, minlength=n) / max(len(title_keys), 1), 1.0)
        candidate = np.where((overlap >= HEADLINE_OVERLAP) & (coverage >= HEADLINE_OVERLAP),
                             overlap * coverage, 0.0)
        best = int(np.argmax(candidate))
        if candidate[best] > 0:
            base["d_headline"] = np.clip(idx - best, -DIST_CLIP, DIST_CLIP)
        main_depths = blocks.depth[start:end + 1]
        base["depth"] = blocks.depth - (float(np.median(main_depths)) if len(main_depths) else 0.0)
        path_ids: dict[str, int] = {}
        path_group = np.fromiter((path_ids.setdefault(p, len(path_ids)) for p in blocks.path),
                                 dtype=np.int64, count=n)
        base["path_share"] = np.bincount(path_group)[path_group] / n
        base["path_text_share"] = (np.bincount(path_group, weights=n_tokens)[path_group] /
                                   max(n_tokens.sum(), 1.0))
        base["path_link_density"] = (np.bincount(path_group, weights=blocks.link_chars)[path_group] /
                                     np.maximum(np.bincount(path_group, weights=n_chars)[path_group], 1))
        base["page_link_density"] = np.full(n, blocks.link_chars.sum() / max(n_chars.sum(), 1.0))
        mass = eff ** SHARE_POWER
        for name, ids in (("parent", blocks.parent), ("grandparent", blocks.grandparent)):
            _, group = np.unique(ids, return_inverse=True)
            base[f"{name}_text_share"] = np.bincount(group, weights=mass)[group] / max(mass.sum(), 1.0)
            base[f"{name}_link_density"] = (np.bincount(group, weights=blocks.link_chars)[group] /
                                            np.maximum(np.bincount(group, weights=n_chars)[group], 1))
        first, end = _root(blocks.containers, eff)
        base["in_root"] = ((idx >= first) & (idx < end)).astype(np.float64)
        bits = np.arange(len(HINTS))
        out[:, _HINT_COLS] = ((blocks.hints[:, None] >> bits) & 1) + ((blocks.near_hints[:, None] >> bits) & 1)
    for name, values in base.items():
        out[:, col[name]] = values
    for off, targets in _WINDOW_COLS.items():
        src = idx + off
        valid = (src >= 0) & (src < n)
        shifted = np.full((n, len(NEIGHBOUR_BASE)), np.nan, dtype=np.float32)
        shifted[valid] = out[src[valid]][:, _NEIGHBOUR_COLS]
        out[:, targets] = shifted
    return out


def batch_features(pages: list[Blocks]) -> tuple[np.ndarray, np.ndarray]:
    """Features of many pages as one matrix, plus offsets: page i owns rows offsets[i]:offsets[i+1]."""
    mats = [page_features(b) for b in pages]
    offsets = np.zeros(len(pages) + 1, dtype=np.int64)
    np.cumsum([len(m) for m in mats], out=offsets[1:])
    X = np.concatenate(mats) if mats else np.empty((0, len(FEATURE_NAMES)), dtype=np.float32)
    return X, offsets
