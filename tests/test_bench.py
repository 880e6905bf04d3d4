"""The benchmark computes the metric right and produces a report from a tiny corpus."""

import json

import polars as pl
import pytest

from bench import quality
from boilerplate.labeled import load_labeled


def tiny_corpus(tmp_path, sites=(0, 1, 2), same_site=()):
    root = tmp_path / "tiny"
    (root / "html").mkdir(parents=True)
    body = "The minister said the agreement would be signed next week after a long negotiation. " * 3
    truth = {}
    for i in sites:
        page = (f"<html><body><div class='nav'><a>Home</a> <a>World</a></div><article><h1>Title {i}</h1>"
                f"<p>{body}</p><p>{body} Paragraph {i}.</p></article><footer>Copyright</footer></body></html>")
        (root / "html" / f"p{i}.html").write_text(page)
        truth[f"p{i}"] = {"articleBody": f"Title {i}\n{body}\n{body} Paragraph {i}.",
                          "url": f"https://{'news.example' if i in same_site else f's{i}.com'}/p{i}",
                          "lang": "en",
                          "page_type": "article" if i % 2 else "listing"}
    (root / "ground-truth.json").write_text(json.dumps(truth))
    return root


def test_report_from_a_tiny_corpus(tmp_path, labeled_dir):
    out = tmp_path / "report"
    assert quality.main(["--labeled", str(labeled_dir), "--corpus", str(tiny_corpus(tmp_path)),
                         "--no-peers", "--out", str(out)]) == 0
    df = pl.read_csv(out / "pages.csv")
    assert df.columns == ["source", "page", "lang", "page_type", "system", "precision", "recall", "f1", "ms"]
    assert sorted(df["source"].unique().to_list()) == ["labeled", "tiny"]
    assert df.height == 3 * (len(load_labeled(labeled_dir)) + 3) and (df["ms"] > 0).all()
    assert df["f1"].is_between(0, 1).all()
    # scored three times: title first, without it, and with each site's pages together; the tiny gold
    # holds its headline, so leaving it out loses recall
    ours = df.filter(pl.col("source") == "tiny").pivot("system", index="page", values="recall")
    assert (ours["boilerplate --no-title"] < ours["boilerplate"]).all()
    summary = (out / "summary.md").read_text()
    assert "## tiny (3 pages)" in summary and "**boilerplate**" in summary
    assert "**boilerplate --no-title**" in summary and "**boilerplate --one-site**" in summary
    # each page is alone on its site: extracting a site's pages together changes nothing
    assert (ours["boilerplate --one-site"] == ours["boilerplate"]).all()
    assert "## By page type" in summary and "| tiny | listing | 2 |" in summary


def test_one_site_scores_a_sites_pages_together(tmp_path, labeled_dir):
    out = tmp_path / "report"
    # pages 0-3 on one site, sharing a paragraph; the others (on sites of their own) teach the fold models
    corpus = tiny_corpus(tmp_path, sites=tuple(range(10)), same_site=(0, 1, 2, 3))
    assert quality.main(["--labeled", str(labeled_dir), "--corpus", str(corpus), "--no-peers",
                         "--out", str(out)]) == 0
    ours = pl.read_csv(out / "pages.csv").filter(pl.col("source") == "tiny").pivot("system", index="page",
                                                                                   values="recall").sort("page")
    shared = ours["page"].is_in(["p0", "p1", "p2", "p3"])
    assert (ours.filter(shared)["boilerplate --one-site"] < ours.filter(shared)["boilerplate"]).all()
    assert (ours.filter(~shared)["boilerplate --one-site"] == ours.filter(~shared)["boilerplate"]).all()


def test_holdout_sites_are_scored_only_with_holdout(tmp_path, labeled_dir):
    corpus = tiny_corpus(tmp_path, sites=(0, 1, 18))  # s18.com is in the fixed holdout of sites
    for flag, pages in (([], ["p0", "p1"]), (["--holdout"], ["p18"])):
        out = tmp_path / f"report{len(flag)}"
        assert quality.main(["--labeled", str(labeled_dir), "--corpus", str(corpus), "--no-peers",
                             "--out", str(out), *flag]) == 0
        df = pl.read_csv(out / "pages.csv")
        ours = df.filter((pl.col("source") == "tiny") & (pl.col("system") == "boilerplate"))
        assert sorted(ours["page"].to_list()) == pages


def test_group_margins_leave_out_our_own_variant():
    df = pl.DataFrame({"source": ["s"] * 6, "page": ["a", "b"] * 3, "lang": ["en"] * 6,
                       "page_type": ["article", "forum"] * 3,
                       "system": ["boilerplate"] * 2 + ["boilerplate --no-title"] * 2 + ["peer"] * 2,
                       "precision": [0.8] * 6, "recall": [0.8] * 6, "f1": [0.8, 0.6, 0.9, 0.7, 0.7, 0.7],
                       "ms": [1.0] * 6})
    table = quality.group_table(df, "page_type")
    assert table[0].startswith("| source | page type | pages | boilerplate | boilerplate --no-title | peer |")
    assert table[2].endswith("| +0.100 |") and table[3].endswith("| -0.100 |")  # against the peer only


def test_summary_ranks_by_mean_f1():
    df = pl.DataFrame({"source": ["s"] * 4, "page": ["a", "b", "a", "b"], "system": ["x", "x", "y", "y"],
                       "lang": ["en"] * 4, "page_type": ["article", "forum"] * 2,
                       "precision": [1.0, 0.5, 1.0, 1.0], "recall": [1.0, 0.5, 1.0, 0.8],
                       "f1": [1.0, 0.5, 1.0, 0.8], "ms": [2.0, 4.0, 1.0, 1.0]})
    s = quality.summarize(df)
    assert s["system"].to_list() == ["y", "x"]
    assert s["F1"].to_list() == pytest.approx([0.9, 0.75])
    assert s["pages/s"].to_list() == pytest.approx([1000.0, 1000 / 3])
    assert s["< 0.5"].to_list() == [0.0, 0.0]
    by_type = quality.summarize(df, ("source", "page_type"))
    assert by_type.filter(pl.col("page_type") == "forum")["F1"].to_list() == pytest.approx([0.8, 0.5])


def test_title_benchmark_scores_titles_against_the_gold(tmp_path):
    from bench import title
    from boilerplate.train import is_holdout

    root = tiny_corpus(tmp_path, sites=range(6))
    truth = json.loads((root / "ground-truth.json").read_text())
    for page in truth.values():
        page["title"] = page["articleBody"].split("\n")[0]  # "Title i", the page's <h1>
    (root / "ground-truth.json").write_text(json.dumps(truth))
    out = tmp_path / "report"
    assert title.main(["--corpus", str(root), "--out", str(out)]) == 0
    rows = pl.read_csv(out / "title.csv")
    kept = sum(not is_holdout(f"s{i}.com") for i in range(6))
    ours = rows.filter(pl.col("system") == "boilerplate")
    assert ours.height == kept and (ours["f1"] == 1.0).all()
    assert f"| all | {kept} | 1.000 (1.000) |" in (out / "title.md").read_text()


def test_labelsim_compares_least_certain_with_random_blocks_on_a_sites_other_pages(tmp_path, labeled_dir):
    from bench import labelsim
    from boilerplate.train import site_fold

    # pages 0-5 on one site (3 labeled, 3 scored); the others, on sites of their own, train the base model
    corpus = tiny_corpus(tmp_path, sites=tuple(range(14)), same_site=tuple(range(6)))
    out = tmp_path / "sim.json"
    assert labelsim.main(["--labeled", str(labeled_dir), "--corpus", str(corpus), "--simulate", "tiny",
                          "--folds", str(site_fold("news.example")), "--k", "2", "--draws", "1",
                          "--base-dir", str(tmp_path), "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    (site,) = report["sites"]
    assert site["site"] == "tiny|news.example" and site["pages"] == 6 and site["rest_pages"] == 3
    variants = {"none", "all", "uncertain2-unknown", "random2-unknown", "uncertain2-draft", "random2-draft"}
    assert set(report["summary"]["all"]["delta"]) == variants
    assert all(0 <= f1 <= 1 for v in variants for f1 in site[v])
    assert report["summary"]["all"]["delta"]["none"]["rest"] == 0
    assert set(report["summary"]["all"]["uncertain_minus_random"]) == {"2-unknown", "2-draft"}
    assert (tmp_path / f"base-fold{site['fold']}.txt").is_file()  # (cached for the next run)
