import io
import json
import shutil
import sys

import pytest

from boilerplate.cli import main
from boilerplate.labeled import load_article, load_labeled

SEED = "labeled/003_99a058014c38c513.txt"


def test_extract_file(capsys):
    assert main(["extract", SEED]) == 0
    out = capsys.readouterr().out
    assert out.startswith("美日對稀土的儲備及開採取得重大進展") and "udn討論區" not in out


def test_extract_stdin(monkeypatch, capsys):
    data = open(SEED, "rb").read()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["extract", "-"]) == 0
    stdin_out = capsys.readouterr().out
    main(["extract", SEED])
    assert stdin_out == capsys.readouterr().out


def test_batch_with_a_bad_file_continues(tmp_path, capsys):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    out_dir = tmp_path / "out"
    code = main(["extract", "--out-dir", str(out_dir), SEED, str(bad), str(tmp_path / "missing.html")])
    assert code == 1
    err = capsys.readouterr().err
    assert "bad.png" in err and "missing.html" in err and "2 input(s) failed" in err
    assert (out_dir / "003_99a058014c38c513.txt").read_text(encoding="utf-8").startswith("美日對稀土")
    assert sorted(p.name for p in out_dir.iterdir()) == ["003_99a058014c38c513.txt"]


def test_one_site_drops_lines_the_site_repeats_and_keeps_going_past_bad_inputs(tmp_path, capsys, gazette_pages):
    names = []
    for n in range(3):
        (tmp_path / f"g{n}.html").write_text(gazette_pages[n], encoding="utf-8")
        names.append(str(tmp_path / f"g{n}.html"))
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    assert main(["extract", *names]) == 0
    assert capsys.readouterr().out.count("Gazette is an independent") == 3
    inputs = [names[0], str(tmp_path / "bad.png"), names[1], str(tmp_path / "missing.html"), names[2]]
    assert main(["extract", "--one-site", *inputs]) == 1
    out, err = capsys.readouterr()
    assert "Gazette is an independent" not in out and [f"==> {name} <==" in out for name in names] == [True] * 3
    assert "bad.png" in err and "missing.html" in err and "2 input(s) failed" in err


def test_out_dir_name_collision_is_refused_before_any_work(tmp_path, capsys):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "page.html").write_text("<p>正文。</p>", encoding="utf-8")
    out_dir = tmp_path / "out"
    assert main(["extract", "--out-dir", str(out_dir), str(tmp_path / "a" / "page.html"),
                 str(tmp_path / "b" / "page.html")]) == 2
    assert "would both be written to" in capsys.readouterr().err and not out_dir.exists()


def test_classify_formats(capsys, tmp_path):
    assert main(["classify", SEED, "--format", "jsonl"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert rows[0]["text"] == "快訊" and rows[0]["label"] == "chrome" and 0 <= rows[0]["score"] <= 1
    assert main(["classify", SEED, "--format", "tsv"]) == 0
    tsv = capsys.readouterr().out.splitlines()
    assert tsv[0] == "file\tline\trole\tlabel\tscore\ttext" and len(tsv) == len(rows) + 1
    assert all(row.startswith(SEED + "\t") for row in tsv[1:])
    # a draft label file is a valid label file for the same page
    assert main(["classify", SEED, "--format", "labels"]) == 0
    (tmp_path / "p.txt").write_bytes(open(SEED, "rb").read())
    (tmp_path / "p.tsv").write_text(capsys.readouterr().out, encoding="utf-8")
    assert len(load_article(tmp_path / "p.tsv").roles) == len(rows)


def test_train_without_corpora_continues_the_shipped_model(tmp_path, capsys, monkeypatch):
    from boilerplate.corpora import ENV_VAR
    from boilerplate.model import DEFAULT_MODEL, Model
    from boilerplate.train import CONTINUE_ROUNDS

    monkeypatch.delenv(ENV_VAR, raising=False)  # CI sets it: no corpora here
    out = tmp_path / "m.txt"
    assert main(["train", "--labeled", "labeled", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "training the shipped model further" in captured.err
    report = json.loads(captured.out)
    assert report["cross_validation"] == {}  # the starting model saw these pages: no honest CV
    assert report["training_data"]["labeled"]["pages"] == len(load_labeled("labeled"))
    assert report["training_data"]["labeled"]["license"] == "this project's own labels (MIT)"
    assert "daniel-dev (starting model)" in report["training_data"]
    assert "\r" not in captured.err  # (no terminal: progress as lines, no redrawing)
    mine = tmp_path / "mine"
    shutil.copytree("labeled", mine)
    assert main(["train", "--labeled", str(mine), "--out", str(tmp_path / "m2.txt"), "--rounds", "2"]) == 0
    license = json.loads(capsys.readouterr().out)["training_data"]["labeled"]["license"]
    assert license == f"your own labels ({mine}): license as you set it"
    shipped, continued = Model.load(DEFAULT_MODEL), Model.load(out)
    assert continued.html[0].first.current_iteration() == shipped.html[0].first.current_iteration()  # no HTML labels
    assert continued.text[0].first.current_iteration() == shipped.text[0].first.current_iteration() + CONTINUE_ROUNDS
    assert main(["extract", "--model", str(out), SEED]) == 0
    assert "美日對稀土" in capsys.readouterr().out


def test_train_from_scratch_warns_and_cross_validates(tmp_path, capsys, monkeypatch):
    from boilerplate.corpora import ENV_VAR

    monkeypatch.delenv(ENV_VAR, raising=False)
    out = tmp_path / "m.txt"
    assert main(["train", "--labeled", "labeled", "--from-scratch", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "warning: training from scratch" in captured.err
    report = json.loads(captured.out)
    assert report["cross_validation"]["labeled"]["pages"] == len(load_labeled("labeled"))
    assert "daniel-dev (starting model)" not in report["training_data"]
    assert main(["extract", "--model", str(out), SEED]) == 0
    assert "美日對稀土" in capsys.readouterr().out


def test_usage_and_model_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["extract"])
    assert e.value.code == 2
    assert main(["extract", "--model", str(tmp_path / "none.txt"), SEED]) == 1
    assert "model file not found" in capsys.readouterr().err
    assert main(["train", "--labeled", str(tmp_path), "--out", str(tmp_path / "m.txt")]) == 1
    assert "no labeled articles" in capsys.readouterr().err
    for rounds in ("0", "-3", "x"):
        with pytest.raises(SystemExit) as e:
            main(["train", "--labeled", "labeled", "--out", str(tmp_path / "m.txt"), "--rounds", rounds])
        assert e.value.code == 2 and "--rounds: must be a whole number" in capsys.readouterr().err
    # a new model's HTML stages average two boosters of half the rounds each
    assert main(["train", "--labeled", "labeled", "--from-scratch", "--out", str(tmp_path / "m.txt"),
                 "--rounds", "1"]) == 2
    assert "--rounds must be at least 2" in capsys.readouterr().err and not (tmp_path / "m.txt").exists()


def test_train_refuses_to_overwrite_the_shipped_model_without_its_sources(tmp_path, monkeypatch, capsys):
    import shutil

    from boilerplate import commands
    from boilerplate.model import DEFAULT_MODEL
    from boilerplate.modelfile import card_path

    shipped = tmp_path / "default.txt"
    shutil.copy(DEFAULT_MODEL, shipped)
    shutil.copy(card_path(DEFAULT_MODEL), card_path(shipped))
    monkeypatch.setattr(commands, "DEFAULT_MODEL", shipped)
    before = shipped.read_bytes()
    assert main(["train", "--labeled", "labeled", "--out", str(shipped), "--no-cv"]) == 2
    assert "refusing to overwrite the shipped model" in capsys.readouterr().err
    assert shipped.read_bytes() == before
    assert main(["train", "--labeled", "labeled", "--out", str(shipped), "--no-cv", "--force"]) == 0
    assert shipped.read_bytes() != before  # trained further on the seeds, as asked


def test_version(capsys):
    import boilerplate

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"boilerplate {boilerplate.__version__}"
    assert boilerplate.__version__[0].isdigit() and boilerplate.__version__ != "0+unknown"


HTML = ("<html><head><title>Storm hits coast - Daily</title></head><body><nav><a href='/'>Home</a></nav>"
        "<article><h1>Storm hits coast</h1><h2>What happened</h2><p>" + "The storm reached the coast at dawn "
        "and flooded the harbour, the mayor said on Monday. " * 4 + "</p></article></body></html>")


def test_extract_formats_one_record_per_input(tmp_path, capsys):
    page = tmp_path / "storm.html"
    page.write_text(HTML, encoding="utf-8")
    assert main(["extract", str(page)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Storm hits coast\n")
    assert main(["extract", "--no-title", str(page)]) == 0
    assert capsys.readouterr().out == text.split("\n", 1)[1]
    assert main(["extract", str(page), SEED]) == 0
    both = capsys.readouterr().out
    assert both.startswith(f"==> {page} <==\nStorm hits coast\n") and f"\n\n==> {SEED} <==\n" in both
    assert main(["extract", "--format", "json", str(page), SEED]) == 0
    records = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [r["file"] for r in records] == [str(page), SEED]
    assert records[0]["title"] == "Storm hits coast" and records[0]["encoding"] == "utf-8"
    assert records[0]["lines"][0]["role"] == "title" and records[1]["encoding"] == "utf-8"
    assert main(["extract", "--format", "markdown", str(page)]) == 0
    assert capsys.readouterr().out.startswith("# Storm hits coast\n\n## What happened\n\nThe storm")
    assert main(["extract", "--format", "markdown", "--out-dir", str(tmp_path / "md"), str(page)]) == 0
    assert (tmp_path / "md" / "storm.md").read_text(encoding="utf-8").startswith("# Storm hits coast")


def test_extract_structured_formats(tmp_path, capsys):
    page = tmp_path / "doc.html"
    page.write_text("<html><head><title>Sorting</title></head><body><article><h1>Sorting</h1>"
                    + "<p>Python sorts lists with a stable algorithm; see <a href='/docs/sort'>the docs</a>. " * 3
                    + "</p><pre><code class='language-python'>def f(x):\n    return sorted(x)</code></pre>"
                    "<table><tr><th>Method</th><th>Stable</th></tr><tr><td>sorted()</td><td>yes</td></tr>"
                    "<tr><td>heapq</td><td>no</td></tr></table></article></body></html>", encoding="utf-8")
    assert main(["extract", "--format", "markdown", "--links", "--url", "https://py.example/a/", "--threshold",
                 "0", str(page)]) == 0
    md = capsys.readouterr().out
    assert "```python\ndef f(x):\n    return sorted(x)\n```" in md and "| sorted() | yes |" in md
    assert "[the docs](https://py.example/docs/sort)" in md
    assert main(["extract", "--format", "markdown", "--threshold", "0", str(page)]) == 0
    assert "](" not in capsys.readouterr().out  # links are off by default
    assert main(["extract", "--format", "html", "--links", "--threshold", "0", "--out-dir", str(tmp_path / "h"),
                 str(page)]) == 0
    html = (tmp_path / "h" / "doc.html").read_text(encoding="utf-8")
    assert "<th>Method</th>" in html and '<a href="/docs/sort">the docs</a>' in html
    assert main(["extract", "--format", "json", "--threshold", "0", str(page)]) == 0
    blocks = json.loads(capsys.readouterr().out)["blocks"]
    assert {"code", "table"} <= {b["type"] for b in blocks}


def test_extract_encoding_override(tmp_path, capsys):
    page = tmp_path / "gbk.html"
    page.write_bytes(("<p>" + "中文新闻的正文内容，记者报道了今天发生的事情。" * 6 + "</p>").encode("gbk"))
    assert main(["extract", "--format", "json", str(page)]) == 0
    assert json.loads(capsys.readouterr().out)["encoding"] == "gb18030"
    assert main(["extract", "--format", "json", "--encoding", "cp1252", str(page)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["encoding"] == "cp1252" and "中文" not in record["text"]
    assert main(["extract", "--encoding", "bogus", str(page)]) == 1
    assert "unknown encoding 'bogus'" in capsys.readouterr().err


def test_one_line_errors_for_bad_destinations_and_options(tmp_path, capsys):
    a_file = tmp_path / "f"
    a_file.write_text("x")
    assert main(["extract", "--out-dir", str(a_file), SEED]) == 2
    err = capsys.readouterr().err
    assert "exists and is not a directory" in err and len(err.splitlines()) == 1
    pages = tmp_path / "pages"
    pages.mkdir()
    assert main(["run", str(pages), "--out", str(a_file)]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert main(["run", str(pages), "--out", str(tmp_path / "o"), "--scheduler", "foo"]) == 2
    assert "--scheduler foo" in capsys.readouterr().err
    for bad in ("2", "x"):
        with pytest.raises(SystemExit) as e:
            main(["extract", "--threshold", bad, SEED])
        assert e.value.code == 2
    assert main(["classify", "--format", "labels", SEED, SEED]) == 2


def test_gzip_file_is_read(tmp_path, capsys):
    import gzip
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(HTML.encode("utf-8")))
    assert main(["extract", str(tmp_path / "p.html.gz")]) == 0
    assert capsys.readouterr().out.startswith("Storm hits coast\n")


def test_the_bare_command_lists_the_commands(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert all(command in out for command in ("extract", "classify", "run", "train"))
