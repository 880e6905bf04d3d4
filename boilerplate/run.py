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
import os
import re
import sys
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import polars as pl

from . import parse_blocks
from .decode import decode_page
from .errors import InputError
from .files import atomic_write
from .model import DEFAULT_MODEL, Model
from .records import InputFileError, Record, input_type, read_records
from .segment import Blocks, segment

CHUNK = 32  # records per task sent to a worker process
MAX_ERRORS_SHOWN = 20  # bad records printed per shard; all are counted and kept in the shard
SCHEMA = {"source": pl.String, "record_id": pl.String, "url": pl.String, "title": pl.String,
          "text": pl.String, "encoding": pl.String, "lines_total": pl.UInt32, "lines_kept": pl.UInt32,
          "chars_total": pl.UInt32, "chars_kept": pl.UInt32, "error": pl.String}
SCORES = {"lines": pl.List(pl.String), "scores": pl.List(pl.Float32)}


@dataclass
class ShardReport:
    """What one input produced: its shard, how many records, how many failed, how long it took."""

    input: str
    shard: str
    records: int = 0
    errors: int = 0
    seconds: float = 0.0
    error_samples: list[str] = field(default_factory=list)


def shard_name(source: str | Path) -> str:
    """A stable, unique shard file name for an input: its name plus a hash of its absolute path."""
    path = Path(source).resolve()
    stem = re.sub(r"[^\w.-]+", "_", path.name)[:80] or "input"
    return f"{stem}-{hashlib.sha1(str(path).encode()).hexdigest()[:10]}.parquet"


def model_digest(model_path: str | Path | None) -> str:
    """sha256 of a model file (the shipped one for None): what the manifest says a shard was made with."""
    return hashlib.sha256(Path(model_path or DEFAULT_MODEL).read_bytes()).hexdigest()


@lru_cache(maxsize=4)
def _model(model_path: str | None) -> Model:
    """The model, loaded once per process (worker processes reuse it for every chunk)."""
    return Model.load(model_path)


def clean_records(records: list[Record], model_path: str | None, scores: bool = False) -> list[dict[str, Any]]:
    """One output row per record; a record that cannot be read or decoded gets a row with `error` set."""
    rows: list[dict[str, Any]] = []
    pages: list[Blocks] = []
    encodings: list[str | None] = []
    at: list[int] = []
    for r in records:
        row: dict[str, Any] = {"source": r.source, "record_id": r.record_id, "url": r.url, "title": None,
                               "text": "", "encoding": None, "lines_total": 0, "lines_kept": 0,
                               "chars_total": 0, "chars_kept": 0, "error": r.error}
        if scores:
            row.update(lines=[], scores=[])
        if r.error is None:
            try:
                decoded = decode_page(r.data, http_charset=r.http_charset)
                pages.append(segment(decoded.text, kind=r.kind))
                encodings.append(decoded.encoding)
                at.append(len(rows))
            except InputError as e:
                row["error"] = str(e)
        rows.append(row)
    for i, doc in zip(at, parse_blocks(pages, _model(model_path), encodings=encodings)):
        lines = doc.lines
        kept = [line.text for line in lines if line.is_content]
        rows[i].update(title=doc.title, text=doc.text, encoding=doc.encoding, lines_total=len(lines),
                       lines_kept=len(kept),
                       chars_total=sum(len(line.text) for line in lines), chars_kept=sum(map(len, kept)))
        if scores:
            rows[i].update(lines=[line.text for line in lines], scores=[line.score for line in lines])
    return rows


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
              pool: ProcessPoolExecutor | None = None, in_flight: int = 8,
              on_rows: Callable[[int, int], None] | None = None) -> ShardReport:
    """Clean every record of one input and write its Parquet shard atomically (the Dask task).

    With a pool, chunks of records are cleaned in its processes, at most `in_flight` chunks at a time
    (memory stays bounded however large the input); `on_rows(records, errors)` reports progress.
    """
    start = time.perf_counter()
    report = ShardReport(input=str(Path(source).resolve()), shard=shard)
    rows: list[dict[str, Any]] = []

    def collect(chunk_rows: list[dict[str, Any]]) -> None:
        errors = [r for r in chunk_rows if r["error"]]
        report.records += len(chunk_rows)
        report.errors += len(errors)
        room = MAX_ERRORS_SHOWN - len(report.error_samples)
        report.error_samples += [f"{r['source']} {r['record_id']}: {r['error']}" for r in errors[:max(room, 0)]]
        rows.extend(chunk_rows)
        if on_rows:
            on_rows(len(chunk_rows), len(errors))

    pending: deque[Future] = deque()
    for chunk in _chunks(read_records(source), CHUNK):
        if pool is None:
            collect(clean_records(chunk, model_path, scores))
            continue
        pending.append(pool.submit(clean_records, chunk, model_path, scores))
        while len(pending) >= in_flight:
            collect(pending.popleft().result())
    while pending:
        collect(pending.popleft().result())
    schema = {**SCHEMA, **(SCORES if scores else {})}
    out = Path(shard)
    tmp = out.with_name(f".{out.name}.part")
    pl.DataFrame(rows, schema=schema).write_parquet(tmp)
    os.replace(tmp, out)
    report.seconds = round(time.perf_counter() - start, 3)
    return report


class Progress:
    """One status line on stderr: shards done, records, records/s, errors (rewritten in place on a tty)."""

    def __init__(self, shards: int, stream: Any = None, every: float = 0.5) -> None:
        self.shards, self.done, self.records, self.errors = shards, 0, 0, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = self.last = time.perf_counter()
        self.every = every if self.tty else 10.0

    def add(self, records: int, errors: int) -> None:
        self.records += records
        self.errors += errors
        if time.perf_counter() - self.last >= self.every:
            self.show()

    def shard_done(self) -> None:
        self.done += 1
        self.show()

    def show(self) -> None:
        self.last = time.perf_counter()
        rate = self.records / max(self.last - self.start, 1e-9)
        line = (f"boilerplate run: shards {self.done}/{self.shards} · records {self.records:,} · "
                f"{rate:,.0f} records/s · errors {self.errors:,}")
        self.stream.write("\r" + line if self.tty else line + "\n")
        self.stream.flush()

    def close(self) -> None:
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
        return sum(r.records for r in self.written)

    @property
    def errors(self) -> int:
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
    """Size and mtime of an input file (a directory: its path only), to notice inputs that changed."""
    path = Path(source)
    if path.is_dir():
        return {}
    st = path.stat()
    return {"input_bytes": st.st_size, "input_mtime": st.st_mtime}


SCHEDULER_TIMEOUT = 10  # seconds to reach a Dask scheduler before giving up
_SCHEDULER_ADDRESS = re.compile(r"^(?:[a-z]+://)?[\w.\-\[\]:]+:\d+$")


def run(inputs: Iterable[str | Path], out_dir: str | Path, *, model_path: str | Path | None = None,
        workers: int | None = None, scheduler: str | None = None, scores: bool = False,
        force: bool = False, progress: bool = True) -> RunSummary:
    """Clean every input into `out_dir/<shard>.parquet`; skip shards already complete for the same
    input and model (unless `force`). `scheduler`: None (local processes), "local" (a Dask LocalCluster
    of `workers` processes) or a Dask scheduler address such as "tcp://host:8786"."""
    out = Path(out_dir)
    sources = [str(Path(s)) for s in inputs]
    for s in sources:
        input_type(s)  # refuse unknown or missing inputs before doing any work
    if scheduler and scheduler != "local" and not _SCHEDULER_ADDRESS.match(scheduler):
        raise InputFileError(f"--scheduler {scheduler}: not 'local' nor an address such as tcp://HOST:PORT")
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
    manifest = load_manifest(out)
    manifest["model"] = {"path": mpath or str(DEFAULT_MODEL), "sha256": digest}
    summary = RunSummary()
    todo: list[tuple[str, str]] = []
    for s in sources:
        name = shard_name(s)
        done = manifest["shards"].get(name)
        if (not force and done and (out / name).exists() and done.get("model_sha256") == digest
                and all(done.get(k) == v for k, v in _fingerprint(s).items())):
            summary.skipped.append(s)
        else:
            todo.append((s, name))
    bar = Progress(len(todo)) if progress and todo else None

    def finished(report: ShardReport) -> None:
        summary.written.append(report)
        entry = {k: v for k, v in asdict(report).items() if k not in ("shard", "error_samples")}
        manifest["shards"][Path(report.shard).name] = {**entry, **_fingerprint(report.input), "model_sha256": digest,
                                            "scores": scores,
                                            "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        atomic_write(_manifest_path(out), json.dumps(manifest, indent=1, ensure_ascii=False))
        for sample in report.error_samples:
            print(f"boilerplate run: bad record {sample}", file=sys.stderr)
        if bar:
            bar.shard_done()

    def failed(source: str, error: BaseException) -> None:
        summary.failed.append(f"{source}: {error}")

    if scheduler:
        _run_dask(todo, out, mpath, scores, scheduler, workers, finished, failed)
    else:
        _run_local(todo, out, mpath, scores, workers, finished, failed, bar)
    if bar:
        bar.close()
    return summary


def _run_local(todo: list[tuple[str, str]], out: Path, model_path: str | None, scores: bool, workers: int,
               finished: Callable[[ShardReport], None], failed: Callable[[str, BaseException], None],
               bar: Progress | None) -> None:
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn")) if workers > 1 else None
    try:
        for source, name in todo:
            try:
                finished(run_shard(source, str(out / name), model_path, scores, pool=pool,
                                   in_flight=4 * workers, on_rows=bar.add if bar else None))
            except (InputFileError, OSError) as e:
                failed(source, e)
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)


def _run_dask(todo: list[tuple[str, str]], out: Path, model_path: str | None, scores: bool,
              scheduler: str, workers: int, finished: Callable[[ShardReport], None],
              failed: Callable[[str, BaseException], None]) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputFileError("--scheduler needs Dask: pip install 'boilerplate-extract[dask]'") from None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None) if scheduler == "local" else None
    try:
        client = Client(cluster if cluster else scheduler, timeout=SCHEDULER_TIMEOUT)
    except (OSError, TimeoutError) as e:
        raise InputFileError(f"--scheduler {scheduler}: cannot connect within {SCHEDULER_TIMEOUT} s "
                             f"({type(e).__name__})") from None
    try:
        futures = {client.submit(run_shard, source, str(out.resolve() / name), model_path, scores,
                                 key=f"boilerplate-{name}", pure=False): source for source, name in todo}
        for fut in as_completed(futures):
            try:
                finished(fut.result())
            except Exception as e:  # raised on a worker, after Dask's retries: this input failed
                failed(futures[fut], e)
    finally:
        client.close()
        if cluster:
            cluster.close()
