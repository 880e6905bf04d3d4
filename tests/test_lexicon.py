import numpy as np
import pytest

from boilerplate._lexicon import block_words
from boilerplate.lexicon import MIN_PAGES, Lexicon, Words


def test_words_are_lowercased_letter_runs_and_cjk_bigrams():
    hashes, starts = block_words(["Share THIS, a 1 x", "share this", "版权所有", "分", "", "12 — 34"])
    assert starts.tolist() == [0, 2, 4, 7, 8, 8, 8]
    assert hashes[0:2].tolist() == hashes[2:4].tolist()  # case does not matter; one-letter words are dropped
    assert len(set(hashes[4:8].tolist())) == 4  # three bigrams and a lone character, all distinct


def test_take_gathers_the_words_of_chosen_blocks():
    bag = Words(*block_words(["one two", "", "three", "four five six"]))
    taken = bag.take(np.array([False, True, True, True]))
    assert taken.starts.tolist() == [0, 0, 1, 4]
    assert taken.hashes.tolist() == bag.hashes[2:].tolist()
    assert bag.take(np.array([3, 0])).hashes.tolist() == bag.hashes[[3, 4, 5, 0, 1]].tolist()


def test_fit_scores_common_words_by_the_pages_holding_them_and_drops_rare_ones():
    pages = MIN_PAGES + 2
    texts = [t for p in range(pages) for t in (f"reply uniq{chr(97 + p)}", "story told here")]
    bag = Words(*block_words(texts))
    y = np.tile([0.0, 1.0], pages)
    starts = np.arange(0, 2 * pages + 1, 2)
    lexicon = Lexicon.fit(bag, y, starts, np.ones(len(y), dtype=bool))
    cols = lexicon.columns(Words(*block_words(["reply", "story", "uniqa", "reply story"])))
    assert cols[0, 0] == pytest.approx(np.log(1 / (pages + 1)))
    assert cols[1, 0] == pytest.approx(np.log(pages + 1))
    assert np.isnan(cols[2]).all()  # held by one page only
    assert cols[3, 1] == pytest.approx(cols[0, 0]) and cols[3, 2] == pytest.approx(cols[1, 0])
    assert cols[3, 0] == pytest.approx(0.0, abs=1e-6)
    again = Lexicon.from_text(lexicon.to_text())
    assert np.array_equal(again.keys, lexicon.keys)
    np.testing.assert_allclose(again.values, lexicon.values, rtol=1e-5)
    without = Lexicon.fit(bag, y, starts, np.zeros(len(y), dtype=bool))
    assert len(without.keys) == 0 and np.isnan(without.columns(bag)).all()


@pytest.mark.parametrize("text", ["", "lexicon x\n", "lexicon 2\n5 0.1\n", "lexicon 2\n5 0.1\n3 0.2\n",
                                  "lexicon 1\n5 nan\n", "lexicon 1\nfive 0.1\n",
                                  "lexicon 1\n99999999999999999999 0.1\n"])
def test_corrupt_lexicon_text_is_refused(text):
    with pytest.raises(ValueError):
        Lexicon.from_text(text)
