"""Does `boilerplate label`'s order (the least certain blocks first) beat labeling random blocks? (issue 46)

For each site of one cross-validation fold in the simulated corpora with enough pages: a model trained
without that fold (all corpora, as `make train` trains, text dumps aside) is continued as the label app's
train action does (CONTINUE_ROUNDS trees at CONTINUE_PARAMS) on 3 pages of the site, of which only k
blocks per page carry their gold-aligned label; the others carry the model's own decision, as the app
saves them ("draft"), or weigh 0 ("unknown"). Token F1 is measured on the site's other pages ("rest")
and on a fixed sample of other sites' pages of the fold ("others").

    python -m bench.labelsim --corpus ../shared/corpora/*/ --simulate daniel-dev wcxb-dev --folds 0 1 2 3 4
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from boilerplate.corpora import read_corpus
from boilerplate.features import batch_features
from boilerplate.label import least_certain_first, page_threshold
from boilerplate.labeled import load_labeled
from boilerplate.lexicon import words
from boilerplate.metrics import token_prf
from boilerplate.model import DEFAULT_ROUNDS, Model
from boilerplate.pipeline import parse_blocks
from boilerplate.train import CONTINUE_PARAMS, CONTINUE_ROUNDS, LABELED_WEIGHT, TrainingSet, _row_weights, _subset

LABEL_PAGES = 3
MIN_REST = 3  # a site needs this many pages beside the labeled ones
KS = (5, 10, 20)  # blocks labeled per page
RANDOM_DRAWS = 3  # random draws per site and k
OTHERS = 100


def _pick(seed: str, n: int, k: int) -> np.ndarray:
    """A sorted draw of k of range(n), by a seed that depends only on `seed` (stable across runs)."""
    return np.sort(np.random.default_rng(zlib.crc32(seed.encode())).choice(n, size=min(k, n), replace=False))


def base_model(data: TrainingSet, fold: int, path: Path) -> Model:
    """The model trained on every page outside `fold` and the holdout, cached at `path`."""
    if path.exists():
        return Model.load(path)
    batch = batch_features(data.pages)
    bag = words(data.pages)
    chosen = (np.array(data.folds) != fold) & ~np.array(data.holdout, dtype=bool)
    rows, pages = _subset(data, batch, chosen)
    y = np.concatenate(data.labels)
    model = Model.fit(batch.X[rows], y[rows], weight=_row_weights(data, batch.offsets)[rows],
                      rounds=DEFAULT_ROUNDS, pages=pages, words=bag.take(rows))
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path, base_of_fold=fold)
    return model


def f1s(model: Model, data: TrainingSet, pages: list[int]) -> np.ndarray:
    """Token F1 of what extract returns, per page."""
    docs = parse_blocks([data.pages[i] for i in pages], model)
    return np.array([token_prf(d.text, data.gold[i])[2] for d, i in zip(docs, pages)])


def continued(base: Model, data: TrainingSet, pages: list[int], weighed: list[np.ndarray],
              labels: list[np.ndarray]) -> Model:
    """`base` continued on the pages, the `weighed` blocks weighing LABELED_WEIGHT and the others 0."""
    mini = TrainingSet()
    for k, (i, y) in enumerate(zip(pages, labels)):
        mini.add(data.names[i], data.pages[i], y, data.gold[i], fold=k, source="sim")
    batch = batch_features(mini.pages)
    _, rows = _subset(mini, batch, np.ones(len(pages), dtype=bool))
    weight = LABELED_WEIGHT * np.concatenate(weighed).astype(np.float64)
    return Model.fit(batch.X, np.concatenate(labels), weight=weight, rounds=CONTINUE_ROUNDS, init=base,
                     params=CONTINUE_PARAMS, pages=rows, words=words(mini.pages))


def simulate_site(base: Model, data: TrainingSet, site: str, pages: list[int], others: list[int], *,
                  ks: tuple[int, ...] = KS, draws: int = RANDOM_DRAWS) -> dict[str, Any]:
    """Every variant for one site: its rest and others F1 per variant (mean over random draws)."""
    labeled = [pages[j] for j in _pick(site, len(pages), LABEL_PAGES)]
    rest = [i for i in pages if i not in labeled]
    docs = parse_blocks([data.pages[i] for i in labeled], base)
    scores = [np.array([ln.score for ln in d.lines]) for d in docs]
    kept = [np.array([ln.is_content for ln in d.lines]) for d in docs]
    gold = [data.labels[i] for i in labeled]

    def run(known: list[np.ndarray], unlabeled: str) -> tuple[float, float]:
        labels = [np.where(m, g, d) for m, g, d in zip(known, gold, kept)]
        weighed = known if unlabeled == "unknown" else [np.ones(len(m), dtype=bool) for m in known]
        try:
            model = continued(base, data, labeled, weighed, labels)
        except ValueError:  # (one class only among the labels)
            return float("nan"), float("nan")
        return float(f1s(model, data, rest).mean()), float(f1s(model, data, others).mean())

    result: dict[str, Any] = {"site": site, "corpus": data.page_sources[pages[0]], "pages": len(pages),
                              "rest_pages": len(rest)}
    result["none"] = (float(f1s(base, data, rest).mean()), float(f1s(base, data, others).mean()))
    result["all"] = run([np.ones(len(g), dtype=bool) for g in gold], "unknown")
    for k in ks:
        uncertain = []
        for s, c in zip(scores, kept):  # (what the app asks first)
            mask = np.zeros(len(s), dtype=bool)
            mask[least_certain_first(s.tolist(), page_threshold(s.tolist(), c.tolist(), base.threshold))[:k]] = True
            uncertain.append(mask)
        random_masks = []
        for d in range(draws):
            draw = []
            for j, g in enumerate(gold):
                mask = np.zeros(len(g), dtype=bool)
                mask[_pick(f"{site}|{k}|{d}|{j}", len(g), k)] = True
                draw.append(mask)
            random_masks.append(draw)
        for unlabeled in ("unknown", "draft"):
            result[f"uncertain{k}-{unlabeled}"] = run(uncertain, unlabeled)
            runs = np.array([run(draw, unlabeled) for draw in random_masks])
            result[f"random{k}-{unlabeled}"] = tuple(np.nanmean(runs, axis=0).tolist())
    return result


def summarize(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Per corpus and variant: the mean and median gain in rest F1 over the base model, the sites it
    helped and hurt, the mean change on others; per k and way of treating the unlabeled blocks, the
    paired gain of least certain over random (mean, standard error, sites won and lost)."""
    out: dict[str, Any] = {}
    for corpus in sorted({r["corpus"] for r in results}) + ["all"]:
        rs = [r for r in results if corpus in ("all", r["corpus"])]
        variants = [v for v in rs[0] if isinstance(rs[0][v], (tuple, list))]
        gain = {v: (np.array([r[v][0] - r["none"][0] for r in rs]), np.array([r[v][1] - r["none"][1] for r in rs]))
                for v in variants}
        table = {v: {"rest": round(float(np.nanmean(rest)), 4), "rest_median": round(float(np.nanmedian(rest)), 4),
                     "others": round(float(np.nanmean(others)), 4), "rest_improved": int((rest > 0.001).sum()),
                     "rest_worse": int((rest < -0.001).sum())} for v, (rest, others) in gain.items()}
        paired = {}
        for v in variants:
            if v.startswith("uncertain"):
                diff = gain[v][0] - gain[v.replace("uncertain", "random", 1)][0]
                paired[v.removeprefix("uncertain")] = {
                    "mean": round(float(np.nanmean(diff)), 4),
                    "stderr": round(float(np.nanstd(diff, ddof=1) / np.sqrt(len(diff))), 4) if len(diff) > 1 else None,
                    "won": int((diff > 0.001).sum()), "lost": int((diff < -0.001).sum())}
        out[corpus] = {"sites": len(rs), "base_rest": round(float(np.mean([r["none"][0] for r in rs])), 4),
                       "delta": table, "uncertain_minus_random": paired}
    return out


def sites_of_fold(data: TrainingSet, fold: int, corpora: list[str], min_pages: int) -> tuple[dict[str, list[int]],
                                                                                               list[int]]:
    """The simulated sites of a fold (corpus|site → its pages) and the fold's sample of pages ("others")."""
    in_fold = [i for i in range(len(data.pages)) if data.folds[i] == fold and not data.holdout[i]
               and data.pages[i].is_html and data.sites[i] is not None]
    by_site: dict[str, list[int]] = {}
    for i in in_fold:
        if data.page_sources[i] in corpora:
            by_site.setdefault(f"{data.page_sources[i]}|{data.sites[i]}", []).append(i)
    sample = [in_fold[j] for j in _pick(f"others{fold}", len(in_fold), OTHERS * 2)]
    return {s: p for s, p in sorted(by_site.items()) if len(p) >= min_pages}, sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.labelsim", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labeled", default="labeled", help="labeled articles the base model trains on too")
    parser.add_argument("--corpus", nargs="+", required=True, help="every corpus the base model trains on")
    parser.add_argument("--simulate", nargs="+", default=["daniel-dev", "wcxb-dev"],
                        help="corpora whose sites are simulated")
    parser.add_argument("--folds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--min-pages", type=int, default=LABEL_PAGES + MIN_REST)
    parser.add_argument("--k", type=int, nargs="+", default=list(KS), help="blocks labeled per page")
    parser.add_argument("--draws", type=int, default=RANDOM_DRAWS, help="random draws per site and k")
    parser.add_argument("--base-dir", type=Path, default=Path("/tmp/labelsim"),
                        help="where each fold's base model is cached (base-foldN.txt)")
    parser.add_argument("--out", type=Path, default=Path("bench/reports/labelsim.json"))
    args = parser.parse_args(argv)
    start = time.time()
    data = TrainingSet()
    data.add_articles(load_labeled(args.labeled), source="labeled")
    for directory in args.corpus:
        data.add_corpus(read_corpus(directory), text_dumps=False)
    print(f"{len(data.pages)} pages read ({time.time() - start:.0f} s)", file=sys.stderr)
    results = []
    for fold in args.folds:
        base = base_model(data, fold, args.base_dir / f"base-fold{fold}.txt")
        sites, sample = sites_of_fold(data, fold, args.simulate, args.min_pages)
        for n, (site, pages) in enumerate(sites.items()):
            others = [i for i in sample if i not in pages][:OTHERS]
            results.append({"fold": fold, **simulate_site(base, data, site, pages, others, ks=tuple(args.k),
                                                          draws=args.draws)})
            print(f"fold {fold}: {n + 1}/{len(sites)} {site} ({time.time() - start:.0f} s)", file=sys.stderr)
    if not results:
        print(f"no site of folds {args.folds} in {', '.join(args.simulate)} has {args.min_pages} pages",
              file=sys.stderr)
        return 1
    report = {"folds": args.folds, "label_pages": LABEL_PAGES, "random_draws": args.draws,
              "continue_rounds": CONTINUE_ROUNDS, "summary": summarize(results), "sites": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report["summary"]["all"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
