"""The `boilerplate` command line: extract, classify, train. Exit 0 on success, 1 if some input failed,
2 on a usage error; errors go to stderr, results to stdout (or files written atomically)."""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from itertools import repeat
from pathlib import Path

from . import __version__
from .document import Document
from .errors import (
    CorpusError,
    InputError,
    InputFileError,
    LabelError,
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

EPILOG = """examples:
  boilerplate extract page.html                 the title, then the content lines
  boilerplate extract --format markdown page.html   headings, lists, code, tables as Markdown
  boilerplate extract --format markdown --links --url https://example.com/a/ page.html
                                                ... with links, relative ones resolved against the URL
  boilerplate extract --format html --images page.html   a clean HTML document, images kept
  boilerplate extract --format json *.html      one JSON record per page (title, text, lines, blocks)
  boilerplate extract --out-dir clean/ *.html   one clean/<name>.txt per page
  boilerplate extract https://example.com/news/a.html   fetch the page (its final URL resolves links)
  curl -s URL | boilerplate extract -           read the page from stdin
  boilerplate extract --encoding gbk page.html  override the page's declared or detected charset
  boilerplate classify page.html                every line with its role, label and score (TSV)
  boilerplate classify page.html --format labels > page.tsv   a draft label file to correct by hand
  boilerplate run crawl/*.warc.gz pages.jsonl html-dir/ --out clean/   a crawl → Parquet shards
  boilerplate train --labeled labeled/ --out my.txt          retrain on your own labels
  boilerplate train --labeled labeled/ --corpus DIR --out my.txt   ... plus an HTML corpus
"""
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


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}")
    return n


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not (math.isfinite(seconds) and seconds > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {value!r}")
    return seconds


def _budget(value: str) -> float:
    """0 (no limit) or a positive number of seconds."""
    return 0.0 if value.strip() in ("0", "0.0") else _seconds(value)


def _probability(value: str) -> float:
    try:
        p = float(value)
    except ValueError:
        p = -1.0
    if not 0.0 <= p <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1], got {value!r}")
    return p


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command, with the help texts `--help` prints."""
    p = argparse.ArgumentParser(prog="boilerplate", formatter_class=argparse.RawDescriptionHelpFormatter,
                                description="Keep the content of web pages (title, body, captions) and "
                                            "drop the chrome (menus, related links, footers, ads).",
                                epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"boilerplate {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def page_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("files", nargs="+", metavar="FILE",
                        help="HTML or text-dump files (.gz too), http(s) URLs to fetch; - for stdin")
        sp.add_argument("--model", help=f"model file (default: the shipped {DEFAULT_MODEL.name})")
        sp.add_argument("--kind", choices=("auto", "text", "html"), default="auto",
                        help="treat input as a text dump or HTML (default: sniff)")
        sp.add_argument("--encoding", metavar="CODEC",
                        help="decode the input with this charset (default: BOM, HTTP/<meta> charset, "
                             "then detection)")
        sp.add_argument("--threshold", type=_probability, metavar="P",
                        help="content threshold in [0, 1] (default: each page its own, at most the "
                             "model's; lower keeps more)")
        sp.add_argument("--one-site", action="store_true",
                        help="the inputs are pages of one site: drop kept lines that are also on two or "
                             "more of the other pages (menus, footers, boxes the site repeats; counted "
                             "within batches of 256 inputs)")

    ex = sub.add_parser("extract", help="print the title and content lines of each page",
                        description="Print each page's title, then its content lines. With several inputs: "
                                    "a '==> FILE <==' header before each (text, markdown), or one JSON "
                                    "record per line (json).")
    page_args(ex)
    ex.add_argument("--format", choices=tuple(SUFFIXES), default="text",
                    help="text (default): the title, then the content lines; markdown: GitHub-flavoured, "
                         "with headings, lists, fenced code, pipe tables, quotes, $TeX$; html: a clean HTML "
                         "document (no scripts, styles or attributes but href, src, alt); json: {file, title, "
                         "text, encoding, lines: [...], blocks: [typed blocks]} per input")
    ex.add_argument("--links", action="store_true",
                    help="keep links as [text](url) / <a href> (markdown, html, json; default: their text alone)")
    ex.add_argument("--images", action="store_true",
                    help="keep images as ![alt](src) / <img> (markdown, html, json; default: left out)")
    ex.add_argument("--url", metavar="URL",
                    help="the page's address, against which relative links and images are resolved "
                         "(after the page's <base href>; default: left relative)")
    ex.add_argument("--comments", action="store_true",
                    help="add the readers' comments (dropped after a comment heading such as '12 Comments') "
                         "after the content, with their authors and dates where found (json always has them)")
    ex.add_argument("--front-matter", action="store_true",
                    help="markdown: begin with a YAML block of the title, URL, authors, dates and site")
    ex.add_argument("--no-title", action="store_true", help="leave the title out of the text")
    ex.add_argument("--out-dir", metavar="DIR",
                    help="write DIR/<name>.txt (.json, .md) per input instead of printing")
    ex.set_defaults(func=cmd_extract)

    cl = sub.add_parser("classify", help="print every line with its role, label and score",
                        description="Print every line/block of each page with its role (title, subhead, "
                                    "body, caption, byline, chrome), label (content/chrome) and score.")
    page_args(cl)
    cl.add_argument("--format", choices=("tsv", "jsonl", "marked", "labels"), default="tsv",
                    help="tsv (default: file, line, role, label, score, text); jsonl; marked: '+'/'-', "
                         "score and role before each line; labels: a draft label file for labeled/")
    cl.set_defaults(func=cmd_classify)

    rn = sub.add_parser("run", help="clean whole crawls: WARC / JSONL / directories → Parquet shards",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Clean every page of the inputs into one Parquet shard per input "
                                    "(DIR/<input>-<hash>.parquet; columns: docs/run.md), recorded in "
                                    "DIR/manifest.json. A rerun skips shards already complete for the "
                                    "same input, model and options.",
                        epilog="inputs: *.warc, *.warc.gz (status 200 HTML responses), *.jsonl[.gz] "
                               '({"url", "html"} or {"text"} per line), directories (*.html, *.htm, '
                               "*.txt below them).\nA bad record is kept as a row with its error and "
                               "counted; an input that cannot be read, is truncated or whose worker died "
                               "twice fails alone. A JSON summary ends every run.\nexit codes: 0 all done, "
                               "1 some inputs or records failed, 2 usage error, 3 the run could not go on "
                               "(another run holds DIR, bad model, manifest not writable), 130 interrupted.")
    rn.add_argument("inputs", nargs="+", metavar="INPUT", help="WARC, JSONL files and directories")
    rn.add_argument("--out", required=True, metavar="DIR", help="output directory for shards + manifest")
    rn.add_argument("--workers", type=int, help="processes (default: all cores); Dask: LocalCluster size")
    rn.add_argument("--scheduler", metavar="ADDR",
                    help="run on Dask: 'local' (a LocalCluster) or a scheduler address tcp://HOST:PORT")
    rn.add_argument("--record-timeout", type=_budget, default=120.0, metavar="SECONDS",
                    help="abandon a record still being cleaned after this long (its row gets an error, its "
                         "worker is replaced; default 120; 0: no limit). Applies with 2 or more workers")
    rn.add_argument("--scheduler-timeout", type=_seconds, default=10.0, metavar="SECONDS",
                    help="how long to try reaching the scheduler (default 10)")
    rn.add_argument("--scores", action="store_true", help="also store every line and its score")
    rn.add_argument("--site-repeats", action="store_true",
                    help="drop kept lines that two or more other pages of the same site (the registrable "
                         "domain of the record's URL) hold, among the 32 consecutive records cleaned together")
    rn.add_argument("--markdown", action="store_true",
                    help="also write each page as Markdown (a `markdown` column: headings, lists, code, "
                         "tables, links resolved against the record's URL)")
    rn.add_argument("--metadata", action="store_true",
                    help="also write what each page says of itself: authors, date_published, date_modified, "
                         "site_name, canonical_url, language_declared columns")
    rn.add_argument("--comments", action="store_true",
                    help="also write the readers' comments dropped after a comment heading (a `comments` "
                         "column: author, date, text each)")
    rn.add_argument("--force", action="store_true", help="redo shards that are already complete")
    rn.add_argument("--all-responses", action="store_true",
                    help="clean every WARC response (default: status 200 HTML ones; the others are counted)")
    rn.add_argument("--model", help=f"model file (default: the shipped {DEFAULT_MODEL.name})")
    rn.set_defaults(func=cmd_run)

    tr = sub.add_parser("train", help="train a model on labeled articles and corpora",
                        description="Train on labeled articles and (HTML, clean text) corpora, print the "
                                    "scores cross-validated by site, write MODEL and its card MODEL.json. "
                                    "Progress goes to stderr.")
    tr.add_argument("--labeled", required=True, help="directory of labeled articles (NAME.tsv + page)")
    tr.add_argument("--corpus", action="append", metavar="DIR",
                    help="also learn from an (HTML, clean text) corpus; repeatable (default: the "
                         "directories in $BOILERPLATE_CORPORA, if set)")
    tr.add_argument("--out", required=True, help="model file to write (its card goes beside it)")
    tr.add_argument("--rounds", type=_positive,
                    help=f"boosting rounds: default {DEFAULT_ROUNDS} for a new model (with --corpus or "
                         f"--from-scratch), {CONTINUE_ROUNDS} more when training a model further (the "
                         "default without --corpus, or with --init-model)")
    start = tr.add_mutually_exclusive_group()
    start.add_argument("--init-model", metavar="MODEL",
                       help="train this model further on the labels (the default, with the shipped model, "
                            "when no corpus is given)")
    start.add_argument("--from-scratch", action="store_true",
                       help="without corpora: train a new model on the labels alone (much worse elsewhere)")
    tr.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    tr.add_argument("--force", action="store_true",
                    help="allow overwriting the shipped model without all the sources it was trained on")
    tr.set_defaults(func=cmd_train)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `boilerplate` console script."""
    parser = build_parser()
    if not (sys.argv[1:] if argv is None else argv):  # (the bare command: what it can do)
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ModelError, LabelError) as e:
        print(f"boilerplate: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
