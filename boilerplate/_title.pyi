"""Types of the compiled headline search (_title.pyx)."""

from collections.abc import Callable

import numpy as np

def best_block(texts: list[str], tags: np.ndarray, link_chars: np.ndarray, refs: list[set[str]], max_chars: float,
               tag_bonus: np.ndarray, classes: np.ndarray, words: Callable[[str], list[str]],
               min_precision: float, min_recall: float, link_penalty: float) -> int: ...
