"""Training stage: labeled pages → cross-validated scores → the final model with its card.

Pages are grouped by site (registrable domain, across corpora: one site's pages in two corpora are one
group; a page whose site is unknown is its own group). One site in HOLDOUT_EVERY, chosen by a stable
hash of its name, is the holdout: left out of cross-validation, scored only by
`cross_validate(holdout=True)` with a model fit on all other sites (the final check, to be looked at
rarely). The other groups are spread over FOLDS folds by a stable hash, the labeled articles one per
fold (leave-one-article-out for five), so a page is never scored by a model that saw it or its site.
The shipped model is fit on every page. Deterministic.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .align import align
from .corpora import CorpusPage, corpus_license, count_pages, guess_lang, read_corpus
from .decode import decode_text
from .document import build_document
from .errors import InputError, LabelError
from .features import FEATURE_NAMES, Batch, batch_features
from .keep import site_repeats
from .labeled import Article
from .lexicon import Words, words
from .metrics import line_prf, token_prf
from .model import DEFAULT_PARAMS, DEFAULT_ROUNDS, Model, PageRows
from .pipeline import classify_blocks
from .segment import Blocks, segment, segment_text

FOLDS = 5
HOLDOUT_EVERY = 10  # one site in this many is the holdout (crc32 of "holdout:" + site)
LABELED_WEIGHT = 30.0  # hand-labeled blocks are exact, alignment-derived ones approximate; the labeled
# text dumps are also a handful among thousands of text dumps derived from the corpora
PROJECT_LABELED = Path(__file__).resolve().parents[1] / "labeled"  # the labels shipped with the source
LABELED_LICENSE = "this project's own labels (MIT)"
USER_LABELED_LICENSE = "your own labels ({}): license as you set it"
CONTINUE_ROUNDS = 20  # trees added when training a model further on a few labeled pages (no corpora):
CONTINUE_PARAMS = {"learning_rate": 0.03}  # small steps, so that other sites lose little (docs/experiments.md)
MIN_CONTINUE_BLOCKS = 2 * {**DEFAULT_PARAMS, **CONTINUE_PARAMS}["min_data_in_leaf"]  # fewer: no tree can split,
# and continuing would change nothing
Progress = Callable[[str, int, int], None]  # (stage, done, total); total 0 when unknown


def site_fold(group: str) -> int:
    """The cross-validation fold of a group (a site name, or "corpus:id" for a page of unknown site)."""
    return zlib.crc32(group.encode("utf-8", "surrogatepass")) % FOLDS


def is_holdout(group: str) -> bool:
    """Whether a group belongs to the fixed holdout of sites."""
    return zlib.crc32(f"holdout:{group}".encode("utf-8", "surrogatepass")) % HOLDOUT_EVERY == 0


@dataclass
class TrainingSet:
    """Pages with per-block labels, the gold content text of each page, its CV group and what the corpus
    says of it (language, page type)."""

    names: list[str] = field(default_factory=list)
    pages: list[Blocks] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)
    gold: list[str] = field(default_factory=list)
    folds: list[int] = field(default_factory=list)
    holdout: list[bool] = field(default_factory=list)
    page_sources: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    page_types: list[str] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)  # per page: the weight of each of its blocks
    sites: list[str | None] = field(default_factory=list)  # per page: its site (registrable domain), if known
    sources: dict[str, int] = field(default_factory=dict)  # source name → page count
    licenses: dict[str, str] = field(default_factory=dict)  # source name → license, for the model card
    skipped: list[str] = field(default_factory=list)  # corpus pages that could not be read

    def add_articles(self, articles: list[Article], source: str, directory: str | Path | None = None) -> None:
        """Add hand-labeled articles (read from `directory`, for the card's license line); each is its
        own group, one fold after another, never held out."""
        own = directory is None or Path(directory).resolve() == PROJECT_LABELED
        self.licenses[source] = LABELED_LICENSE if own else USER_LABELED_LICENSE.format(directory)
        for k, a in enumerate(articles):
            self.add(a.name, a.blocks, a.labels, a.content_text, fold=k % FOLDS, source=source,
                     weight=LABELED_WEIGHT, lang=guess_lang(a.content_text))

    def add_corpus_dir(self, directory: str | Path, progress: Progress | None = None) -> None:
        """Add every page of a corpus directory, and its license for the model card."""
        self.licenses[Path(directory).name] = corpus_license(directory)
        self.add_corpus(read_corpus(directory), progress, total=count_pages(directory))

    def add_corpus(self, pages: Iterable[CorpusPage], progress: Progress | None = None, total: int = 0,
                   text_dumps: bool = True) -> None:
        """Add corpus pages, labeled by aligning their blocks with the clean text; grouped by site. With
        `text_dumps`, each page also teaches the text-dump booster (see `_add_text_dumps`)."""
        done = 0
        for page in pages:
            done += 1
            if progress and (done % 25 == 0 or done == total):
                progress(f"reading and aligning {page.corpus}", done, total)
            try:
                blocks = segment(decode_text(page.html), kind="html")
            except InputError as e:
                self.skipped.append(f"{page.corpus}/{page.id}: {e}")
                continue
            group = page.site or f"{page.corpus}:{page.id}"
            self.add(page.id, blocks, align(blocks, page.clean), page.clean, fold=site_fold(group),
                     holdout=is_holdout(group), source=page.corpus,
                     lang=page.lang or guess_lang(page.clean), page_type=page.page_type or "", site=page.site)
            if text_dumps:
                self._add_text_dumps(len(self.pages) - 1)

    def _add_text_dumps(self, i: int) -> None:
        """Page i again as the plain-text dump a browser's select-all and copy gives (one block per line,
        the same labels), and its gold text as a dump with no chrome at all (so that re-extracting an
        extraction keeps it); same fold and holdout, sources "dump:CORPUS" and "clean:CORPUS"."""
        for kind, text, labels in (("dump", "\n".join(self.pages[i].texts), self.labels[i]),
                                   ("clean", self.gold[i], None)):
            dump = segment_text(text)
            labels = np.ones(len(dump), dtype=bool) if labels is None else labels
            if len(dump) and len(dump) == len(labels):
                gold = self.gold[i] if kind == "dump" else "\n".join(dump.texts)
                self.add(self.names[i], dump, labels, gold,
                         fold=self.folds[i], holdout=self.holdout[i], source=f"{kind}:{self.page_sources[i]}",
                         lang=self.langs[i], page_type=self.page_types[i], derived=True, site=self.sites[i])

    def add(self, name: str, blocks: Blocks, labels: np.ndarray, gold: str, *, fold: int,
            source: str, weight: float = 1.0, holdout: bool = False, lang: str = "",
            page_type: str = "", derived: bool = False, site: str | None = None) -> None:
        """Add one page to a cross-validation fold (or to the holdout); a `derived` page (a text dump made
        from another) is not counted among the sources' pages."""
        self.names.append(name)
        self.pages.append(blocks)
        self.labels.append(np.asarray(labels, dtype=bool))
        self.gold.append(gold)
        self.folds.append(fold)
        self.holdout.append(holdout)
        self.page_sources.append(source)
        self.langs.append(lang)
        self.page_types.append(page_type)
        self.weights.append(weight)
        self.sites.append(site)
        if not derived:
            self.sources[source] = self.sources.get(source, 0) + 1


@dataclass
class PageScore:
    """Scores of one page by a model that never saw its site: line-level and token-level (P, R, F1)."""

    name: str
    source: str
    line: tuple[float, float, float]
    token: tuple[float, float, float]
    lang: str = ""
    page_type: str = ""
    idempotent: bool | None = None  # HTML pages: does re-extracting the extraction as text give it back?
    body_token: tuple[float, float, float] | None = None  # token scores without the title (`--no-title`)
    site_token: tuple[float, float, float] | None = None  # with the site's other pages in the batch (`--one-site`)


def _three(prf: Sequence[float]) -> tuple[float, float, float]:
    """Precision, recall and F1 as a plain tuple (what the model card holds)."""
    return (prf[0], prf[1], prf[2])


def _f1_stats(f1: Sequence[float] | np.ndarray) -> dict[str, float]:
    """Mean token F1 of some pages, its median, and the share of pages below 0.5."""
    f = np.asarray(f1, dtype=np.float64)
    return {"token_f1": round(float(f.mean()), 4), "token_f1_median": round(float(np.median(f)), 4),
            "share_below_0.5": round(float(np.mean(f < 0.5)), 4)}


def _summary(scores: list[PageScore]) -> dict[str, Any]:
    line = np.array([s.line for s in scores]).mean(axis=0)
    tok = np.array([s.token for s in scores])
    again = [s.idempotent for s in scores if s.idempotent is not None]
    return {"pages": len(scores), **({"idempotent_share": round(float(np.mean(again)), 4)} if again else {}),
            "line_precision": round(float(line[0]), 4), "line_recall": round(float(line[1]), 4),
            "line_f1": round(float(line[2]), 4),
            "token_precision": round(float(tok[:, 0].mean()), 4),
            "token_recall": round(float(tok[:, 1].mean()), 4), **_f1_stats(tok[:, 2]),
            **({"one_site_token_f1": round(float(np.mean([s.site_token[2] for s in scores
                                                          if s.site_token is not None])), 4)}
               if all(s.site_token is not None for s in scores) else {})}


def _breakdown(scores: list[PageScore]) -> dict[str, Any]:
    """Mean token F1, median and share below 0.5 per language and per page type, where there are several."""
    out: dict[str, Any] = {}
    for key, attr in (("by_lang", "lang"), ("by_page_type", "page_type")):
        groups: dict[str, list[float]] = {}
        for s in scores:
            if getattr(s, attr):
                groups.setdefault(getattr(s, attr), []).append(s.token[2])
        if len(groups) > 1:
            out[key] = {g: {"pages": len(f), **_f1_stats(f)} for g, f in sorted(groups.items())}
    return out


def cross_validate(data: TrainingSet, *, rounds: int = DEFAULT_ROUNDS, drop: Iterable[str] = (),
                   params: dict[str, Any] | None = None, holdout: bool = False,
                   progress: Progress | None = None) -> list[PageScore]:
    """Each page outside the holdout is scored by a model trained on the other folds' pages (holdout
    pages excluded); with `holdout=True`, the holdout pages are scored by a model trained on all the
    others instead. `drop` blanks features (ablation), `params` overrides LightGBM parameters."""
    batch = batch_features(data.pages)
    for name in drop:
        batch.X[:, FEATURE_NAMES.index(name)] = np.nan
    return _cross_validate(data, batch, words(data.pages), rounds=rounds, params=params, holdout=holdout,
                           progress=progress)


def _row_weights(data: TrainingSet, offsets: np.ndarray) -> np.ndarray:
    """Each page's weight repeated over its rows of the feature matrix."""
    return np.repeat(np.array(data.weights), np.diff(offsets))


def _subset(data: TrainingSet, batch: Batch, chosen: np.ndarray) -> tuple[np.ndarray, PageRows]:
    """The rows of the chosen pages (a boolean mask over pages), and those pages' Pages."""
    sizes = np.diff(batch.offsets)
    rows = np.repeat(chosen, sizes)
    offsets = np.zeros(int(chosen.sum()) + 1, dtype=np.int64)
    np.cumsum(sizes[chosen], out=offsets[1:])
    return rows, PageRows(offsets, batch.groups[rows], np.array(data.folds)[chosen])


def _splits(data: TrainingSet, holdout: bool) -> list[tuple[np.ndarray, np.ndarray]]:
    """(pages to train on, pages to score) as boolean masks over pages, one pair per model to fit."""
    folds, held = np.array(data.folds), np.array(data.holdout, dtype=bool)
    if holdout:
        return [(~held, held)] if held.any() else []
    return [(~held & (folds != k), ~held & (folds == k)) for k in range(FOLDS) if (~held & (folds == k)).any()]


def _cross_validate(data: TrainingSet, batch: Batch, bag: Words, *, rounds: int, params: dict[str, Any] | None = None,
                    holdout: bool = False, progress: Progress | None) -> list[PageScore]:
    X, offsets, groups = batch
    y = np.concatenate(data.labels) if data.labels else np.zeros(0, dtype=bool)
    w = _row_weights(data, offsets)
    scores: list[PageScore] = []
    splits = _splits(data, holdout)
    for k, (train_pages, test_pages) in enumerate(splits):
        if progress:
            progress("holdout" if holdout else "cross-validation folds", k, len(splits))
        train_rows, pages = _subset(data, batch, train_pages)
        model = Model.fit(X[train_rows], y[train_rows], weight=w[train_rows], params=params, rounds=rounds,
                          pages=pages, words=bag.take(train_rows))
        test = np.flatnonzero(test_pages).tolist()
        # (a fold holds every page of its sites: each kind of page is batched with its site's, as --one-site does)
        repeated = site_repeats([data.pages[i].texts for i in test],
                                [None if data.sites[i] is None else f"{data.page_sources[i]}|{data.sites[i]}"
                                 for i in test])
        for i, rep in zip(test, repeated):
            rows = slice(offsets[i], offsets[i + 1])
            first, page_scores = model.predict_stages(X[rows], None, groups[rows],
                                                      bag.take(np.arange(offsets[i], offsets[i + 1])))
            keep = model.keep(page_scores, first=first, X=X[rows])
            doc = build_document(data.pages[i], page_scores, keep)
            extracted = doc.text  # what extract() returns
            again = _reextract(model, extracted) == extracted if data.pages[i].is_html else None
            site_text = extracted if rep is None else build_document(data.pages[i], page_scores, keep,
                                                                     repeated=rep).text
            scores.append(PageScore(data.names[i], data.page_sources[i], _three(line_prf(keep, data.labels[i])),
                                    _three(token_prf(extracted, data.gold[i])), data.langs[i],
                                    data.page_types[i], again, _three(token_prf(doc.body, data.gold[i])),
                                    _three(token_prf(site_text, data.gold[i]))))
    if progress and splits:
        progress("holdout" if holdout else "cross-validation folds", len(splits), len(splits))
    return scores


def _reextract(model: Model, text: str) -> str:
    """An extraction extracted again, as a text dump, by the same model."""
    return "\n".join(line.text for line in classify_blocks([segment_text(text)], model)[0] if line.is_content)


def train(data: TrainingSet, out: str | Path, *, rounds: int = DEFAULT_ROUNDS, cv: bool = True,
          progress: Progress | None = None, init: Model | None = None) -> dict[str, Any]:
    """Cross-validate (optional), fit on everything, save the model and card; return the card. With
    `init`, its boosters are trained `rounds` more trees on these pages (no cross-validation: the
    starting model may have seen any page), and the card lists its sources too; LabelError when the
    pages hold fewer than MIN_CONTINUE_BLOCKS blocks."""
    if not data.pages:
        raise ValueError("no training pages")
    if init is not None and (blocks := sum(len(page) for page in data.pages)) < MIN_CONTINUE_BLOCKS:
        raise LabelError(f"{blocks} labeled blocks are too few to train on: a tree needs at least "
                         f"{MIN_CONTINUE_BLOCKS} to split, so the model would not change; label more pages")
    if progress:
        progress(f"features of {len(data.pages):,} pages", 0, 0)
    batch = batch_features(data.pages)  # computed once, for cross-validation and the final fit
    bag = words(data.pages)
    report: dict[str, Any] = {}
    if cv and init is None:
        scores = _cross_validate(data, batch, bag, rounds=rounds, progress=progress)
        by_source: dict[str, list[PageScore]] = {}
        for s in scores:
            by_source.setdefault(s.source, []).append(s)
        report = {src: {**_summary(ss), **_breakdown(ss),
                        "per_page": {s.name: round(s.token[2], 4) for s in ss}}
                  for src, ss in by_source.items()}
    _, pages = _subset(data, batch, np.ones(len(data.pages), dtype=bool))
    stage = f"fitting the final model on all {len(data.pages):,} pages (boosters)"
    model = Model.fit(batch.X, np.concatenate(data.labels), weight=_row_weights(data, batch.offsets),
                      rounds=rounds, init=init, params=CONTINUE_PARAMS if init is not None else None,
                      pages=pages, words=bag,
                      progress=(lambda done, total: progress(stage, done, total)) if progress else None)
    training_data = {src: {"pages": n, "license": data.licenses.get(src, "unknown")}
                     for src, n in data.sources.items()}
    extra: dict[str, Any] = {}
    if init is not None:
        inherited = init.card.get("training_data", {})
        training_data = {**{f"{src} (starting model)": v for src, v in inherited.items()}, **training_data}
        extra["continued_from"] = {"rounds_before": init.html[0].first.current_iteration(),
                                   "cross_validation": {src: {k: v for k, v in r.items() if k != "per_page"}
                                                        for src, r in init.card.get("cross_validation",
                                                                                    {}).items()}}
    model.save(out, training_data=training_data, labeled_weight=LABELED_WEIGHT,
               cross_validation=report, n_features=len(FEATURE_NAMES), **extra)
    return model.card

