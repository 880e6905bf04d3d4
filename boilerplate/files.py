"""File helpers shared by the stages that write results: atomic writes."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: Path, text: str) -> None:
    """Write UTF-8 text so that `path` is either the old file or the complete new one, never a part."""
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
