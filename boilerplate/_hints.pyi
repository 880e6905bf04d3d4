"""Types of the compiled hint-word matcher (_hints.pyx)."""

from collections.abc import Iterable

AD: None  # in a word list: "ad" or "ads" standing alone

class HintWords:
    """The hint words in order, each with its bits."""

    def __init__(self, words: Iterable[tuple[str | None, int]]) -> None: ...
    def match(self, attrs: str) -> int: ...
