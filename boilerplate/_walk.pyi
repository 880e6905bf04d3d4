"""Types of the compiled DOM walk (_walk.pyx): lxml tree → the columns of segment.Blocks."""

from typing import NamedTuple

import numpy as np
from lxml.etree import _Element

from ._columns import Tables
from ._head import Meta

class Record(NamedTuple):
    """The content model's raw record (segment.Structure's fields but its base)."""

    tags: list[str]
    parents: list[int]
    attrs: list[object]
    contexts: list[tuple]
    pieces: list[object]
    starts: list[int]
    node: list[int]
    breaks: list[bool]

class Walked(NamedTuple):
    """What a walk gives: the block columns, containers, class/id tokens and, in structure mode, the record."""

    texts: list[str]
    link_chars: list[int]
    tags: list[int]
    depths: list[int]
    hints: list[int]
    near: list[int]
    parents: list[int]
    grandparents: list[int]
    paths: list[str]
    containers: list[tuple[int, int, int]]  # (depth, first block, end block) of block-level elements
    tokens: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # token hashes, per-block starts, near starts
    record: Record | None
    owners: list[int] | None  # each block's element (for mark_owners), when asked for

def walk(root: _Element, t: Tables, structured: bool = ..., meta: Meta | None = ..., owners: bool = ...) -> Walked: ...
def mark_owners(root: _Element, owners: list[int], attribute: str) -> None: ...
