"""Ablation: cross-validated token F1 per source with one feature group removed at a time.

    python -m bench.ablation --corpus DIR [--corpus DIR ...] [--seeds N]

A removed feature is blanked (NaN) in training and scoring, which is what dropping it amounts to.
With --seeds N every score is the mean over LightGBM seeds 0..N-1 (feature sampling changes with the
seed), and the first row also gives the standard deviation over seeds: a difference smaller than that
is noise. The default (1) uses the shipped model's parameters.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from boilerplate.corpora import corpus_paths
from boilerplate.features import FEATURE_NAMES
from boilerplate.labeled import load_labeled
from boilerplate.train import TrainingSet, cross_validate


def _names(*prefixes: str) -> list[str]:
    return [n for n in FEATURE_NAMES if any(n.split("@")[0].startswith(p) for p in prefixes)]


GROUPS = {
    "neighbour window (±2)": [n for n in FEATURE_NAMES if "@" in n],
    "main run (in/distances/overlap)": _names("in_main", "d_main", "main_overlap"),
    "container text share / link density": _names("parent_", "grandparent_"),
    "article root (in_root)": _names("in_root"),
    "class/id/tag hints": [n for n in _names("hint_") if n not in ("hint_landmark", "hint_noscript",
                                                                    "hint_invisible")],
    "landmark (nav, aside, page header/footer)": _names("hint_landmark"),
    "tag, depth, path share": _names("tag", "depth", "path_share"),
    "link density": _names("link_density"),
    "repetition (repeat, earlier copies)": _names("repeat", "earlier_copies"),
    "title overlap": _names("title_overlap"),
    "length rank in page": _names("len_rank"),
    "page-level (size, longest block, main-run share, link density)": _names("page_"),
    "tag-path text share / link density": _names("path_text_share", "path_link_density"),
    "headline distance": _names("d_headline"),
    "position in page": _names("position"),
    "noscript / invisible hints": _names("hint_noscript", "hint_invisible"),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.ablation", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labeled", default="labeled")
    ap.add_argument("--corpus", action="append", help="corpus directory (default: $BOILERPLATE_CORPORA)")
    ap.add_argument("--seeds", type=int, default=1, help="average over this many LightGBM seeds (default 1)")
    args = ap.parse_args(argv)
    if args.seeds < 1:
        ap.error("--seeds must be at least 1")
    seed_params = [None] if args.seeds == 1 else [{"seed": k, "feature_fraction_seed": k}
                                                  for k in range(args.seeds)]
    data = TrainingSet()
    data.add_articles(load_labeled(args.labeled), source="labeled")
    for path in corpus_paths(args.corpus):
        data.add_corpus_dir(path)
    sources = list(data.sources)

    def per_seed(drop: list[str]) -> dict[str, list[float]]:
        """Each source's mean per-page F1, one value per seed."""
        out: dict[str, list[float]] = {}
        for params in seed_params:
            by_source: dict[str, list[float]] = {}
            for s in cross_validate(data, drop=drop, params=params):
                by_source.setdefault(s.source, []).append(s.token[2])
            for k, v in by_source.items():
                out.setdefault(k, []).append(float(np.mean(v)))
        return out

    def means(runs: dict[str, list[float]]) -> dict[str, float]:
        return {k: float(np.mean(v)) for k, v in runs.items()}

    base_runs = per_seed([])
    base = means(base_runs)
    spread = {k: f" ± {np.std(v):.4f}" if len(v) > 1 else "" for k, v in base_runs.items()}
    print("| removed | " + " | ".join(f"{s} F1 (Δ)" for s in sources) + " |")
    print("|---|" + "---:|" * len(sources))
    print("| (none: all features) | " + " | ".join(f"{base[s]:.4f}{spread[s]}" for s in sources) + " |",
          flush=True)
    for group, names in GROUPS.items():
        r = means(per_seed(names))
        print(f"| {group} | " + " | ".join(f"{r[s]:.4f} ({r[s] - base[s]:+.4f})" for s in sources) + " |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
