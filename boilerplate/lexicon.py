"""Block words → lexicon columns: how much a block's words lean to content or to chrome on the training
pages ("reply", "copyright", "分享", "相关" lean to chrome on every site; the words of a news story do not).

A `Lexicon` is learned with the model (model.py): each word held by at least MIN_PAGES training pages gets
log((pages holding it in content + 1) / (pages holding it in chrome + 1)); a block's columns are the mean,
least and greatest of its known words' values (NaN when it has none). Words are hashed by _lexicon.pyx.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._lexicon import block_words, fill, table
from .segment import Blocks

LEXICON_FEATURES = {
    "lex_mean": "mean over the block's known words of log((training pages holding the word in content + 1) / "
                "(pages holding it in chrome + 1)) (NaN without a known word)",
    "lex_min": "the most chrome-leaning known word's value (NaN without a known word)",
    "lex_max": "the most content-leaning known word's value (NaN without a known word)",
}
LEXICON_NAMES: tuple[str, ...] = tuple(LEXICON_FEATURES)
MIN_PAGES = 10  # a word enters the lexicon when this many training pages hold it: rarer words are a site's
# own, and would teach the model that site rather than chrome in general
TEXT_MARK = "lexicon"


class Words(NamedTuple):
    """The word hashes of many blocks: block i's are hashes[starts[i]:starts[i + 1]]."""

    hashes: np.ndarray
    starts: np.ndarray

    def take(self, rows: np.ndarray) -> "Words":
        """The words of the chosen blocks (a boolean mask or index array), in their order."""
        index = np.flatnonzero(rows) if rows.dtype == bool else np.asarray(rows)
        sizes = self.starts[index + 1] - self.starts[index]
        starts = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        gather = np.repeat(self.starts[index] - starts[:-1], sizes) + np.arange(starts[-1])
        return Words(self.hashes[gather], starts)


def words(pages: list[Blocks]) -> Words:
    """The words of every block of these pages, in the row order of features.batch_features."""
    texts = [t for blocks in pages for t in blocks.texts]
    return Words(*block_words(texts))


class Lexicon:
    """Word hash → value (sorted keys, float32 values; looked up in a hash table of them)."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        self.keys = np.ascontiguousarray(keys, dtype=np.int64)
        self.values = np.ascontiguousarray(values, dtype=np.float32)
        self._table = table(self.keys, self.values)

    @classmethod
    def fit(cls, words: Words, y: np.ndarray, page_starts: np.ndarray, rows: np.ndarray) -> "Lexicon":
        """Learn from the chosen rows (boolean mask) of pages whose rows begin at `page_starts` (features
        .Batch offsets), y being each row's content label."""
        content, chrome = [], []
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
        c = np.zeros(len(keys)); h = np.zeros(len(keys))
        c[np.searchsorted(keys, keys_c)] = n_c
        h[np.searchsorted(keys, keys_h)] = n_h
        common = c + h >= MIN_PAGES
        return cls(keys[common], np.log((c[common] + 1) / (h[common] + 1)))

    def columns(self, words: Words) -> np.ndarray:
        """The LEXICON_NAMES columns (float32) of each block of `words`."""
        out = np.empty((len(words.starts) - 1, len(LEXICON_NAMES)), dtype=np.float32)
        fill(words.hashes, words.starts, *self._table, out)
        return out

    def to_text(self) -> str:
        """The lexicon as text: a header line, then one `hash value` line per word."""
        lines = [f"{TEXT_MARK} {len(self.keys)}"]
        lines += [f"{k} {v:.6g}" for k, v in zip(self.keys.tolist(), self.values.tolist())]
        return "\n".join(lines) + "\n"

    @classmethod
    def from_text(cls, text: str) -> "Lexicon":
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
