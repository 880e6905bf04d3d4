import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from boilerplate import extract
from boilerplate.context import STACKED_NAMES
from boilerplate.corpora import ENV_VAR, CorpusPage, corpus_paths
from boilerplate.errors import ModelError
from boilerplate.features import FEATURE_NAMES
from boilerplate.keep import FALLBACK_SCORE, page_threshold
from boilerplate.labeled import load_labeled
from boilerplate.lexicon import Words, text_words, words
from boilerplate.model import (
    CONTEXT_GATE,
    DEFAULT_MODEL,
    MODEL_NAMES,
    Model,
    PageRows,
)
from boilerplate.modelfile import (
    CONTEXT_MODEL_MARK,
    LEXICON_MARK,
    MEMBER_MARK,
    TEXT_CONTEXT_MODEL_MARK,
    TEXT_MEMBER_MARK,
    TEXT_MODEL_MARK,
    card_path,
)
from boilerplate.train import TrainingSet, cross_validate, site_fold, train


@pytest.fixture(scope="module")
def training_set():
    data = TrainingSet()
    data.add_articles(load_labeled("labeled"), source="labeled")
    return data


def test_training_is_deterministic(training_set, tmp_path):
    train(training_set, tmp_path / "a.txt", cv=False)
    train(training_set, tmp_path / "b.txt", cv=False)
    assert (tmp_path / "a.txt").read_text() == (tmp_path / "b.txt").read_text()


def test_shipped_model_is_reproduced_with_its_card_scores(tmp_path):
    """Retrain from the card's sources: same cross-validated scores, and (same LightGBM) the same file."""
    shipped = json.loads(card_path(DEFAULT_MODEL).read_text())
    corpora = {p.name: p for p in corpus_paths()}
    needed = [name for name in shipped["training_data"] if name != "labeled"]
    if any(name not in corpora for name in needed):
        pytest.skip(f"the shipped model was trained on {needed}; set ${ENV_VAR} to their directories")
    data = TrainingSet()
    data.add_articles(load_labeled("labeled"), source="labeled")
    for name in needed:
        data.add_corpus_dir(corpora[name])
    card = train(data, tmp_path / "m.txt", rounds=shipped["rounds"])
    assert card["cross_validation"] == shipped["cross_validation"]
    assert card["training_data"] == shipped["training_data"]
    import lightgbm
    if lightgbm.__version__ == shipped["lightgbm_version"]:
        assert (tmp_path / "m.txt").read_text() == DEFAULT_MODEL.read_text()


def test_shipped_model_meets_the_seed_target():
    shipped = json.loads(card_path(DEFAULT_MODEL).read_text())
    assert shipped["cross_validation"]["labeled"]["token_f1"] >= 0.97


def test_card_lists_features_and_training_data():
    card = json.loads(card_path(DEFAULT_MODEL).read_text())
    assert card["feature_names"] == list(MODEL_NAMES)
    assert card["training_data"]["labeled"]["pages"] >= 5
    assert all(source["license"] for source in card["training_data"].values())
    assert "lightgbm_version" in card


def without_digest(path):
    """Drop the model's sha256 from its card: a damaged model then reaches the checks behind it."""
    card = json.loads(card_path(path).read_text(encoding="utf-8"))
    del card["model_sha256"]
    card_path(path).write_text(json.dumps(card), encoding="utf-8")


def copy_model(tmp_path, digest: bool = True):
    """The shipped model copied to tmp_path (without `digest`, its card without the model's sha256, so
    that a corrupt copy reaches the checks behind it)."""
    dst = tmp_path / "m.txt"
    shutil.copy(DEFAULT_MODEL, dst)
    shutil.copy(card_path(DEFAULT_MODEL), card_path(dst))
    if not digest:
        without_digest(dst)
    return dst


def test_load_roundtrip_predicts_like_the_original(tmp_path):
    m = Model.load(copy_model(tmp_path))
    X = np.random.default_rng(0).random((10, len(FEATURE_NAMES)), dtype=np.float32)
    groups = np.zeros((10, 3), dtype=np.int32)
    bag = Words(np.arange(20, dtype=np.int64), np.arange(0, 21, 2, dtype=np.int64), np.arange(30, dtype=np.int64),
                np.arange(0, 31, 3, dtype=np.int64), np.arange(1, 31, 3, dtype=np.int64))
    np.testing.assert_array_equal(m.predict_proba(X, None, groups, bag),
                                  Model.load().predict_proba(X, None, groups, bag))


def test_missing_model_and_card(tmp_path):
    with pytest.raises(ModelError, match="model file not found"):
        Model.load(tmp_path / "none.txt")
    path = copy_model(tmp_path)
    assert Model.load(card_path(path)).card == Model.load(path).card  # (either file names the model)
    card_path(path).unlink()
    with pytest.raises(ModelError, match=r"model card not found \(a model is two files, .*copy both"):
        Model.load(path)
    path.unlink()
    card_path(path).write_text("{}")
    with pytest.raises(ModelError, match=f"{path.stem}.txt: model file not found"):
        Model.load(card_path(path))


def test_truncated_and_corrupt_model(tmp_path):
    path = copy_model(tmp_path, digest=False)
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    with pytest.raises(ModelError, match="truncated"):
        Model.load(path)
    path.write_text(text[: text.index("end of parameters")])  # cut after the trees: LightGBM would crash
    with pytest.raises(ModelError, match="truncated"):
        Model.load(path)
    rest = text[text.index(TEXT_MODEL_MARK):] if TEXT_MODEL_MARK in text else ""  # keep the booster count
    path.write_text("garbage\nend of trees\nend of parameters\n" + rest)
    with pytest.raises(ModelError, match="cannot read its trees"):
        Model.load(path)


CORRUPTIONS = {  # what each does to the first tree's text; LightGBM's loader aborts the process on each
    "an array cut short": lambda t: re.sub(r"(internal_value=\S+) \S+", r"\1", t, count=1),
    "a number shortened": lambda t: re.sub(r"(leaf_value=-?\d\.\d)\d+", r"\1", t, count=1),
    "a child out of range": lambda t: re.sub(r"left_child=\S+", "left_child=99999", t, count=1),
}


def test_any_change_to_a_model_file_is_caught_by_its_card(tmp_path):
    path = copy_model(tmp_path)
    text = path.read_text()
    i = text.index("leaf_value=") + len("leaf_value=") + 5  # a digit of a leaf value: still a valid model
    path.write_text(text[:i] + ("1" if text[i] != "1" else "2") + text[i + 1:])
    with pytest.raises(ModelError, match="does not match its card m.json"):
        Model.load(path)


@pytest.mark.parametrize("what", CORRUPTIONS)
def test_a_corrupt_model_is_a_model_error_not_an_abort(tmp_path, what):
    """Loaded in a child process: an abort there (LightGBM's C++ loader) fails this test, not the suite."""
    for digest in (True, False):
        path = copy_model(tmp_path, digest=digest)
        path.write_text(CORRUPTIONS[what](path.read_text()))
        code = (f"import boilerplate\ntry:\n    boilerplate.load_model({str(path)!r})\n"
                f"except boilerplate.ModelError as e:\n    print(e)\n")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-500:]
        expected = "does not match its card" if digest else "cannot read its trees"
        assert done.stdout.startswith(str(path)) and expected in done.stdout, done.stdout


def test_model_from_other_feature_set(tmp_path):
    path = copy_model(tmp_path)
    card = json.loads(card_path(path).read_text())
    card["feature_names"] = card["feature_names"][:-1] + ["old_feature"]
    card_path(path).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="different features.*old_feature"):
        Model.load(path)
    card_path(path).write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        Model.load(path)


def test_cross_validation_uses_the_given_lightgbm_params(training_set):
    """A model that barely learns (learning rate 1e-9) scores far below the default: params reach the fit."""
    def mean_f1(scores):
        return float(np.mean([s.token[2] for s in scores]))

    assert mean_f1(cross_validate(training_set)) > 0.9
    assert mean_f1(cross_validate(training_set, params={"learning_rate": 1e-9})) < 0.7


def mixed_rows(n=400):
    """Feature rows half from text dumps (link_density NaN), half from HTML, labels learnable from n_chars."""
    rng = np.random.default_rng(1)
    X = rng.random((n, len(FEATURE_NAMES)), dtype=np.float32)
    X[: n // 2, FEATURE_NAMES.index("link_density")] = np.nan
    y = X[:, FEATURE_NAMES.index("n_chars")] > 0.5
    y[n // 2:] = ~y[n // 2:]  # HTML rows follow the opposite rule: one booster cannot serve both
    return X, y


def test_text_dump_rows_are_scored_by_a_booster_fit_on_them_alone():
    X, y = mixed_rows()
    mixed = Model.fit(X, y, text_members=1)
    text_only = Model.fit(X[:200], y[:200])
    assert mixed.card["text_model"] and not text_only.card["text_model"]
    np.testing.assert_array_equal(mixed.predict_proba(X[:200]), text_only.predict_proba(X[:200]))
    np.testing.assert_array_equal(mixed.predict_proba(X)[:200], text_only.predict_proba(X[:200]))
    assert ((mixed.predict_proba(X) >= 0.5) == y).mean() > 0.95
    # two text members: each of all the rounds and its own seeds, their scores averaged
    two = Model.fit(X, y)
    assert two.card["text_members"] == 2 and len(two.text) == 2
    assert [b.current_iteration() for b in (two.text[0].first, two.text[1:][0][0])] == [two.card["rounds"]] * 2
    no_lexicon = np.full((200, len(MODEL_NAMES) - len(FEATURE_NAMES)), np.nan, dtype=np.float32)
    lexed = np.hstack([X[:200], no_lexicon])
    np.testing.assert_allclose(two.predict_proba(X[:200]), np.mean(
        [two.text[0].first.predict(lexed, num_threads=1), two.text[1:][0][0].predict(lexed, num_threads=1)], axis=0))
    with pytest.raises(ValueError, match="text_members must be at least 1"):
        Model.fit(X, y, text_members=0)


def test_two_booster_model_roundtrip_and_damage(tmp_path):
    X, y = mixed_rows()
    path = tmp_path / "two.txt"
    Model.fit(X, y, html_members=1, text_members=1).save(path)
    np.testing.assert_array_equal(Model.load(path).predict_proba(X),
                                  Model.fit(X, y, html_members=1, text_members=1).predict_proba(X))
    text = path.read_text()
    without_digest(path)
    path.write_text(text[: text.index(TEXT_MODEL_MARK)])
    with pytest.raises(ModelError, match=r"holds 1 booster\(s\), its card says 2"):
        Model.load(path)
    path.write_text(text[: len(text) - 2000])
    with pytest.raises(ModelError, match="truncated"):
        Model.load(path)


def test_training_further_adds_trees_to_the_booster_of_the_rows_given(tmp_path):
    X, y = mixed_rows()
    base = Model.fit(X, y, rounds=20)
    html_only = Model.fit(X[200:], y[200:], init=base, rounds=5)
    # each of the two HTML members was fit with half the rounds, and each gets the rounds added
    assert [b.current_iteration() for b, _ in [(html_only.html[0].first, None)] + html_only.html[1:]] == [15, 15]
    assert [b.current_iteration() for b, _ in [(html_only.text[0].first, None)] + html_only.text[1:]] == [20, 20]
    # (no text rows: kept as they were)
    np.testing.assert_array_equal(html_only.predict_proba(X[:200]), base.predict_proba(X[:200]))
    html_only.save(tmp_path / "m.txt")
    np.testing.assert_array_equal(Model.load(tmp_path / "m.txt").predict_proba(X), html_only.predict_proba(X))
    flipped = Model.fit(X[200:], ~y[200:], init=base, rounds=50, params={"learning_rate": 0.5})
    # the added trees follow the new labels: most rows' decisions flip
    assert np.mean((flipped.predict_proba(X[200:]) >= 0.5) != (base.predict_proba(X[200:]) >= 0.5)) > 0.9


def paged(n_rows=400, size=20):
    """Pages of `size` rows over mixed_rows, alternating between two folds, each page one parent group."""
    offsets = np.arange(0, n_rows + 1, size)
    return PageRows(offsets, np.zeros((n_rows, 3), dtype=np.int32), np.arange(len(offsets) - 1) % 2)


def test_context_stage_is_fit_on_out_of_fold_scores_and_saved_with_the_model(tmp_path):
    X, y = mixed_rows()
    pages = paged()
    steps = []
    model = Model.fit(X, y, pages=pages, rounds=60, progress=lambda done, total: steps.append((done, total)))
    assert model.card["context_model"] and model.card["text_context_model"] and model.card["context_feature_names"]
    # for each of the two text members and each of the two HTML members a first stage, one out-of-fold booster
    # per fold and a context stage
    assert steps[0] == (0, 16) and steps[-1] == (16, 16) and steps == sorted(steps) and len(set(steps)) == 17
    assert Model.fit(X, y, pages=pages._replace(folds=np.zeros(20, dtype=int)), rounds=30).html[0].context is None
    with pytest.raises(ValueError, match="context stage"):
        model.predict_proba(X)
    scores = model.predict_proba(X, pages.offsets, pages.groups)
    assert ((scores >= 0.5) == y).mean() > 0.95
    # text-dump rows are first scored by the text booster; each kind's context stage changes its rows' scores
    no_lexicon = np.full((200, len(MODEL_NAMES) - len(FEATURE_NAMES)), np.nan, dtype=np.float32)
    first, final = model.predict_stages(X, pages.offsets, pages.groups)
    np.testing.assert_allclose(first[:200], np.mean([b.predict(np.hstack([X[:200], no_lexicon]), num_threads=1)
                                                     for b in (model.text[0].first, model.text[1:][0][0])], axis=0))
    assert np.array_equal(final, scores)
    assert not np.array_equal(final[200:], first[200:]) and not np.array_equal(final[:200], first[:200])
    # rows the first stage rules out keep its score (for HTML rows: ruled out by each member's first stage)
    lexed = np.hstack([X[200:], np.full((200, len(MODEL_NAMES) - len(FEATURE_NAMES)), np.nan, dtype=np.float32)])
    members = [model.html[0].first.predict(lexed, num_threads=1), model.html[1:][0][0].predict(lexed, num_threads=1)]
    np.testing.assert_allclose(first[200:], np.mean(members, axis=0))
    sure = np.concatenate([first[:200] < CONTEXT_GATE, np.max(members, axis=0) < CONTEXT_GATE])
    assert sure[200:].any() and sure[:200].any() and np.array_equal(final[sure], first[sure])
    # text dumps alone need no groups (they have none)
    np.testing.assert_array_equal(model.predict_proba(X[:200], pages.offsets[:11]), scores[:200])
    model.save(tmp_path / "m.txt")
    np.testing.assert_array_equal(Model.load(tmp_path / "m.txt").predict_proba(X, pages.offsets, pages.groups),
                                  scores)
    text = (tmp_path / "m.txt").read_text()
    without_digest(tmp_path / "m.txt")
    member = text.index(MEMBER_MARK)  # the second HTML member (its booster, then its context booster)
    text_member = text.index(TEXT_MEMBER_MARK)  # the second text-dump member, the same way
    lexicon = len(text)  # (this model has no lexicon part)
    for damaged, message in [
            (text[: text.index(CONTEXT_MODEL_MARK)] + text[member:], r"holds 2 booster\(s\), its card says 4"),
            (text[: text.index(TEXT_CONTEXT_MODEL_MARK)] + text[member:], r"holds 3 booster\(s\), its card says 4"),
            (text[:member] + text[text_member:], r"holds 1 HTML member\(s\), its card says 2"),
            (text[: text.rindex(CONTEXT_MODEL_MARK)] + text[text_member:], "HTML member's context booster does not"),
            (text[:text_member] + text[lexicon:], r"holds 1 text-dump member\(s\), its card says 2"),
            (text[: text.rindex(TEXT_CONTEXT_MODEL_MARK)] + text[lexicon:],
             "text-dump member's context booster does not match")]:
        (tmp_path / "m.txt").write_text(damaged)
        with pytest.raises(ModelError, match=message):
            Model.load(tmp_path / "m.txt")
    (tmp_path / "m.txt").write_text(text)
    card = json.loads(card_path(tmp_path / "m.txt").read_text())
    card_path(tmp_path / "m.txt").write_text(json.dumps({**card, "context_feature_names": ["s", "other"]}))
    with pytest.raises(ModelError, match="context stage reads different features"):
        Model.load(tmp_path / "m.txt")
    more = Model.fit(X, y, init=model, pages=pages, rounds=5)
    # each HTML member's two boosters had half the 60 rounds; every booster gets the 5 more
    assert more.html[0].context.current_iteration() == 35 and more.html[0].first.current_iteration() == 35
    assert more.html[1:][0][1].current_iteration() == 35 and more.text[0].context.current_iteration() == 65
    assert [b.current_iteration() for b in more.text[1:][0]] == [65, 65]


def _boosters_with_each_missing_type() -> list:
    """Boosters whose numerical nodes treat missing values as zero ("Zero") and as nothing ("None")."""
    import lightgbm as lgb

    X, y = mixed_rows()
    X[np.random.default_rng(3).random(X.shape) < 0.3] = 0.0
    y = X[:, 0] + X[:, 1] > 0.6
    out = []
    for params, missing_type in (({"zero_as_missing": True}, 1), ({"use_missing": False}, 0)):
        booster = lgb.train({"objective": "binary", "verbose": -1, "num_threads": 1, **params},
                            lgb.Dataset(X, y, feature_name=list(FEATURE_NAMES)), 20)
        kinds = [int(k) for line in booster.model_to_string().splitlines()
                 if line.startswith("decision_type=") for k in line.split("=")[1].split()]
        assert missing_type in {(k >> 2) & 3 for k in kinds if not k & 1}
        out.append(booster)
    return out


def test_compiled_trees_give_lightgbm_probabilities_bit_for_bit(labeled_dir):
    from boilerplate._forest import Forest
    from boilerplate.features import batch_features

    shipped = Model.load()
    pages = [a.blocks for a in load_labeled(labeled_dir)]
    X = batch_features(pages).X
    html_like = X.copy()
    html_like[:, FEATURE_NAMES.index("link_density")] = 0.0
    mixed, _ = mixed_rows()
    odd = np.zeros((6, len(FEATURE_NAMES)), dtype=np.float32)  # NaN, zeros, a denormal, negatives
    odd[0] = np.nan
    odd[2] = 1e-40
    odd[3] = -1.0
    odd[4, FEATURE_NAMES.index("tag")] = 40
    odd[5, FEATURE_NAMES.index("tag")] = np.nan
    stacked = np.random.default_rng(2).random((1000, len(STACKED_NAMES) - len(FEATURE_NAMES)), dtype=np.float32)
    boosters = (*(b for member in shipped.html + shipped.text for b in member),
                Model.fit(*mixed_rows()).html[0].first,
                *_boosters_with_each_missing_type())
    for booster in [b for b in boosters if b is not None]:
        forest = Forest(booster.model_to_string())
        for rows in (X, html_like, mixed, odd):
            if booster.num_feature() > len(FEATURE_NAMES):
                rows = np.hstack([rows, stacked[:len(rows), :booster.num_feature() - len(FEATURE_NAMES)]])
            rows = np.ascontiguousarray(rows, dtype=np.float32)
            assert np.array_equal(forest.predict(rows), booster.predict(rows, num_threads=1))
    lexed = np.hstack([X, shipped.lexicon.columns(words(pages))])
    text_members = [shipped.text[0].first] + [b for b, _ in shipped.text[1:]]
    assert len(text_members) == shipped.card["text_members"]
    expected = np.zeros(len(X))  # the first stage of a dump: the mean of its members' scores, summed as predicted
    for booster in text_members:
        expected += booster.predict(lexed, num_threads=1) / len(text_members)
    assert np.array_equal(shipped.predict_stages(X, words=words(pages))[0], expected)
    with pytest.raises(ValueError, match="columns"):
        Forest(shipped.html[0].first.model_to_string()).predict(np.zeros((2, 3), dtype=np.float32))


def test_keep_thresholds_and_falls_back_to_the_best_block():
    model = Model.load()
    assert model.keep(np.array([0.9, 0.2, 0.5])).tolist() == [True, False, True]
    # nothing reaches the threshold: the best block is kept if it is likely enough, else nothing
    assert model.keep(np.array([0.1, 0.45, 0.3])).tolist() == [False, True, False]
    assert model.keep(np.array([0.1, 0.2, 0.05])).tolist() == [False, False, False]
    assert model.keep(np.zeros(0)).tolist() == []
    # ... or if the first stage found it likely enough (a page of one short paragraph)
    assert model.keep(np.array([0.1, 0.2, 0.05]), first=np.array([0.1, 0.3, 0.9])).tolist() == [False, True, False]
    assert model.keep(np.array([0.1, 0.2]), first=np.array([0.1, 0.2])).tolist() == [False, False]


def page_rows(tokens, html=False):
    """Feature rows of a page's blocks with these token counts (a text dump's link_density is NaN)."""
    X = np.zeros((len(tokens), len(FEATURE_NAMES)), dtype=np.float32)
    X[:, FEATURE_NAMES.index("n_tokens")] = np.log1p(tokens)
    X[:, FEATURE_NAMES.index("link_density")] = 0.0 if html else np.nan
    return X


def test_a_page_of_one_block_keeps_it_unless_it_is_mostly_links():
    model = Model.load()
    low = np.array([0.05])  # (under every threshold and FALLBACK_SCORE)
    assert model.keep(low, X=page_rows([4], html=True)).tolist() == [True]
    assert model.keep(low, X=page_rows([4])).tolist() == [True]  # a one-line text dump
    links = page_rows([4], html=True)
    links[0, FEATURE_NAMES.index("link_density")] = 0.9
    assert model.keep(low, X=links).tolist() == [False]
    assert model.keep(np.array([0.05, 0.05]), X=page_rows([4, 4], html=True)).tolist() == [False, False]
    assert extract("<p>hello there, a page</p>") == "hello there, a page"


def test_keep_takes_a_text_dump_that_is_mostly_kept_as_clean_text():
    model = Model.load()
    scores = np.array([0.9, 0.05, 0.8])  # the middle line surely chrome (under CHROME_SCORE)
    assert model.keep(scores, X=page_rows([50, 1, 50])).tolist() == [True, True, True]  # kept: 99% of tokens
    assert model.keep(scores, X=page_rows([10, 10, 10])).tolist() == [True, False, True]  # chrome: a third
    assert model.keep(scores, X=page_rows([50, 1, 50], html=True)).tolist() == [True, False, True]  # HTML
    assert model.keep(scores).tolist() == [True, False, True]
    # kept lines hold two thirds of the tokens, but no line is surely chrome: a listing's extraction
    assert model.keep(np.array([0.9, 0.3, 0.8]), X=page_rows([10, 10, 10])).tolist() == [True, True, True]
    assert model.keep(np.array([0.9, 0.3, 0.05]), X=page_rows([10, 10, 1])).tolist() == [True, False, False]  # 5%
    assert model.keep(np.array([0.1, 0.2]), X=page_rows([1, 1])).tolist() == [False, False]


def test_a_page_gets_its_own_threshold_from_its_expected_f_beta():
    model = Model.load()
    # two sure short blocks, three long ones the model doubts alike (a listing's items): all five kept
    scores, n = np.array([0.9, 0.9, 0.4, 0.4, 0.4, 0.05]), [1, 1, 30, 30, 30, 10]
    assert page_threshold(scores, np.array(n, dtype=float), cap=0.5) == pytest.approx(0.4)
    assert model.keep(scores, X=page_rows(n, html=True)).tolist() == [True] * 5 + [False]
    # the model's threshold where given one, or without the page's rows
    assert model.keep(scores, 0.5, X=page_rows(n, html=True)).tolist() == [True, True] + [False] * 4
    assert model.keep(scores).tolist() == [True, True] + [False] * 4
    # a text dump too (its last line holding enough tokens that the dump is not taken as clean text)
    n_text = [1, 1, 30, 30, 30, 20]
    assert model.keep(scores, X=page_rows(n_text)).tolist() == [True] * 5 + [False]
    assert model.keep(scores, 0.5, X=page_rows(n_text)).tolist() == [True, True] + [False] * 4
    # the page's own threshold does not reach into a comment section
    rows = page_rows(n, html=True)
    rows[3:, FEATURE_NAMES.index("hint_comment")] = 1
    assert model.keep(scores, X=rows).tolist() == [True, True, True, False, False, False]
    # never above the model's threshold, never under FALLBACK_SCORE: a page of chrome keeps nothing
    assert page_threshold(np.array([0.95, 0.9, 0.3]), np.full(3, 50.0), cap=0.5) == 0.5
    assert page_threshold(np.array([0.2, 0.1]), np.full(2, 10.0), cap=0.5) == FALLBACK_SCORE
    assert model.keep(np.array([0.2, 0.1]), X=page_rows([10, 10], html=True)).tolist() == [False, False]
    assert page_threshold(np.zeros(0), np.zeros(0), cap=0.5) == 0.5


def test_sites_are_grouped_across_corpora_and_the_holdout_is_never_cross_validated(labeled_dir):
    data = TrainingSet()
    data.add_articles(load_labeled(labeled_dir), source="labeled")
    body = "<p>" + "The council approved the new budget after a long debate on Tuesday. " * 4 + "</p>"
    nav = "<div class='nav'><a>Home</a> <a>News</a></div>"
    page = f"<html><body>{nav}{body}<footer>(c)</footer></body></html>"
    clean = " ".join(["The council approved the new budget after a long debate on Tuesday."] * 4)
    for corpus in ("one", "two"):
        data.add_corpus([CorpusPage(corpus, f"{corpus}-{site}", page.encode(), clean, site)
                         for site in ("s0.com", "s1.com", "s18.com")])  # s18.com is a holdout site
    by_site = {}
    for name, fold, held in zip(data.names, data.folds, data.holdout):
        by_site.setdefault(name.split("-", 1)[-1], set()).add((fold, held))
    assert all(len(v) == 1 for v in by_site.values())  # one site: one fold, whichever corpus
    assert by_site["s18.com"] == {(site_fold("s18.com"), True)}
    cv = {s.name for s in cross_validate(data)}
    assert "one-s0.com" in cv and "two-s1.com" in cv and not {"one-s18.com", "two-s18.com"} & cv
    assert {s.name for s in cross_validate(data, holdout=True)} == {"one-s18.com", "two-s18.com"}


def test_corpus_pages_also_teach_text_dumps_in_the_same_fold():
    body = "The council approved the new budget after a long debate on Tuesday."
    nav = "<div class='nav'><a>Home</a> <a>News</a></div>"
    page = f"<html><body>{nav}<p>{body}</p><p>{body}</p></body></html>"
    data = TrainingSet()
    data.add_corpus([CorpusPage("c", "p", page.encode(), f"{body}\n{body}", "s0.com")])
    assert data.sources == {"c": 1}  # the derived dumps are not pages of a source
    assert data.page_sources == ["c", "dump:c", "clean:c"]
    html, dump, clean = data.pages
    assert not dump.is_html and dump.texts == html.texts and data.labels[1].tolist() == data.labels[0].tolist()
    assert data.labels[0].tolist() == [False, True, True]
    assert clean.texts == [body, body] and data.labels[2].all()
    assert len(set(data.folds)) == 1 and len(set(data.holdout)) == 1
    data = TrainingSet()
    data.add_corpus([CorpusPage("c", "p", page.encode(), body, "s0.com")], text_dumps=False)
    assert data.page_sources == ["c"]


def test_cross_validation_reports_whether_re_extraction_gives_the_extraction_back():
    data = TrainingSet()
    data.add_articles(load_labeled("labeled"), source="labeled")
    body = "The council approved the new budget after a long debate on Tuesday night in the city hall."
    for site in ("s0.com", "s1.com", "s2.com", "s3.com", "s4.com", "s5.com"):
        nav = "<div class='nav'><a>Home</a> <a>News</a></div>"
        page = f"<html><body>{nav}<p>{body}</p><p>{site}</p></body></html>"
        data.add_corpus([CorpusPage("c", site, page.encode(), body, site)])
    scores = cross_validate(data, rounds=5)
    html = [s for s in scores if s.source == "c"]
    assert html and all(isinstance(s.idempotent, bool) for s in html)
    assert all(s.idempotent is None for s in scores if s.source in ("dump:c", "clean:c"))  # text dumps: not


def test_lexicon_is_learned_out_of_fold_saved_and_required(tmp_path):
    """Pages of two folds whose chrome rows hold the word "reply": the lexicon marks it down, the training
    rows read a lexicon learned without their fold, and the model needs the words to score."""
    X, y = mixed_rows()
    X[:, FEATURE_NAMES.index("link_density")] = 0.0  # all HTML rows
    pages = paged()
    texts = ["reply now" if not label else f"story{i % 7} words" for i, label in enumerate(y)]
    bag = text_words(texts)
    model = Model.fit(X, y, pages=pages, words=bag, rounds=20)
    assert model.card["lexicon_words"] == len(model.lexicon.keys) > 0
    reply = model.lexicon.columns(text_words(["Reply", "nothing known here"]))
    assert reply[0, 0] < -2 and np.isnan(reply[1]).all()
    with pytest.raises(ValueError, match="words"):
        model.predict_proba(X, pages.offsets, pages.groups)
    with pytest.raises(ValueError, match="words of 5 blocks for 400"):
        model.predict_proba(X, pages.offsets, pages.groups, bag.take(np.arange(5)))
    scores = model.predict_proba(X, pages.offsets, pages.groups, bag)
    model.save(tmp_path / "m.txt")
    np.testing.assert_array_equal(Model.load(tmp_path / "m.txt").predict_proba(X, pages.offsets, pages.groups, bag),
                                  scores)
    text = (tmp_path / "m.txt").read_text()
    without_digest(tmp_path / "m.txt")
    head, _, lexicon = text.partition(LEXICON_MARK)
    (tmp_path / "m.txt").write_text(head + LEXICON_MARK + lexicon.replace(" ", " x", 3))
    with pytest.raises(ModelError, match="corrupt lexicon"):
        Model.load(tmp_path / "m.txt")
    (tmp_path / "m.txt").write_text(head)
    with pytest.raises(ModelError, match="lexicon"):
        Model.load(tmp_path / "m.txt")
