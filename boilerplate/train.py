"""Training stage: labeled pages → cross-validated scores → the final model with its card.

Cross-validation is by group (an article, or a site when the site is known) in FOLDS folds: the
labeled articles go one per fold (leave-one-article-out for five articles) and corpus groups are spread
over the folds by a stable hash, so a page is never scored by a model that saw it or its site.
Everything is deterministic.
"""

from __future__ import annotations

import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from .align import align
from .corpora import CorpusPage
from .decode import decode
from .errors import InputError
from .features import FEATURE_NAMES, batch_features
from .labeled import Article
from .metrics import line_prf, token_prf
from .model import DEFAULT_ROUNDS, Model
from .segment import Blocks, segment

FOLDS = 5
LABELED_WEIGHT = 3.0  # hand-labeled blocks are exact, alignment-derived ones approximate: weigh them more

@dataclass
class TrainingSet:
    """Pages with per-block labels, the gold content text of each page, and its CV group."""

    names: list[str] = field(default_factory=list)
    pages: list[Blocks] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    gold: list[str] = field(default_factory=list)
    folds: list[int] = field(default_factory=list)
    page_sources: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)  # per page: the weight of each of its blocks
    sources: dict[str, int] = field(default_factory=dict)  # source name → page count
    skipped: list[str] = field(default_factory=list)  # corpus pages that could not be read

    def add_articles(self, articles: list[Article], source: str) -> None:
        """Add hand-labeled articles; each is its own group, one fold after another."""
        for k, a in enumerate(articles):
            self.add(a.name, a.blocks, a.labels, a.content_text, fold=k % FOLDS, source=source,
                     weight=LABELED_WEIGHT)

    def add_corpus(self, pages: Iterable[CorpusPage], progress: Callable[[str], None] | None = None) -> None:
        """Add corpus pages, labeled by aligning their blocks with the clean text; grouped by site."""
        for page in pages:
            try:
                blocks = segment(decode(page.html), kind="html")
            except InputError as e:
                self.skipped.append(f"{page.corpus}/{page.id}: {e}")
                continue
            group = f"{page.corpus}:{page.site or page.id}"
            self.add(page.id, blocks, align(blocks, page.clean), page.clean,
                     fold=zlib.crc32(group.encode()) % FOLDS, source=page.corpus)
            if progress and self.sources[page.corpus] % 20 == 0:
                progress(f"{page.corpus}: {self.sources[page.corpus]} pages read and aligned")

    def add(self, name: str, blocks: Blocks, labels: np.ndarray, gold: str, *, fold: int,
            source: str, weight: float = 1.0) -> None:
        """Add one page to a cross-validation fold."""
        self.names.append(name)
        self.pages.append(blocks)
        self.labels.append(np.asarray(labels, dtype=bool))
        self.gold.append(gold)
        self.folds.append(fold)
        self.page_sources.append(source)
        self.weights.append(weight)
        self.sources[source] = self.sources.get(source, 0) + 1


@dataclass
class PageScore:
    """Cross-validated scores of one page: line-level and token-level (precision, recall, F1)."""

    name: str
    source: str
    line: tuple[float, float, float]
    token: tuple[float, float, float]


def _summary(scores: list[PageScore]) -> dict[str, Any]:
    line = np.array([s.line for s in scores]).mean(axis=0)
    tok = np.array([s.token for s in scores]).mean(axis=0)
    return {"pages": len(scores),
            "line_precision": round(float(line[0]), 4), "line_recall": round(float(line[1]), 4),
            "line_f1": round(float(line[2]), 4),
            "token_precision": round(float(tok[0]), 4), "token_recall": round(float(tok[1]), 4),
            "token_f1": round(float(tok[2]), 4)}


def cross_validate(data: TrainingSet, *, rounds: int = DEFAULT_ROUNDS, drop: Iterable[str] = (),
                   params: dict[str, Any] | None = None,
                   progress: Callable[[str], None] | None = None) -> list[PageScore]:
    """Each page is scored by a model trained on the other folds only; `drop` blanks features (ablation),
    `params` overrides LightGBM parameters (e.g. the seeds, to measure how much a score owes to them)."""
    X, offsets = batch_features(data.pages)
    for name in drop:
        X[:, FEATURE_NAMES.index(name)] = np.nan
    return _cross_validate(data, X, offsets, rounds=rounds, params=params, progress=progress)


def _row_weights(data: TrainingSet, offsets: np.ndarray) -> np.ndarray:
    """Each page's weight repeated over its rows of the feature matrix."""
    return np.repeat(np.array(data.weights), np.diff(offsets))


def _cross_validate(data: TrainingSet, X: np.ndarray, offsets: np.ndarray, *, rounds: int,
                    params: dict[str, Any] | None = None,
                    progress: Callable[[str], None] | None) -> list[PageScore]:
    y = np.concatenate(data.labels) if data.labels else np.zeros(0, dtype=bool)
    w = _row_weights(data, offsets)
    page_fold = np.array(data.folds)
    row_fold = np.repeat(page_fold, np.diff(offsets))
    scores: list[PageScore] = []
    for fold in sorted(set(data.folds)):
        if progress:
            progress(f"cross-validation fold {fold + 1}/{FOLDS}")
        train_rows = row_fold != fold
        model = Model.fit(X[train_rows], y[train_rows], weight=w[train_rows], params=params, rounds=rounds)
        for i in np.flatnonzero(page_fold == fold):
            rows = slice(offsets[i], offsets[i + 1])
            keep = model.keep(model.predict_proba(X[rows]))
            extracted = "\n".join(t for t, k in zip(data.pages[i].texts, keep) if k)
            scores.append(PageScore(data.names[i], data.page_sources[i],
                                    tuple(line_prf(keep, data.labels[i])),
                                    tuple(token_prf(extracted, data.gold[i]))))
    return scores


def train(data: TrainingSet, out: str | Path, *, rounds: int = DEFAULT_ROUNDS, cv: bool = True,
          progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Cross-validate (optional), fit on everything, save the model and card; return the card."""
    if not data.pages:
        raise ValueError("no training pages")
    X, offsets = batch_features(data.pages)  # computed once, for cross-validation and the final fit
    report: dict[str, Any] = {}
    if cv:
        scores = _cross_validate(data, X, offsets, rounds=rounds, progress=progress)
        by_source: dict[str, list[PageScore]] = {}
        for s in scores:
            by_source.setdefault(s.source, []).append(s)
        report = {src: {**_summary(ss), "per_page": {s.name: round(s.token[2], 4) for s in ss}}
                  for src, ss in by_source.items()}
    if progress:
        progress("fitting the final model on all pages")
    model = Model.fit(X, np.concatenate(data.labels), weight=_row_weights(data, offsets), rounds=rounds)
    model.save(out, training_data={src: {"pages": n} for src, n in data.sources.items()},
               labeled_weight=LABELED_WEIGHT,
               cross_validation=report, n_features=len(FEATURE_NAMES))
    return model.card


def stderr_progress(message: str) -> None:
    """Progress messages for long training runs go to stderr."""
    print(message, file=sys.stderr, flush=True)
