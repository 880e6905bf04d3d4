"""Types of the compiled DOM walk (_walk.pyx): lxml tree → the columns of segment.Blocks."""


import numpy as np
from lxml.etree import _Element

from ._columns import Tables
from ._head import Meta

Containers = list[tuple[int, int, int]]  # (depth, first block, end block) of block-level elements
Tokens = tuple[np.ndarray, np.ndarray, np.ndarray]  # class/id token hashes, per-block starts, near-attr counts
Record = tuple[list[str], list[int], list[object], list[tuple], list[object], list[int], list[int], list[bool]]

def walk(root: _Element, t: Tables, structured: bool = ..., meta: Meta | None = ...) -> tuple[
    list[str], list[int], list[int], list[int], list[int], list[int], list[int], list[int], list[str],
    Containers, Tokens, Record | None]: ...
