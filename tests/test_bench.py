"""The benchmark computes the metric right and produces a report from a tiny corpus."""

import json

import polars as pl
import pytest

from bench import quality


def tiny_corpus(tmp_path):
    root = tmp_path / "tiny"
    (root / "html").mkdir(parents=True)
    body = "The minister said the agreement would be signed next week after a long negotiation. " * 3
    truth = {}
    for i in range(3):
        page = (f"<html><body><div class='nav'><a>Home</a> <a>World</a></div><article><h1>Title {i}</h1>"
                f"<p>{body}</p><p>{body} Paragraph {i}.</p></article><footer>Copyright</footer></body></html>")
        (root / "html" / f"p{i}.html").write_text(page)
        truth[f"p{i}"] = {"articleBody": f"Title {i}\n{body}\n{body} Paragraph {i}.", "url": f"https://s{i}.com/"}
    (root / "ground-truth.json").write_text(json.dumps(truth))
    return root


def test_report_from_a_tiny_corpus(tmp_path, labeled_dir):
    out = tmp_path / "report"
    assert quality.main(["--labeled", str(labeled_dir), "--corpus", str(tiny_corpus(tmp_path)),
                         "--no-peers", "--out", str(out)]) == 0
    df = pl.read_csv(out / "pages.csv")
    assert df.columns == ["source", "page", "system", "precision", "recall", "f1", "ms"]
    assert sorted(df["source"].unique().to_list()) == ["labeled", "tiny"]
    assert df.height == 5 + 3 and (df["ms"] > 0).all()
    assert df["f1"].is_between(0, 1).all()
    summary = (out / "summary.md").read_text()
    assert "## tiny (3 pages)" in summary and "**boilerplate**" in summary


def test_summary_ranks_by_mean_f1():
    df = pl.DataFrame({"source": ["s"] * 4, "page": ["a", "b", "a", "b"], "system": ["x", "x", "y", "y"],
                       "precision": [1.0, 0.5, 1.0, 1.0], "recall": [1.0, 0.5, 1.0, 0.8],
                       "f1": [1.0, 0.5, 1.0, 0.8], "ms": [2.0, 4.0, 1.0, 1.0]})
    s = quality.summarize(df)
    assert s["system"].to_list() == ["y", "x"]
    assert s["F1"].to_list() == pytest.approx([0.9, 0.75])
    assert s["pages/s"].to_list() == pytest.approx([1000.0, 1000 / 3])


def test_language_guess():
    assert quality._lang("這是中文新聞的內容") == "zh"
    assert quality._lang("This is an English article") == "en"
