"""Input files → records: the pages of a WARC, a JSONL file or a directory, one `Record` at a time.

Reading is streaming (a WARC is never loaded whole). A record that cannot be read (bad JSON, a file that
vanished) comes out with `error` set instead of stopping the stream: the caller counts and logs it.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, overload

from .decode import MAX_BYTES
from .errors import InputError, InputFileError
from .files import page_kind, read_page
from .segment import Kind, looks_like_html

WARC_SUFFIXES = (".warc", ".warc.gz")
MAX_RECORD_BYTES = MAX_BYTES + 1024 * 1024  # a record this long (the page and its HTTP headers) is refused
DRAIN_CHUNK = 1 << 20  # bytes read at a time from what is skipped
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
    warc_date: str | None = None  # WARC-Date, ISO 8601
    http_status: int | None = None
    content_type: str | None = None  # the HTTP Content-Type's media type
    skip: str | None = None  # why a WARC response is not a page to clean (counted, not written)


def input_type(path: str | Path) -> str:
    """"warc", "jsonl" or "dir" for a `boilerplate run` input; InputFileError for anything else."""
    path = Path(path)
    name = path.name.lower()
    if path.is_dir():
        return "dir"
    if not path.exists():
        raise InputFileError(f"{path}: no such file or directory")
    if not path.is_file():  # (a FIFO, device or socket would be read forever, or hang)
        raise InputFileError(f"{path}: not a regular file (a device, FIFO or socket)")
    if name.endswith(WARC_SUFFIXES):
        return "warc"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    raise InputFileError(f"{path}: not a WARC ({', '.join(WARC_SUFFIXES)}), JSONL "
                         f"({', '.join(JSONL_SUFFIXES)}) or a directory")


def read_records(path: str | Path, all_responses: bool = False) -> Iterator[Record]:
    """The records of one input, in file order (`all_responses`: see read_warc)."""
    kind = input_type(path)
    if kind == "warc":
        return read_warc(path, all_responses)
    if kind == "jsonl":
        return read_jsonl(path)
    return read_directory(path)


HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(path: str | Path, all_responses: bool = False) -> Iterator[Record]:
    """The `response` records of a WARC / WARC.gz with their URI, date, HTTP status, content type and
    charset. Unless `all_responses`, only status 200 HTML ones (by content type, else by sniffing) are
    pages; the others come out with `skip` set. A record over MAX_RECORD_BYTES is read past, never held,
    and comes out with `error` set. A WARC cut short (a record shorter than its Content-Length, or a
    gzip member cut off after the last record) raises InputFileError."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    source = str(path)
    last_pos = -1
    try:
        with open(path, "rb") as stream:  # (opened here: fastwarc opens only names that are UTF-8)
            for rec in ArchiveIterator(stream, parse_http=True):
                last_pos = rec.stream_pos
                date = rec.headers.get("WARC-Date")
                if rec.record_type != WarcRecordType.response or rec.content_length > MAX_RECORD_BYTES:
                    size = _drain(rec.reader)  # consumed, never held, so that a cut-off one is noticed
                    if size < rec.content_length:
                        raise InputFileError(f"{path}: truncated WARC: record {rec.record_id} has {size:,} of "
                                             f"its {rec.content_length:,} bytes")
                    if rec.record_type == WarcRecordType.response:
                        yield Record(source, rec.record_id or "", rec.headers.get("WARC-Target-URI"), b"",
                                     warc_date=date, error=f"record of {rec.content_length:,} bytes; the limit "
                                                           f"is {MAX_BYTES:,}")
                    continue
                data = rec.reader.read()
                if len(data) < rec.content_length:
                    raise InputFileError(f"{path}: truncated WARC: record {rec.record_id} has {len(data):,} of "
                                         f"its {rec.content_length:,} bytes")
                media = (rec.http_content_type or "").split(";")[0].strip().lower() or None
                status = rec.http_headers.status_code if rec.is_http else None
                skip = None if all_responses else _not_a_page(status, media, data)
                yield Record(source, rec.record_id or "", rec.headers.get("WARC-Target-URI"),
                             data if skip is None else b"", http_charset=rec.http_charset, warc_date=date,
                             http_status=status, content_type=media, skip=skip)
    except OSError as e:  # unreadable or corrupt compressed stream, a damaged record header
        raise InputFileError(f"{path}: cannot read WARC: {e}") from None
    _check_gzip_end(Path(path), last_pos)


def _drain(reader: Any) -> int:
    """Read a record's body to its end in chunks, keeping none of it; how many bytes it had."""
    size = 0
    while chunk := reader.read(DRAIN_CHUNK):
        size += len(chunk)
    return size


def _not_a_page(status: int | None, media: str | None, data: bytes) -> str | None:
    """Why a WARC response is not a page to clean (None: it is one)."""
    if status is not None and status != 200:
        return f"status {status}"
    if media is not None:
        return None if media in HTML_TYPES else f"content type {media}"
    return None if looks_like_html(data[:8192].decode("latin-1")) else "not HTML (sniffed)"


def _check_gzip_end(path: Path, last_pos: int) -> None:
    """A .warc.gz holds one gzip member per record: the last record's member must end the file
    (fastwarc stops silently at a member cut short)."""
    if not path.name.lower().endswith(".gz") or last_pos < 0:
        return
    d = zlib.decompressobj(31)
    rest = b""
    with open(path, "rb") as f:  # (read and inflated a chunk at a time: the last record may be huge)
        f.seek(last_pos)
        first = True
        while chunk := f.read(DRAIN_CHUNK):
            if first and not chunk.startswith(b"\x1f\x8b"):
                return  # not one member per record: nothing to check from here
            first = False
            if d.eof:
                rest += chunk[:64]
                break
            try:
                while chunk and not d.eof:
                    d.decompress(chunk, DRAIN_CHUNK)
                    chunk = d.unconsumed_tail
            except zlib.error as e:
                raise InputFileError(f"{path}: corrupt gzip data after the last record ({e})") from None
        rest = d.unused_data + rest
    if not d.eof or rest.strip(b"\x00"):
        raise InputFileError(f"{path}: truncated WARC: the file ends inside a gzip member after the last "
                             f"complete record")


def read_jsonl(path: str | Path) -> Iterator[Record]:
    """One record per line: {"html": ..., "url": ...} or {"text": ...} (a text dump); "id" is kept."""
    source = str(path)
    opener = gzip.open if str(path).lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="surrogateescape") as f:
            n = 0
            while line := f.readline(MAX_RECORD_BYTES + 1):
                n += 1
                if len(line) > MAX_RECORD_BYTES and not line.endswith("\n"):  # (the rest of it: skipped)
                    while (more := f.readline(DRAIN_CHUNK)) and not more.endswith("\n"):
                        pass
                    yield Record(source, str(n), None, "", error=f"line {n}: longer than {MAX_RECORD_BYTES:,} "
                                 "characters, the limit")
                elif line.strip():
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
    for key in ("html", "text"):
        if isinstance(obj.get(key), str):
            return Record(source, record_id, url, obj[key], kind="html" if key == "html" else "text")
    return Record(source, record_id, url, "", error=f"line {n}: no string field 'html' or 'text'")


def read_directory(path: str | Path) -> Iterator[Record]:
    """Every page file below the directory (.html, .htm, .xhtml, .txt, each also gzipped), in sorted
    path order (symlinked directories followed, each real directory once); other files are counted as
    skipped by their suffix."""
    root = Path(path)
    files, others = page_files(root, with_others=True)
    for suffix, n in sorted(others.items()):
        for _ in range(n):
            yield Record(str(root), "", None, b"", skip=f"not a page file ({suffix or 'no suffix'})")
    for file in files:
        rel = file.relative_to(root).as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        try:
            data = read_page(file)
        except InputError as e:
            yield Record(str(root), rel, None, b"", error=str(e).removeprefix(f"{file}: "))
            continue
        yield Record(str(root), rel, None, data, kind=page_kind(file.name) or "auto")  # type: ignore[arg-type]


@overload
def page_files(root: Path) -> list[Path]: ...
@overload
def page_files(root: Path, with_others: Literal[True]) -> tuple[list[Path], Counter[str]]: ...


def page_files(root: Path, with_others: bool = False) -> list[Path] | tuple[list[Path], Counter[str]]:
    """The page files below a directory, sorted (`with_others`: and a count of the other files by
    suffix); symlinked directories are followed, loops are not."""
    files, seen, others = [], set(), Counter[str]()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames.clear()
            continue
        seen.add(real)
        for f in filenames:
            if page_kind(f) is not None:
                files.append(Path(dirpath) / f)
            elif not f.startswith("."):
                others[Path(f).suffix.lower()] += 1
    pages = sorted(f for f in files if f.is_file())
    return (pages, others) if with_others else pages
