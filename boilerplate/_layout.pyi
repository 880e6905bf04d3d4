"""Types of the compiled feature layout (_layout.pyx)."""

from collections.abc import Iterable

import numpy as np

class Layout:
    """Column positions and knobs of the feature rows, built once."""

    width: int
    def __init__(self, names: Iterable[str], hints: Iterable[str], neighbour_base: Iterable[str],
                 window: Iterable[int], classes: np.ndarray, sentence_end: np.ndarray, full_stop: np.ndarray, *,
                 c_space: int,
                 c_cjk: int, c_latin: int, c_digit: int, c_punct: int, c_other: int, main_min_tokens: int,
                 link_block_cost: float, latin_word_weight: float, main_max_tokens: int, share_power: float,
                 root_share: float, dist_clip: float, headline_overlap: float, head_root_tokens: int,
                 prose_min_tokens: int, prose_max_link_density: float) -> None: ...
