"""Types of the compiled feature loops (_features.pyx)."""

import numpy as np

from ._layout import Layout

def feature_rows(L: Layout, blocks: object, out: np.ndarray, groups: np.ndarray, headline: int = ...) -> int: ...
