"""Block words → lexicon columns: how much a block's words, and the class/id tokens of the elements around
it, lean to content or to chrome on the training pages ("reply", "copyright", "分享" lean to chrome on
every site, and so do elements of class "sidebar" or "share"; "entry-content" leans to content).

A `Lexicon` is learned with the model (model.py): each word held by at least MIN_PAGES training pages gets
log((pages holding it in content + 1) / (pages holding it in chrome + 1)); each class/id token held by as
many pages gets log((c + 1) / (pages − c + 1)), c summing over those pages the share of the blocks under
the token that are content (a token above both the story and its share buttons counts mostly to content).
A block's columns are the mean, least and greatest of the known values of its words, of the tokens of its
element, parent and grandparent, and of the tokens of all its ancestors (NaN when none is known). Words
are hashed by _lexicon.pyx, class/id tokens by the walk (_walk.pyx).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._lexicon import block_words, lexicon_columns, table
from .segment import Blocks

LEXICON_FEATURES = {
    "lex_mean": "mean over the block's known words of log((training pages holding the word in content + 1) / "
                "(pages holding it in chrome + 1)) (NaN without a known word)",
    "lex_min": "the most chrome-leaning known word's value (NaN without a known word)",
    "lex_max": "the most content-leaning known word's value (NaN without a known word)",
    "attr_mean": "mean over the known class/id tokens of the block's element, parent and grandparent of "
                 "log((c + 1) / (training pages holding the token − c + 1)), c: the pages' summed shares of "
                 "content among the blocks under it (NaN without a known token)",
    "attr_min": "the most chrome-leaning of those tokens' values (NaN without a known token)",
    "attr_max": "the most content-leaning of those tokens' values (NaN without a known token)",
    "anc_mean": "mean value of the known class/id tokens of the block's element and all its ancestors (the "
                "nearest 48 tokens; NaN without a known token)",
    "anc_min": "the most chrome-leaning of those tokens' values (NaN without a known token)",
    "anc_max": "the most content-leaning of those tokens' values (NaN without a known token)",
}
LEXICON_NAMES: tuple[str, ...] = tuple(LEXICON_FEATURES)
MIN_PAGES = 10  # a word or token enters the lexicon when this many training pages hold it: rarer ones are
# a site's own, and would teach the model that site rather than chrome in general
TEXT_MARK = "lexicon"


def _take(hashes: np.ndarray, starts: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of the chosen blocks (index array) of a (hashes, starts) pair, with their new starts."""
    sizes = starts[index + 1] - starts[index]
    out = np.zeros(len(index) + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    gather = np.repeat(starts[index] - out[:-1], sizes) + np.arange(out[-1])
    return hashes[gather], out


class Words(NamedTuple):
    """The word hashes of many blocks: block i's are hashes[starts[i]:starts[i + 1]]; its class/id
    tokens attr_hashes[attr_starts[i]:attr_starts[i + 1]], the near ones from attr_near[i]."""

    hashes: np.ndarray
    starts: np.ndarray
    attr_hashes: np.ndarray
    attr_starts: np.ndarray
    attr_near: np.ndarray

    def take(self, rows: np.ndarray) -> Words:
        """The words of the chosen blocks (a boolean mask or index array), in their order."""
        index = np.flatnonzero(rows) if rows.dtype == bool else np.asarray(rows)
        hashes, starts = _take(self.hashes, self.starts, index)
        attr_hashes, attr_starts = _take(self.attr_hashes, self.attr_starts, index)
        near = attr_starts[:-1] + (self.attr_near[index] - self.attr_starts[index])
        return Words(hashes, starts, attr_hashes, attr_starts, near)


def text_words(texts: list[str]) -> Words:
    """The words of these texts, as blocks without class/id tokens (text-dump lines)."""
    hashes, starts = block_words(texts)
    n = len(texts)
    return Words(hashes, starts, np.zeros(0, np.int64), np.zeros(n + 1, np.int64), np.zeros(n, np.int64))


def words(pages: list[Blocks]) -> Words:
    """The words and class/id tokens of every block of these pages, in the row order of
    features.batch_features."""
    shift = np.cumsum([0] + [len(b.attr_hashes) for b in pages])
    return text_words([t for blocks in pages for t in blocks.texts])._replace(
        attr_hashes=np.concatenate([np.zeros(0, np.int64)] + [b.attr_hashes for b in pages]),
        attr_starts=np.concatenate([np.zeros(1, np.int64)] + [b.attr_starts[1:] + s for b, s in zip(pages, shift)]),
        attr_near=np.concatenate([np.zeros(0, np.int64)] + [b.attr_near + s for b, s in zip(pages, shift)]))


class Lexicon:
    """Word hash → value (sorted keys, float32 values; looked up in a hash table of them)."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        self.keys = np.ascontiguousarray(keys, dtype=np.int64)
        self.values = np.ascontiguousarray(values, dtype=np.float32)
        self._table = table(self.keys, self.values)

    @classmethod
    def fit(cls, words: Words, y: np.ndarray, page_starts: np.ndarray, rows: np.ndarray) -> Lexicon:
        """Learn from the chosen rows (boolean mask) of pages whose rows begin at `page_starts` (features
        .Batch offsets), y being each row's content label. Words and tokens hash apart (different seeds)."""
        content: list[np.ndarray] = []
        chrome: list[np.ndarray] = []
        for p in range(len(page_starts) - 1):
            lo, hi = int(page_starts[p]), int(page_starts[p + 1])
            chosen = rows[lo:hi]
            if not chosen.any():
                continue
            for label, bag in ((True, content), (False, chrome)):
                picked = np.flatnonzero(chosen & ((y[lo:hi] > 0.5) == label)) + lo
                if len(picked):
                    bag.append(np.unique(words.take(picked).hashes))
        keys_c, n_c = np.unique(np.concatenate(content or [np.zeros(0, np.int64)]), return_counts=True)
        keys_h, n_h = np.unique(np.concatenate(chrome or [np.zeros(0, np.int64)]), return_counts=True)
        keys = np.union1d(keys_c, keys_h)
        c, h = np.zeros(len(keys)), np.zeros(len(keys))
        c[np.searchsorted(keys, keys_c)] = n_c
        h[np.searchsorted(keys, keys_h)] = n_h
        common = c + h >= MIN_PAGES
        keys, values = keys[common], np.log((c[common] + 1) / (h[common] + 1))
        attr_keys, attr_values = _attr_values(words, y, page_starts, rows)
        keys, first = np.unique(np.concatenate([keys, attr_keys]), return_index=True)
        return cls(keys, np.concatenate([values, attr_values])[first])

    def columns(self, words: Words) -> np.ndarray:
        """The LEXICON_NAMES columns (float32) of each block of `words`: its words, its near tokens, all
        its tokens."""
        n = len(words.starts) - 1
        out = np.empty((n, len(LEXICON_NAMES)), dtype=np.float32)
        parts = ((words.hashes, words.starts[:-1], words.starts[1:]),
                 (words.attr_hashes, words.attr_near, words.attr_starts[1:]),
                 (words.attr_hashes, words.attr_starts[:-1], words.attr_starts[1:]))
        for k, (hashes, lo, hi) in enumerate(parts):
            cols = np.empty((n, 3), dtype=np.float32)
            lexicon_columns(hashes, np.ascontiguousarray(lo), np.ascontiguousarray(hi), *self._table, cols)
            out[:, 3 * k:3 * k + 3] = cols
        return out

    def to_text(self) -> str:
        """The lexicon as text: a header line, then one `hash value` line per word."""
        lines = [f"{TEXT_MARK} {len(self.keys)}"]
        lines += [f"{k} {v:.6g}" for k, v in zip(self.keys.tolist(), self.values.tolist())]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, text: str) -> Lexicon:
        """Read `to_text`'s output; ValueError if it is not that."""
        head, _, body = text.partition("\n")
        mark, _, count = head.partition(" ")
        if mark != TEXT_MARK or not count.isdigit():
            raise ValueError("not a lexicon")
        parts = body.split()
        try:
            keys, values = np.array(parts[0::2], dtype=np.int64), np.array(parts[1::2], dtype=np.float64)
        except OverflowError as e:
            raise ValueError(f"a word hash out of range: {e}") from None
        if not len(keys) == len(values) == int(count) or np.any(np.diff(keys) <= 0) or not np.isfinite(values).all():
            raise ValueError(f"a lexicon of {count} words holds {len(keys)} keys and {len(values)} values, "
                             "unsorted or not finite")
        return cls(keys, values)


def _attr_values(words: Words, y: np.ndarray, page_starts: np.ndarray,
                 rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted keys, values) of the class/id tokens held by MIN_PAGES pages of the chosen rows: log((c + 1)
    / (pages − c + 1)), each page holding a token adding to c the share of its blocks under it that are
    content."""
    index = np.flatnonzero(rows)
    taken = words.take(index)
    sizes = np.diff(taken.attr_starts)
    block = np.repeat(np.arange(len(index)), sizes)
    token = taken.attr_hashes
    order = np.lexsort((token, block))
    block, token = block[order], token[order]
    first = _run_starts(block, token)  # a token held twice along one block's ancestors counts once
    block, token = block[first], token[first]
    page = np.searchsorted(page_starts, index[block], side="right") - 1
    content = (y[index[block]] > 0.5).astype(np.float64)
    order = np.lexsort((token, page))
    page, token, content = page[order], token[order], content[order]
    start = _run_starts(page, token)
    group = np.cumsum(start) - 1
    share = np.bincount(group, weights=content) / np.bincount(group)
    keys, inverse, pages = np.unique(token[start], return_inverse=True, return_counts=True)
    c = np.bincount(inverse, weights=share, minlength=len(keys))
    common = pages >= MIN_PAGES
    return keys[common], np.log((c[common] + 1) / (pages[common] - c[common] + 1))


def _run_starts(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where a run of equal (a, b) pairs starts in these sorted arrays."""
    start = np.ones(len(a), dtype=bool)
    start[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return start
