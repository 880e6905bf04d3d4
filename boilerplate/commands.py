"""The commands behind `boilerplate extract | classify | train | run`: each reads its parsed arguments,
does the work through the library and returns the exit code (0 done, 1 some input failed, 2 usage)."""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
from collections.abc import Iterator
from itertools import repeat
from pathlib import Path

from .document import Document
from .errors import (
    CorpusError,
    InputError,
    InputFileError,
    ModelError,
    RunError,
)
from .fetch import Fetched, fetch, is_url
from .files import atomic_write, read_capped, read_page
from .labeled import format_labels, load_labeled, normalize
from .model import DEFAULT_MODEL, DEFAULT_ROUNDS, HTML_MEMBERS
from .modelfile import card_path
from .pipeline import load_model, parse, parse_many
from .train import CONTINUE_ROUNDS

SUFFIXES = {"text": ".txt", "json": ".json", "markdown": ".md", "html": ".html"}


def _read(name: str) -> bytes | Fetched:
    if name == "-":
        return read_capped(sys.stdin.buffer, "stdin")
    return fetch(name) if is_url(name) else read_page(name)


def _parsed(args: argparse.Namespace, failures: list[str]) -> Iterator[tuple[str, Document]]:
    """(input name, Document) for each input that can be read and classified; failures are collected.
    With --one-site, the inputs are classified in batches as pages of one site (parse_many's `sites`).
    A fetched page's links resolve against its final URL unless --url says otherwise."""
    model = load_model(args.model) if args.model else load_model()
    options = {"model": model, "kind": args.kind, "encoding": args.encoding, "threshold": args.threshold,
               "structure": getattr(args, "format", "text") in ("markdown", "html", "json")}
    url = getattr(args, "url", None)
    if not args.one_site:
        for name, data in _inputs(args.files, failures):
            try:
                yield name, parse(data, url=url, **options)
            except InputError as e:
                failures.append(_failure(name, e))
        return
    names: list[str] = []

    def pages() -> Iterator[bytes | Fetched]:
        for name, data in _inputs(args.files, failures):
            names.append(name)
            yield data

    for k, doc in enumerate(parse_many(pages(), sites=repeat(""), urls=repeat(url), **options)):  # (page k
        # is read before it)
        if doc.error is None:
            yield names[k], doc
        else:
            failures.append(_failure(names[k], doc.error))


def _inputs(files: list[str], failures: list[str]) -> Iterator[tuple[str, bytes | Fetched]]:
    """(input name, its bytes or fetched page) of each input that can be read; failures are collected."""
    for name in files:
        try:
            yield name, _read(name)
        except OSError as e:  # stdin
            failures.append(f"{name}: {e.strerror or e}")
        except InputError as e:
            failures.append(_failure(name, e))


def _json(obj: object, indent: int | None = None) -> str:
    """JSON with non-ASCII text as is, or escaped where it holds a file name that is not UTF-8."""
    text = json.dumps(obj, ensure_ascii=False, indent=indent)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj, indent=indent)
    return text


def _failure(name: str, error: InputError | str) -> str:
    return str(error) if str(error).startswith(name) else f"{name}: {error}"


def _out_name(name: str, suffix: str) -> str:
    """The --out-dir file for an input: its name without .gz and its last suffix, plus `suffix`."""
    if is_url(name):  # (host and path: https://example.com/news/a.html → example.com_news_a)
        base = re.sub(r"[^\w.-]+", "_", name.split("://", 1)[1].split("#")[0]).strip("_.")
        return base.removesuffix(".html").removesuffix(".htm")[:150] + suffix
    base = "stdin" if name == "-" else Path(name).name.removesuffix(".gz").rsplit(".", 1)[0]
    return base + suffix


def _render(doc: Document, args: argparse.Namespace, name: str) -> str:
    """One page's output in the chosen format, newline-terminated unless empty."""
    options = {"include_title": not args.no_title, "links": args.links, "images": args.images}
    if args.format == "json":
        return _json({"file": name, **doc.to_dict(**options)}) + "\n"
    if args.format == "markdown":
        out = doc.to_markdown(comments=args.comments, front_matter=args.front_matter, **options)
    else:
        out = doc.render(args.format, comments=args.comments, **options)
    return out if not out or out.endswith("\n") else out + "\n"


def cmd_extract(args: argparse.Namespace) -> int:
    """The `extract` command: each input's content in the chosen format, to stdout or --out-dir."""
    failures: list[str] = []
    suffix = SUFFIXES[args.format]
    if args.out_dir:
        by_out: dict[str, str] = {}
        for name in args.files:
            if by_out.setdefault(_out_name(name, suffix), name) != name:  # one would overwrite the other
                return _usage(f"{by_out[_out_name(name, suffix)]} and {name} would both be written to "
                              f"{Path(args.out_dir) / _out_name(name, suffix)}; nothing done")
        try:
            Path(args.out_dir).mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            return _usage(f"--out-dir {args.out_dir}: exists and is not a directory")
        except OSError as e:
            return _usage(f"--out-dir {args.out_dir}: {e.strerror}")
    headers = len(args.files) > 1 and args.format != "json" and not args.out_dir
    for n, (name, doc) in enumerate(_parsed(args, failures)):
        out = _render(doc, args, name)
        if args.out_dir:
            atomic_write(Path(args.out_dir) / _out_name(name, suffix), out)
            continue
        if headers:  # as `head` does: a header before each file's output, a blank line between files
            sys.stdout.write(f"{'' if n == 0 else chr(10)}==> {name} <==\n")
        sys.stdout.write(out)
    return _report(failures)


def cmd_classify(args: argparse.Namespace) -> int:
    """The `classify` command: every line with its role, label and score (TSV, JSONL, marked, labels)."""
    failures: list[str] = []
    out = sys.stdout
    if args.format == "labels" and len(args.files) > 1:
        return _usage("--format labels writes one page's label file: give one input")
    if args.format == "tsv":
        out.write("file\tline\trole\tlabel\tscore\ttext\n")
    for name, doc in _parsed(args, failures):
        lines = doc.lines
        if args.format == "jsonl":
            for line in lines:
                out.write(_json({"file": name, "line": line.line_no, "role": line.role, "tag": line.tag,
                                 "label": "content" if line.is_content else "chrome",
                                 "score": round(line.score, 4), "text": line.text}) + "\n")
        elif args.format == "marked":
            for line in lines:
                out.write(f"{'+' if line.is_content else '-'} {line.score:.3f} {line.role:<8} {line.text}\n")
        elif args.format == "tsv":
            for line in lines:
                label = "content" if line.is_content else "chrome"
                out.write(f"{normalize(name)}\t{line.line_no}\t{line.role}\t{label}\t{line.score:.4f}\t"
                          f"{normalize(line.text)}\n")
        else:  # labels: a draft label file (the predicted roles), to be corrected by hand
            out.write(format_labels((ln.line_no for ln in lines), (ln.role for ln in lines),
                                    (ln.text for ln in lines)))
    return _report(failures)


def cmd_train(args: argparse.Namespace) -> int:
    """The `train` command: continue the shipped model on labels, or train one on labels and corpora."""
    from .corpora import corpus_paths
    from .progress import StderrProgress
    from .train import TrainingSet, train

    paths = corpus_paths(args.corpus)
    if Path(args.out).resolve() == DEFAULT_MODEL.resolve() and not args.force:
        try:  # the card alone: a shipped model trained on other features is still worth protecting
            shipped = set(json.loads(card_path(DEFAULT_MODEL).read_text(encoding="utf-8"))["training_data"])
        except (OSError, ValueError, KeyError, TypeError):
            shipped = set()
        missing = sorted(shipped - {"labeled"} - {p.name for p in paths})
        if missing:
            return _usage(f"refusing to overwrite the shipped model without its sources "
                          f"{', '.join(missing)} (give them with --corpus, or --force)")
    init = None
    if args.init_model or not (paths or args.from_scratch):
        init = load_model(args.init_model)
        print(f"boilerplate: training {args.init_model or 'the shipped model'} further on "
              f"{args.labeled} ({args.rounds or CONTINUE_ROUNDS} more rounds; no cross-validation, the "
              f"starting model has seen its own pages); --from-scratch trains on these labels alone, "
              f"--corpus DIR on labels and corpora", file=sys.stderr)
    elif not paths:
        print(f"boilerplate: warning: training from scratch on {args.labeled} alone; a model from a few "
              f"labeled pages is far worse on other sites than the shipped one (docs/experiments.md)",
              file=sys.stderr)
    progress = StderrProgress()
    data = TrainingSet()
    data.add_articles(load_labeled(args.labeled), source="labeled", directory=args.labeled)
    for path in paths:
        try:
            data.add_corpus_dir(path, progress=progress)
        except CorpusError as e:
            print(f"boilerplate: {e}", file=sys.stderr)
            return 1
    for skipped in data.skipped:
        print(f"boilerplate: skipped {skipped}", file=sys.stderr)
    rounds = args.rounds or (CONTINUE_ROUNDS if init else DEFAULT_ROUNDS)
    if init is None and rounds < HTML_MEMBERS:
        return _usage(f"--rounds must be at least {HTML_MEMBERS} for a new model (its HTML stages average "
                      f"{HTML_MEMBERS} boosters)")
    card = train(data, args.out, rounds=rounds, cv=not args.no_cv, progress=progress, init=init)
    print(json.dumps({"model": str(args.out), "training_data": card["training_data"],
                      "cross_validation": {k: {m: v for m, v in s.items() if m != "per_page"}
                                           for k, s in card["cross_validation"].items()}},
                     indent=2, ensure_ascii=False))
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    """The `label` command: serve the labeling app until Ctrl-C."""
    import webbrowser

    from .label import Labeler, serve

    if not 0 <= args.port <= 65535:
        return _usage(f"--port must be 0 to 65535, not {args.port}")
    try:
        labeler = Labeler([Path(f) for f in args.files], Path(args.out), load_model(args.model))
    except InputError as e:
        print(f"boilerplate: {e}", file=sys.stderr)
        return 1
    try:
        server, url = serve(labeler, args.port)
    except OSError as e:
        return _usage(f"cannot listen on 127.0.0.1:{args.port}: {e}")
    print(f"labeling {len(labeler.pages)} page(s); labels go to {args.out}\nopen {url}\n(Ctrl-C stops)",
          file=sys.stderr, flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The `run` command: whole crawls to Parquet shards; a JSON summary is the last line in every case."""
    from .run import run

    if args.workers is not None and args.workers < 1:
        return _usage("--workers must be at least 1")
    result: dict[str, object] = {"out": args.out}
    _log_to_stderr("boilerplate.run", "boilerplate run: %(message)s")
    previous = signal.signal(signal.SIGTERM, _terminated)  # (SIGTERM ends a run as Ctrl-C does)
    try:
        summary = run(args.inputs, args.out, model_path=args.model, workers=args.workers,
                      scheduler=args.scheduler, scores=args.scores, force=args.force,
                      all_responses=args.all_responses, scheduler_timeout=args.scheduler_timeout,
                      site_repeats=args.site_repeats, markdown=args.markdown, metadata=args.metadata,
                      comments=args.comments, record_seconds=args.record_timeout or None)
    except InputFileError as e:
        print(f"boilerplate: {e}", file=sys.stderr)
        code, result["status"] = 2, "usage error"
    except (RunError, ModelError) as e:
        print(f"boilerplate: {e}", file=sys.stderr)
        code, result["status"] = 3, "could not run"
    except KeyboardInterrupt as e:
        print("boilerplate: interrupted; finished shards are in the manifest, a rerun resumes",
              file=sys.stderr)
        code, result["status"] = (143, "terminated") if isinstance(e, Terminated) else (130, "interrupted")
    else:
        skipped: dict[str, int] = {}
        for report in summary.written:
            for reason, n in report.skipped.items():
                skipped[reason] = skipped.get(reason, 0) + n
        failed = bool(summary.failed or summary.errors)
        result.update(status="some inputs or records failed" if failed else "ok",
                      shards_written=len(summary.written), shards_skipped=len(summary.skipped),
                      inputs_failed=summary.failed, records=summary.records, bad_records=summary.errors,
                      responses_skipped=skipped)
        code = 1 if failed else 0
        if summary.failed:
            print(f"boilerplate: {len(summary.failed)} input(s) failed", file=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(_json(result))
    return code


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the run is so that it stops as on Ctrl-C: shards cleaned up, a summary."""


def _terminated(signum: int, frame: object) -> None:
    raise Terminated()


def _log_to_stderr(name: str, form: str) -> None:
    """The library's messages of logger `name` on stderr, one line each (once per process)."""
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = _Stderr()
        handler.setFormatter(logging.Formatter(form))
        logger.addHandler(handler)
        logger.propagate = False


class _Stderr(logging.StreamHandler):
    """A handler writing to whatever sys.stderr is at the time (redirected, captured)."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


def _usage(message: str) -> int:
    print(f"boilerplate: {message}", file=sys.stderr)
    return 2


def _report(failures: list[str]) -> int:
    for f in failures:
        print(f"boilerplate: {f}", file=sys.stderr)
    if failures:
        print(f"boilerplate: {len(failures)} input(s) failed", file=sys.stderr)
    return 1 if failures else 0
