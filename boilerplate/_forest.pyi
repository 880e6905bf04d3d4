"""Types of the compiled tree evaluator (_forest.pyx)."""

import numpy as np

def _check_tree(tree: dict[str, str], leaves: int, n_features: int) -> None: ...

class Forest:
    """A LightGBM binary model's trees, read from its text and checked, evaluated in C."""

    n_features: int
    def __init__(self, text: str) -> None: ...
    def predict(self, X: np.ndarray) -> np.ndarray: ...
