"""Title benchmark: `boilerplate.parse(page).title` and trafilatura's metadata title against the gold
titles some corpora carry (wcxb-dev, daniel-dev), on the same pages in the same run.

    python -m bench.title --corpus DIR [--corpus DIR ...] [--out bench/reports] [--holdout]

A title is right when its token F1 with the gold title is at least 0.8 (the metric of metrics.py).
Pages of the fixed holdout of sites are left out unless `--holdout`, which scores only them. Writes
`title.md` (share right and mean F1 per corpus, language and page type) and `title.csv` (per page).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import polars as pl

import boilerplate
from boilerplate.corpora import corpus_paths, read_corpus
from boilerplate.decode import decode_text
from boilerplate.metrics import token_prf
from boilerplate.progress import StderrProgress
from boilerplate.train import is_holdout

RIGHT = 0.8  # token F1 with the gold title from which a title counts as right


def _trafilatura_title(html: str) -> str:
    try:
        import trafilatura
    except ImportError:
        return ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateutil's timezone warnings on old news pages
        try:
            meta = trafilatura.extract_metadata(html)
        except Exception:  # a peer's crash on a page scores as no title
            return ""
    return (meta.title if meta else None) or ""


def score(corpora: list[Path], holdout: bool) -> pl.DataFrame:
    """One row per (page with a gold title, system): corpus, page, lang, page type, system, F1."""
    rows = []
    bar = StderrProgress()
    for path in corpora:
        pages = [p for p in read_corpus(path)
                 if p.title and is_holdout(p.site or f"{p.corpus}:{p.id}") == holdout]
        for done, p in enumerate(pages, 1):
            if done % 25 == 0 or done == len(pages):
                bar(f"titles of {path.name}", done, len(pages))
            try:
                ours = boilerplate.parse(p.html).title or ""
                theirs = _trafilatura_title(decode_text(p.html))
            except boilerplate.InputError:
                ours = theirs = ""
            for system, title in (("boilerplate", ours), ("trafilatura", theirs)):
                rows.append((p.corpus, p.id, p.lang or "", p.page_type or "", system,
                             token_prf(title, p.title).f1))
    return pl.DataFrame(rows, schema=["source", "page", "lang", "page_type", "system", "f1"], orient="row")


def table(df: pl.DataFrame, keys: list[str]) -> list[str]:
    """Markdown rows: per group, pages and each system's share of right titles (mean F1)."""
    g = (df.group_by(keys + ["system"]).agg(pl.len().alias("n"), (pl.col("f1") >= RIGHT).mean().alias("right"),
                                            pl.col("f1").mean().alias("mean"))
         .sort(keys + ["system"]))
    lines = [f"| {' / '.join(keys)} | pages | boilerplate | trafilatura |", "|---|---:|---:|---:|"]
    for key, part in g.group_by(keys, maintain_order=True):
        cells = {r["system"]: f"{r['right']:.3f} ({r['mean']:.3f})" for r in part.iter_rows(named=True)}
        lines.append(f"| {' '.join(str(k) for k in key)} | {part['n'][0]} | {cells.get('boilerplate', '-')} | "
                     f"{cells.get('trafilatura', '-')} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.title", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append", help="corpus directory, repeatable (default: "
                                                      "$BOILERPLATE_CORPORA)")
    ap.add_argument("--out", default="bench/reports", help="report directory")
    ap.add_argument("--holdout", action="store_true", help="score the fixed holdout of sites only")
    args = ap.parse_args(argv)
    df = score(corpus_paths(args.corpus), args.holdout)
    if df.is_empty():
        print("bench.title: no pages with a gold title (give --corpus wcxb-dev or daniel-dev)", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    df.write_csv(out / "title.csv", float_precision=4)
    command = "python -m bench.title " + " ".join(sys.argv[1:] if argv is None else argv)
    everything = df.with_columns(pl.lit("all").alias("source"))
    text = "\n".join([f"# Titles: share with token F1 ≥ {RIGHT} with the gold title (mean F1)", "",
                      f"`{command.strip()}`{' (holdout of sites)' if args.holdout else ''}", "",
                      *table(pl.concat([everything, df]), ["source"]), "",
                      *table(df.filter(pl.col("lang") != ""), ["source", "lang"]), "",
                      *table(df.filter(pl.col("page_type") != ""), ["source", "page_type"]), ""])
    (out / ("title-holdout.md" if args.holdout else "title.md")).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
