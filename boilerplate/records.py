"""Input files → records: the pages of a WARC, a JSONL file or a directory, one `Record` at a time.

Reading is streaming (a WARC is never loaded whole). A record that cannot be read (bad JSON, a file that
vanished) comes out with `error` set instead of stopping the stream: the caller counts and logs it.
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .labeled import PAGE_SUFFIXES
from .segment import Kind

WARC_SUFFIXES = (".warc", ".warc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")


@dataclass(frozen=True)
class Record:
    """One page to clean: where it comes from, and its raw content (or why it could not be read)."""

    source: str  # the input file or directory
    record_id: str  # WARC-Record-ID, JSONL line number, or path relative to the directory
    url: str | None
    data: bytes | str
    http_charset: str | None = None
    kind: Kind = "auto"
    error: str | None = None


class InputFileError(ValueError):
    """An input of `boilerplate run` is of an unknown type or cannot be opened."""


def input_type(path: str | Path) -> str:
    """"warc", "jsonl" or "dir" for a `boilerplate run` input; InputFileError for anything else."""
    path = Path(path)
    name = path.name.lower()
    if path.is_dir():
        return "dir"
    if not path.exists():
        raise InputFileError(f"{path}: no such file or directory")
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    raise InputFileError(f"{path}: not a WARC ({', '.join(WARC_SUFFIXES)}), JSONL "
                         f"({', '.join(JSONL_SUFFIXES)}) or a directory")


def read_records(path: str | Path) -> Iterator[Record]:
    """The records of one input, in file order."""
    kind = input_type(path)
    if kind == "warc":
        return read_warc(path)
    if kind == "jsonl":
        return read_jsonl(path)
    return read_directory(path)


def read_warc(path: str | Path) -> Iterator[Record]:
    """HTML `response` records of a WARC / WARC.gz, with their target URI and HTTP charset."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    source = str(path)
    try:
        for rec in ArchiveIterator(source, record_types=WarcRecordType.response, parse_http=True,
                                   fsspec_args=False):
            content_type = (rec.http_content_type or "").lower()
            if content_type and "html" not in content_type and not content_type.startswith("text/"):
                continue  # images, PDFs, JSON...: not pages
            yield Record(source, rec.record_id or "", rec.headers.get("WARC-Target-URI"),
                         rec.reader.read(), http_charset=rec.http_charset)
    except OSError as e:  # unreadable or corrupt compressed stream
        raise InputFileError(f"{path}: cannot read WARC: {e}") from None


def read_jsonl(path: str | Path) -> Iterator[Record]:
    """One record per line: {"html": ..., "url": ...} or {"text": ...} (a text dump); "id" is kept."""
    source = str(path)
    opener = gzip.open if str(path).lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="surrogateescape") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                yield _jsonl_record(source, n, line)
    except (OSError, EOFError, zlib.error) as e:  # missing, unreadable, or a corrupt .gz
        raise InputFileError(f"{path}: cannot read: {e}") from None


def _jsonl_record(source: str, n: int, line: str) -> Record:
    try:
        obj = json.loads(line)
    except ValueError as e:
        return Record(source, str(n), None, "", error=f"line {n}: not JSON: {e}")
    if not isinstance(obj, dict):
        return Record(source, str(n), None, "", error=f"line {n}: not a JSON object")
    record_id = str(obj.get("id", n))
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    for key, kind in (("html", "html"), ("text", "text")):
        if isinstance(obj.get(key), str):
            return Record(source, record_id, url, obj[key], kind=kind)
    return Record(source, record_id, url, "", error=f"line {n}: no string field 'html' or 'text'")


def read_directory(path: str | Path) -> Iterator[Record]:
    """Every .html/.htm/.txt file below the directory, in sorted path order."""
    root = Path(path)
    for file in sorted(p for p in root.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()):
        rel = file.relative_to(root).as_posix()
        try:
            data = file.read_bytes()
        except OSError as e:
            yield Record(str(root), rel, None, b"", error=f"cannot read: {e.strerror}")
            continue
        yield Record(str(root), rel, None, data, kind=PAGE_SUFFIXES[file.suffix.lower()])
