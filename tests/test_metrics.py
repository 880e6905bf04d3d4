import pytest

from boilerplate.metrics import line_prf, token_prf, tokens


def test_tokens_cjk_and_latin():
    assert tokens("美國 Trump說：AI-2025年！") == ["美", "國", "trump", "說", "ai", "2025", "年"]
    assert tokens("ＡＢＣ déjà_vu") == ["ａｂｃ", "déjà", "vu"]
    assert tokens("日本語のテキスト한국어") == list("日本語のテキスト한국어")


def test_token_prf_hand_computed():
    # extracted: 中 文 hello hello (4); gold: 中 文 字 hello (4); overlap: 中 文 hello = 3
    p, r, f = token_prf("中文 hello Hello", "中文字 hello")
    assert p == pytest.approx(3 / 4) and r == pytest.approx(3 / 4) and f == pytest.approx(3 / 4)
    p, r, f = token_prf("the cat", "the cat sat on the mat")
    assert (p, r) == (1.0, pytest.approx(2 / 6)) and f == pytest.approx(2 * (1 / 3) / (1 + 1 / 3))


def test_token_prf_empty_sides():
    assert token_prf("", "") == (1.0, 1.0, 1.0)
    assert token_prf("", "gold") == (0.0, 0.0, 0.0)
    assert token_prf("extra", "") == (0.0, 0.0, 0.0)


def test_line_prf():
    p, r, f = line_prf([True, True, False, False], [True, False, True, False])
    assert (p, r, f) == (0.5, 0.5, 0.5)
    assert line_prf([False, False], [False, False]) == (1.0, 1.0, 1.0)
