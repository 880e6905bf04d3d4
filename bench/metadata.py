"""Metadata benchmark: authors, publication dates and titles against wcxb-dev's gold, beside trafilatura.

    python -m bench.metadata --corpus ../shared/corpora/wcxb-dev [--out bench/reports]

Right = the same calendar day for dates; token F1 ≥ 0.8 for authors (all of a page's names together) and
titles. Counted on the pages whose gold has the field. Sites of the fixed holdout (train.is_holdout, one
site in ten) are kept aside from rule tuning and reported separately. boilerplate's metadata comes from
`parse(page, url=...)`; trafilatura's from `extract_metadata(html, default_url=url)`. ms/page: what the
metadata costs boilerplate, CPU time on about a quarter of the pages (the walk with the declarations
gathered less the walk without, plus document.page_metadata; each over all those pages, the best of 5).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

import boilerplate
from boilerplate.corpora import corpus_paths, read_corpus
from boilerplate.decode import decode_text
from boilerplate.document import Line, page_metadata
from boilerplate.metrics import token_prf
from boilerplate.segment import segment_html
from boilerplate.train import is_holdout

FIELDS = ("author", "date", "title")
COST_EVERY = 4  # the cost is timed on every 4th page ...
COST_REPEATS = 5  # ... the best of this many passes


def _right(field: str, ours: str | None, gold: str) -> bool:
    if not ours:
        return False
    if field == "date":
        return ours[:10] == gold[:10]
    return token_prf(ours, gold)[2] >= 0.8


def _trafilatura(html: str, url: str | None) -> dict[str, str | None]:
    from trafilatura import extract_metadata

    try:
        meta = extract_metadata(html, default_url=url)
    except Exception:  # a peer's crash on a page is no answer
        meta = None
    if meta is None:
        return {"author": None, "date": None, "title": None}
    return {"author": meta.author, "date": meta.date, "title": meta.title}


def run(corpora: list[Path], peers: bool = True) -> tuple[pl.DataFrame, float]:
    rows = []
    model = boilerplate.load_model()
    timed: list[tuple[str, list[Line], str | None]] = []
    seen = 0
    for path in corpora:
        for p in read_corpus(path):
            gold = {"author": p.author, "date": p.publish_date, "title": p.title}
            if not any(gold.values()):
                continue
            try:
                html = decode_text(p.html)
            except boilerplate.InputError:
                continue
            doc = boilerplate.parse(p.html, model=model, url=p.url)
            seen += 1
            if seen % COST_EVERY == 1:
                timed.append((html, doc.lines, p.url))
            meta = doc.metadata
            ours = {"author": ", ".join(meta.authors) if meta else None,
                    "date": meta.date_published if meta else None, "title": doc.title}
            answers = {"boilerplate": ours}
            if peers:
                answers["trafilatura"] = _trafilatura(html, p.url)
            held = "holdout" if is_holdout(p.site or "") else "tuned"
            for system, got in answers.items():
                for f in FIELDS:
                    if gold[f]:
                        rows.append((path.name, held, p.page_type or "", system, f, _right(f, got[f], gold[f])))
    df = pl.DataFrame(rows, schema=["source", "sites", "page_type", "system", "field", "right"], orient="row")
    return df, _cost(timed)


def _cost(pages: list[tuple[str, list[Line], str | None]]) -> float:
    """The metadata stage's CPU ms/page: the walk gathering the declarations less the walk without, plus
    page_metadata, each timed over all the pages, the best of COST_REPEATS."""
    gathered = [segment_html(html, metadata=True) for html, _, _ in pages]

    def walks(gather: bool) -> None:
        for html, _, _ in pages:
            segment_html(html, metadata=gather)

    def read() -> None:
        for blocks, (_, lines, url) in zip(gathered, pages):
            page_metadata(blocks, lines, url)

    best: dict[str, float] = {}
    for _ in range(COST_REPEATS):
        for name, run in (("without", lambda: walks(False)), ("with", lambda: walks(True)), ("read", read)):
            t0 = time.process_time()
            run()
            best[name] = min(best.get(name, float("inf")), time.process_time() - t0)
    return 1000 * (best["with"] - best["without"] + best["read"]) / max(len(pages), 1)


def table(df: pl.DataFrame, by: list[str]) -> list[str]:
    systems = sorted(df["system"].unique().to_list(), key=lambda s: s != "boilerplate")
    agg = df.group_by(*by, "field", "system").agg(pl.col("right").mean().alias("share"), pl.len().alias("n"))
    out = ["| " + " | ".join(by) + " | field | pages | " + " | ".join(systems) + " |",
           "|" + "---|" * len(by) + "---|---:|" + "---:|" * len(systems)]
    for group in agg.select(by).unique().sort(by).iter_rows():
        for f in FIELDS:
            part = agg.filter(pl.all_horizontal([pl.col(c) == v for c, v in zip(by, group)]) & (pl.col("field") == f))
            if part.is_empty():
                continue
            share = dict(zip(part["system"], part["share"]))
            out.append("| " + " | ".join(map(str, group)) + f" | {f} | {part['n'][0]} | "
                       + " | ".join(f"{share[s]:.3f}" if s in share else "" for s in systems) + " |")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.metadata", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", help="corpus directory (default: $BOILERPLATE_CORPORA)")
    ap.add_argument("--no-peers", action="store_true", help="boilerplate only")
    ap.add_argument("--out", default="bench/reports", help="report directory")
    args = ap.parse_args(argv)
    corpora = corpus_paths(args.corpus)
    df, ms = run(corpora, peers=not args.no_peers)
    if df.is_empty():
        print("bench.metadata: no page with gold author, date or title", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "python -m bench.metadata " + " ".join(sys.argv[1:] if argv is None else argv)
    text = "\n".join(["# Metadata benchmark", "", f"Produced by `{command.strip()}`.", "",
                      "Share of pages right, of those whose gold has the field (rules: `bench/metadata.py`). "
                      f"boilerplate's metadata stage: {ms:.3f} ms/page.", "",
                      "## By site group (holdout: never used to tune the rules)", "", *table(df, ["source", "sites"]),
                      "", "## By page type", "", *table(df, ["source", "page_type"]), ""])
    (out / "metadata.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
