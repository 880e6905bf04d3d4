"""One input → one Parquet shard: its records read in order, cleaned in chunks (in a pool of worker
processes, each chunk within a time budget, or in this process), the rows written as row groups to a
temporary file renamed when whole."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from .files import file_sha256
from .records import Record, read_records
from .rows import COMMENTS, MARKDOWN, METADATA, SCHEMA, SCORES, clean_records
from .workers import Workers

CHUNK = 32  # records per task sent to a worker process
RECORD_SECONDS = 120.0  # time budget of one record in a worker (a chunk: this times its records, plus:)
BUDGET_GRACE = 30.0  # seconds for a worker to start and load the model
ROWS_PER_PART = 1000  # rows held in memory before they are written as a row group of the shard,
PART_CHARS = 4_000_000  # or characters of text (and, with --scores, of lines) held, whichever comes first
MAX_ERRORS_SHOWN = 20  # bad records printed per shard; all are counted and kept in the shard


@dataclass
class ShardReport:
    """What one input produced: its shard, how many records, how many failed, how long it took."""

    input: str
    shard: str
    records: int = 0
    errors: int = 0
    seconds: float = 0.0
    error_samples: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # WARC responses that are not pages, by reason
    sha256: str | None = None  # of the shard file as written: a resumed run checks it is still that


def shard_name(source: str | Path) -> str:
    """A stable, unique shard file name for an input: its name plus a hash of its absolute path."""
    path = Path(source).resolve()
    stem = re.sub(r"[^\w.-]+", "_", path.name)[:80] or "input"
    return f"{stem}-{hashlib.sha1(os.fsencode(path)).hexdigest()[:10]}.parquet"  # (any bytes a name holds)


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for r in records:
        chunk.append(r)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_shard(source: str, shard: str, model_path: str | None = None, scores: bool = False,
              pool: Workers | None = None, in_flight: int = 8,
              on_rows: Callable[[int, int], None] | None = None, all_responses: bool = False,
              site_repeats: bool = False, markdown: bool = False, metadata: bool = False,
              comments: bool = False, record_seconds: float | None = RECORD_SECONDS) -> ShardReport:
    """Clean every record of one input and write its Parquet shard atomically (the Dask task).

    With a pool, chunks of records are cleaned in its processes, at most `in_flight` chunks at a time; if
    a worker dies, the pool is replaced and the chunks in flight are sent again, once. A chunk still
    cleaning after `record_seconds` a record (None: no limit) has its worker killed and its records sent
    again one at a time; a record alone past its budget gets a row with its `error`.
    Rows are appended to the shard's temporary file as a row group every ROWS_PER_PART rows or
    PART_CHARS characters, so memory does not grow with the input; the file is renamed when complete.
    On any failure no shard is written and the temporary file is removed.
    `on_rows(records, errors)` reports progress; `site_repeats` (within each chunk), `markdown`,
    `metadata` and `comments` are clean_records'.
    """
    import pyarrow.parquet as pq

    start = time.perf_counter()
    report = ShardReport(input=str(Path(source).resolve()), shard=shard)
    out = Path(shard)
    schema: dict[str, Any] = {**SCHEMA, **(SCORES if scores else {}), **(MARKDOWN if markdown else {}),
              **(METADATA if metadata else {}), **(COMMENTS if comments else {})}
    tmp = out.with_name(f".{out.name}.{os.getpid()}.{time.monotonic_ns()}.part")  # unique to this attempt
    rows: list[dict[str, Any]] = []
    held = 0  # characters held in `rows`
    writer: pq.ParquetWriter | None = None

    def spill() -> None:
        nonlocal held, writer
        table = pl.DataFrame(rows, schema=schema).to_arrow()
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
        writer.write_table(table)
        rows.clear()
        held = 0

    def collect(chunk_rows: list[dict[str, Any]]) -> None:
        nonlocal held
        errors = [r for r in chunk_rows if r["error"]]
        report.records += len(chunk_rows)
        report.errors += len(errors)
        room = MAX_ERRORS_SHOWN - len(report.error_samples)
        report.error_samples += [f"{r['source']} {r['record_id']}: {r['error']}" for r in errors[:max(room, 0)]]
        rows.extend(chunk_rows)
        held += sum(r["chars_kept"] * (2 if markdown else 1) + (r["chars_total"] if scores else 0)
                    for r in chunk_rows)
        if len(rows) >= ROWS_PER_PART or held >= PART_CHARS:
            spill()
        if on_rows:
            on_rows(len(chunk_rows), len(errors))

    def pages(records: Iterable[Record]) -> Iterator[Record]:
        for r in records:
            if r.skip is None:
                yield r
            else:  # not a page (status, content type): counted by reason
                report.skipped[r.skip] = report.skipped.get(r.skip, 0) + 1

    try:
        pending: deque[tuple[Future, list[Record], bool]] = deque()  # (future, its chunk, sent again)
        clean_chunk = partial(clean_records, model_path=model_path, scores=scores, site_repeats=site_repeats,
                        markdown=markdown, metadata=metadata, comments=comments)

        def resend() -> None:
            """A worker died: a new pool, and the chunks in flight not yet done sent again (BrokenProcessPool
            if one of them had been sent again already)."""
            lost = [not (f.done() and not f.cancelled() and f.exception() is None) for f, _, _ in pending]
            if any(again for (_, _, again), gone in zip(pending, lost) if gone):
                raise BrokenProcessPool("a worker process died twice while cleaning the same records")
            assert pool is not None  # (only with a pool are chunks in flight)
            pool.replace()
            resent = [(pool.submit(clean_chunk, c), c, True) if gone else (f, c, a)
                      for (f, c, a), gone in zip(pending, lost)]
            pending.clear()
            pending.extend(resent)

        def result() -> list[dict[str, Any]]:
            future, chunk, _ = pending[0]
            try:
                rows_ = future.result(timeout=None if record_seconds is None
                                      else record_seconds * len(chunk) + BUDGET_GRACE)
            except BrokenProcessPool:
                resend()
                return result()
            except FutureTimeout:
                return abandon()
            pending.popleft()
            return rows_

        def abandon() -> list[dict[str, Any]]:
            """The oldest chunk ran past its budget: the pool's workers killed and a new pool; a record
            alone gets its error row, a longer chunk is sent again a record at a time (in order, before
            the other chunks in flight, which are sent again as they were)."""
            assert pool is not None
            _, chunk, _ = pending.popleft()
            rest = [(c, again) for _, c, again in pending]
            pending.clear()
            pool.kill()
            if len(chunk) > 1:
                rest = [([r], False) for r in chunk] + rest
            for c, again in rest:
                pending.append((pool.submit(clean_chunk, c), c, again))
            if len(chunk) > 1:
                return result()
            message = f"abandoned: still cleaning after {record_seconds:g} s (its worker was replaced)"
            return clean_chunk([replace(chunk[0], data=b"", error=message)])

        def send(chunk: list[Record]) -> None:
            assert pool is not None
            try:
                future = pool.submit(clean_chunk, chunk)
            except BrokenProcessPool:  # a worker died since the last result was read: the pool refuses work
                resend()
                future = pool.submit(clean_chunk, chunk)
            pending.append((future, chunk, False))

        for chunk in _chunks(pages(read_records(source, all_responses)), CHUNK):
            if pool is None:
                collect(clean_chunk(chunk))
                continue
            send(chunk)
            while len(pending) >= in_flight:
                collect(result())
        while pending:
            collect(result())
        if rows or writer is None:
            spill()
        assert writer is not None  # (spill made it)
        writer.close()
        writer = None
        _fsync(tmp)
        report.sha256 = file_sha256(tmp)
        os.replace(tmp, out)
    finally:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
    report.seconds = round(time.perf_counter() - start, 3)
    return report


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())
