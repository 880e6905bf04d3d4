"""The compiled hint-word matcher (_hints.pyx) against the regular expression its words stand for."""

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from boilerplate._hints import AD, HintWords
from boilerplate.segment import _HINT_WORDS, HINT_WORDS, HINTS

AD_PATTERN = r"(?:^|[-_ \d])ads?(?:$|[-_ \d])"
REFERENCE = re.compile("|".join(f"(?P<{name}>{'|'.join(AD_PATTERN if w is AD else re.escape(w) for w in words)})"
                                for name, words in HINT_WORDS.items() if words))


def reference_bits(attrs: str) -> int:
    """What the words mean: the groups of the leftmost matches of the alternation, read left to right."""
    return sum({1 << HINTS.index(m.lastgroup) for m in REFERENCE.finditer(attrs.lower())})


PIECES = ["ad", "ads", "AD", "s", "-", "_", " ", "\n", "7", "٣", "x", "a", "d", "İ", "nav", "head", "er", "head_",
          "line", "it", "display", "none", "news", "txt", "h1", "more", "foot", "side", "bar", "post", "cont", "ent"]


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
@example("ad")
@example("ads-nav")
@example("top-ad\n")
@example("header-ad2 sidebar")
@example("x-ads")
@example("loadsmore")
@example("newstxt news_txt line-it lineit display-none")
@example("İnav ٣ad٣")
def test_compiled_matcher_gives_the_expressions_bits(attrs):
    assert _HINT_WORDS.match(attrs) == reference_bits(attrs)


def test_matches_are_read_left_to_right_without_overlap():
    bit = {name: 1 << HINTS.index(name) for name in HINTS}
    assert _HINT_WORDS.match("Contact") == bit["footer"]  # footer's "contact" comes before content's "cont"
    assert _HINT_WORDS.match("top-ad") == bit["ad"]
    assert _HINT_WORDS.match("sidebar-post") == bit["related"] | bit["content"]
    assert _HINT_WORDS.match("load") == 0  # "ad" inside a word is not an ad
    assert _HINT_WORDS.match("") == 0


def test_words_must_be_lowercase_ascii():
    for bad in ("Nav", "ñav", ""):
        with pytest.raises(ValueError, match="lowercase ASCII"):
            HintWords([(bad, 1)])
    with pytest.raises(ValueError, match="AD appears twice"):
        HintWords([(AD, 1), (AD, 2)])
