"""LightGBM content-vs-chrome classifier: fit, predict and keep rules. Its file and card: modelfile.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import lightgbm as lgb
import numpy as np

from ._forest import Forest
from .context import CONTEXT_NAMES, STACKED_NAMES, context_features
from .features import CATEGORICAL, FEATURE_NAMES, GROUPS
from .keep import keep_blocks, text_rows
from .lexicon import LEXICON_NAMES, Lexicon, Words

CARD_FORMAT = 1
DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.15,
    "num_leaves": 31,
    "min_data_in_leaf": 5,
    "feature_fraction": 0.8,
    "feature_fraction_seed": 7,
    "lambda_l2": 1.0,
    "max_cat_to_onehot": 8,
    "cat_smooth": 5.0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "seed": 7,
    "verbose": -1,
}
DEFAULT_ROUNDS = 300
HTML_MEMBERS = 2  # the HTML stages average this many boosters of DEFAULT_ROUNDS / HTML_MEMBERS trees, each fit
# with its own seed: as cheap as one, and fewer pages lost by one booster's chance splits (docs/experiments.md)
TEXT_MEMBERS = 2  # the text-dump stages average this many boosters of DEFAULT_ROUNDS trees each (whole
# rounds, not shared: text dumps of pages from unseen sites gained with two full ones; docs/experiments.md)
MEMBER_SEED_STEP = 4  # member m (HTML or text) is fit with LightGBM seeds params["seed"] + m * MEMBER_SEED_STEP
DEFAULT_MODEL = Path(__file__).parent / "models" / "default.txt"
MODEL_NAMES: tuple[str, ...] = FEATURE_NAMES + LEXICON_NAMES  # the first-stage boosters' columns
CONTEXT_GATE = 0.02  # rows the first stage scores below this keep that score: the context stage would
# not change a decision on them (docs/experiments.md)


class PageRows(NamedTuple):
    """The pages of a block matrix: page i owns rows offsets[i]:offsets[i+1]; `groups` are features.Batch's
    page-local group ids; `folds` (one per page, for fitting only) the cross-validation fold."""

    offsets: np.ndarray
    groups: np.ndarray
    folds: np.ndarray | None = None


class Member(NamedTuple):
    """One member of a kind of rows (HTML or text dumps): its first-stage booster and its context-stage
    booster (None: no context stage)."""

    first: lgb.Booster
    context: lgb.Booster | None = None


Compiled = list[tuple[Forest, Forest | None]]  # each member's two stages, compiled (_forest.Forest)


class Model:
    """A trained classifier: `predict_proba(X, offsets, groups)` gives each block's probability of being
    content.

    It holds members per kind of row: `html` scores HTML rows and, when trained on both kinds, `text`
    scores text-dump rows (link_density NaN): text dumps share few features with HTML, and one booster
    for both served each worse. A member is a first-stage booster and a context booster, which reads the
    block features plus context.py's view of the first stage's scores around the block; it is fit on
    out-of-fold first-stage scores. A kind's members (HTML_MEMBERS, TEXT_MEMBERS) are fit with different
    seeds; a row gets the mean of its kind's members' scores. Every booster also reads the lexicon columns
    of the block's words and class/id tokens (lexicon.py; learned with the boosters, NaN for a model
    without a lexicon), so scoring needs the blocks' `words`.
    """

    def __init__(self, html: list[Member], card: dict[str, Any], threshold: float = 0.5, *,
                 text: list[Member] | None = None, lexicon: Lexicon | None = None,
                 compiled: tuple[Compiled, Compiled] | None = None) -> None:
        if not html:
            raise ValueError("a model needs at least one HTML member")
        self.html, self.text = list(html), list(text or [])
        self.lexicon = lexicon
        self.card = card
        self.threshold = threshold
        # prediction by the compiled evaluator of the same trees (bit for bit LightGBM's, faster)
        self._html, self._text = compiled or (_compile(self.html), _compile(self.text))

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, *, params: dict[str, Any] | None = None,
            rounds: int = DEFAULT_ROUNDS, weight: np.ndarray | None = None,
            init: Model | None = None, pages: PageRows | None = None, words: Words | None = None,
            progress: Callable[[int, int], None] | None = None, html_members: int = HTML_MEMBERS,
            text_members: int = TEXT_MEMBERS) -> Model:
        """Train on feature rows X (FEATURE_NAMES columns) and boolean content labels y; deterministic.

        With the rows' `words` and `pages` of two or more folds, a lexicon is learned from the HTML rows;
        each training row reads the lexicon learned without its fold (so that the boosters do not learn to
        trust words that came from the row itself); `init`'s lexicon is kept as it is.

        With `pages` (each page's rows, group ids and cross-validation fold) holding HTML pages of two or
        more folds, the HTML rows also get the context stage, fit on first-stage scores each made by a
        model that did not see the page's fold; so do text-dump rows of two or more folds. The HTML stages
        are `html_members` such pairs of boosters, each of rounds / html_members trees and its own seeds,
        whose scores are averaged; text-dump rows get `text_members` pairs of `rounds` trees each. With
        `init`, its boosters (every member's) are trained further (`rounds` more trees each) instead of
        starting from nothing: each on its own kind of rows if these hold both classes, else kept as they
        are (the context stages read the continued first stage's scores).
        `progress(done, total)` is called as each booster is fit."""
        if X.shape[1] != len(FEATURE_NAMES):
            raise ValueError(f"X has {X.shape[1]} columns, expected {len(FEATURE_NAMES)}")
        y = np.asarray(y, dtype=np.float32)
        if len(np.unique(y)) < 2:
            raise ValueError("training needs both content and chrome blocks")
        params = {**DEFAULT_PARAMS, **(params or {})}
        text = text_rows(X)
        # fresh, with both kinds of rows holding both classes: one booster per kind of row
        split = init is None and 0 < text.sum() < len(X) and len(np.unique(y[text])) == 2 \
            and len(np.unique(y[~text])) == 2
        html = ~text if split else np.ones(len(X), dtype=bool)
        fold = None if pages is None or pages.folds is None else np.repeat(pages.folds, np.diff(pages.offsets))
        folds = np.unique(fold[html]) if fold is not None and init is None else np.zeros(0, dtype=int)
        text_folds = np.unique(fold[text]) if split and fold is not None and len(folds) > 1 else np.zeros(0, dtype=int)
        lexicon = init.lexicon if init is not None else None
        if init is None and words is not None and len(folds) > 1:
            assert fold is not None and pages is not None  # (folds come from them)
            lex = np.full((len(X), len(LEXICON_NAMES)), np.nan, dtype=np.float32)
            for f in np.unique(fold):
                rows = fold == f
                lex[rows] = Lexicon.fit(words, y, pages.offsets, ~text & ~rows).columns(words.take(rows))
            lexicon = Lexicon.fit(words, y, pages.offsets, ~text)
            lexicon = lexicon if len(lexicon.keys) else None  # (no HTML rows: text dumps alone)
            X = np.hstack([X, lex])
        else:
            X = _with_lexicon(X, lexicon, words)
        if text.all():  # (text dumps alone: their booster is one of all the rounds, as text boosters are)
            html_members = 1
        if init is None and not 1 <= html_members <= rounds:
            raise ValueError(f"html_members must be 1 to rounds ({rounds}), not {html_members}")
        if init is None and text_members < 1:
            raise ValueError(f"text_members must be at least 1, not {text_members}")
        def stage_fits(f: np.ndarray) -> int:  # boosters a context stage fits: one per fold, then its own
            return len(f) + 1 if len(f) > 1 else 0

        total = 2 * (len(init.html) + len(init.text)) if init is not None \
            else (text_members if split else 0) * (1 + stage_fits(text_folds)) \
            + html_members * (1 + stage_fits(folds))
        done = 0

        def step() -> None:
            nonlocal done
            done += 1
            if progress:
                progress(min(done, total), total)

        if progress:
            progress(0, total)
        html_fit: list[Member] = []
        text_fit: list[Member] = []
        if init is not None:
            for kind, rows, pairs, out in [(text, text, init.text, text_fit),
                                           (~text, ~text if init.text else None, init.html, html_fit)]:
                for booster, context in pairs:
                    booster = _train_more(booster, X, y, weight, rows, params, rounds)
                    step()
                    if context is not None and pages is not None:
                        first = np.zeros(len(X))
                        if kind.any():
                            first[kind] = booster.predict(X[kind])
                        context = _train_more(context, _stacked(X, first, pages), y, weight, kind, params, rounds,
                                              names=STACKED_NAMES)
                    out.append(Member(booster, context))
                    step()
        else:
            # (the main booster then scores HTML rows only: it is fit on them alone)
            for m in range(text_members if split else 0):
                own = _member_params(params, m, text_members)
                booster = _train(X[text], y[text], None if weight is None else weight[text], own, rounds)
                step()
                text_fit.append(Member(booster, _context_stage(X, y, weight, text, fold, text_folds, pages, own,
                                                               rounds, step)))
            for m in range(html_members):
                own, share = _member_params(params, m, html_members), rounds // html_members
                booster = _train(X[html], y[html], None if weight is None else weight[html], own, share)
                step()
                html_fit.append(Member(booster, _context_stage(X, y, weight, html, fold, folds, pages, own, share,
                                                               step)))
        if progress:
            progress(total, total)
        card = {"format": CARD_FORMAT, "feature_names": list(MODEL_NAMES),
                "lightgbm_version": lgb.__version__, "params": params, "rounds": rounds,
                "html_members": len(html_fit), "text_members": len(text_fit),
                "threshold": 0.5, "text_model": bool(text_fit),
                "context_model": html_fit[0].context is not None,
                "text_context_model": bool(text_fit) and text_fit[0].context is not None}
        if card["context_model"] or card["text_context_model"]:
            card["context_feature_names"] = list(CONTEXT_NAMES)
        card["lexicon_words"] = 0 if lexicon is None else len(lexicon.keys)
        return cls(html_fit, card, text=text_fit, lexicon=lexicon)

    def predict_proba(self, X: np.ndarray, offsets: np.ndarray | None = None,
                      groups: np.ndarray | None = None, words: Words | None = None) -> np.ndarray:
        """Probability of content for each row of X. A model with a context stage needs the page
        boundaries (`offsets`; None: X is one page) and group ids of features.Batch; one with a lexicon
        the rows' `words` (lexicon.words)."""
        return self.predict_stages(X, offsets, groups, words)[1]

    def predict_stages(self, X: np.ndarray, offsets: np.ndarray | None = None, groups: np.ndarray | None = None,
                       words: Words | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(first-stage scores, final scores) of the rows of X (the same without a context stage; rows
        under CONTEXT_GATE keep their first score); an HTML row's are the means over the HTML members."""
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.float64)
        if self.lexicon is not None and words is None:
            raise ValueError("this model has a lexicon: pass the rows' words (lexicon.words)")
        X = np.ascontiguousarray(_with_lexicon(X, self.lexicon, words), dtype=np.float32)
        text = text_rows(X) if self._text else np.zeros(len(X), dtype=bool)
        html = ~text
        if not text.all() and self._html[0][1] is not None and groups is None:
            raise ValueError("this model has a context stage: pass the offsets and groups of features.Batch")
        if groups is None:  # (text dumps have no groups: all zero)
            groups = np.zeros((len(X), len(GROUPS)), dtype=np.int32)
        pages = PageRows(np.array([0, len(X)]) if offsets is None else offsets, groups, None)
        first = np.zeros(len(X), dtype=np.float64)
        final = np.zeros(len(X), dtype=np.float64)
        for rows, kind_members in ((text, self._text), (html, self._html)):
            if rows.any():  # each member's two stages; their scores averaged
                own, X_rows = np.zeros(len(X), dtype=np.float64), X if rows.all() else np.ascontiguousarray(X[rows])
                for forest, context in kind_members:
                    own[rows] = forest.predict(X_rows)
                    first[rows] += own[rows] / len(kind_members)
                    final[rows] += self._final(X, own, pages, rows, context) / len(kind_members)
        return first, final

    @staticmethod
    def _final(X: np.ndarray, first: np.ndarray, pages: PageRows, rows: np.ndarray,
               context: Forest | None) -> np.ndarray:
        """The final scores of the chosen `rows` of one kind: their context stage's, for the rows at or above
        CONTEXT_GATE; the first stage's otherwise, or without a context stage."""
        final = first[rows]  # (a copy: boolean indexing)
        if context is not None:
            gated = rows & (first >= CONTEXT_GATE)
            if gated.any():
                final[gated[rows]] = context.predict(_stacked(X, first, pages, gated))
        return final

    def keep(self, scores: np.ndarray, threshold: float | None = None, first: np.ndarray | None = None,
             X: np.ndarray | None = None) -> np.ndarray:
        """Which blocks of one page are content, from their scores (keep.keep_blocks, capped at this model's
        threshold)."""
        return keep_blocks(scores, self.threshold, threshold, first, X)

    def save(self, path: str | Path, **card_extra: Any) -> None:
        """Write the model and its card atomically (modelfile.save)."""
        from .modelfile import save

        save(self, path, **card_extra)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Model:
        """Load a model and check its card and trees (modelfile.load); None: the shipped model."""
        from .modelfile import load

        return load(path)


def _compile(members: list[Member]) -> Compiled:
    """Each member's boosters as compiled forests."""
    return [(Forest(first.model_to_string()), None if context is None else Forest(context.model_to_string()))
            for first, context in members]


def _with_lexicon(X: np.ndarray, lexicon: Lexicon | None, words: Words | None) -> np.ndarray:
    """X (FEATURE_NAMES columns) with the MODEL_NAMES lexicon columns after them: NaN without a lexicon."""
    if lexicon is None or words is None:
        lex = np.full((len(X), len(LEXICON_NAMES)), np.nan, dtype=np.float32)
    else:
        if len(words.starts) - 1 != len(X):
            raise ValueError(f"words of {len(words.starts) - 1} blocks for {len(X)} feature rows")
        lex = lexicon.columns(words)
    return np.hstack([X, lex])


def _train(X: np.ndarray, y: np.ndarray, weight: np.ndarray | None, params: dict[str, Any],
           rounds: int, names: tuple[str, ...] = MODEL_NAMES, init: lgb.Booster | None = None) -> lgb.Booster:
    """A booster fit on these rows (`rounds` trees), or `init` trained `rounds` trees further."""
    data = lgb.Dataset(X, label=y, weight=weight, feature_name=list(names),
                       categorical_feature=list(CATEGORICAL), free_raw_data=True, params={"verbose": -1})
    return lgb.train(params, data, num_boost_round=rounds, init_model=init, keep_training_booster=init is not None)


def _train_more(booster: lgb.Booster, X: np.ndarray, y: np.ndarray, weight: np.ndarray | None,
                rows: np.ndarray | None, params: dict[str, Any], rounds: int,
                names: tuple[str, ...] = MODEL_NAMES) -> lgb.Booster:
    """`booster` trained `rounds` more trees on the given rows (None: all), or itself if these rows do
    not hold both classes."""
    if rows is not None:
        X, y, weight = X[rows], y[rows], None if weight is None else weight[rows]
    if len(np.unique(y)) < 2:
        return booster
    return _train(X, y, weight, params, rounds, names, init=booster)


def _stacked(X: np.ndarray, first: np.ndarray, pages: PageRows, rows: np.ndarray | None = None) -> np.ndarray:
    """The context stage's rows (all, or the chosen `rows`): the block features, then the context of the
    first-stage scores (computed from every row of the pages)."""
    context = context_features(first, X, pages.offsets, pages.groups)
    return np.hstack([X, context]) if rows is None else np.hstack([X[rows], context[rows]])


def _context_stage(X: np.ndarray, y: np.ndarray, weight: np.ndarray | None, rows: np.ndarray,
                   fold: np.ndarray | None, folds: np.ndarray, pages: PageRows | None, params: dict[str, Any],
                   rounds: int, step: Callable[[], None]) -> lgb.Booster | None:
    """The context booster of the chosen `rows` (one kind), fit on their out-of-fold first-stage scores;
    None with fewer than two `folds` (always so without `fold` and `pages`) or when a fold's complement
    lacks a class."""
    if len(folds) < 2 or fold is None or pages is None:
        return None
    first = _out_of_fold(X, y, weight, rows, fold, folds, params, rounds, step)
    if first is None:
        return None
    booster = _train(_stacked(X, first, pages, rows), y[rows], None if weight is None else weight[rows],
                     params, rounds, names=STACKED_NAMES)
    step()
    return booster


def _out_of_fold(X: np.ndarray, y: np.ndarray, weight: np.ndarray | None, rows: np.ndarray, fold: np.ndarray,
                 folds: np.ndarray, params: dict[str, Any], rounds: int,
                 step: Callable[[], None]) -> np.ndarray | None:
    """First-stage scores of the chosen `rows` (one kind: HTML or text dumps), each by a booster fit on the
    rows of the other `folds` (each row's fold in `fold`); None when a fold's complement lacks a class."""
    first = np.zeros(len(X))
    for f in folds:
        fit, score = rows & (fold != f), rows & (fold == f)
        if len(np.unique(y[fit])) < 2:
            return None
        booster = _train(X[fit], y[fit], None if weight is None else weight[fit], params, rounds)
        first[score] = booster.predict(X[score])
        step()
    return first


def _member_params(params: dict[str, Any], m: int, count: int) -> dict[str, Any]:
    """The LightGBM parameters of member m of `count` (its own seeds; `params` itself for a lone member)."""
    if count == 1:
        return params
    seed = params["seed"] + m * MEMBER_SEED_STEP
    return {**params, "seed": seed, "feature_fraction_seed": seed, "bagging_seed": seed, "data_random_seed": seed}
