"""The labeling app's server (boilerplate label), over HTTP: token, pages by index, saving, sanitizing."""

import json
import threading
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from boilerplate.cli import main
from boilerplate.errors import LabelError
from boilerplate.label import ROLE_COLOURS, UNCERTAIN, Labeler, least_certain_first, page_threshold, sanitize, serve
from boilerplate.labeled import load_article

PAGE = ("<html><head><script>alert(1)</script><meta http-equiv='refresh' content='0;url=https://evil.example'>"
        "</head><body onload='steal()'><nav><a href='/'>Home</a> <a href='javascript:steal()'>News</a></nav>"
        "<h1>Harbour storms close the ferry</h1>"
        "<p onclick='steal()'>The ferry between the islands stopped on Monday as storms closed the harbour, "
        "and the council said it would reopen when the wind drops below gale force.</p>"
        "<p>Fishermen moved their boats inland, and the ferry company offered refunds to every passenger "
        "booked this week.</p><iframe src='https://ads.example'></iframe><h2>More news</h2><ul>"
        + "".join(f"<li><a href='/news/{i}'>Council meets on the harbour plan, part {i}</a></li>" for i in range(12))
        + "</ul>"
        "<footer>© The Courier</footer></body></html>")


@pytest.fixture
def app(tmp_path):
    (tmp_path / "in").mkdir()
    html = tmp_path / "in" / "storm.html"
    html.write_text(PAGE, encoding="utf-8")
    dump = tmp_path / "in" / "notes.txt"
    dump.write_text("Home | News\nA title\nA first paragraph of the page, long enough to count.\n", encoding="utf-8")
    labeler = Labeler([html, dump], tmp_path / "out")
    server, url = serve(labeler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield labeler, url, tmp_path / "out"
    server.shutdown()
    server.server_close()


def request(url, path, body=None, token=True):
    base = urlsplit(url)
    query = base.query if token is True else f"t={token}" if token else ""
    req = urllib.request.Request(f"{base.scheme}://{base.netloc}{path}?{query}",
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def test_every_request_needs_the_token(app):
    _, url, _ = app
    assert urlsplit(url).hostname == "127.0.0.1"
    for token in (None, "wrong"):
        for path in ("/", "/api/pages", "/api/page/0", "/page/0.html"):
            assert request(url, path, token=token)[0] == 403
        assert request(url, "/api/label", {"page": 0, "block": 0, "role": "chrome"}, token=token)[0] == 403
    status, headers, body = request(url, "/")
    assert status == 200 and "boilerplate label" in body and "script-src" in headers["Content-Security-Policy"]


def test_pages_are_addressed_by_index_only(app):
    _, url, _ = app
    assert [p["source"] for p in json.loads(request(url, "/api/pages")[2])] == ["storm.html", "notes.txt"]
    for path in ("/api/page/2", "/page/7.html", "/page/../../etc/passwd", "/api/page/-1", "/in/storm.html"):
        assert request(url, path)[0] == 404, path


def test_the_least_certain_blocks_come_first(app):
    labeler, url, _ = app
    page = json.loads(request(url, "/api/page/0")[2])
    assert sorted(page["order"]) == list(range(len(page["blocks"])))
    distance = [abs(page["blocks"][i]["score"] - page["threshold"]) for i in page["order"]]
    assert distance == sorted(distance)
    assert [b["text"] for b in page["blocks"]] == labeler.pages[0].blocks.texts


def test_least_certain_first_orders_by_distance_to_the_pages_threshold():
    scores, kept = [0.9, 0.45, 0.1, 0.55], [True, False, False, True]
    assert page_threshold(scores, kept, 0.5) == 0.55
    assert least_certain_first(scores, 0.55) == [3, 1, 0, 2]
    assert page_threshold(scores, [False] * 4, 0.5) == 0.5  # (nothing kept: the model's threshold)


def test_the_page_is_shown_without_anything_that_runs(app):
    _, url, _ = app
    status, headers, body = request(url, "/page/0.html")
    assert status == 200 and "default-src 'none'" in headers["Content-Security-Policy"]
    lowered = body.lower()
    for bad in ("<script", "alert(1)", "onload", "onclick", "javascript:", "<iframe", "http-equiv"):
        assert bad not in lowered, bad
    assert 'data-bp-block="' in body and "Harbour storms" in body and "outline:2px" in body
    labeler = app[0]
    page = labeler.pages[0]
    for i, (score, role) in enumerate(zip(page.scores, page.roles)):  # (role colour; dashed near the threshold)
        style = "dashed" if abs(score - page.threshold) < UNCERTAIN else "solid"
        assert f'[data-bp-block~="{i}"]{{outline:2px {style} {ROLE_COLOURS[role]};' in body
    assert "dashed" in body  # (the page's threshold block, at least)


def test_a_role_set_is_saved_at_once_as_a_label_file(app):
    labeler, url, out = app
    draft = list(labeler.pages[0].roles)
    last = len(draft) - 1
    status, _, body = request(url, "/api/label", {"page": 0, "block": last, "role": "chrome"})
    assert status == 200
    tsv = out / json.loads(body)["saved"]
    article = load_article(tsv)  # (the page copied beside it; every text checked against the page)
    assert article.roles == draft[:last] + ["chrome"]
    request(url, "/api/label", {"page": 0, "block": 0, "role": "title"})
    assert load_article(tsv).roles[0] == "title"
    status, _, body = request(url, "/api/label", {"page": 1, "block": 2, "role": "body"})
    assert status == 200 and load_article(out / json.loads(body)["saved"]).roles[2] == "body"


def test_bad_labels_are_refused(app):
    _, url, out = app
    assert request(url, "/api/label", {"page": 0, "block": 0, "role": "nonsense"})[0] == 400
    assert request(url, "/api/label", {"page": 0, "block": 999, "role": "body"})[0] == 404
    assert request(url, "/api/label", {"page": 9, "block": 0, "role": "body"})[0] == 404
    assert request(url, "/api/label", {"page": 0})[0] == 400
    assert request(url, "/api/other", {"page": 0, "block": 0, "role": "body"})[0] == 404
    assert not out.exists() or not list(out.glob("*.tsv"))


def test_sanitize_keeps_the_text_and_marks():
    cleaned = sanitize("<div data-bp-block='0' onmouseover='x()'><a href=' JavaScript:x()'>t</a>"
                       "<a href='java&#9;script:x()'>u</a>"
                       "<img src='a.png' onerror='x()'><object data='x.swf'></object></div>")
    assert "onmouseover" not in cleaned and "onerror" not in cleaned and "script:" not in cleaned
    assert "<object" not in cleaned and 'data-bp-block="0"' in cleaned and 'src="a.png"' in cleaned


def test_the_command_refuses_what_it_cannot_serve(tmp_path, capsys):
    assert main(["label", str(tmp_path / "missing.html"), "--out", str(tmp_path / "out"), "--no-browser"]) == 1
    assert "missing.html" in capsys.readouterr().err
    (tmp_path / "page.html").write_text(PAGE)
    assert main(["label", str(tmp_path / "page.html"), "--out", str(tmp_path / "o"), "--port", "70000",
                 "--no-browser"]) == 2


def _chromium():
    """Debian's chromium driven by Playwright, or a skip saying what is missing."""
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("no chromium here (.ci/run installs Debian's chromium where it can)")
    return sync_api, path


def test_in_a_browser_a_key_labels_the_current_block_and_a_click_selects_one(app, tmp_path):
    sync_api, path = _chromium()
    labeler, url, out = app
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url)
        page.wait_for_selector("#blocks li")
        first = labeler.summary(0)["order"][0]
        assert page.locator("#blocks li.current").get_attribute("data-block") == str(first)
        page.keyboard.press("6")  # chrome
        page.locator("#status", has_text="saved").wait_for()
        assert load_article(out / f"{labeler.pages[0].name}.tsv").roles[first] == "chrome"
        frame = page.frame_locator("#view")
        assert frame.locator("[data-bp-block]").count() >= 3 and frame.locator("script").count() == 0
        frame.locator("h1").click()
        headline = labeler.pages[0].blocks.texts.index("Harbour storms close the ferry")
        page.locator(f"#blocks li.current[data-block='{headline}']").wait_for()
        page.screenshot(path=str(tmp_path / "label.png"))
        before = labeler.pages[0].scores
        page.locator("#train").click()  # the model continued on the saved label, the page re-scored
        page.locator("#status", has_text="trained").wait_for(timeout=120_000)
        assert (out / "model" / "label-model.txt").is_file() and labeler.pages[0].scores != before
        shown = {int(li.get_attribute("data-block")): float(li.locator(".score").text_content())
                 for li in page.locator("#blocks li").all()}
        assert shown == {i: round(s, 3) for i, s in enumerate(labeler.pages[0].scores)}
        browser.close()


def test_train_continues_the_model_on_the_labels_and_rescores(app):
    labeler, url, out = app
    status, _, body = request(url, "/api/train", {})
    assert status == 400 and "nothing is labeled" in json.loads(body)["error"]
    draft = list(labeler.pages[0].roles)
    nav = labeler.pages[0].blocks.texts.index("Home News")
    request(url, "/api/label", {"page": 0, "block": nav, "role": "chrome"})
    status, _, body = request(url, "/api/train", {})
    report = json.loads(body)
    assert status == 200 and (out / "model" / "label-model.txt").is_file(), body
    rows = {row["name"]: row for row in report["pages"]}
    assert set(rows) == {p.name for p in labeler.pages}
    labeled = rows[labeler.pages[0].name]
    assert 0 <= labeled["agreement_before"] <= 1 and 0 <= labeled["agreement_after"] <= 1
    assert "agreement_after" not in rows[labeler.pages[1].name]  # (not labeled)
    assert labeler.pages[0].roles == draft[:nav] + ["chrome"] + draft[nav + 1:]  # (the labels stay)
    page = json.loads(request(url, "/api/page/0")[2])
    assert [b["score"] for b in page["blocks"]] == [round(s, 4) for s in labeler.pages[0].scores]


def test_a_stale_page_of_the_same_name_in_out_is_replaced(tmp_path):
    page = tmp_path / "storm.html"
    page.write_text(PAGE, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "001_storm.html").write_text("<p>another page from another session</p>", encoding="utf-8")
    labeler = Labeler([page], out)
    tsv = labeler.set_role(0, 0, "chrome")
    assert load_article(tsv).roles[0] == "chrome"  # (its texts checked against the page beside it)


def test_training_on_too_few_blocks_says_so_instead_of_changing_nothing(tmp_path):
    tiny = tmp_path / "tiny.html"
    tiny.write_text("<html><body><h1>Ferry stops</h1><p>The ferry between the islands stopped on Monday as "
                    "storms closed the harbour.</p><footer>© The Courier</footer></body></html>", encoding="utf-8")
    labeler = Labeler([tiny], tmp_path / "out")
    labeler.set_role(0, len(labeler.pages[0].roles) - 1, "chrome")
    with pytest.raises(LabelError, match="too few to train on"):
        labeler.train()
    assert not (tmp_path / "out" / "model" / "label-model.txt").exists()
