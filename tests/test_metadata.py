"""The metadata stage: dates in the corpora's languages, JSON-LD in its shapes (and broken), the trust order
of sources, bad values refused."""

from __future__ import annotations

import json
from datetime import date

import boilerplate
from boilerplate.dates import parse_date
from boilerplate.metadata import Declared, clean_authors, element_name, read_metadata

TODAY = date(2026, 12, 6)


def test_dates_in_the_corpora_languages():
    assert parse_date("2024-05-03T10:20:00Z", TODAY) == "2024-05-03T10:20:00+00:00"
    assert parse_date("2024-05-03", TODAY) == "2024-05-03"
    for text in ("May 3, 2024", "3 May 2024", "Published on 3rd May, 2024", "2024年5月3日 10:00", "3 мая 2024 г.",
                 "3 maja 2024", "3 Μαΐου 2024", "2024/05/03", "03.05.2024", "Sept 3, 2024", "2024 May 3"):
        assert (parse_date(text, TODAY) or "")[5:10] in ("05-03", "09-03"), text
    assert parse_date("05/13/2024", TODAY) == "2024-05-13"  # (month first when the first part cannot be one)


def test_impossible_dates_are_refused():
    for text in ("0000-00-00", "1990-01-01", "2030-01-01", "2024-02-30", "31 Februaru 2024", "", None):
        assert parse_date(text, TODAY) is None, text


def test_json_ld_graph_arrays_and_nested_authors():
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "The Courier"},
        {"@type": ["NewsArticle"], "datePublished": "2024-05-03T08:00:00+02:00", "dateModified": "2024-05-04",
         "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "givenName": "Li", "familyName": "Wei"},
                    {"@type": "Organization", "name": "Courier Staff"}],
         "keywords": "harbour, storms", "image": {"@type": "ImageObject", "url": "https://c.example/i.jpg"}}]}
    meta = read_metadata(Declared(scripts=[json.dumps(ld)]), today=TODAY)
    assert meta.authors == ["Jane Doe", "Li Wei"] and meta.date_published == "2024-05-03T08:00:00+02:00"
    assert meta.date_modified == "2024-05-04" and meta.site_name == "The Courier"
    assert meta.tags == ["harbour", "storms"] and meta.image == "https://c.example/i.jpg"
    assert meta.sources["authors"] == "json-ld"


def test_broken_and_huge_json_ld_is_tolerated():
    broken = '{"@type": "Article", "author": {"name": "Jane Doe"}, "datePublished": "2024-05-03",}'
    assert read_metadata(Declared(scripts=[broken, "{not json", "[" * 5000]), today=TODAY).authors == ["Jane Doe"]
    huge = "<html><head><script type='application/ld+json'>" + '{"a": "' + "x" * 10_000_000 + '"}</script>' \
           "<meta name='author' content='Ann Lee'></head><body><p>Body text of the page here.</p></body></html>"
    doc = boilerplate.parse(huge.encode())
    assert doc.metadata.authors == ["Ann Lee"]


def test_sources_in_order_of_trust_and_fallbacks():
    declared = Declared(metas=[(None, "article:published_time", None, "2024-05-03"),
                               ("author", None, None, "https://facebook.com/janedoe"),
                               ("author", None, None, "By Jane Doe and John Roe"),
                               ("keywords", None, None, "a, b, a")],
                        times=[("2020-01-01", "1 January 2020")],
                        links=[("canonical", "https://c.example/a")], lang="en-GB")
    meta = read_metadata(declared, url="https://c.example/2019/02/03/story", today=TODAY)
    assert meta.date_published == "2024-05-03" and meta.sources["date_published"] == "meta:article"
    assert meta.authors == ["Jane Doe", "John Roe"] and meta.tags == ["a", "b"]
    assert meta.canonical_url == "https://c.example/a" and meta.language_declared == "en-GB"
    from_url = read_metadata(Declared(), url="https://c.example/2019/02/03/story", today=TODAY)
    assert from_url.date_published == "2019-02-03" and from_url.sources["date_published"] == "url"
    labelled = ["Posted by Ann", "Published On: 15 August 2025", "发布时间：2024-05-03"]
    from_label = read_metadata(Declared(), url="https://c.example/2019/02/03/story", published=labelled, today=TODAY)
    assert from_label.date_published == "2025-08-15" and from_label.sources["date_published"] == "label"
    assert read_metadata(declared, published=labelled, today=TODAY).date_published == "2024-05-03"  # (declared)
    lines = ["Home", "By Mara Lindqvist · 14 March 2026"]
    from_text = read_metadata(Declared(), nearby=lines, around=[(x, False) for x in lines], today=TODAY)
    assert from_text.date_published == "2026-03-14" and from_text.authors == ["Mara Lindqvist"]


def test_authors_cleaned():
    assert clean_authors(["By Jane Doe", "jane doe", "@handle", "x@y.com", "KumikoGoingCrAzY 15911 silver badge"]) \
        == ["Jane Doe", "handle", "KumikoGoingCrAzY"]
    assert clean_authors(["Dylan Bailey, MS, RD"]) == ["Dylan Bailey", "MS", "RD"]  # (the gold keeps credentials)


def test_documents_carry_metadata_only_with_structure():
    page = ("<html lang='en'><head><title>T</title><meta property='og:site_name' content='Courier'>"
            "<meta property='article:published_time' content='2024-05-03T08:00:00Z'></head><body><article>"
            "<p>" + "Body text of the article, long enough to be kept as its content. " * 4 + "</p></article></body></html>")
    doc = boilerplate.parse(page)
    assert doc.metadata.site_name == "Courier" and doc.metadata.date_published.startswith("2024-05-03")
    assert json.loads(doc.to_json())["metadata"]["language_declared"] == "en"
    polish = boilerplate.parse(page.replace("Body text of the article, long enough to be kept as its content. ",
                                            "Tekst artykułu jest na tyle długi, że zostaje jako jego treść. "))
    assert (polish.metadata.language_declared, polish.language) == ("en", "pl")  # (declared and detected apart)
    assert json.loads(polish.to_json())["metadata"]["language_detected"] == "pl"
    assert boilerplate.parse(page, structure=False).metadata is None


def test_comments_as_their_own_stream():
    from boilerplate.comments import read_comments

    page = ("<html><head><title>T</title></head><body><article><p>"
            + "The article body text, long enough to be the content of the page. " * 12 + "</p><h3>12 Comments</h3>"
            "<div><p>seagull77 says: March 5, 2024 at 10:20</p><p>About time, the gap has been there all winter.</p>"
            "</div><div><p>Pieter K. · 6 March 2024</p><p>Will the harbour walk stay open during the work?</p></div>"
            "</article></body></html>")
    doc = boilerplate.parse(page, threshold=0.0)
    assert [(c.author, c.date) for c in doc.comments] == [("seagull77", "2024-03-05"), ("Pieter K", "2024-03-06")]
    assert "seagull77" not in doc.text  # (the content is as before)
    text = doc.render("text", comments=True)
    assert text.startswith(doc.text) and text.endswith("Will the harbour walk stay open during the work?")
    md = doc.to_markdown(comments=True)
    assert "## Comments" in md and "> **seagull77** · 2024-03-05" in md and "## Comments" not in doc.to_markdown()
    assert "<h2>Comments</h2>" in doc.to_html(comments=True)
    assert json.loads(doc.to_json())["comments"][1]["author"] == "Pieter K"
    assert [c.text for c in read_comments(["no header here", "nor here"])] == ["no header here", "nor here"]


def test_authors_from_lines_around_the_content():
    around = [("Share This Post", True), ("Published August 7, 2023 by Nicole Burke", False)]
    assert read_metadata(Declared(), around=around, today=TODAY).authors == ["Nicole Burke"]
    assert read_metadata(Declared(), around=[("Trevor Jackins", True)], today=TODAY).authors == ["Trevor Jackins"]
    assert read_metadata(Declared(), around=[("Trevor Jackins", False)], today=TODAY).authors == []
    declared = Declared(metas=[("author", None, None, "Ann Lee")])
    assert read_metadata(declared, around=[("By Someone Else", False)], today=TODAY).authors == ["Ann Lee"]
    for line, name in (("Post by changingtimes » Sat Feb 24, 2024 12:41 pm", "changingtimes"),  # (forums)
                       ("by Outer Armatonisdaristan » Tue Aug 27, 2019 1:47 am", "Outer Armatonisdaristan"),
                       ("submitted 17 hours ago by InsaneSnow45", "InsaneSnow45"),
                       ("By Jane Doe 3 hours ago", "Jane Doe"), ("By continuing, you agree to our terms", None)):
        assert read_metadata(Declared(), around=[(line, False)], today=TODAY).authors == ([name] if name else []), line


def test_markdown_front_matter():
    page = ("<html><head><title>T: \"quoted\"</title><meta name='author' content='Ann Lee'>"
            "<meta property='article:published_time' content='2024-05-03'></head><body><article><p>"
            + "Body text of the article, long enough to be kept as its content. " * 4 + "</p></article></body></html>")
    md = boilerplate.parse(page, url="https://c.example/a").to_markdown(front_matter=True)
    head, rest = md.split("\n---\n\n", 1)
    assert head.startswith("---\n") and 'authors: ["Ann Lee"]' in head and 'date_published: "2024-05-03"' in head
    assert json.loads(head.split("title: ", 1)[1].split("\n")[0]) == 'T: "quoted"' and rest.startswith("# T")


def test_fallbacks_used_when_the_candidates_above_are_unusable():
    # (a byline line without a date, an unparseable <time>: the date near the content still counts)
    declared = Declared(times=[(None, "yesterday")])
    meta = read_metadata(declared, bylines=["Your keys to a better career"], nearby=["Jun 08, 2023 • 11 Minute Read"],
                         today=TODAY)
    assert meta.date_published == "2023-06-08" and meta.sources["date_published"] == "text"
    other = read_metadata(Declared(metas=[("cludo:date", None, None, "2023-06-08T23:03:43Z"),
                                          ("search:updated_date", None, None, "2025-01-01")]), today=TODAY)
    assert other.date_published == "2023-06-08T23:03:43+00:00" and other.sources["date_published"] == "meta:other"


def test_a_utc_timestamp_a_day_off_the_url_takes_the_url_day():
    declared = Declared(metas=[(None, "article:published_time", None, "2025-12-19T02:41:41+00:00")])
    assert read_metadata(declared, url="https://b.example/2025/12/18/post", today=TODAY).date_published == "2025-12-18"
    assert read_metadata(declared, url="https://b.example/2025/12/10/post", today=TODAY).date_published \
        == "2025-12-19T02:41:41+00:00"  # (further off: the declaration stands)


def test_authors_not_taken_from_menus_credits_or_roles():
    for line in ("Powered by FluxBB", "Filter By Topic", "By Industry", "Photo by Jane Doe", "by the way, it works"):
        assert read_metadata(Declared(), around=[(line, False)], today=TODAY).authors == [], line
    assert clean_authors(["Written By: Tom May", "pelex (pelex)", "JosephF J", "Administrator", "Updated by Jon Roe"]) \
        == ["Tom May", "pelex", "JosephF"]
    metas = [("citation_author", None, None, "Ann Lee"), ("citation_author", None, None, "Bo Chen")]
    assert read_metadata(Declared(metas=metas), today=TODAY).authors == ["Ann Lee", "Bo Chen"]


def test_a_time_element_with_an_itemprop_is_microdata_in_document_order():
    # (a Q&A page: the question's <time itemprop="dateCreated">, then a comment's datePublished on a <span>)
    page = ("<html><body><h1>Catering for the first time: how should I prepare?</h1>"
            "<div><time itemprop='dateCreated' datetime='2011-02-11 23:49:17Z'>14 years ago</time></div>"
            "<p>I have been asked to cater an event for sixty people next month and wonder where to start.</p>"
            "<div class='comment'><span itemprop='datePublished'>2016-09-19 14:47:46 +00:00</span>"
            "<span>Start with the menu.</span></div></body></html>")
    doc = boilerplate.parse(page)
    assert doc.metadata.date_published[:10] == "2011-02-11"
    assert doc.metadata.sources["date_published"] == "microdata"


def test_an_author_named_after_a_written_by_label():
    body = "<p>A first paragraph of the article about budgets, long enough to be the content of the page.</p>" * 3
    label_line = boilerplate.parse(f"<html><body><h1>Planning a wedding budget</h1><div class='post'>{body}"
                                   "<p>Written by</p><p>Edzel Tabing</p></div></body></html>")
    assert label_line.metadata.authors == ["Edzel Tabing"]
    twitter = boilerplate.parse("<html><head><meta name='twitter:label1' content='Written by'>"
                                "<meta name='twitter:data1' content='Tyler Brown'>"
                                "<meta name='twitter:label2' content='Est. reading time'>"
                                "<meta name='twitter:data2' content='4 minutes'></head>"
                                f"<body><h1>Moving to San Francisco</h1>{body}</body></html>")
    assert twitter.metadata.authors == ["Tyler Brown"]
    assert twitter.metadata.sources["authors"] == "meta:twitter"


def test_an_author_from_the_first_link_to_an_authors_page():
    body = "<p>A first paragraph of the article about espresso, long enough to be the content of the page.</p>" * 3
    for link in ("<a href='https://c.example/author/asser-christensen/'>Asser Christensen</a>",
                 "<a rel='author' href='/about'>Asser Christensen</a>"):
        doc = boilerplate.parse(f"<html><body><nav><a href='/tag/coffee/'>Coffee</a></nav><h1>Espresso machines"
                                f"</h1><div class='meta'><span>{link}</span></div>{body}</body></html>")
        assert doc.metadata.authors == ["Asser Christensen"], link
        assert doc.metadata.sources["authors"] == "link"
    plain = boilerplate.parse(f"<html><body><h1>Espresso</h1><a href='/authors'>Our authors</a>{body}</body></html>")
    assert plain.metadata.authors == []  # (a list of authors is no author's page)


def test_a_labelled_publication_date_far_from_the_headline():
    body = "".join(f"<p>Paragraph {i} of the post on scholarly metadata, long enough to be content here.</p>"
                   for i in range(40))
    doc = boilerplate.parse(f"<html><body><h1>Connecting scholarly metadata</h1>{body}"
                            "<div class='meta'><span>Posted on April 13, 2023</span></div></body></html>")
    assert doc.metadata.date_published == "2023-04-13" and doc.metadata.sources["date_published"] == "label"


def test_a_forum_author_from_the_first_link_to_a_members_profile_on_the_site():
    post = "<p>My first post on this forum asks how to rebalance a portfolio without selling at a loss.</p>" * 3
    for link, name in (("<a href='./memberlist.php?mode=viewprofile&amp;u=123' class='username'>changingtimes</a>",
                        "changingtimes"),
                       ("<a href='/u/dessalines'>Dessalines</a>", "Dessalines"),
                       ("<a href='/user/InsaneSnow45'>u/InsaneSnow45</a>", "InsaneSnow45")):
        doc = boilerplate.parse(f"<html><body><nav><a href='/user/login'>Log in</a> <a href='https://bsky.app/"
                                f"profile/site'>Bluesky</a></nav><h1>Rebalancing</h1><div>{link}</div>{post}"
                                "</body></html>")
        assert doc.metadata.authors == [name], link


def test_an_author_element_holding_more_than_the_name_gives_the_name():
    assert element_name("Written By\nReyan Perumal\nReyan Perumal is a content writer at Surge Global") \
        == "Reyan Perumal"
    assert element_name("Jane\n \nDoe") == "Jane Doe"  # (a name split over inline elements stays whole)
    assert element_name("View all posts by Ray Ansari") == "View all posts by Ray Ansari"  # (one text node)
    assert element_name("\nView all posts by Ray Ansari\n") == "Ray Ansari"
    body = "<p>A first paragraph of the article about espresso, long enough to be the content of the page.</p>" * 3
    for element, name in (("<a href='/author/reyan'><span>Written By</span><span>Reyan Perumal</span>"
                           "<p>Reyan Perumal is a content writer at Surge Global.</p></a>", ["Reyan Perumal"]),
                          ("<a href='/author/jane'><b>Jane</b> <b>Doe</b></a>", ["Jane Doe"]),
                          ("<div itemprop='author'><a>AjayJunkies</a><span>Greenhorn</span> Messages: 12</div>",
                           ["AjayJunkies"]),
                          ("<div itemprop='author'>Updated by <a>Jon Linkov</a></div>", [])):
        doc = boilerplate.parse(f"<html><body><h1>Espresso machines</h1><div class='x'>{element}</div>{body}"
                                "</body></html>")
        assert doc.metadata.authors == name, element
