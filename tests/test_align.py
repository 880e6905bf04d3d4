import gzip
import json

import pytest

from boilerplate.align import align, oracle_f1
from boilerplate.corpora import corpus_paths, layout, read_corpus
from boilerplate.errors import CorpusError
from boilerplate.segment import segment_html, segment_text


def test_align_marks_blocks_found_in_clean_text():
    page = segment_text("首頁 國際 財經\n美國與澳洲簽署協議\n兩國將共同開採稀土礦產。\n相關新聞\n版權所有")
    clean = "美國與澳洲簽署協議\n兩國將共同開採稀土礦產。"
    assert align(page, clean).tolist() == [False, True, True, False, False]


def test_align_claims_clean_text_once():
    page = segment_text("圖說：總統與總理握手。\n正文第一段的內容。\n圖說：總統與總理握手。")
    assert align(page, "圖說：總統與總理握手。\n正文第一段的內容。").tolist() == [True, True, False]


def test_align_tolerates_small_differences_and_latin():
    page = segment_html("<p>The quick brown fox jumps over the lazy dog today.</p><p>Share on Twitter</p>")
    clean = "The quick brown fox jumped over the lazy dog today."
    assert align(page, clean).tolist() == [True, False]


def test_align_ignores_menu_words_and_out_of_order_repeats():
    page = segment_html("<ul><li>About</li><li>Sports</li></ul>"
                        "<blockquote>a slow ferry crossed the grey bay before dawn</blockquote>"
                        "<p>About forty people waited on the pier in the cold morning air.</p>"
                        "<p>Sports</p>"
                        "<p>Then a slow ferry crossed the grey bay before dawn and everyone cheered.</p>"
                        "<ul><li>Sports</li><li>About</li></ul>")
    clean = ("About forty people waited on the pier in the cold morning air.\nSports\n"
             "Then a slow ferry crossed the grey bay before dawn and everyone cheered.")
    # menu words found in the article, and a pull quote placed before its paragraph, are not content
    assert align(page, clean).tolist() == [False, False, False, True, True, True, False, False]


def test_oracle_is_perfect_when_blocks_match():
    page = segment_text("選單\n正文一。\n正文二。")
    assert oracle_f1(page, "正文一。正文二。") == pytest.approx(1.0)


def test_corpus_layouts(tmp_path):
    a = tmp_path / "a"
    (a / "original").mkdir(parents=True)
    (a / "cleaned").mkdir()
    (a / "original" / "p1.html").write_bytes("<p>中文</p>".encode("gbk"))
    (a / "cleaned" / "p1.txt").write_text("中文", encoding="utf-8")
    (a / "original" / "p2.html").write_bytes(b"<p>no gold</p>")
    pages = list(read_corpus(a))
    assert [(p.id, p.clean) for p in pages] == [("p1", "中文")] and layout(a) == "cleaned"

    b = tmp_path / "b"
    (b / "html").mkdir(parents=True)
    (b / "html" / "x.html.gz").write_bytes(gzip.compress(b"<p>Body</p>"))
    (b / "ground-truth.json").write_text(json.dumps(
        {"x": {"articleBody": "Body", "url": "https://www.example.com/a"}, "y": {"articleBody": "gone"}}))
    pages = list(read_corpus(b))
    assert [(p.id, p.html, p.clean, p.site) for p in pages] == [("x", b"<p>Body</p>", "Body", "example.com")]

    with pytest.raises(CorpusError, match="not a corpus"):
        list(read_corpus(tmp_path))


def test_corpus_paths_from_environment(monkeypatch):
    monkeypatch.setenv("BOILERPLATE_CORPORA", "/x/a /x/b")
    assert [p.name for p in corpus_paths()] == ["a", "b"]
    assert [p.name for p in corpus_paths(["/y/c"])] == ["c"]
    monkeypatch.delenv("BOILERPLATE_CORPORA")
    assert corpus_paths() == []


def test_align_short_blocks_take_the_heaviest_chain_not_the_first_match():
    # "Deals" and "Video Games" in the menu also occur in the gold, late or inside other lines; matching
    # each block at its first place after the previous one would push the real list out of reach
    page = segment_html("<ul><li>Deals</li><li>Video Games</li></ul><h2>Video Game Deals</h2>"
                        "<ul><li>Nintendo Switch</li><li>PlayStation 5</li><li>Xbox Series X</li></ul>"
                        "<h2>Browse by genre</h2><ul><li>Adventure</li><li>Racing</li></ul>")
    clean = ("Video Game Deals\nNintendo Switch\nPlayStation 5\nXbox Series X\nBrowse by genre\nAdventure\n"
             "Racing\nBrowse age-appropriate video games")
    assert align(page, clean).tolist() == [False, False, True, True, True, True, True, True, True]
