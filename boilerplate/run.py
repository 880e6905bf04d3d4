"""Whole crawls: input files (WARC, JSONL, directories) → one Parquet shard per input, with a manifest.

One machine: the parent reads each input's records and sends chunks of them to `workers` processes;
results come back in order and the shard is written atomically. A Dask cluster: each input is one task
(`run_shard`) that reads, cleans and writes its shard on a worker; Dask does the scheduling and retries.
Either way `DIR/manifest.json` records every finished shard with the model it was made with, and a rerun
skips shards that are complete for the same input and model.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import socket
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .errors import InputFileError, RunError
from .files import atomic_write
from .manifest import fingerprint, load_manifest, lock, manifest_path, model_digest, remove_leftovers, shard_is_complete
from .model import DEFAULT_MODEL
from .records import input_type
from .rows import cached_model
from .shards import RECORD_SECONDS, ShardReport, run_shard, shard_name
from .workers import Workers

log = logging.getLogger("boilerplate.run")  # bad records and failed inputs (the CLI prints them to stderr)



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
    cached_model(mpath)  # a bad model fails here, once, with a clear ModelError
    digest = model_digest(mpath)
    with lock(out):
        remove_leftovers(out)
        manifest = load_manifest(out)
        manifest["model"] = {"path": mpath or str(DEFAULT_MODEL), "sha256": digest}
        summary = RunSummary()
        todo: list[tuple[str, str]] = []
        prints: dict[str, dict[str, Any]] = {}
        for s in sources:
            name = shard_name(s)
            done = manifest["shards"].get(name)
            try:
                prints[s] = fingerprint(s)
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
                    and shard_is_complete(out / name, done)):
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
                atomic_write(manifest_path(out), json.dumps(manifest, indent=1))
            except OSError as e:
                raise RunError(f"{manifest_path(out)}: cannot write the manifest: {e.strerror or e}") from None
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
