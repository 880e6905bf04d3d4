"""Types of the compiled block columns (_columns.pyx): the walk's tables."""

from collections.abc import Iterable

from ._hints import HintWords

class Tables:
    """The walk's lookup tables (tag sets, ids, hint bits), built once."""

    def __init__(self, *, skip: Iterable[str], block: Iterable[str], cells: Iterable[str],
                 sectioning: Iterable[str], landmark_roles: Iterable[str], tag_id: dict[str, int],
                 tag_bits: dict[str, int], hints: HintWords, landmark: int, invisible: int,
                 path_len: int, max_row_chars: int, max_button_chars: int, cell_mark: str, cell_sep: str,
                 struct_tags: Iterable[str] = ..., inline_tags: Iterable[str] = ...,
                 lang_hint: object = ...) -> None: ...
