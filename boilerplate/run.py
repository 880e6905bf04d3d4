"""Whole crawls: input files (WARC, JSONL, directories) → one Parquet shard per input, with a manifest.

One machine: the parent reads each input's records and sends chunks of them to `workers` processes;
results come back in order and the shard is written atomically. A Dask cluster: each input is one task
(`run_shard`) that reads, cleans and writes its shard on a worker; Dask does the scheduling and retries.
Either way `DIR/manifest.json` records every finished shard with the model it was made with, and a rerun
skips shards that are complete for the same input and model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import socket
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache, partial
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import polars as pl

from .corpora import url_site
from .decode import decode_page
from .errors import InputError, InputFileError, RunError
from .files import atomic_write
from .language import language_of
from .model import DEFAULT_MODEL, Model
from .pipeline import parse_blocks
from .records import Record, input_type, page_files, read_records
from .segment import Blocks, segment

log = logging.getLogger("boilerplate.run")  # bad records and failed inputs (the CLI prints them to stderr)
CHUNK = 32  # records per task sent to a worker process
RECORD_SECONDS = 120.0  # time budget of one record in a worker (a chunk: this times its records, plus:)
BUDGET_GRACE = 30.0  # seconds for a worker to start and load the model
ROWS_PER_PART = 1000  # rows held in memory before they are written as a row group of the shard,
PART_CHARS = 4_000_000  # or characters of text (and, with --scores, of lines) held, whichever comes first
MAX_ERRORS_SHOWN = 20  # bad records printed per shard; all are counted and kept in the shard
SCHEMA = {"source": pl.String, "record_id": pl.String, "url": pl.String, "warc_date": pl.String,
          "http_status": pl.UInt16, "content_type": pl.String, "encoding": pl.String, "title": pl.String,
          "text": pl.String, "text_sha1": pl.String, "language": pl.String, "lines_total": pl.UInt32,
          "lines_kept": pl.UInt32, "chars_total": pl.UInt32, "chars_kept": pl.UInt32, "error": pl.String}
SCORES = {"lines": pl.List(pl.String), "scores": pl.List(pl.Float32)}
MARKDOWN = {"markdown": pl.String}
COMMENTS = {"comments": pl.List(pl.Struct({"author": pl.String, "date": pl.String, "text": pl.String}))}
METADATA = {"authors": pl.List(pl.String), "date_published": pl.String, "date_modified": pl.String,
            "site_name": pl.String, "canonical_url": pl.String, "language_declared": pl.String}


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


def model_digest(model_path: str | Path | None) -> str:
    """sha256 of a model file (the shipped one for None): what the manifest says a shard was made with."""
    return hashlib.sha256(Path(model_path or DEFAULT_MODEL).read_bytes()).hexdigest()


@lru_cache(maxsize=4)
def _model(model_path: str | None) -> Model:
    """The model, loaded once per process (worker processes reuse it for every chunk)."""
    return Model.load(model_path)


def clean_records(records: list[Record], model_path: str | None, scores: bool = False,
                  site_repeats: bool = False, markdown: bool = False, metadata: bool = False,
                  comments: bool = False) -> list[dict[str, Any]]:
    r"""One output row per record; a record that cannot be read or decoded gets a row with `error` set.
    Every string written is valid Unicode: invalid bytes in a record's fields are escaped (`\xNN`) and
    noted in `error` (in file names: escaped only). With `site_repeats`, a kept line also on two or more
    other records of the same site (the registrable domain of its URL) among these records is dropped.
    With `markdown`, each row also gets the page as Markdown, links kept and resolved against the
    record's URL; with `metadata`, the page's authors, dates, site name, canonical URL and declared
    language (METADATA); with `comments`, the readers' comments dropped after a comment heading (author,
    date, text each)."""
    rows: list[dict[str, Any]] = []
    pages: list[Blocks] = []
    encodings: list[str | None] = []
    sites: list[str | None] = []
    urls: list[str | None] = []
    at: list[int] = []
    for r in records:
        source, record_id, url = safe_text(r.source), safe_text(r.record_id), safe_text(r.url)
        bad_fields = [name for name, clean, raw in (("url", url, r.url), ("record_id", record_id, r.record_id))
                      if clean != raw]  # (the input's own name, given by the user, is escaped silently)
        error = r.error or (f"invalid UTF-8 in {', '.join(bad_fields)} (escaped)" if bad_fields else None)
        row: dict[str, Any] = {"source": source, "record_id": record_id, "url": url, "warc_date": r.warc_date,
                               "http_status": r.http_status, "content_type": r.content_type, "encoding": None,
                               "title": None, "text": "", "text_sha1": None, "language": None,
                               "lines_total": 0, "lines_kept": 0, "chars_total": 0, "chars_kept": 0,
                               "error": error}
        if scores:
            row.update(lines=[], scores=[])
        if markdown:
            row["markdown"] = ""
        if metadata:
            row.update({name: None for name in METADATA}, authors=[])
        if comments:
            row["comments"] = []
        if r.error is None:
            try:
                decoded = decode_page(r.data, http_charset=r.http_charset)
                pages.append(segment(decoded.text, kind=r.kind, utf8=decoded.utf8, structure=markdown,
                                     metadata=metadata))
                encodings.append(decoded.encoding)
                urls.append(url)
                sites.append(url_site(url) if site_repeats else None)
                at.append(len(rows))
            except InputError as e:
                row["error"] = str(e)
        rows.append(row)
    for i, doc in zip(at, parse_blocks(pages, _model(model_path), encodings=encodings,
                                       sites=sites if site_repeats else None, urls=urls)):
        lines = doc.lines
        kept = [line.text for line in lines if line.is_content]
        text = doc.text
        rows[i].update(title=doc.title, text=text, encoding=doc.encoding, lines_total=len(lines),
                       lines_kept=len(kept), chars_total=sum(len(line.text) for line in lines),
                       chars_kept=sum(map(len, kept)),
                       text_sha1=hashlib.sha1(text.encode("utf-8")).hexdigest() if text else None,
                       language=language_of(text))
        if scores:
            rows[i].update(lines=[line.text for line in lines], scores=[line.score for line in lines])
        if markdown:
            rows[i]["markdown"] = doc.to_markdown(links=True)
        if metadata and doc.metadata is not None:
            rows[i].update({name: getattr(doc.metadata, name) for name in METADATA})
        if comments:
            rows[i]["comments"] = [c.to_dict() for c in doc.comments]
    return rows


def safe_text(value: str | None) -> str | None:
    r"""`value` as valid Unicode: bytes smuggled in as surrogates (`surrogateescape`) become `\xNN`, other
    lone surrogates (JSON's "\ud800") `\ud800`."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")


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
        clean = partial(clean_records, model_path=model_path, scores=scores, site_repeats=site_repeats,
                        markdown=markdown, metadata=metadata, comments=comments)

        def resend() -> None:
            """A worker died: a new pool, and the chunks in flight not yet done sent again (BrokenProcessPool
            if one of them had been sent again already)."""
            lost = [not (f.done() and not f.cancelled() and f.exception() is None) for f, _, _ in pending]
            if any(again for (_, _, again), gone in zip(pending, lost) if gone):
                raise BrokenProcessPool("a worker process died twice while cleaning the same records")
            assert pool is not None  # (only with a pool are chunks in flight)
            pool.replace()
            resent = [(pool.submit(clean, c), c, True) if gone else (f, c, a)
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
                pending.append((pool.submit(clean, c), c, again))
            if len(chunk) > 1:
                return result()
            return clean([replace(chunk[0], data=b"", error=f"abandoned: still cleaning after {record_seconds:g} s "
                                                              "(its worker was replaced)")])

        def send(chunk: list[Record]) -> None:
            assert pool is not None
            try:
                future = pool.submit(clean, chunk)
            except BrokenProcessPool:  # a worker died since the last result was read: the pool refuses work
                resend()
                future = pool.submit(clean, chunk)
            pending.append((future, chunk, False))

        for chunk in _chunks(pages(read_records(source, all_responses)), CHUNK):
            if pool is None:
                collect(clean(chunk))
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
        report.sha256 = _file_sha256(tmp)
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


class Progress:
    """One status line on stderr: shards done, records, records/s, errors (rewritten in place on a tty)."""

    def __init__(self, shards: int, stream: Any = None, every: float = 0.5) -> None:
        self.shards, self.done, self.records, self.errors = shards, 0, 0, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = self.last = time.perf_counter()
        self.every = every if self.tty else 10.0

    def add(self, records: int, errors: int) -> None:
        """Count records cleaned and failed, and redraw."""
        self.records += records
        self.errors += errors
        if time.perf_counter() - self.last >= self.every:
            self.show()

    def shard_done(self) -> None:
        """Count one shard finished, and redraw."""
        self.done += 1
        self.show()

    def show(self) -> None:
        """Draw the status line (on a terminal in place; elsewhere at most every few seconds)."""
        self.last = time.perf_counter()
        rate = self.records / max(self.last - self.start, 1e-9)
        line = (f"boilerplate run: shards {self.done}/{self.shards} · records {self.records:,} · "
                f"{rate:,.0f} records/s · errors {self.errors:,}")
        self.stream.write("\r" + line if self.tty else line + "\n")
        self.stream.flush()

    def pause(self) -> None:
        """Clear the status line (on a tty) so that a message printed next starts on a clean line."""
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def close(self) -> None:
        """End the status line."""
        if self.tty:
            self.stream.write("\n")


@dataclass
class RunSummary:
    """The outcome of `run`: shards written now, shards skipped as already complete, inputs that failed."""

    written: list[ShardReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        """Records cleaned in all shards written."""
        return sum(r.records for r in self.written)

    @property
    def errors(self) -> int:
        """Records that failed in all shards written."""
        return sum(r.errors for r in self.written)


def _manifest_path(out_dir: Path) -> Path:
    return out_dir / "manifest.json"


def load_manifest(out_dir: str | Path) -> dict[str, Any]:
    """The manifest of an output directory (an empty one if there is none yet)."""
    path = _manifest_path(Path(out_dir))
    if not path.exists():
        return {"shards": {}}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputFileError(f"{path}: unreadable manifest ({e}); remove it to start over") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("shards"), dict):
        raise InputFileError(f"{path}: not a boilerplate run manifest; remove it to start over")
    return manifest


def _fingerprint(source: str) -> dict[str, Any]:
    """What identifies an input's content: size and mtime of a file; for a directory, a hash of its page
    files' paths, sizes and mtimes (taken before reading, so that a change while reading is noticed)."""
    path = Path(source)
    if path.is_dir():
        h = hashlib.sha1()
        for file in page_files(path):
            st = file.stat()
            entry = f"{file.relative_to(path)}\0{st.st_size}\0{st.st_mtime_ns}\n"
            h.update(entry.encode("utf-8", "surrogateescape"))
        return {"input_files_sha1": h.hexdigest()}
    st = path.stat()
    return {"input_bytes": st.st_size, "input_mtime": st.st_mtime}


def _shard_is_complete(path: Path, entry: dict[str, Any]) -> bool:
    """Whether a shard the manifest lists is still the file written (its sha256), can be read and holds
    the rows it says."""
    try:
        if entry.get("sha256") is not None and _file_sha256(path) != entry["sha256"]:
            return False  # (damaged inside, footer intact: rewritten)
        return pl.scan_parquet(path).select(pl.len()).collect().item() == entry.get("records")
    except (OSError, pl.exceptions.PolarsError):
        return False


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _remove_leftovers(out: Path) -> None:
    """Temporary files a killed run left in its output directory (the caller holds its lock)."""
    for tmp in out.glob(".*.part"):
        try:
            if tmp.is_file() and not tmp.is_symlink():
                tmp.unlink()
        except OSError:
            pass


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    """Hold DIR/.lock for the run: a second run into the same directory is refused, not interleaved."""
    import fcntl

    try:
        f = open(out / ".lock", "a+")
    except OSError as e:
        raise InputFileError(f"--out {out}: not writable ({e.strerror})") from None
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunError(f"{out}: another boilerplate run is writing there") from None
        yield


SCHEDULER_TIMEOUT = 10.0  # default seconds to reach a Dask scheduler before giving up
_SCHEDULER_ADDRESS = re.compile(r"^(?:tcp://)?(\[[0-9a-fA-F:.]+\]|[\w.-]+):(\d{1,5})$")
MAX_HANDSHAKE_BYTES = 1 << 20  # a Dask handshake is a few dozen bytes; a larger length is not Dask's


def check_scheduler(scheduler: str, timeout: float) -> tuple[str, int] | None:
    """(host, port) of a Dask scheduler address (None for "local"), after checking that something there
    speaks Dask's protocol: a Dask scheduler sends its handshake as soon as one connects, a web server
    sends nothing (and Dask would read its answer as a frame length of exabytes). InputFileError in one
    line for another scheme, a bad port, a timeout that is no positive number, or no handshake."""
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise InputFileError(f"--scheduler-timeout {timeout}: must be a positive number of seconds")
    if scheduler == "local":
        return None
    m = _SCHEDULER_ADDRESS.match(scheduler)
    if not m or not 1 <= int(m.group(2)) <= 65535:
        raise InputFileError(f"--scheduler {scheduler}: not 'local' nor an address tcp://HOST:PORT (port 1-65535; "
                             "other Dask transports are not supported)")
    host, port = m.group(1).strip("[]"), int(m.group(2))
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            head = b""
            while len(head) < 8 and (chunk := conn.recv(8 - len(head))):
                head += chunk
    except TimeoutError:
        raise InputFileError(f"--scheduler {scheduler}: no Dask handshake within {timeout:g} s; is a Dask "
                             "scheduler listening there?") from None
    except OSError as e:
        raise InputFileError(f"--scheduler {scheduler}: cannot connect within {timeout:g} s "
                             f"({e.strerror or type(e).__name__})") from None
    if len(head) < 8 or not 0 < int.from_bytes(head, "little") <= MAX_HANDSHAKE_BYTES:
        raise InputFileError(f"--scheduler {scheduler}: what answers there is not a Dask scheduler")
    return host, port


def run(inputs: Iterable[str | Path], out_dir: str | Path, *, model_path: str | Path | None = None,
        workers: int | None = None, scheduler: str | None = None, scores: bool = False,
        force: bool = False, progress: bool = True, all_responses: bool = False,
        scheduler_timeout: float = SCHEDULER_TIMEOUT, site_repeats: bool = False,
        markdown: bool = False, metadata: bool = False, comments: bool = False,
        record_seconds: float | None = RECORD_SECONDS) -> RunSummary:
    """Clean every input into `out_dir/<shard>.parquet`; skip shards already complete for the same
    input (fingerprint), model and options, and still readable (unless `force`). An input that fails
    (unreadable, truncated, vanished, a worker died twice, disk full) fails alone: its line is printed and
    the run goes on. `scheduler`: None (local processes), "local" (a Dask LocalCluster of `workers`
    processes) or a Dask scheduler address such as "tcp://host:8786". `all_responses`: clean every WARC
    response, not only status 200 HTML ones. `site_repeats`: drop kept lines also on two or more other
    pages of the same site among the CHUNK consecutive records cleaned together. `markdown`: a `markdown`
    column, the page as Markdown with its links. `metadata`: the METADATA columns; `comments`: a
    `comments` column. `record_seconds`: the time budget of one record with 2+ local workers (None: no
    limit); a record past it is abandoned with an `error`."""
    out = Path(out_dir)
    sources = list({os.path.realpath(s): str(Path(s)) for s in reversed(list(inputs))}.values())[::-1]
    # (one input named several ways, "a.warc", "./a.warc", a symlink to it, is cleaned once)
    for s in sources:
        input_type(s)  # refuse unknown or missing inputs before doing any work
    if scheduler:
        check_scheduler(scheduler, scheduler_timeout)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InputFileError(f"--out {out}: exists and is not a directory") from None
    except OSError as e:
        raise InputFileError(f"--out {out}: {e.strerror}") from None
    workers = workers or os.cpu_count() or 1
    mpath = str(Path(model_path).resolve()) if model_path is not None else None  # workers may run elsewhere
    _model(mpath)  # a bad model fails here, once, with a clear ModelError
    digest = model_digest(mpath)
    with _lock(out):
        _remove_leftovers(out)
        manifest = load_manifest(out)
        manifest["model"] = {"path": mpath or str(DEFAULT_MODEL), "sha256": digest}
        summary = RunSummary()
        todo: list[tuple[str, str]] = []
        prints: dict[str, dict[str, Any]] = {}
        for s in sources:
            name = shard_name(s)
            done = manifest["shards"].get(name)
            try:
                prints[s] = _fingerprint(s)
            except OSError as e:
                summary.failed.append(f"{s}: {e.strerror or e}")
                continue
            if (not force and done and done.get("model_sha256") == digest and done.get("scores") == scores
                    and done.get("all_responses", False) == all_responses
                    and done.get("site_repeats", False) == site_repeats
                    and done.get("markdown", False) == markdown
                    and done.get("metadata", False) == metadata
                    and done.get("comments", False) == comments
                    and all(done.get(k) == v for k, v in prints[s].items())
                    and _shard_is_complete(out / name, done)):
                summary.skipped.append(s)
            else:
                todo.append((s, name))
        bar = Progress(len(todo)) if progress and todo else None

        def finished(source: str, report: ShardReport) -> None:
            summary.written.append(report)
            entry = {k: v for k, v in asdict(report).items() if k not in ("shard", "error_samples")}
            manifest["shards"][Path(report.shard).name] = {
                **entry, **prints[source], "model_sha256": digest, "scores": scores,
                "all_responses": all_responses, "site_repeats": site_repeats, "markdown": markdown,
                "metadata": metadata, "comments": comments,
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            try:
                atomic_write(_manifest_path(out), json.dumps(manifest, indent=1))
            except OSError as e:
                raise RunError(f"{_manifest_path(out)}: cannot write the manifest: {e.strerror or e}") from None
            if bar:
                bar.pause()
            for sample in report.error_samples:
                log.warning("bad record %s", sample)
            if bar:
                bar.shard_done()

        def failed(source: str, error: BaseException | str) -> None:
            summary.failed.append(f"{source}: {error}")
            if bar:
                bar.pause()
            log.warning("%s: %s", source, error)

        if scheduler:
            _run_dask(todo, out, mpath, scores, scheduler, workers, finished, failed, bar, all_responses,
                      scheduler_timeout, site_repeats, markdown, metadata, comments)
        else:
            _run_local(todo, out, mpath, scores, workers, finished, failed, bar, all_responses, site_repeats,
                       markdown, metadata, comments, record_seconds)
        if bar:
            bar.close()
    return summary


class Workers:
    """A process pool that can be replaced when one of its workers dies."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"), initializer=_die_with_parent,
                                   initargs=(os.getpid(),))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run `fn(*args)` in the pool."""
        return self.pool.submit(fn, *args)

    def replace(self) -> None:
        """Shut the pool down (its workers finish or are gone) and start a new one."""
        self.pool.shutdown(cancel_futures=True)
        self.pool = self._new()

    def kill(self) -> None:
        """Stop every worker now (one is stuck on a record), and start a new pool."""
        for process in list(self.pool._processes.values()):  # (the executor's own processes: no public way)
            process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = self._new()

    def shutdown(self) -> None:
        """Shut the pool down, cancelling what has not started."""
        self.pool.shutdown(cancel_futures=True)


def _run_local(todo: list[tuple[str, str]], out: Path, model_path: str | None, scores: bool, workers: int,
               finished: Callable[[str, ShardReport], None], failed: Callable[[str, BaseException | str], None],
               bar: Progress | None, all_responses: bool, site_repeats: bool = False,
               markdown: bool = False, metadata: bool = False, comments: bool = False,
               record_seconds: float | None = RECORD_SECONDS) -> None:
    """Inputs one after another, their chunks cleaned by a pool of `workers` processes (none for 1); a
    pool whose worker died is replaced and its chunks in flight sent again (once)."""
    pool = Workers(workers) if workers > 1 else None
    try:
        for source, name in todo:
            try:
                report = run_shard(source, str(out / name), model_path, scores, pool=pool,
                                   in_flight=4 * workers, on_rows=bar.add if bar else None,
                                   all_responses=all_responses, site_repeats=site_repeats, markdown=markdown,
                                   metadata=metadata, comments=comments, record_seconds=record_seconds)
            except BrokenProcessPool:
                if pool:
                    pool.replace()
                failed(source, "a worker process died twice while cleaning the same records")
            except InputFileError as e:
                failed(source, str(e).removeprefix(f"{source}: "))
            except OSError as e:  # vanished, unreadable, disk full
                failed(source, f"{e.strerror or e}" + (f" ({e.filename})" if e.filename else ""))
            except (pl.exceptions.PolarsError, ValueError, RuntimeError) as e:  # e.g. writing the shard
                failed(source, f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
            else:
                finished(source, report)
    finally:
        if pool:
            pool.shutdown()


def _die_with_parent(parent: int) -> None:
    """Worker initializer: the worker gets SIGTERM when the parent process dies (Linux), so that no
    orphan keeps the parent's stdout open; elsewhere it is left to the pool's own shutdown."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the signal was set up
        os._exit(1)


def _run_dask(todo: list[tuple[str, str]], out: Path, model_path: str | None, scores: bool,
              scheduler: str, workers: int, finished: Callable[[str, ShardReport], None],
              failed: Callable[[str, BaseException | str], None], bar: Progress | None,
              all_responses: bool, timeout: float, site_repeats: bool = False, markdown: bool = False,
              metadata: bool = False, comments: bool = False) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputFileError("--scheduler needs Dask: pip install 'boilerplate-extract[dask]'") from None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None) if scheduler == "local" else None
    try:
        client = Client(cluster if cluster else scheduler, timeout=timeout)
    except (OSError, TimeoutError) as e:
        raise InputFileError(f"--scheduler {scheduler}: cannot connect within {timeout:g} s "
                             f"({type(e).__name__})") from None
    try:
        futures = {client.submit(run_shard, source, str(out.resolve() / name), model_path, scores,
                                 all_responses=all_responses, site_repeats=site_repeats, markdown=markdown,
                                 metadata=metadata, comments=comments, key=f"boilerplate-{name}", pure=False): source
                   for source, name in todo}
        for fut in as_completed(futures):
            try:
                report = fut.result()
            except Exception as e:  # raised on a worker, after Dask's retries: this input failed
                failed(futures[fut], f"{type(e).__name__}: {e}")
                continue
            if bar:  # (a task reports its records when it is done)
                bar.add(report.records, report.errors)
            finished(futures[fut], report)
    finally:
        client.close()
        if cluster:
            cluster.close()
