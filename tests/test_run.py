"""`boilerplate run`: records from WARC / JSONL / directories, Parquet shards, manifest, resume, workers,
and the same job on a real Dask LocalCluster."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

import boilerplate
from bench.warc import write_warc
from boilerplate.cli import main
from boilerplate.errors import InputFileError
from boilerplate.records import read_records
from boilerplate.run import load_manifest, run, shard_name

ARTICLE = ("<html><head><title>稀土協議</title></head><body><div class='nav'><a href='/'>首頁</a> "
           "<a href='/n'>新聞</a></div><div class='content'><h1>稀土協議簽署</h1>"
           "<p>美國總統與澳洲總理在白宮簽署關鍵礦產協議，兩國將在六個月內各自投入十億美元，共同開採與加工關鍵礦物。</p>"
           "<p>白宮聲明指出，這筆投資鎖定約值五百三十億美元的關鍵礦產儲藏，涵蓋稀土、鎵與其他戰略性資源。</p></div>"
           "<div id='footer'>(c) 2025 新聞網 版權所有</div></body></html>")


@pytest.fixture
def inputs(tmp_path: Path, labeled_dir: Path) -> list[Path]:
    """A WARC (Big5 and UTF-8 pages), a JSONL file with bad lines, a directory with a bad file."""
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [(f"http://news.example/{i}", ARTICLE.replace("十億", f"{i}億").encode(enc), enc)
                      for i, enc in enumerate(["big5", "utf-8", "big5", "utf-8"] * 10)])
    jsonl = tmp_path / "pages.jsonl"
    jsonl.write_text("\n".join([json.dumps({"url": "http://j/1", "html": ARTICLE}, ensure_ascii=False),
                                "{not json",
                                json.dumps({"id": "t1", "text": (labeled_dir / "003_99a058014c38c513.txt")
                                           .read_text(encoding="utf-8")}, ensure_ascii=False),
                                json.dumps({"url": "http://j/3"})]) + "\n", encoding="utf-8")
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    for seed in sorted(labeled_dir.glob("00[0-4]_*.txt")):  # the five seed articles, not pages added since
        shutil.copy(seed, pages / seed.name)
    (pages / "sub" / "a.html").write_bytes(ARTICLE.encode("gb18030").replace(b"<head>", b"<head><meta charset=gbk>"))
    (pages / "sub" / "bad.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return [warc, jsonl, pages]


def test_records_of_each_input_type(inputs):
    warc, jsonl, pages = inputs
    recs = list(read_records(warc))
    assert len(recs) == 40 and recs[0].url == "http://news.example/0" and recs[0].http_charset == "big5"
    assert "六個月內各自投入0億美元" in boilerplate.extract(recs[0].data.decode("big5"))
    js = list(read_records(jsonl))
    assert [(r.record_id, r.kind, r.error is None) for r in js] == \
        [("1", "html", True), ("2", "auto", False), ("t1", "text", True), ("4", "auto", False)]
    assert "not JSON" in js[1].error and "no string field" in js[3].error
    names = [r.record_id for r in read_records(pages)]
    assert names == sorted(names) and "sub/a.html" in names and len(names) == 7
    csv = jsonl.with_suffix(".csv")
    csv.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="not a WARC"):
        read_records(csv)
    corrupt = jsonl.with_suffix(".jsonl.gz")
    corrupt.write_bytes(gzip.compress(b'{"text": "x"}\n' * 100)[:-30] + b"\x00" * 10)
    with pytest.raises(InputFileError, match="cannot read"):
        list(read_records(corrupt))


def test_run_writes_one_shard_per_input_and_resumes(inputs, tmp_path, capsys):
    out = tmp_path / "out"
    summary = run(inputs, out, workers=1, progress=False)
    assert not summary.failed and len(summary.written) == 3 and summary.records == 40 + 4 + 7
    assert summary.errors == 3  # bad JSON, no html/text field, PNG in the directory
    warc_rows = pl.read_parquet(out / shard_name(inputs[0]))
    assert warc_rows.height == 40 and warc_rows["error"].is_null().all()
    assert warc_rows["text"].str.contains("白宮聲明指出").all() and not warc_rows["text"].str.contains("首頁").any()
    assert (warc_rows["lines_kept"] < warc_rows["lines_total"]).all()
    dir_rows = pl.read_parquet(out / shard_name(inputs[2]))
    bad = dir_rows.filter(pl.col("record_id") == "sub/bad.html")
    assert "not text/HTML" in bad["error"][0] and bad["text"][0] == ""
    assert "白宮聲明指出" in dir_rows.filter(pl.col("record_id") == "sub/a.html")["text"][0]  # GBK page
    manifest = load_manifest(out)
    assert set(manifest["shards"]) == {shard_name(p) for p in inputs}
    assert manifest["shards"][shard_name(inputs[1])]["errors"] == 2
    assert "bad record" in capsys.readouterr().err

    again = run(inputs, out, workers=1, progress=False)  # complete shards are skipped
    assert not again.written and len(again.skipped) == 3
    inputs[1].write_text(inputs[1].read_text(encoding="utf-8") + "\n\n", encoding="utf-8")  # input changed
    assert [r.input for r in run(inputs, out, workers=1, progress=False).written] == [str(inputs[1])]
    assert len(run(inputs, out, workers=1, progress=False, force=True).written) == 3


def test_workers_give_the_same_shards(inputs, tmp_path):
    run(inputs, tmp_path / "one", workers=1, progress=False)
    run(inputs, tmp_path / "two", workers=2, progress=False, scores=True)
    for p in inputs:
        one = pl.read_parquet(tmp_path / "one" / shard_name(p))
        two = pl.read_parquet(tmp_path / "two" / shard_name(p))
        assert one.equals(two.drop("lines", "scores"))
        assert (two["scores"].list.len() == two["lines_total"]).all()


def test_site_repeats_drop_what_a_site_repeats_within_a_chunk(tmp_path, gazette_pages):
    warc = tmp_path / "site.warc.gz"
    urls = [f"https://www{n % 2}.gazette.example/{n}" for n in range(4)] + ["https://other.example/x"]
    write_warc(warc, [(url, page.encode(), "utf-8") for url, page in zip(urls, gazette_pages + gazette_pages[:1])])
    about = "Gazette is an independent"
    plain = run([warc], tmp_path / "plain", workers=1, progress=False)
    assert plain.records == 5 and pl.read_parquet(tmp_path / "plain" / shard_name(warc))["text"].str.contains(
        about).all()
    out = tmp_path / "out"
    run([warc], out, workers=1, progress=False, site_repeats=True)
    rows = pl.read_parquet(out / shard_name(warc))
    # the four pages of gazette.example (two host names, one registrable domain) lose it; the other keeps it
    assert rows["text"].str.contains(about).to_list() == [False] * 4 + [True]
    assert rows["text"].str.contains("Sentence 3-7").to_list()[3]
    assert load_manifest(out)["shards"][shard_name(warc)]["site_repeats"] is True
    assert len(run([warc], out, workers=1, progress=False).written) == 1  # another option: cleaned again
    assert main(["run", str(warc), "--out", str(tmp_path / "cli"), "--workers", "1", "--site-repeats"]) == 0
    assert pl.read_parquet(tmp_path / "cli" / shard_name(warc))["text"].to_list() == rows["text"].to_list()


def test_a_bad_input_fails_alone(inputs, tmp_path, capsys):
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00garbage that is not gzip")
    code = main(["run", str(broken), str(inputs[1]), "--out", str(tmp_path / "out"), "--workers", "1"])
    assert code == 1
    err = capsys.readouterr().err
    assert "broken.warc.gz" in err and "1 input(s) failed" in err
    assert (tmp_path / "out" / shard_name(inputs[1])).exists()
    assert not (tmp_path / "out" / shard_name(broken)).exists()
    assert main(["run", str(tmp_path / "missing.warc"), "--out", str(tmp_path / "o2")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_dask_local_cluster_gives_the_single_process_result(inputs, tmp_path):
    pytest.importorskip("dask.distributed")
    run(inputs, tmp_path / "single", workers=1, progress=False)
    summary = run(inputs, tmp_path / "dask", workers=2, scheduler="local", progress=False)
    assert not summary.failed and len(summary.written) == 3
    for p in inputs:
        assert pl.read_parquet(tmp_path / "dask" / shard_name(p)).equals(
            pl.read_parquet(tmp_path / "single" / shard_name(p)))
    assert load_manifest(tmp_path / "dask")["shards"].keys() == load_manifest(tmp_path / "single")["shards"].keys()


def test_markdown_column_resolves_links_against_each_record_url(tmp_path):
    article = ARTICLE.replace("<p>美國總統", "<p>據<a href='/src/1'>白宮新聞稿</a>，美國總統")
    warc = tmp_path / "md.warc.gz"
    write_warc(warc, [("http://news.example/a/1", article.encode("utf-8"), "utf-8")])
    plain = run([warc], tmp_path / "plain", workers=1, progress=False)
    assert "markdown" not in pl.read_parquet(tmp_path / "plain" / shard_name(warc)).columns and plain.records == 1
    run([warc], tmp_path / "out", workers=1, progress=False, markdown=True)
    rows = pl.read_parquet(tmp_path / "out" / shard_name(warc))
    assert rows["markdown"][0].startswith("# ") and "[白宮新聞稿](http://news.example/src/1)" in rows["markdown"][0]
    assert rows["text"][0] == pl.read_parquet(tmp_path / "plain" / shard_name(warc))["text"][0]
    assert load_manifest(tmp_path / "out")["shards"][shard_name(warc)]["markdown"] is True


def test_metadata_columns(tmp_path):
    article = ARTICLE.replace("<head>", "<head><meta property='article:published_time' content='2024-05-03'>"
                                        "<meta name='author' content='王小明'><html lang='zh-TW'>")
    warc = tmp_path / "meta.warc.gz"
    write_warc(warc, [("http://news.example/2024/05/03/a", article.encode("utf-8"), "utf-8")])
    run([warc], tmp_path / "out", workers=1, progress=False, metadata=True)
    row = pl.read_parquet(tmp_path / "out" / shard_name(warc)).row(0, named=True)
    assert row["date_published"] == "2024-05-03" and row["authors"] == ["王小明"]
    assert load_manifest(tmp_path / "out")["shards"][shard_name(warc)]["metadata"] is True
    assert main(["run", str(warc), "--out", str(tmp_path / "cli"), "--workers", "1", "--metadata"]) == 0
    assert pl.read_parquet(tmp_path / "cli" / shard_name(warc))["date_published"].to_list() == ["2024-05-03"]


def test_comments_column(tmp_path):
    thread = "<h3>2 Comments</h3><div><p>seagull77 says: March 5, 2024</p><p>About time, the gap was there all winter.</p></div>"
    article = ARTICLE.replace("</div><div id='footer'>", thread + "</div><div id='footer'>").replace(
        "<p>美國總統", "<p>" + "白宮聲明指出，這筆投資鎖定約值五百三十億美元的關鍵礦產儲藏。" * 4 + "</p><p>美國總統")
    warc = tmp_path / "c.warc.gz"
    write_warc(warc, [("http://news.example/a", article.encode("utf-8"), "utf-8")])
    assert main(["run", str(warc), "--out", str(tmp_path / "out"), "--workers", "1", "--comments"]) == 0
    rows = pl.read_parquet(tmp_path / "out" / shard_name(warc))
    assert rows["comments"][0].to_list() == [{"author": "seagull77", "date": "2024-03-05",
                                              "text": "About time, the gap was there all winter."}]
    assert "seagull77" not in rows["text"][0]
    assert load_manifest(tmp_path / "out")["shards"][shard_name(warc)]["comments"] is True
