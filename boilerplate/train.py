"""Training stage: labeled pages → cross-validated scores → the final model with its card.

Cross-validation holds out one group at a time (an article, or a site when the site is known), so a
page is never scored by a model that saw it. Everything is deterministic.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .features import FEATURE_NAMES, batch_features
from .labeled import Article
from .metrics import line_prf, token_prf
from .model import DEFAULT_ROUNDS, Model
from .segment import Blocks


@dataclass
class TrainingSet:
    """Pages with per-block labels, the gold content text of each page, and its CV group."""

    names: list[str] = field(default_factory=list)
    pages: list[Blocks] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    gold: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)  # source name → page count

    def add_articles(self, articles: list[Article], source: str) -> None:
        """Add hand-labeled articles; each is its own CV group."""
        for a in articles:
            self.add(a.name, a.blocks, a.labels, a.content_text, group=f"{source}:{a.name}", source=source)

    def add(self, name: str, blocks: Blocks, labels: np.ndarray, gold: str, *, group: str,
            source: str) -> None:
        """Add one page."""
        self.names.append(name)
        self.pages.append(blocks)
        self.labels.append(np.asarray(labels, dtype=bool))
        self.gold.append(gold)
        self.groups.append(group)
        self.sources[source] = self.sources.get(source, 0) + 1


@dataclass
class PageScore:
    """Cross-validated scores of one page."""

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


def cross_validate(data: TrainingSet, *, rounds: int = DEFAULT_ROUNDS,
                   progress: Callable[[str], None] | None = None) -> list[PageScore]:
    """Leave-one-group-out: each page is scored by a model trained on the other groups only."""
    X, offsets = batch_features(data.pages)
    y = np.concatenate(data.labels) if data.labels else np.zeros(0, dtype=bool)
    page_group = np.array(data.groups)
    row_group = np.repeat(page_group, np.diff(offsets))
    scores: list[PageScore] = []
    for k, group in enumerate(dict.fromkeys(data.groups)):
        if progress:
            progress(f"cross-validation fold {k + 1}/{len(set(data.groups))}: {group}")
        train = row_group != group
        model = Model.fit(X[train], y[train], rounds=rounds)
        for i in np.flatnonzero(page_group == group):
            rows = slice(offsets[i], offsets[i + 1])
            keep = model.predict_proba(X[rows]) >= model.threshold
            texts = data.pages[i].texts
            extracted = "\n".join(t for t, k_ in zip(texts, keep) if k_)
            source = group.split(":", 1)[0]
            scores.append(PageScore(data.names[i], source, tuple(line_prf(keep, data.labels[i])),
                                    tuple(token_prf(extracted, data.gold[i]))))
    return scores


def train(data: TrainingSet, out: str | Path, *, rounds: int = DEFAULT_ROUNDS, cv: bool = True,
          progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Cross-validate (optional), fit on everything, save the model and card; return the card."""
    if not data.pages:
        raise ValueError("no training pages")
    report: dict[str, Any] = {}
    if cv:
        scores = cross_validate(data, rounds=rounds, progress=progress)
        by_source: dict[str, list[PageScore]] = {}
        for s in scores:
            by_source.setdefault(s.source, []).append(s)
        report = {src: {**_summary(ss), "per_page": {s.name: round(s.token[2], 4) for s in ss}}
                  for src, ss in by_source.items()}
    if progress:
        progress("fitting the final model on all pages")
    X, _ = batch_features(data.pages)
    model = Model.fit(X, np.concatenate(data.labels), rounds=rounds)
    model.save(out, training_data={src: {"pages": n} for src, n in data.sources.items()},
               cross_validation=report, n_features=len(FEATURE_NAMES))
    return model.card


def stderr_progress(message: str) -> None:
    """Progress messages for long training runs go to stderr."""
    print(message, file=sys.stderr, flush=True)
