import math

import numpy as np
import pytest

from boilerplate.features import FEATURE_NAMES, FEATURES, batch_features, page_features
from boilerplate.segment import segment_html, segment_text


def feats(text: str) -> dict[str, np.ndarray]:
    X = page_features(segment_text(text))
    return {name: X[:, i] for i, name in enumerate(FEATURE_NAMES)}


def test_every_feature_is_documented_and_unique():
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert all(FEATURES[n].strip() for n in FEATURE_NAMES)


def test_character_ratios():
    f = feats("中文ab12，。\n")  # 2 CJK, 2 Latin, 2 digits, 2 punct = 8 chars
    assert f["n_chars"][0] == pytest.approx(math.log1p(8))
    assert f["cjk_ratio"][0] == pytest.approx(0.25)
    assert f["latin_ratio"][0] == pytest.approx(0.25)
    assert f["digit_ratio"][0] == pytest.approx(0.25)
    assert f["punct_ratio"][0] == pytest.approx(0.25)
    assert f["n_tokens"][0] == pytest.approx(math.log1p(3))  # 中, 文, ab12


def test_spaces_do_not_count_as_characters():
    assert feats("a b\u3000c")["n_chars"][0] == pytest.approx(math.log1p(3))


def test_sentence_end_and_ellipsis():
    f = feats("這是一句話。\n沒有句號\n標題？\n更多內容...\n被截斷…\nEnd.")
    assert f["ends_sentence"].tolist() == [1, 0, 1, 0, 0, 1]
    assert f["ends_ellipsis"].tolist() == [0, 0, 0, 1, 1, 0]
    assert f["n_stops"][0] == pytest.approx(math.log1p(1))


def test_repeat_counts_whitespace_free_text():
    f = feats("相關 新聞\n正文\n相關新聞\n相關新聞")
    assert f["repeat"].tolist() == [3, 1, 3, 3]


def test_link_density_text_is_missing_html_is_measured():
    assert np.isnan(feats("一行")["link_density"][0])
    b = segment_html("<body><p><a>abcd</a>efgh</p><p>none</p></body>")
    X = page_features(b)
    ld = X[:, FEATURE_NAMES.index("link_density")]
    assert ld.tolist() == [0.5, 0.0]


def test_main_run_and_distances():
    body = "這是一段很長的正文內容，" * 5  # 60 CJK characters
    f = feats("\n".join(["選單", "標題", body, body + "二", body + "三", "相關新聞", "頁尾"]))
    assert f["in_main"].tolist() == [0, 0, 1, 1, 1, 0, 0]
    assert f["d_main_start"].tolist() == [-2, -1, 0, 1, 2, 3, 4]
    assert f["d_main_end"].tolist() == [-4, -3, -2, -1, 0, 1, 2]


def test_a_few_links_between_paragraphs_do_not_end_the_main_run_but_a_menu_does():
    def run(middle: str) -> list[float]:
        first = "<p>" + "The first paragraph of this article is long enough to count in its main run. " * 3
        second = "<p>" + "A second paragraph, different from the first, also counts in the same main run. " * 3
        X = page_features(segment_html(f"<body>{first}{middle}{second}</body>"))
        return X[:, FEATURE_NAMES.index("in_main")].tolist()

    # each paragraph scores 84 - 30 = 54; three link blocks cost 3 × 0.3 × 30 = 27: one run over all
    assert run("<ul>" + "<li><a>Related headline elsewhere</a></li>" * 3 + "</ul>") == [1] * 5
    # three short lines that are not links cost 90: the run is one paragraph
    assert run("<p>Short line.</p>" * 3) in ([1, 0, 0, 0, 0], [0, 0, 0, 0, 1])
    # a menu of 20 links costs 180
    assert sum(run("<ul>" + "<li><a>Menu item</a></li>" * 20 + "</ul>")[1:21]) == 0


def test_main_overlap_excludes_the_block_itself():
    body1 = "美國與澳洲簽署稀土協議。" * 4
    body2 = "澳洲總理表示稀土協議重要。" * 4
    f = feats("\n".join(["稀土協議", body1, body2, "天氣晴朗"]))
    assert f["main_overlap"][0] == pytest.approx(1.0)  # 稀土, 土協, 協議: all in the main run
    assert f["main_overlap"][3] == pytest.approx(0.0)
    assert 0 < f["main_overlap"][1] < 1


def test_neighbour_window():
    f = feats("一\n二二\n三三三")
    assert f["n_chars@-1"][1] == pytest.approx(math.log1p(1))
    assert f["n_chars@+1"][1] == pytest.approx(math.log1p(3))
    assert np.isnan(f["n_chars@-1"][0]) and np.isnan(f["n_chars@+2"][1])


def test_html_structure_features():
    b = segment_html("<html><head><title>稀土協議</title></head><body><div class='footer'><p>版權所有</p>"
                     "</div><p>稀土協議簽署</p><p>其他</p></body></html>")
    X = page_features(b)
    col = {n: X[:, i] for i, n in enumerate(FEATURE_NAMES)}
    assert col["hint_footer"].tolist() == [2, 0, 0]  # on the parent: near
    assert col["title_overlap"][1] == pytest.approx(3 / 5)  # 稀土 土協 協議 of 5 bigrams
    assert col["title_overlap"][2] == 0
    assert col["path_share"].tolist() == pytest.approx([1 / 3, 2 / 3, 2 / 3])
    assert np.isnan(feats("x")["hint_footer"][0])


def test_batch_is_the_concatenation_of_pages():
    pages = [segment_text("一\n二"), segment_text(""), segment_text("三。\n四\n五")]
    X, offsets, _ = batch_features(pages)
    assert offsets.tolist() == [0, 2, 2, 5]
    np.testing.assert_array_equal(X[2:5], page_features(pages[2]))
    assert page_features(pages[1]).shape == (0, len(FEATURE_NAMES))


def test_far_hints_and_container_features():
    b = segment_html("<body class='footer'><div><section><div class='post'><p>正文很長的一段文字</p>"
                     "<p>第二段</p></div></section></div><ul><li><a>連結</a></li></ul></body>")
    X = page_features(b)
    col = {n: X[:, i] for i, n in enumerate(FEATURE_NAMES)}
    # body.footer is 4 levels above each <p> (far) but only 2 above the <li> (near)
    assert col["hint_footer"].tolist() == [1, 1, 2]
    assert col["hint_content"].tolist() == [2, 2, 0]
    # parent of both <p> is div.post holding all 12 non-link tokens; the <li>'s parent <ul> holds none
    assert col["parent_text_share"].tolist() == pytest.approx([1.0, 1.0, 0.0])
    assert col["parent_link_density"].tolist() == pytest.approx([0.0, 0.0, 1.0])


def test_earlier_copies():
    assert feats("圖說\n正文\n圖說\n圖說")["earlier_copies"].tolist() == [0, 0, 1, 2]


def test_depth_is_relative_to_the_main_run():
    body = "這是一段很長的正文內容，" * 5
    page = f"<body><ul><li>選單</li></ul><div><div><p>{body}</p><p>{body}二</p></div></div></body>"
    deep = f"<body><div><div><div><div>{page[6:-7]}</div></div></div></div></body>"
    for html in (page, deep):  # the same page nested 4 levels deeper gets the same depths
        X = page_features(segment_html(html))
        assert X[:, FEATURE_NAMES.index("depth")].tolist() == [-1, 0, 0]


def test_container_share_favours_long_prose_over_many_short_lines():
    post = "這是一段很長的正文內容，" * 10  # one 100-character paragraph
    replies = "".join(f"<li>回覆第{i}則很短的留言</li>" for i in range(12))  # 12 × 9 characters
    b = segment_html(f"<body><div><p>{post}</p></div><ul>{replies}</ul></body>")
    share = page_features(b)[:, FEATURE_NAMES.index("parent_text_share")]
    # the list holds more tokens than the paragraph (132 against 110), but short lines weigh little
    assert share[0] > 0.95 and share[1] < 0.05


def test_article_root_holds_the_list_inside_the_article_but_not_the_menu():
    prose = "This paragraph of the article is long enough to weigh in the main run of the page. " * 2
    items = "".join(f"<li>item {i} of the article's own list</li>" for i in range(3))
    menu = "".join(f"<li><a>Menu {i}</a></li>" for i in range(5))
    b = segment_html(f"<body><ul>{menu}</ul><div><div><p>{prose}</p><ul>{items}</ul><p>{prose}</p></div>"
                     f"<p>{prose * 2}</p></div><p>footer</p></body>")
    in_root = page_features(b)[:, FEATURE_NAMES.index("in_root")].tolist()
    # the inner div holds the list and half the prose (< ROOT_SHARE 0.7): the root is the outer div
    assert in_root == [0] * 5 + [1] * 6 + [0]
    text = page_features(segment_text("a\nb"))[:, FEATURE_NAMES.index("in_root")]
    assert np.isnan(text).all()


def test_headline_is_the_block_that_holds_most_of_the_title():
    b = segment_html("<html><head><title>Can the fangirl switch to the new phone</title></head><body>"
                     "<ul><li>phone</li><li>Other news</li></ul><h1>Can the fangirl switch to the new phone?</h1>"
                     "<p>The body of the article follows its headline.</p></body></html>")
    d = page_features(b)[:, FEATURE_NAMES.index("d_headline")]
    assert d.tolist() == [-2, -1, 0, 1]  # "phone" is all title words, but only a sliver of the title
    b = segment_html("<html><head><title>Something else entirely</title></head><body><p>Body.</p></body></html>")
    assert np.isnan(page_features(b)[:, FEATURE_NAMES.index("d_headline")]).all()


def test_headline_root_holds_a_short_article_that_a_long_sidebar_outweighs():
    sidebar = "".join(f"<p>Book number {i} is a bestseller translated into many languages worldwide.</p>"
                      for i in range(8))
    b = segment_html("<html><head><title>Yesterday's over - Blog</title></head><body>"
                     f"<div class='side'>{sidebar}</div><div class='post'><h3>Yesterday's over</h3>"
                     "<p>This is bad news for market leaders, incumbents and those in favor of the status quo, "
                     "and great news for everyone else.</p><p>And it happens again, fresh, every day.</p></div></body></html>")
    X = page_features(b)
    head = X[:, FEATURE_NAMES.index("in_head_root")].tolist()
    assert head == [0] * 8 + [1] * 3  # the post, headline included; not the sidebar
    assert X[:, FEATURE_NAMES.index("in_root")].tolist() == [1] * 8 + [0] * 3  # where the weight is
    # no headline block (no <title> to match), or too little prose after it: NaN; text dumps: NaN
    assert np.isnan(page_features(segment_html(f"<body>{sidebar}</body>"))[:, FEATURE_NAMES.index("in_head_root")]).all()
    short = segment_html("<title>Budget passes</title><h1>Budget passes</h1><p>The council approved it.</p>")
    assert np.isnan(page_features(short)[:, FEATURE_NAMES.index("in_head_root")]).all()
    assert np.isnan(page_features(segment_text("a\nb"))[:, FEATURE_NAMES.index("in_head_root")]).all()


def test_dated_lines_of_a_text_dump():
    f = feats("Title\nby Ann on June 29, 2012\nBody text here.\nBob July 4, 2012 at 8:00 pm\nnice\n"
              "Cy 2012-07-05\nok\n"
              "A line longer than eighty characters that mentions 12:30 in passing, somewhere in its middle.")
    assert f["dated"].tolist() == [0, 1, 0, 1, 0, 1, 0, 0]
    assert np.expm1(f["dated_above"]).round().tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert np.expm1(f["page_dated"]).round().tolist() == [3] * 8
    html = page_features(segment_html("<body><p>July 4, 2012</p></body>"))
    assert np.isnan(html[:, FEATURE_NAMES.index("dated")]).all()


def test_a_byline_alone_is_not_a_thread():
    """Fewer than three dated lines: the columns stay zero (a byline and a dateline are not comment headers)."""
    f = feats("Title\nby Ann on June 29, 2012\nBody text here.\nUpdated 2012-07-01\nEnd.")
    assert f["dated"].tolist() == [0] * 5 and f["page_dated"].tolist() == [0] * 5


@pytest.mark.parametrize("line, dated", [
    ("2012年7月4日 10:15", 1), ("04.07.2012", 1), ("posted 2012-07-04", 1), ("3 hours ago", 1),
    ("on 25 Oct 2012 at 7:14 pm", 1), ("Reply", 0), ("1 2 3", 0), ("Top 10 of 2012", 0)])
def test_what_counts_as_a_date(line, dated):
    assert feats("\n".join([line] * 3))["dated"].tolist() == [dated] * 3
