"""The model file: a LightGBM text model per booster, one after the other behind marks, then the lexicon
(`NAME.txt`), and its card (`NAME.json`: feature list, LightGBM version, training data, cross-validated
scores, the model's sha256). Loading checks the card against this version's features and every tree
before LightGBM reads it, so that a model trained on other features, or damaged, fails at load time
with a ModelError, not later or with an abort.
"""

from __future__ import annotations

import glob
import hashlib
import json
from pathlib import Path
from typing import Any

import lightgbm as lgb

from ._forest import Forest
from .context import CONTEXT_NAMES, STACKED_NAMES
from .errors import ModelError
from .files import atomic_write
from .lexicon import Lexicon
from .model import CARD_FORMAT, DEFAULT_MODEL, MODEL_NAMES, Member, Model

TEXT_MODEL_MARK = "\n# boilerplate: the booster for text-dump rows follows\n"
CONTEXT_MODEL_MARK = "\n# boilerplate: the context booster for HTML rows follows\n"
TEXT_CONTEXT_MODEL_MARK = "\n# boilerplate: the context booster for text-dump rows follows\n"
MEMBER_MARK = "\n# boilerplate: a further HTML member (booster, then its context booster) follows\n"
TEXT_MEMBER_MARK = "\n# boilerplate: a further text-dump member (booster, then its context booster) follows\n"
LEXICON_MARK = "\n# boilerplate: the lexicon follows\n"
PART_MARKS = ("", TEXT_MODEL_MARK, CONTEXT_MODEL_MARK, TEXT_CONTEXT_MODEL_MARK)  # before each booster of
# the first members in the model file: the HTML member's first stage, the text-dump member's, the HTML
# context stage, the text-dump one (a missing booster leaves its mark out); further HTML members follow,
# each after MEMBER_MARK (its context booster after CONTEXT_MODEL_MARK), then further text-dump members,
# each after TEXT_MEMBER_MARK (its context booster after TEXT_CONTEXT_MODEL_MARK), then the lexicon


def save(model: Model, path: str | Path, **card_extra: Any) -> None:
    """Write the model (`path`: its boosters behind their marks, then the lexicon) and its card (`path`
    with .json) atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.card.update(card_extra)
    html, dumps = model.html[0], model.text[0] if model.text else None
    firsts = (html.first, dumps and dumps.first, html.context, dumps and dumps.context)
    text = "".join(mark + b.model_to_string() for mark, b in zip(PART_MARKS, firsts) if b is not None)
    for members, mark, context_mark in ((model.html[1:], MEMBER_MARK, CONTEXT_MODEL_MARK),
                                        (model.text[1:], TEXT_MEMBER_MARK, TEXT_CONTEXT_MODEL_MARK)):
        for booster, context in members:
            text += mark + booster.model_to_string()
            text += context_mark + context.model_to_string() if context is not None else ""
    if model.lexicon is not None:
        text += LEXICON_MARK + model.lexicon.to_text()
    model.card["model_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    atomic_write(path, text)
    atomic_write(card_path(path), json.dumps(model.card, indent=2, ensure_ascii=False) + "\n")


def load(path: str | Path | None = None) -> Model:
    """Load a model and check its card; ModelError names the file and what is wrong."""
    path = Path(path) if path is not None else DEFAULT_MODEL
    if path.suffix.lower() == ".json":  # (the card given: the model is the file of its name beside it)
        path = next((p for p in sorted(path.parent.glob(f"{glob.escape(path.stem)}.*"))
                     if p.suffix.lower() != ".json"), path.with_suffix(".txt"))
    card_file = card_path(path)
    pair = f"a model is two files, {path.name} and {card_file.name}, kept side by side: copy both"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(f"{path}: model file not found ({pair})") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ModelError(f"{path}: cannot read model file: {e}") from None
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{card_file}: model card not found ({pair})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"{card_file}: model card is not valid JSON: {e}") from None
    if not isinstance(card, dict) or card.get("format") != CARD_FORMAT:
        raise ModelError(f"{card_file}: not a boilerplate model card of format {CARD_FORMAT}")
    digest = card.get("model_sha256")
    if digest is not None and hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
        raise ModelError(f"{path}: does not match its card {card_file.name} (changed or corrupt since it "
                         "was trained)")
    names = card.get("feature_names")
    if names != list(MODEL_NAMES):
        extra = sorted(set(names or []) - set(MODEL_NAMES))
        missing = sorted(set(MODEL_NAMES) - set(names or []))
        raise ModelError(f"{path}: trained with different features than this version computes "
                         f"(unknown: {extra[:5]}, missing: {missing[:5]}); retrain it")
    if (card.get("context_model") or card.get("text_context_model")) \
            and card.get("context_feature_names") != list(CONTEXT_NAMES):
        raise ModelError(f"{path}: its context stage reads different features than this version computes; "
                         "retrain it")
    text, _, lexicon_text = text.partition(LEXICON_MARK)
    if bool(lexicon_text) != bool(card.get("lexicon_words")):
        raise ModelError(f"{path}: its card says {card.get('lexicon_words') or 'no'} lexicon words, the file "
                         f"{'holds' if lexicon_text else 'holds no'} lexicon; the file is truncated or not "
                         "this card's")
    try:
        lexicon = Lexicon.from_text(lexicon_text) if lexicon_text else None
    except ValueError as e:
        raise ModelError(f"{path}: corrupt lexicon: {e}") from None
    text, text_further = _further_members(path, text, TEXT_MEMBER_MARK, TEXT_CONTEXT_MODEL_MARK, "text-dump",
                                          int(bool(card.get("text_model"))),
                                          card.get("text_members", 1 if card.get("text_model") else 0),
                                          bool(card.get("text_context_model")))
    text, further = _further_members(path, text, MEMBER_MARK, CONTEXT_MODEL_MARK, "HTML", 1,
                                     card.get("html_members", 1), bool(card.get("context_model")))
    text, _, text_context = text.partition(TEXT_CONTEXT_MODEL_MARK)
    first, _, context = text.partition(CONTEXT_MODEL_MARK)
    parts = first.split(TEXT_MODEL_MARK)
    expected = (1 + bool(card.get("text_model")), bool(card.get("context_model")),
                bool(card.get("text_context_model")))
    if (len(parts), bool(context), bool(text_context)) != expected or CONTEXT_MODEL_MARK in context \
            or TEXT_CONTEXT_MODEL_MARK in text_context:
        raise ModelError(f"{path}: holds {len(parts) + bool(context) + bool(text_context)} booster(s), its "
                         f"card says {sum(expected)}; the file is truncated or not this card's")
    kinds = ([(parts[0], context)] + [(member, stage) for member, _, stage in further],
             ([(parts[1], text_context)] if len(parts) > 1 else []) + [(m, s) for m, _, s in text_further])
    try:  # (the compiled evaluator's reading checks every tree, before LightGBM, which can abort
        # the process on a corrupt one, reads them)
        html_forests, text_forests = ([(Forest(first), Forest(stage) if stage else None) for first, stage in kind]
                                      for kind in kinds)
    except (ValueError, KeyError, IndexError) as e:
        raise ModelError(f"{path}: cannot read its trees: {e}") from None
    html, text_members = ([Member(_booster(path, first, MODEL_NAMES),
                                  _booster(path, stage, STACKED_NAMES) if stage else None) for first, stage in kind]
                          for kind in kinds)
    threshold = card.get("threshold", 0.5)
    if not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise ModelError(f"{card_file}: threshold must be a number in [0, 1]")
    return Model(html, card, float(threshold), text=text_members, lexicon=lexicon,
                 compiled=(html_forests, text_forests))


def _further_members(path: Path, text: str, mark: str, context_mark: str, kind: str, first: int, count: Any,
                     has_context: bool) -> tuple[str, list[tuple[str, str, str]]]:
    """The model file's text before its further members of one kind (each after `mark`), and each member's
    (booster, mark, context booster) texts; ModelError when their number (`first` in the main parts) or
    their context boosters disagree with the card (`count`, `has_context`)."""
    text, *further = text.split(mark)
    if len(further) + first != count:
        raise ModelError(f"{path}: holds {len(further) + first} {kind} member(s), its card says {count}; "
                         "the file is truncated or not this card's")
    members = [member.partition(context_mark) for member in further]
    if any(bool(stage) != has_context for _, _, stage in members):
        raise ModelError(f"{path}: a further {kind} member's context booster does not match its card")
    return text, members


def _booster(path: Path, text: str, names: tuple[str, ...]) -> lgb.Booster:
    """One LightGBM booster from its text, checked; ModelError names the file."""
    if "end of trees" not in text or "end of parameters" not in text:
        # (LightGBM can crash the process on a model cut short after its trees: check before parsing)
        raise ModelError(f"{path}: model file is truncated (no 'end of trees' / 'end of parameters' marker)")
    try:
        booster = lgb.Booster(model_str=text)
    except lgb.basic.LightGBMError as e:
        raise ModelError(f"{path}: corrupt LightGBM model: {str(e).strip()[:200]}") from None
    if booster.num_feature() != len(names) or booster.feature_name() != list(names):
        raise ModelError(f"{path}: the model's features do not match its card")
    return booster


def card_path(model_path: Path) -> Path:
    """Where a model's card lives: beside it, with the .json suffix."""
    return model_path.with_suffix(".json")
