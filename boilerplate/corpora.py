"""Read (HTML, clean text) corpora in the two common layouts, from a path given by the user.

1. `DIR/original/<id>.html` + `DIR/cleaned/<id>.txt` (raw page bytes in any encoding; hand-cleaned text)
2. `DIR/html/<id>.html.gz` (or .html) + `DIR/ground-truth.json` mapping id → {"articleBody": ..., "url": ...}
   (the article-extraction-benchmark layout)

Corpora are third-party data: they are never copied into the project, only read from where they are.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

ENV_VAR = "BOILERPLATE_CORPORA"  # whitespace- or os.pathsep-separated corpus directories


@dataclass(frozen=True)
class CorpusPage:
    """One page of a corpus: raw bytes, the gold clean text, and the site when known (for CV groups)."""

    corpus: str
    id: str
    html: bytes
    clean: str
    site: str | None = None


class CorpusError(ValueError):
    """A corpus directory is missing or in neither known layout."""


def corpus_paths(given: list[str] | None = None) -> list[Path]:
    """Corpus directories from the command line, else from $BOILERPLATE_CORPORA (may be empty)."""
    if given:
        return [Path(p) for p in given]
    raw = os.environ.get(ENV_VAR, "")
    return [Path(p) for p in raw.replace(os.pathsep, " ").split() if p]


def layout(directory: Path) -> str:
    """'cleaned' or 'ground-truth', by which files the directory holds; CorpusError otherwise."""
    if (directory / "original").is_dir() and (directory / "cleaned").is_dir():
        return "cleaned"
    if (directory / "html").is_dir() and (directory / "ground-truth.json").is_file():
        return "ground-truth"
    raise CorpusError(f"{directory}: not a corpus (expected original/ + cleaned/, or html/ + "
                      "ground-truth.json)")


def read_corpus(directory: str | Path) -> Iterator[CorpusPage]:
    """Iterate over a corpus's pages in id order; pages without gold text are skipped."""
    directory = Path(directory)
    name = directory.name
    if layout(directory) == "cleaned":
        for path in sorted((directory / "original").iterdir()):
            if not path.is_file():
                continue
            clean = directory / "cleaned" / f"{path.name.split('.')[0]}.txt"
            if clean.is_file():
                yield CorpusPage(name, path.name.split(".")[0], path.read_bytes(),
                                 clean.read_bytes().decode("utf-8", "replace"))
        return
    try:
        truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise CorpusError(f"{directory / 'ground-truth.json'}: cannot read: {e}") from None
    for page_id in sorted(truth):
        entry = truth[page_id]
        body = entry.get("articleBody") if isinstance(entry, dict) else None
        if not isinstance(body, str):
            continue
        for path in (directory / "html" / f"{page_id}.html.gz", directory / "html" / f"{page_id}.html"):
            if path.is_file():
                data = path.read_bytes()
                if path.suffix == ".gz":
                    data = gzip.decompress(data)
                site = urlsplit(entry.get("url") or "").netloc.removeprefix("www.") or None
                yield CorpusPage(name, page_id, data, body, site)
                break
