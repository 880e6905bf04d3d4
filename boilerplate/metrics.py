"""The token metric used everywhere (training reports, tests, bench).

Each CJK character (Han, kana, hangul) is one token; any other token is a maximal run of letters or
digits, casefolded. Precision and recall compare the bags of tokens of the extracted and gold texts.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

import numpy as np

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f" \
       "\U00020000-\U0003ffff"
TOKEN_RE = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[^\W_])+")  # one token: a CJK character or a word


class PRF(NamedTuple):
    """Precision, recall and F1 of one comparison."""

    precision: float
    recall: float
    f1: float


def tokens(text: str) -> list[str]:
    """The tokens of a text: single CJK characters and casefolded runs of other letters/digits."""
    return [t.casefold() for t in TOKEN_RE.findall(text)]


def token_prf(extracted: str, gold: str) -> PRF:
    """Bag-of-tokens precision, recall and F1 of `extracted` against `gold`.

    Both empty is a perfect score; otherwise an empty side scores 0 (nothing right was found, or
    something was extracted where nothing should be).
    """
    ext, ref = Counter(tokens(extracted)), Counter(tokens(gold))
    n_ext, n_ref = sum(ext.values()), sum(ref.values())
    if n_ext == 0 and n_ref == 0:
        return PRF(1.0, 1.0, 1.0)
    if n_ext == 0 or n_ref == 0:
        return PRF(0.0, 0.0, 0.0)
    overlap = sum((ext & ref).values())
    p, r = overlap / n_ext, overlap / n_ref
    return PRF(p, r, 2 * p * r / (p + r) if p + r else 0.0)


def line_prf(predicted: np.ndarray, truth: np.ndarray) -> PRF:
    """Precision, recall and F1 of the content class over per-line boolean predictions."""
    pred, true = np.asarray(predicted, dtype=bool), np.asarray(truth, dtype=bool)
    tp = int(np.sum(pred & true))
    n_pred, n_true = int(pred.sum()), int(true.sum())
    p = tp / n_pred if n_pred else float(n_true == 0)
    r = tp / n_true if n_true else float(n_pred == 0)
    return PRF(p, r, 2 * p * r / (p + r) if p + r else 0.0)
