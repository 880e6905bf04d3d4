"""Quality benchmark: boilerplate and every installed peer on the same pages, with the token metric.

    python -m bench.quality [--corpus DIR ...] [--labeled labeled] [--out bench/reports] [--holdout]

Writes `pages.csv` (one row per page and system), `summary.md` (per source: mean/median P/R/F1, the
share of pages below F1 0.5, ms/page, pages/s, ranked; then per language and per page type where the
corpus says) and, when matplotlib is installed, `f1_vs_ms.png` and `f1_distribution.png`.
boilerplate is scored cross-validated by site (train.cross_validate: a page is never scored by a model
that saw it or its site) on every page outside the fixed holdout of sites; `--holdout` scores the
holdout instead, with a model fit on all other sites (the final check: run it rarely). It is scored
three times, as `extract` returns (title first), as `--no-title` prints (for corpora whose gold leaves
headlines out) and as `--one-site` gives when each site's pages are extracted together; its speed is
measured with the shipped model on the same inputs.
"""

from __future__ import annotations

import argparse
import html as html_lib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

import boilerplate
from boilerplate.corpora import corpus_paths, guess_lang, read_corpus
from boilerplate.decode import decode_text
from boilerplate.labeled import load_labeled
from boilerplate.metrics import token_prf
from boilerplate.progress import StderrProgress
from boilerplate.train import TrainingSet, cross_validate

from .peers import load_peers

SYSTEM = "boilerplate"
BODY_SYSTEM = "boilerplate --no-title"  # the same extractions without the title: for corpora whose gold
# leaves headlines out (docs/corpora.md); not a peer, so not in the margins
SITE_SYSTEM = "boilerplate --one-site"  # each site's pages in one batch: what a site repeats is dropped
OURS = (SYSTEM, BODY_SYSTEM, SITE_SYSTEM)


@dataclass
class BenchPage:
    source: str
    id: str
    raw: bytes | str  # what boilerplate is given: the page bytes, or the text dump
    html: str  # what peers are given: decoded HTML (text dumps become one <p> per line)
    gold: str
    lang: str
    page_type: str = ""


def dump_as_html(lines: list[str]) -> str:
    """A text dump as the HTML peers are given: one <p> per line."""
    body = "".join(f"<p>{html_lib.escape(t)}</p>\n" for t in lines)
    return f"<html><body>\n{body}</body></html>"


def collect(labeled: Path | None, corpora: list[Path], *,
            holdout: bool = False) -> tuple[list[BenchPage], TrainingSet]:
    """The benchmark pages (outside the holdout of sites, or only those with `holdout`), and all pages as
    a training set for boilerplate's cross-validation."""
    pages: list[BenchPage] = []
    data = TrainingSet()
    if labeled:
        articles = load_labeled(labeled)
        data.add_articles(articles, source="labeled")
        for a in articles if not holdout else []:
            dump = (labeled / f"{a.name}.txt")
            raw = dump.read_text(encoding="utf-8") if dump.is_file() else (labeled / f"{a.name}.html").read_bytes()
            pages.append(BenchPage("labeled", a.name, raw, dump_as_html(a.blocks.texts), a.content_text,
                                   guess_lang(a.content_text)))
    for path in corpora:
        first = len(data.names)
        data.add_corpus_dir(path, progress=StderrProgress())
        scored = {data.names[i]: i for i in range(first, len(data.names))
                  if data.page_sources[i] == path.name and data.holdout[i] == holdout}
        for p in read_corpus(path):
            i = scored.get(p.id)
            if i is None:
                continue
            try:
                text = decode_text(p.html)
            except boilerplate.InputError:
                continue
            pages.append(BenchPage(p.corpus, p.id, p.html, text, p.clean, data.langs[i], data.page_types[i]))
    return pages, data


def run(pages: list[BenchPage], data: TrainingSet, peers: dict, *, progress: bool = True,
        holdout: bool = False) -> pl.DataFrame:
    """One row per (page, system): source, page, lang, page type, system, precision, recall, f1, ms."""
    rows = []
    bar = StderrProgress() if progress else None

    def step(system: str, done: int) -> None:
        if bar and (done % 25 == 0 or done == len(pages)):
            bar(f"scoring pages with {system}", done, len(pages))

    cv = {(s.source, s.name): s for s in cross_validate(data, holdout=holdout, progress=bar)}
    model = boilerplate.load_model()
    for done, page in enumerate(pages, 1):
        t0 = time.perf_counter()
        boilerplate.extract(page.raw, model=model)
        ms = (time.perf_counter() - t0) * 1000  # one call serves all three (a title or a repeat is a line to leave out)
        score = cv[(page.source, page.id)]
        for system, prf in ((SYSTEM, score.token), (BODY_SYSTEM, score.body_token), (SITE_SYSTEM, score.site_token)):
            rows.append((page.source, page.id, page.lang, page.page_type, system, *prf, ms))
        step(SYSTEM, done)
    for name, extract in peers.items():
        for done, page in enumerate(pages, 1):
            t0 = time.perf_counter()
            try:
                text = extract(page.html, page.lang)
            except Exception:  # a peer's crash on a page scores as an empty extraction
                text = ""
            ms = (time.perf_counter() - t0) * 1000
            rows.append((page.source, page.id, page.lang, page.page_type, name, *token_prf(text, page.gold),
                         ms))
            step(name, done)
    return pl.DataFrame(rows, schema=["source", "page", "lang", "page_type", "system", "precision", "recall",
                                      "f1", "ms"], orient="row")


def summarize(df: pl.DataFrame, by: tuple[str, ...] = ("source",)) -> pl.DataFrame:
    """Per group and system: mean and median P/R/F1, share of pages below F1 0.5, ms/page, pages/s;
    ranked by mean F1 within each group."""
    return (df.group_by(*by, "system")
            .agg(pl.len().alias("pages"),
                 pl.col("precision").mean().alias("P"), pl.col("recall").mean().alias("R"),
                 pl.col("f1").mean().alias("F1"), pl.col("f1").median().alias("median F1"),
                 (pl.col("f1") < 0.5).mean().alias("< 0.5"),
                 pl.col("ms").mean().alias("ms/page"))
            .with_columns((1000 / pl.col("ms/page")).alias("pages/s"))
            .sort([*by, "F1"], descending=[False] * len(by) + [True]))


def group_table(df: pl.DataFrame, column: str) -> list[str]:
    """One Markdown row per (source, value of `column`): each system's mean F1 and share < 0.5 (the best
    in bold), and boilerplate's margin over the best peer; [] when no source has more than one value."""
    df = df.filter(pl.col(column) != "")
    if df.is_empty() or df.group_by("source").agg(pl.col(column).n_unique()).get_column(column).max() < 2:
        return []
    part = summarize(df, ("source", column))
    present = set(part["system"])
    systems = [s for s in OURS if s in present] + sorted(present - set(OURS))
    out = ["| source | " + column.replace("_", " ") + " | pages | " + " | ".join(systems) +
           " | margin over best peer |", "|---|---|---:|" + "---:|" * (len(systems) + 1)]
    for (source, value), rows in part.group_by("source", column, maintain_order=True):
        f1 = dict(zip(rows["system"], rows["F1"]))
        low = dict(zip(rows["system"], rows["< 0.5"]))
        peers = [f1[s] for s in systems if s in f1 and s not in OURS]
        margin = f"{f1[SYSTEM] - max(peers):+.3f}" if peers and SYSTEM in f1 else ""
        best = max(f1.values())
        cells = [(f"**{f1[s]:.3f} ({low[s]:.2f})**" if f1[s] == best else f"{f1[s]:.3f} ({low[s]:.2f})")
                 if s in f1 else "" for s in systems]
        out.append(f"| {source} | {value} | {rows['pages'][0]} | " + " | ".join(cells) + f" | {margin} |")
    return out


def markdown(df: pl.DataFrame, skipped: dict[str, str], command: str, holdout: bool = False) -> str:
    """The benchmark as Markdown: one ranked table per source, then per language and per page type."""
    summary = summarize(df)
    scored = ("the fixed holdout of sites, scored by a model fit on all other sites" if holdout else
              "cross-validated by site over every page outside the fixed holdout of sites (no page is "
              "scored by a model that saw its site)")
    out = ["# Quality benchmark", "", f"Produced by `{command}`.", "",
           f"Token metric (see README). boilerplate is {scored}; its ms/page is measured with the "
           "shipped model; `boilerplate --no-title` is the same extraction without its title line, "
           "`boilerplate --one-site` the same with each site's pages extracted together (lines a site repeats "
           "on two or more other pages dropped; not a peer, so not in the margins). Peers "
           "get the decoded HTML (text dumps as one `<p>` per line). `< 0.5`: the share of pages scoring "
           "below F1 0.5.", ""]
    for source in summary["source"].unique(maintain_order=True):
        part = summary.filter(pl.col("source") == source)
        out += [f"## {source} ({part['pages'][0]} pages)", "",
                "| rank | system | P | R | F1 | median F1 | < 0.5 | ms/page | pages/s |",
                "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for rank, row in enumerate(part.iter_rows(named=True), 1):
            name = f"**{row['system']}**" if row["system"] in OURS else row["system"]
            out.append(f"| {rank} | {name} | {row['P']:.3f} | {row['R']:.3f} | {row['F1']:.3f} | "
                       f"{row['median F1']:.3f} | {row['< 0.5']:.2f} | {row['ms/page']:.1f} | "
                       f"{row['pages/s']:.0f} |")
        out.append("")
    for column, title in (("lang", "By language"), ("page_type", "By page type")):
        table = group_table(df, column)
        if table:
            out += [f"## {title}", "", "Mean F1 (share of pages < 0.5).", ""] + table + [""]
    if skipped:
        out += ["Skipped (not installed: `pip install .[peers]`):", ""]
        out += [f"- {name}: {why}" for name, why in skipped.items()] + [""]
    return "\n".join(out)


def plots(df: pl.DataFrame, summary: pl.DataFrame, out: Path) -> list[str]:
    """F1 vs ms/page (log x) and the per-page F1 distribution per system; [] without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    sources = summary["source"].unique(maintain_order=True).to_list()
    fig, axes = plt.subplots(1, len(sources), figsize=(6 * len(sources), 5), squeeze=False)
    for ax, source in zip(axes[0], sources):
        part = summary.filter(pl.col("source") == source)
        for row in part.iter_rows(named=True):
            bold = row["system"] in OURS
            ax.scatter(row["ms/page"], row["F1"], s=80 if bold else 40, c="crimson" if bold else "steelblue")
            ax.annotate(row["system"], (row["ms/page"], row["F1"]), fontsize=8, xytext=(4, 3),
                        textcoords="offset points", fontweight="bold" if bold else "normal")
        ax.set_xscale("log")
        ax.set_xlabel("ms per page (log)")
        ax.set_ylabel("mean token F1")
        ax.set_title(source)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out / "f1_vs_ms.png", dpi=110)
    plt.close(fig)

    fig, axes = plt.subplots(len(sources), 1, figsize=(10, 3.2 * len(sources)), squeeze=False)
    for ax, source in zip(axes[:, 0], sources):
        systems = summary.filter(pl.col("source") == source)["system"].to_list()
        data = [df.filter((pl.col("source") == source) & (pl.col("system") == s))["f1"].to_list()
                for s in systems]
        ax.boxplot(data, orientation="horizontal", tick_labels=systems)
        ax.invert_yaxis()
        ax.set_xlim(-0.02, 1.02)
        ax.set_title(f"{source}: per-page token F1")
        ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(out / "f1_distribution.png", dpi=110)
    plt.close(fig)
    return ["f1_vs_ms.png", "f1_distribution.png"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labeled", default="labeled", help="labeled articles ('' to leave them out)")
    ap.add_argument("--corpus", action="append", help="corpus directory, repeatable "
                                                      "(default: $BOILERPLATE_CORPORA)")
    ap.add_argument("--peers", nargs="*", help="only these peers (default: all installed)")
    ap.add_argument("--no-peers", action="store_true", help="boilerplate only")
    ap.add_argument("--out", default="bench/reports", help="report directory")
    ap.add_argument("--holdout", action="store_true",
                    help="score the fixed holdout of sites (the final check; run it rarely)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pages, data = collect(Path(args.labeled) if args.labeled else None, corpus_paths(args.corpus),
                          holdout=args.holdout)
    if not pages:
        print("bench: no pages (give --labeled or --corpus)", file=sys.stderr)
        return 2
    peers, skipped = ({}, {}) if args.no_peers else load_peers(args.peers)
    df = run(pages, data, peers, holdout=args.holdout)
    df.write_csv(out / "pages.csv", float_precision=4)
    command = "python -m bench.quality " + " ".join(sys.argv[1:] if argv is None else argv)
    images = plots(df, summarize(df), out)
    text = markdown(df, skipped, command.strip(), holdout=args.holdout)
    text += "".join(f"\n![{name}]({name})\n" for name in images)
    (out / "summary.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
