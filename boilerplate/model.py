"""LightGBM content-vs-chrome classifier: fit, predict, save and load with a model card.

A model is two files: the LightGBM text model (`NAME.txt`) and its card (`NAME.json`) with the feature
list, LightGBM version, training data and cross-validated scores. Loading checks the card against this
version's FEATURE_NAMES so that a model trained on other features fails at load time, not later.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from .errors import ModelError
from .files import atomic_write
from .features import CATEGORICAL, FEATURE_NAMES

CARD_FORMAT = 1
DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.15,
    "num_leaves": 15,
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
DEFAULT_ROUNDS = 100
DEFAULT_MODEL = Path(__file__).parent / "models" / "default.txt"


class Model:
    """A trained classifier: `predict_proba(X)` gives each block's probability of being content."""

    def __init__(self, booster: lgb.Booster, card: dict[str, Any], threshold: float = 0.5) -> None:
        self.booster = booster
        self.card = card
        self.threshold = threshold

    @classmethod
    def fit(cls, X: np.ndarray, y: np.ndarray, *, params: dict[str, Any] | None = None,
            rounds: int = DEFAULT_ROUNDS, weight: np.ndarray | None = None) -> "Model":
        """Train on feature rows X (FEATURE_NAMES columns) and boolean content labels y; deterministic."""
        if X.shape[1] != len(FEATURE_NAMES):
            raise ValueError(f"X has {X.shape[1]} columns, expected {len(FEATURE_NAMES)}")
        if len(np.unique(y)) < 2:
            raise ValueError("training needs both content and chrome blocks")
        params = {**DEFAULT_PARAMS, **(params or {})}
        data = lgb.Dataset(X, label=np.asarray(y, dtype=np.float32), weight=weight,
                           feature_name=list(FEATURE_NAMES), categorical_feature=list(CATEGORICAL),
                           free_raw_data=True, params={"verbose": -1})
        booster = lgb.train(params, data, num_boost_round=rounds)
        card = {"format": CARD_FORMAT, "feature_names": list(FEATURE_NAMES),
                "lightgbm_version": lgb.__version__, "params": params, "rounds": rounds,
                "threshold": 0.5}
        return cls(booster, card)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Probability of content for each row of X."""
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        return self.booster.predict(X, num_threads=1)

    def save(self, path: str | Path, **card_extra: Any) -> None:
        """Write the model (`path`) and its card (`path` with .json) atomically."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.card.update(card_extra)
        atomic_write(path, self.booster.model_to_string())
        atomic_write(card_path(path), json.dumps(self.card, indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Model":
        """Load a model and check its card; ModelError names the file and what is wrong."""
        path = Path(path) if path is not None else DEFAULT_MODEL
        card_file = card_path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ModelError(f"{path}: model file not found") from None
        except (OSError, UnicodeDecodeError) as e:
            raise ModelError(f"{path}: cannot read model file: {e}") from None
        try:
            card = json.loads(card_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelError(f"{card_file}: model card not found (it must sit beside {path.name})") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ModelError(f"{card_file}: model card is not valid JSON: {e}") from None
        if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
            raise ModelError(f"{card_file}: not a boilerplate model card of format {CARD_FORMAT}")
        names = card.get("feature_names")
        if names != list(FEATURE_NAMES):
            extra = sorted(set(names or []) - set(FEATURE_NAMES))
            missing = sorted(set(FEATURE_NAMES) - set(names or []))
            raise ModelError(f"{path}: trained with different features than this version computes "
                             f"(unknown: {extra[:5]}, missing: {missing[:5]}); retrain it")
        if "end of trees" not in text:
            raise ModelError(f"{path}: model file is truncated (no 'end of trees' marker)")
        try:
            booster = lgb.Booster(model_str=text)
        except lgb.basic.LightGBMError as e:
            raise ModelError(f"{path}: corrupt LightGBM model: {str(e).strip()[:200]}") from None
        if booster.num_feature() != len(FEATURE_NAMES) or booster.feature_name() != list(FEATURE_NAMES):
            raise ModelError(f"{path}: the model's features do not match its card")
        threshold = card.get("threshold", 0.5)
        if not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
            raise ModelError(f"{card_file}: threshold must be a number in [0, 1]")
        return cls(booster, card, float(threshold))


def card_path(model_path: Path) -> Path:
    """Where a model's card lives: beside it, with the .json suffix."""
    return model_path.with_suffix(".json")
