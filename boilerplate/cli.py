"""The `boilerplate` command line: its arguments and help (the commands themselves: commands.py). Exit 0
on success, 1 if some input failed, 2 on a usage error; errors go to stderr, results to stdout (or files
written atomically)."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

from . import __version__
from .commands import SUFFIXES, cmd_classify, cmd_extract, cmd_label, cmd_run, cmd_train
from .errors import (
    LabelError,
    ModelError,
)
from .model import DEFAULT_MODEL, DEFAULT_ROUNDS
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

    lb = sub.add_parser("label", help="label pages in your browser, the least certain blocks first",
                        description="Start a local web app (127.0.0.1, a random port, a token in the URL it "
                                    "prints) that shows each page with its blocks outlined by role, lists the "
                                    "blocks the model is least sure of first, and saves every role you set to "
                                    "OUT at once (the labeled/ format: train on it with `boilerplate train "
                                    "--labeled OUT`). The page's scripts never run. Ctrl-C stops it.")
    lb.add_argument("files", nargs="+", metavar="PAGE", help="page files (.html, .htm, .xhtml, .txt, each also .gz)")
    lb.add_argument("--out", required=True, help="directory for the label files (and a copy of each page)")
    lb.add_argument("--model", help="model to draft the roles and scores with (default: the shipped one)")
    lb.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    lb.add_argument("--no-browser", action="store_true", help="print the URL only; do not open a browser")
    lb.set_defaults(func=cmd_label)
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
