"""Types of the compiled context columns (_context.pyx)."""

import numpy as np

COLUMNS: tuple[str, ...]  # the columns' names, in the order they are written

def context_columns(s: np.ndarray, weight: np.ndarray, offsets: np.ndarray, groups: np.ndarray, out: np.ndarray,
         kept_at: float, window: int, clip: float) -> None: ...
