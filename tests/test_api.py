from pathlib import Path

import pytest

import boilerplate
from boilerplate.labeled import load_labeled, page_path
from boilerplate.segment import segment


def test_classify_text_dump(seed_text):
    lines = boilerplate.classify(seed_text)
    assert lines[0].text == "快訊" and not lines[0].is_content
    assert all(0.0 <= line.score <= 1.0 for line in lines)
    assert all(line.is_content == (line.score >= 0.5) for line in lines)
    assert [line.line_no for line in lines][:3] == [1, 3, 5]


def test_extract_recovers_labeled_content(labeled_dir):
    from boilerplate.metrics import token_prf
    seen = boilerplate.load_model().card["cross_validation"]["labeled"]["per_page"]
    for a in load_labeled(labeled_dir):
        if a.name in seen:  # the shipped model was trained on these: near perfect (pages added since: not)
            page = page_path(labeled_dir / f"{a.name}.tsv").read_bytes()
            assert token_prf(boilerplate.extract(page), a.content_text).f1 > 0.97


def test_extract_html(article_html):
    text = boilerplate.extract(article_html)
    assert "白宮聲明指出" in text
    assert "首頁" not in text and "版權所有" not in text and "不應出現" not in text


def test_bytes_and_str_agree(article_html):
    assert boilerplate.extract(article_html.encode("utf-8")) == boilerplate.extract(article_html)


def test_extract_many_equals_extract(seed_text, article_html):
    pages = [seed_text, article_html, "", seed_text.encode("utf-8")]
    assert list(boilerplate.extract_many(pages, batch_size=3)) == [boilerplate.extract(p) for p in pages]


def test_extract_many_drops_what_a_site_repeats_on_its_other_pages(gazette_pages):
    pages = gazette_pages
    alone = list(boilerplate.extract_many(pages))
    assert all("Gazette is an independent" in text for text in alone)  # the model keeps it on each page
    binary = b"\x89PNG\r\n\x1a\n" + bytes(200)
    together = list(boilerplate.extract_many(pages[:2] + [binary] + pages[2:], sites=["ex"] * 5))
    assert isinstance(together[2], boilerplate.InputError)  # an unreadable page keeps its place
    assert [together[0], together[1], together[3], together[4]] == [
        "\n".join(line for line in text.splitlines() if "Gazette is" not in line) for text in alone]
    # three pages of the site in one batch are needed: batch_size 2 leaves every page as it was alone
    assert list(boilerplate.extract_many(pages, sites=["ex"] * 4, batch_size=2)) == alone
    assert list(boilerplate.extract_many(pages, sites=["ex", "ex", None, None])) == alone
    with pytest.raises(ValueError, match="one site"):
        list(boilerplate.extract_many(pages, sites=["ex"] * 3))


def test_empty_input_gives_empty_result():
    assert boilerplate.classify("") == []
    assert boilerplate.extract(b"   ") == ""


def test_invalid_input_raises_input_error():
    with pytest.raises(boilerplate.InputError):
        boilerplate.extract(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with pytest.raises(boilerplate.InputError):
        boilerplate.extract(None)  # type: ignore[arg-type]
    assert issubclass(boilerplate.InputError, ValueError)


def test_kind_override(seed_text):
    html_like = "<p>第一段很長的文字。</p>"
    assert boilerplate.classify(html_like, kind="text")[0].text == html_like


def test_load_model_default_is_cached():
    assert boilerplate.load_model() is boilerplate.load_model()


def test_an_extraction_extracted_again_comes_back_unchanged():
    page = Path(__file__).parent.parent / "docs" / "example.html"
    once = boilerplate.extract(page)
    assert len(once.splitlines()) > 3
    assert boilerplate.extract(once, kind="text") == once


def test_parse_blocks_takes_what_segment_gives():
    page = "<html><body><nav><a href='/'>Home</a></nav><h1>A title</h1>" \
           "<p>A first paragraph of the article, long enough to be content.</p></body></html>"
    blocks = segment(page, structure=True)
    assert isinstance(blocks, boilerplate.Blocks)
    assert boilerplate.parse_blocks([blocks])[0].text == boilerplate.parse(page).text
    assert [line.text for line in boilerplate.classify_blocks([blocks])[0]] == blocks.texts
