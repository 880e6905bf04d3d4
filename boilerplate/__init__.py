"""boilerplate: separate a web page's content (title, body, captions) from its chrome.

    import boilerplate
    text = boilerplate.extract(html_or_text)              # content lines joined by "\\n"
    for line in boilerplate.classify(page):                # every line with its score
        print(line.is_content, round(line.score, 2), line.text)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Iterable


from .decode import decode
from .errors import InputError, LabelError, ModelError
from .features import batch_features
from .model import Model
from .segment import Blocks, Kind, segment

try:
    __version__ = version("boilerplate")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__", "Line", "InputError", "ModelError", "LabelError", "Model", "classify", "classify_blocks",
           "extract", "extract_many", "load_model"]


@dataclass(frozen=True)
class Line:
    """One block of the page: its text, whether it is content, and the model's probability of content."""

    text: str
    is_content: bool
    score: float
    line_no: int


def load_model(path: str | Path | None = None) -> Model:
    """Load a model file (and its card beside it); None gives the shipped default model."""
    return Model.load(path) if path is not None else _default_model()


@lru_cache(maxsize=1)
def _default_model() -> Model:
    return Model.load(None)


def _blocks(page: str | bytes, kind: Kind) -> Blocks:
    return segment(decode(page), kind=kind)  # decode refuses anything but str/bytes with InputError


def classify_blocks(pages: list[Blocks], model: Model | None = None) -> list[list[Line]]:
    """The lines of already segmented pages, predicted in one model call (the batch entry point)."""
    model = model or _default_model()
    X, offsets = batch_features(pages)
    scores = model.predict_proba(X)
    out = []
    for i, blocks in enumerate(pages):
        s = scores[offsets[i]:offsets[i + 1]]
        keep = model.keep(s)
        out.append([Line(t, bool(k), float(p), int(n))
                    for t, k, p, n in zip(blocks.texts, keep, s, blocks.line_no)])
    return out


def classify(page: str | bytes, *, model: Model | None = None, kind: Kind = "auto") -> list[Line]:
    """Every line/block of the page with its content probability; `kind` forces "text" or "html"."""
    return classify_blocks([_blocks(page, kind)], model)[0]


def extract(page: str | bytes, *, model: Model | None = None, kind: Kind = "auto") -> str:
    """The page's content lines joined by newlines ("" when nothing is content)."""
    return "\n".join(line.text for line in classify(page, model=model, kind=kind) if line.is_content)


def extract_many(pages: Iterable[str | bytes], *, model: Model | None = None, kind: Kind = "auto",
                 batch_size: int = 256) -> list[str]:
    """`extract` over many pages, predicting a batch of pages in one model call (faster)."""
    results: list[str] = []
    batch: list[Blocks] = []

    def run() -> None:
        for lines in classify_blocks(batch, model):
            results.append("\n".join(line.text for line in lines if line.is_content))
        batch.clear()

    for page in pages:
        batch.append(_blocks(page, kind))
        if len(batch) >= batch_size:
            run()
    if batch:
        run()
    return results


