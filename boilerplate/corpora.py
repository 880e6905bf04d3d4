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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError
from .sites import guess_site, url_site

ENV_VAR = "BOILERPLATE_CORPORA"  # whitespace- or os.pathsep-separated corpus directories


@dataclass(frozen=True)
class CorpusPage:
    """One page of a corpus: raw bytes, the gold clean text, the site when known (for CV groups), and
    what the corpus says of it: language, page type, gold title, URL, author, publication date (None when
    it does not say)."""

    corpus: str
    id: str
    html: bytes
    clean: str
    site: str | None = None
    lang: str | None = None
    page_type: str | None = None
    title: str | None = None
    url: str | None = None
    author: str | None = None
    publish_date: str | None = None


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


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")


def guess_lang(text: str) -> str:
    """A rough language for pages whose corpus does not say: "zh" when CJK characters make up more than
    30% of the first 5,000 characters' letters, else "en" (used only to group reports and pick peers'
    stop lists)."""
    head = text[:5000]
    letters = len(_LETTER.findall(head))
    return "zh" if letters and len(_CJK.findall(head)) / letters > 0.3 else "en"


def corpus_license(directory: str | Path) -> str:
    """The first line of the corpus's LICENSE file (for the model card), or a note that there is none."""
    for name in ("LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING"):
        try:
            text = (Path(directory) / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        return next((line.strip() for line in text.splitlines() if line.strip()), "empty LICENSE file")
    return "unknown (no LICENSE file)"


def count_pages(directory: str | Path) -> int:
    """How many pages `read_corpus` will consider (for progress bars): records or original files."""
    directory = Path(directory)
    if layout(directory) == "cleaned":
        return sum(1 for p in (directory / "original").iterdir() if p.is_file())
    try:
        return len(json.loads((directory / "ground-truth.json").read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, TypeError) as e:
        raise CorpusError(f"{directory / 'ground-truth.json'}: cannot read: {e}") from None


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
                data = path.read_bytes()
                yield CorpusPage(name, path.name.split(".")[0], data,
                                 clean.read_bytes().decode("utf-8", "replace"), guess_site(data))
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
                url = entry.get("url")
                site = url_site(url if isinstance(url, str) else None) or guess_site(data)
                yield CorpusPage(name, page_id, data, repair_utf16(body), site, _str(entry.get("lang")),
                                 _str(entry.get("page_type")), _str(entry.get("title")), _str(url),
                                 _str(entry.get("author")), _str(entry.get("publish_date")))
                break


def repair_utf16(text: str) -> str:
    """The text itself, or, when it is UTF-16 bytes that were read as UTF-8 (a NUL after most characters:
    four dragnet-train gold texts), those bytes read again as UTF-16. Characters whose UTF-16 bytes were
    not ASCII were replaced when misread, byte by byte: they come back as "?"."""
    if len(text) < 4 or text.count("\x00") < len(text) // 3:
        return text
    if text.startswith("\ufffd\ufffd"):  # the byte order mark, its two bytes misread
        text = text[2:]
    raw = bytes(ord(c) if ord(c) < 0x80 else 0x3F for c in text)  # (each misread byte is one character)
    codec = "utf-16-le" if raw[1::2].count(0) >= raw[0::2].count(0) else "utf-16-be"
    return raw.decode(codec, errors="replace")


def _str(value: object) -> str | None:
    """A record's optional string field; anything else (missing, null, a number) is None."""
    return value if isinstance(value, str) and value else None
