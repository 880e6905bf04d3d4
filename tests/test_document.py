"""Roles, the title and the output shapes (text, JSON, Markdown), on tiny made-up pages."""

import gzip
import json

import numpy as np
import pytest

import boilerplate
from boilerplate.document import build_document
from boilerplate.keep import site_repeats
from boilerplate.segment import segment, segment_text
from boilerplate.title import find_title

PAGE = ("<html><head><title>{title}</title>{meta}</head><body><nav><a href='/'>Home</a> <a href='/n'>News"
        "</a></nav><div class='menu'><a href='/x'>{h1}</a></div><article><h1>{h1}</h1>"
        "<p class='byline'>By Jane Doe</p><p>First paragraph of the story.</p><h2>Background</h2>"
        "<ul><li>a point</li></ul><figure><figcaption>The photo</figcaption></figure>"
        "<pre>x = 1</pre></article></body></html>")


def page(title="Storm hits coast - Daily Site", h1="Storm hits coast", meta=""):
    return segment(PAGE.format(title=title, h1=h1, meta=meta))


def test_title_is_the_h1_matching_the_title_tag_not_the_menu_link():
    blocks = page()
    title = find_title(blocks)
    assert title.text == "Storm hits coast"
    assert blocks.texts[title.block] == "Storm hits coast" and blocks.tag[title.block] == 7  # the <h1>


def test_title_falls_back_to_h1_then_meta_then_title_tag():
    assert find_title(page(title="Daily Site", h1="Unrelated heading")).text == "Unrelated heading"
    no_h1 = segment("<html><head><title>Only the tag</title><meta property='og:title' content='OG'>"
                    "</head><body><p>x</p></body></html>")
    assert find_title(no_h1) == ("OG", None)
    assert find_title(segment("<title>Only the tag</title><p>x</p>")) == ("Only the tag", None)
    assert find_title(segment("<p>no title at all</p>")) is None
    assert find_title(segment("a text dump\nwith lines", kind="text")) is None


def test_og_title_is_a_reference_too():
    meta = "<meta property='og:title' content='Storm hits coast'>"
    assert find_title(page(title="Daily Site", meta=meta)).text == "Storm hits coast"


@pytest.mark.parametrize("html, expected", [
    # words are casefolded: "ß" is "ss", so the h1 in capitals is the title
    ("<title>Straße news - Site</title><p>Other text here</p><h1>STRASSE News</h1>", "STRASSE News"),
    # accented and CJK words, mixed with ASCII ones and CJK punctuation
    ("<title>Café au lait | Blog</title><h1>Cafe au lait</h1><h2>café AU LAIT</h2>", "café AU LAIT"),
    ("<title>新闻 标题 - 网站</title><div>新闻标题吗</div><h1>新闻 标题！</h1>", "新闻 标题！"),
    ("<title>abc𠀀def (site)</title><p>ABC𠀀DEF</p>", "ABC𠀀DEF"),
    # "_" separates words; a block of other words is not the title
    ("<title>a_b c</title><p>zzz</p><p>A_B C</p>", "A_B C"),
    ("<title>Ⅻ chapter ²</title><p>Ⅻ CHAPTER ²</p>", "Ⅻ CHAPTER ²"),
])
def test_title_words_are_the_metrics_tokens_casefolded(html, expected):
    assert find_title(segment(html, kind="html")).text == expected


def test_title_character_classes_agree_with_the_token_rule():
    from boilerplate.metrics import TOKEN_RE
    from boilerplate.title import _classes

    classes = _classes()
    for c in range(0x80, 0x10000):
        ch = chr(c)
        if classes[c] == 1:  # a word by itself, unchanged by casefolding
            assert TOKEN_RE.fullmatch(ch) and ch.casefold() == ch and TOKEN_RE.findall(ch + ch) == [ch, ch]
        elif classes[c] == 2:  # no part of a word
            assert ch.casefold() == ch and not TOKEN_RE.search(ch)


def classified(blocks, content):
    scores = np.array([0.9 if i in content else 0.1 for i in range(len(blocks))])
    return build_document(blocks, scores, scores >= 0.5, "utf-8")


def test_roles_follow_tags_and_hints():
    blocks = page()
    doc = classified(blocks, content=set(range(2, len(blocks))))
    roles = {line.text: line.role for line in doc.lines}
    assert roles == {"Home News": "chrome", "Storm hits coast": "title", "By Jane Doe": "byline",
                     "First paragraph of the story.": "body", "Background": "subhead", "a point": "body",
                     "The photo": "caption", "x = 1": "body"}
    assert doc.title == "Storm hits coast" and doc.encoding == "utf-8"
    assert doc.text.splitlines()[0] == "Storm hits coast"
    assert "Storm hits coast" not in doc.body


def test_title_comes_first_even_when_the_model_drops_its_block():
    blocks = page()
    doc = classified(blocks, content={4})  # only the paragraph
    assert doc.text == "Storm hits coast\nFirst paragraph of the story."
    assert doc.body == "First paragraph of the story."


def test_a_headline_alone_is_the_text():
    doc = classified(page(), content=set())  # (a short notice: nothing but its headline)
    assert doc.title == "Storm hits coast" and doc.body == "" and doc.text == "Storm hits coast"
    assert doc.to_markdown() == "# Storm hits coast\n" and "<h1>Storm hits coast</h1>" in doc.to_html()
    no_headline = boilerplate.parse("<html><head><title>Port News</title></head><body><nav><a href='/'>Home</a>"
                                    "</nav></body></html>")
    assert no_headline.title == "Port News" and no_headline.text == "" and no_headline.to_markdown() == ""


def test_markdown_from_tags():
    doc = classified(page(), content=set(range(2, len(page()))))
    md = doc.to_markdown()
    assert md.startswith("# Storm hits coast\n\n")
    assert "\n\n## Background\n\n" in md and "\n\n- a point\n\n" in md
    assert "*The photo*" in md and "```\nx = 1\n```" in md
    assert md.count("Storm hits coast") == 1
    untitled = doc.to_markdown(include_title=False)
    assert untitled.startswith("By Jane Doe\n\n") and md.endswith(untitled)
    assert doc.to_dict(include_title=False)["text"] == doc.body


def test_markdown_escapes_text_that_would_read_as_markup():
    blocks = segment("<p># not a heading</p><p>- not an item</p>")
    doc = build_document(blocks, np.ones(2), np.ones(2, dtype=bool))
    assert doc.to_markdown() == "\\# not a heading\n\n\\- not an item\n"


def test_json_has_title_text_encoding_and_content_lines():
    doc = classified(page(), content={4})
    record = json.loads(doc.to_json())
    assert record["title"] == "Storm hits coast" and record["encoding"] == "utf-8"
    assert record["text"] == doc.text
    assert [(ln["role"], ln["content"]) for ln in record["lines"]] == [("title", False), ("body", True)]
    assert len(json.loads(doc.to_json(all_lines=True))["lines"]) == len(doc.lines)


def test_parse_reports_encoding_and_accepts_an_override():
    html = "<html><head><title>新聞</title></head><body><p>" + "中文內容的段落，說明發生了什麼事情。" * 5 + "</p></body></html>"
    data = html.encode("big5")
    assert boilerplate.parse(data).encoding == "big5hkscs"
    assert boilerplate.parse(html).encoding is None
    forced = boilerplate.parse(data, encoding="latin-1")
    assert forced.encoding == "iso8859-1" and "中文" not in forced.body
    with pytest.raises(boilerplate.InputError, match="unknown encoding"):
        boilerplate.parse(data, encoding="no-such-codec")


def test_paths_are_read_as_files_and_strings_as_text(tmp_path, article_html):
    path = tmp_path / "page.html"
    path.write_text(article_html, encoding="utf-8")
    assert boilerplate.extract(path) == boilerplate.extract(article_html)
    with pytest.raises(boilerplate.InputError, match=r"names a file.*pathlib\.Path"):
        boilerplate.extract(str(path))  # (a str is page text: one that only names a file is refused)
    with pytest.raises(boilerplate.InputError, match=r"is a URL.*boilerplate\.fetch"):
        boilerplate.extract("https://example.com/news")
    assert boilerplate.extract("page.html") == "page.html"  # (no such file: text, as documented)
    for many in (str(path), path, b"<p>x</p>"):
        with pytest.raises(TypeError, match="iterable of pages"):
            boilerplate.extract_many(many)
    model_file = boilerplate.model.DEFAULT_MODEL
    assert boilerplate.extract(path, model=model_file) == boilerplate.extract(path, model=str(model_file))
    with pytest.raises(boilerplate.ModelError, match="no-model.txt"):
        boilerplate.extract(path, model=tmp_path / "no-model.txt")
    gz = tmp_path / "page.html.gz"
    gz.write_bytes(gzip.compress(article_html.encode("utf-8")))
    assert boilerplate.extract(gz) == boilerplate.extract(article_html)
    with pytest.raises(boilerplate.InputError, match="missing.html"):
        boilerplate.extract(tmp_path / "missing.html")
    (tmp_path / "cut.html.gz").write_bytes(gzip.compress(b"<p>abc</p>" * 100)[:25])
    with pytest.raises(boilerplate.InputError, match="cut.html.gz"):
        boilerplate.extract(tmp_path / "cut.html.gz")


def test_extract_many_keeps_going_past_a_bad_page(article_html):
    results = list(boilerplate.extract_many([article_html, b"\x89PNG\r\n\x1a\n" + bytes(50), article_html],
                                            batch_size=2))
    assert results[0] == results[2] == boilerplate.extract(article_html)
    assert isinstance(results[1], boilerplate.InputError) and "binary" in str(results[1])
    docs = list(boilerplate.parse_many([b"\x89PNG\r\n\x1a\n" + bytes(50), article_html]))
    assert docs[0].error and docs[0].lines == [] and docs[1].error is None


def test_extract_many_is_lazy():
    def pages():
        yield "<p>one</p>"
        raise RuntimeError("read too far")
    assert isinstance(next(iter(boilerplate.extract_many(pages(), batch_size=1))), str)


def test_threshold_and_include_title(article_html):
    everything = boilerplate.parse(article_html, threshold=0.0)
    assert all(line.is_content for line in everything.lines)
    strict = boilerplate.parse(article_html, threshold=0.99)
    assert sum(ln.is_content for ln in strict.lines) < sum(ln.is_content for ln in boilerplate.parse(article_html).lines)
    with pytest.raises(ValueError, match="threshold"):
        boilerplate.extract(article_html, threshold=1.5)
    with_title = boilerplate.extract(article_html)
    assert with_title.splitlines()[0] == "稀土協議簽署 美澳合作"
    assert boilerplate.extract(article_html, include_title=False) == boilerplate.parse(article_html).body


def test_a_kept_block_repeating_an_earlier_kept_one_is_dropped():
    para = "The council approved the new budget on Tuesday."
    blocks = segment(f"<p>{para}</p><p>Yes</p><p>Yes</p><div class='print'><p>{para}</p></div><p>{para}</p>")
    keep = np.array([True, True, True, True, False])
    doc = build_document(blocks, np.ones(5), keep)
    assert [line.is_content for line in doc.lines] == [True, True, True, False, False]
    assert doc.lines[3].role == "chrome" and doc.body.count(para) == 1 and doc.body.count("Yes") == 2
    assert keep.tolist() == [True, True, True, True, False]  # the caller's array is left alone


def test_a_kept_block_repeating_the_title_is_dropped_not_the_title():
    head = "Budget passes after a long debate"
    blocks = segment(f"<html><head><title>{head}</title></head><body><h1>{head}</h1>"
                     f"<p>The council approved the new budget on Tuesday.</p><p>{head}</p></body></html>")
    doc = build_document(blocks, np.ones(3), np.ones(3, dtype=bool))
    assert doc.title == head and [line.role for line in doc.lines] == ["title", "body", "chrome"]
    assert doc.text.count(head) == 1


def test_a_block_on_two_other_pages_of_its_site_is_a_site_repeat():
    menu, about = "Home News Sport", "About the Gazette: an independent daily since 1901."
    texts = [[menu, f"Story {n} in full.", about] for n in range(3)] + [[menu, "A story elsewhere.", about]]
    out = site_repeats(texts, ["ex", "ex", "ex", "other"])
    assert [k.tolist() for k in out[:3]] == [[True, False, True]] * 3 and out[3] is None  # alone on its site
    # on one other page only, or with no site known, nothing is a repeat; case and spacing do not matter
    assert site_repeats(texts[:2], ["ex", "ex"]) == [None, None]
    assert site_repeats(texts[:3], [None] * 3) == [None] * 3
    shouted = [texts[0], texts[1], [menu, "Story 2.", about.upper().replace(" ", "  ")]]
    assert site_repeats(shouted, ["ex"] * 3)[2].tolist() == [True, False, True]
    with pytest.raises(ValueError, match="one site"):
        site_repeats(texts, ["ex"] * 3)


def test_site_repeats_are_dropped_last_and_never_empty_a_page():
    blocks = segment("<p>Home</p><p>The council approved the new budget on Tuesday.</p><p>Subscribe now</p>")
    scores, keep = np.array([0.2, 0.9, 0.8]), np.array([False, True, True])
    doc = build_document(blocks, scores, keep, repeated=np.array([True, False, True]))
    assert [line.is_content for line in doc.lines] == [False, True, False] and doc.lines[2].role == "chrome"
    only = build_document(blocks, scores, np.array([False, False, True]), repeated=np.array([True, False, True]))
    assert [line.is_content for line in only.lines] == [False, False, True]  # a page of repeats keeps them


def _dump(n_words: int, heading: str):
    """A text dump: an article of two lines, a heading, two comments."""
    article = [" ".join(["word"] * n_words) + ".", "A second paragraph of the article."]
    comments = ["Great post, thanks for sharing it.", "I disagree with most of this."]
    return segment_text("\n".join(article + [heading] + comments))


@pytest.mark.parametrize("heading", ["12 Comments", "Komentarze (15)", "156 Responses to “Storm”",
                                     "Leave a Reply", "Σχόλια αναγνωστών (2)", "评论"])
def test_a_text_dump_drops_the_thread_after_a_comment_heading(heading):
    blocks = _dump(120, heading)
    scores = np.array([0.9, 0.8, 0.1, 0.7, 0.6])
    doc = build_document(blocks, scores, scores >= 0.5)
    assert [line.is_content for line in doc.lines] == [True, True, False, False, False]


def test_a_site_repeat_still_counts_toward_the_article_before_a_comment_heading():
    blocks = _dump(120, "12 Comments")  # its long first line is a site-wide blurb, and the article's
    scores = np.array([0.9, 0.8, 0.1, 0.7, 0.6])
    doc = build_document(blocks, scores, scores >= 0.5, repeated=np.array([True, False, False, False, False]))
    assert [line.is_content for line in doc.lines] == [False, True, False, False, False]


def test_the_comment_rule_needs_an_article_before_the_heading():
    blocks = _dump(20, "12 Comments")  # too little kept text before the heading
    scores = np.array([0.9, 0.8, 0.1, 0.7, 0.6])
    assert sum(line.is_content for line in build_document(blocks, scores, scores >= 0.5).lines) == 4
    blocks = _dump(120, "12 Comments")  # the best-scored line is after the heading
    scores = np.array([0.9, 0.8, 0.1, 0.95, 0.6])
    assert sum(line.is_content for line in build_document(blocks, scores, scores >= 0.5).lines) == 4
    blocks = _dump(120, "Add a comment to the form below, please")  # not a heading
    scores = np.array([0.9, 0.8, 0.1, 0.7, 0.6])
    assert sum(line.is_content for line in build_document(blocks, scores, scores >= 0.5).lines) == 4


def test_html_pages_drop_the_thread_too_but_not_a_listings_comment_counts():
    article = "<p>" + "word " * 120 + "</p>"
    blocks = segment(f"<article>{article}<h2>12 Comments</h2><p>Great post, thanks.</p></article>")
    doc = build_document(blocks, np.array([0.9, 0.2, 0.6]), np.array([True, False, True]))
    assert [line.is_content for line in doc.lines] == [True, False, False]
    items = "".join(f"<li><p>Item {i} is a teaser for a post</p><p>{i} comments</p></li>" for i in range(5))
    blocks = segment(f"<article>{article}<ul>{items}</ul></article>")
    keep = np.ones(len(blocks), dtype=bool)
    assert all(line.is_content for line in build_document(blocks, np.ones(len(blocks)), keep).lines)
