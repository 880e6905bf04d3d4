"""Types of the compiled DOM walk (_walk.pyx): lxml tree → the columns of segment.Blocks."""

from collections.abc import Callable, Iterable

import numpy as np
from lxml.etree import _Element

from ._head import Meta

Containers = list[tuple[int, int, int]]  # (depth, first block, end block) of block-level elements
Tokens = tuple[np.ndarray, np.ndarray, np.ndarray]  # class/id token hashes, per-block starts, near-attr counts
Record = tuple[list[str], list[int], list[object], list[tuple], list[object], list[int], list[int], list[bool]]

class Tables:
    """The walk's lookup tables (tag sets, ids, hint bits), built once."""

    def __init__(self, *, skip: Iterable[str], block: Iterable[str], cells: Iterable[str],
                 sectioning: Iterable[str], landmark_roles: Iterable[str], tag_id: dict[str, int],
                 tag_bits: dict[str, int], hint_bits: Callable[[str], int], landmark: int, invisible: int,
                 path_len: int, max_row_chars: int, max_button_chars: int, cell_mark: str, cell_sep: str,
                 struct_tags: Iterable[str] = ..., inline_tags: Iterable[str] = ...,
                 lang_hint: object = ...) -> None: ...

def walk(root: _Element, t: Tables, structured: bool = ..., meta: Meta | None = ...) -> tuple[
    list[str], list[int], list[int], list[int], list[int], list[int], list[int], list[int], list[str],
    Containers, Tokens, Record | None]: ...
