import numpy as np
import pytest

from boilerplate._lexicon import block_words, lexicon_columns
from boilerplate.lexicon import (
    LEXICON_NAMES,
    MIN_PAGES,
    Lexicon,
    text_words,
    words,
)
from boilerplate.segment import segment_html


def test_words_are_lowercased_letter_runs_and_cjk_bigrams():
    hashes, starts = block_words(["Share THIS, a 1 x", "share this", "版权所有", "分", "", "12 — 34"])
    assert starts.tolist() == [0, 2, 4, 7, 8, 8, 8]
    assert hashes[0:2].tolist() == hashes[2:4].tolist()  # case does not matter; one-letter words are dropped
    assert len(set(hashes[4:8].tolist())) == 4  # three bigrams and a lone character, all distinct


def test_take_gathers_the_words_of_chosen_blocks():
    bag = text_words(["one two", "", "three", "four five six"])
    taken = bag.take(np.array([False, True, True, True]))
    assert taken.starts.tolist() == [0, 0, 1, 4]
    assert taken.hashes.tolist() == bag.hashes[2:].tolist()
    assert bag.take(np.array([3, 0])).hashes.tolist() == bag.hashes[[3, 4, 5, 0, 1]].tolist()


def test_fit_scores_common_words_by_the_pages_holding_them_and_drops_rare_ones():
    pages = MIN_PAGES + 2
    texts = [t for p in range(pages) for t in (f"reply uniq{chr(97 + p)}", "story told here")]
    bag = text_words(texts)
    y = np.tile([0.0, 1.0], pages)
    starts = np.arange(0, 2 * pages + 1, 2)
    lexicon = Lexicon.fit(bag, y, starts, np.ones(len(y), dtype=bool))
    cols = lexicon.columns(text_words(["reply", "story", "uniqa", "reply story"]))
    assert np.isnan(cols[:, 3:]).all()  # no class/id tokens
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


PAGE = """<html><body><div class="entry-content post-1234" id="main"><p class="x">The story, told.</p>
<p>More of it.</p><div class="share-bar"><a href="#">Share</a></div></div>
<div class="sidebar widget"><a href="/">Most read</a></div></body></html>"""


def test_class_and_id_tokens_of_a_blocks_ancestors():
    blocks = segment_html(PAGE)
    bag = words([blocks, blocks])
    assert len(bag.starts) == len(bag.attr_starts) == 2 * len(blocks) + 1
    attrs = [bag.attr_hashes[bag.attr_starts[i]:bag.attr_starts[i + 1]].tolist() for i in range(len(blocks))]
    near = [bag.attr_hashes[bag.attr_near[i]:bag.attr_starts[i + 1]].tolist() for i in range(len(blocks))]
    # entry, content, entry-content, post, post-0, main ("x": one letter, dropped)
    assert len(attrs[0]) == 6 and attrs[0] == attrs[1] == near[0]
    assert attrs[2][:6] == attrs[0] and len(attrs[2]) == 9  # + share, bar, share-bar
    assert len(attrs[3]) == 2 and set(attrs[3]).isdisjoint(attrs[2])  # sidebar, widget
    # the second copy of the page: offsets shifted, the same tokens
    k = len(blocks)
    assert bag.attr_hashes[bag.attr_starts[k]:bag.attr_starts[k + 1]].tolist() == attrs[0]
    again = segment_html('<div class="Entry_Content post-77"><p>x y</p></div>')
    assert set(again.attr_hashes.tolist()) == {attrs[0][i] for i in (0, 1, 2, 3, 4)}  # case, "_", digits
    taken = bag.take(np.array([k + 2, 0]))
    assert taken.attr_hashes.tolist() == attrs[2] + attrs[0]
    assert (taken.attr_starts[1:] - taken.attr_near).tolist() == [len(near[2]), len(near[0])]


def test_token_caps_bound_deep_and_long_class_lists():
    many = " ".join(f"c{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(100))
    deep = "".join(f'<div class="d{chr(97 + i % 26)}{chr(97 + i // 26)}">' for i in range(200))
    blocks = segment_html(f'<div class="{many}"><p>x</p></div>{deep}<p>y</p>')
    assert np.diff(blocks.attr_starts).tolist() == [32, 48]  # ELEMENT_TOKENS, BLOCK_TOKENS


def test_attribute_values_count_the_share_of_content_under_a_token():
    """On every page, "story" is above three content blocks and one chrome block; "promo" above chrome."""
    page = segment_html('<div class="story"><p>one</p><p>two</p><p>three</p><p class="promo">buy</p></div>'
                        '<div class="promo"><p>sale</p></div>')
    pages = [page] * (MIN_PAGES + 1)
    bag = words(pages)
    y = np.tile([1.0, 1.0, 1.0, 0.0, 0.0], len(pages))
    starts = np.arange(0, 5 * len(pages) + 1, 5)
    lexicon = Lexicon.fit(bag, y, starts, np.ones(len(y), dtype=bool))
    cols = lexicon.columns(words([page]))
    n = len(pages)
    story, promo = np.log((0.75 * n + 1) / (0.25 * n + 1)), np.log(1 / (n + 1))
    assert cols[0, 3] == pytest.approx(story) and cols[4, 3] == pytest.approx(promo)
    assert cols[3, 4] == pytest.approx(promo) and cols[3, 5] == pytest.approx(story)  # min and max
    assert cols.shape == (5, len(LEXICON_NAMES))
    few = Lexicon.fit(bag, y, starts, np.arange(len(y)) < 5 * (MIN_PAGES - 1))
    assert np.isnan(few.columns(words([page]))[:, 3:]).all()  # held by too few pages


def test_fill_refuses_mismatched_block_bounds():
    lexicon = Lexicon(np.array([5], dtype=np.int64), np.array([1.0]))
    hashes, lo = np.array([5, 5], dtype=np.int64), np.array([0, 1], dtype=np.int64)
    with pytest.raises(ValueError, match="hi must hold 2 ends"):
        lexicon_columns(hashes, lo, np.array([1], dtype=np.int64), *lexicon._table, np.empty((2, 3), dtype=np.float32))
    out = np.empty((2, 3), dtype=np.float32)
    lexicon_columns(hashes, lo, np.array([1, 2], dtype=np.int64), *lexicon._table, out)
    assert out.tolist() == [[1.0, 1.0, 1.0]] * 2
