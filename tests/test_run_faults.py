"""`boilerplate run` under faults a corpus builder meets: bad bytes in records, truncated WARCs, junk
responses, a worker that dies, a full disk, a parent that dies, two runs into one directory, damaged
shards on resume."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from bench.warc import write_warc
from boilerplate import records as records_module
from boilerplate import run as run_module
from boilerplate import shards as shards_module
from boilerplate.cli import main
from boilerplate.errors import InputFileError, RunError
from boilerplate.run import load_manifest, run, shard_name

PAGE = ("<html><head><title>Storm hits coast</title></head><body><nav><a href='/'>Home</a></nav><article>"
        "<h1>Storm hits coast</h1><p>" + "The storm reached the coast at dawn and flooded the harbour. " * 4 +
        "</p></article></body></html>")


def good_jsonl(path: Path, n: int = 3) -> Path:
    path.write_text("".join(json.dumps({"url": f"http://e/{i}", "html": PAGE}) + "\n" for i in range(n)),
                    encoding="utf-8")
    return path


def test_invalid_bytes_in_record_fields_become_escaped_values_with_an_error(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "x", "url": "http://e.com/caf\xe9", "html": "<p>hello there, a page</p>"}\n'
                    b'{"id": "\\ud800", "url": "http://e.com/2", "html": "<p>second page of text</p>"}\n')
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "caf\xe9.html".encode("latin-1").decode("utf-8", "surrogateescape")).write_bytes(PAGE.encode())
    good = good_jsonl(tmp_path / "good.jsonl")
    code = main(["run", str(bad), str(pages), str(good), "--out", str(tmp_path / "out"), "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 1  # some records failed
    summary = json.loads(captured.out.splitlines()[-1])
    assert summary["shards_written"] == 3 and summary["bad_records"] == 2 and summary["inputs_failed"] == []
    rows = pl.read_parquet(tmp_path / "out" / shard_name(bad))
    assert rows["url"].to_list() == ["http://e.com/caf\\xe9", "http://e.com/2"]
    assert rows["record_id"].to_list() == ["x", "\\ud800"]
    assert rows["error"].to_list() == ["invalid UTF-8 in url (escaped)", "invalid UTF-8 in record_id (escaped)"]
    assert rows["text"].to_list()[0] == "hello there, a page"
    dir_rows = pl.read_parquet(tmp_path / "out" / shard_name(pages))
    assert dir_rows["record_id"].to_list() == ["caf\\xe9.html"] and dir_rows["error"].to_list() == [None]
    assert pl.read_parquet(tmp_path / "out" / shard_name(good)).height == 3


def test_a_truncated_warc_fails_alone_and_is_not_recorded(tmp_path, capsys):
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [(f"http://e/{i}", PAGE.encode(), None) for i in range(60)])
    data = warc.read_bytes()
    cuts = {"between records": data[: len(data) // 2], "inside a record": data[: len(data) - 100]}
    good = good_jsonl(tmp_path / "good.jsonl")
    for where, cut in cuts.items():
        warc.write_bytes(cut)
        out = tmp_path / where.replace(" ", "_")
        assert main(["run", str(warc), str(good), "--out", str(out), "--workers", "1"]) == 1, where
        captured = capsys.readouterr()
        assert "truncated WARC" in captured.err
        assert json.loads(captured.out.splitlines()[-1])["inputs_failed"][0].startswith(str(warc))
        assert not (out / shard_name(warc)).exists() and shard_name(warc) not in load_manifest(out)["shards"]
        assert (out / shard_name(good)).exists()
        assert not [p for p in out.iterdir() if p.name.endswith(".part")]


def test_junk_responses_are_skipped_and_counted(tmp_path, capsys):
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [("http://e/a", PAGE.encode(), "utf-8"),
                      ("http://e/app.js", b"var x = 1;", None, 200, "text/javascript"),
                      ("http://e/s.css", b"p { color: red }", None, 200, "text/css"),
                      ("http://e/robots.txt", b"User-agent: *", None, 200, "text/plain"),
                      ("http://e/gone", PAGE.encode(), None, 404, "text/html"),
                      ("http://e/b", PAGE.encode(), None, 200, "application/xhtml+xml")])
    assert main(["run", str(warc), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["records"] == 2
    assert summary["responses_skipped"] == {"content type text/javascript": 1, "content type text/css": 1,
                                            "content type text/plain": 1, "status 404": 1}
    rows = pl.read_parquet(tmp_path / "out" / shard_name(warc))
    assert rows["url"].to_list() == ["http://e/a", "http://e/b"]
    assert rows["http_status"].to_list() == [200, 200]
    assert rows["content_type"].to_list() == ["text/html", "application/xhtml+xml"]
    assert rows["title"].to_list() == ["Storm hits coast"] * 2 and rows["language"].to_list() == ["en"] * 2
    assert rows["text_sha1"].n_unique() == 1 and rows["warc_date"].null_count() == 0
    assert main(["run", str(warc), "--out", str(tmp_path / "all"), "--workers", "1", "--all-responses"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["records"] == 6


def test_rows_are_written_as_they_come_and_nothing_is_left_behind(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    monkeypatch.setattr(shards_module, "ROWS_PER_PART", 2)
    monkeypatch.setattr(shards_module, "CHUNK", 1)
    written = []
    write = pq.ParquetWriter.write_table
    monkeypatch.setattr(pq.ParquetWriter, "write_table",
                        lambda self, table, *a, **k: (written.append(table.num_rows), write(self, table, *a, **k)))
    big = good_jsonl(tmp_path / "big.jsonl", n=7)
    summary = run([big], tmp_path / "out", workers=1, progress=False)
    rows = pl.read_parquet(tmp_path / "out" / shard_name(big))
    assert summary.records == 7 and rows["url"].to_list() == [f"http://e/{i}" for i in range(7)]
    assert written == [2, 2, 2, 1]  # never more than ROWS_PER_PART rows held
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([".lock", "manifest.json", shard_name(big)])


def test_a_full_disk_fails_that_input_alone(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    first, second = good_jsonl(tmp_path / "first.jsonl"), good_jsonl(tmp_path / "second.jsonl")
    write = pq.ParquetWriter.write_table

    def full(self, table, *args, **kwargs):
        if table.column("source")[0].as_py().endswith("first.jsonl"):
            raise OSError(28, "No space left on device")
        return write(self, table, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    summary = run([first, second], tmp_path / "out", workers=1, progress=False)
    assert len(summary.failed) == 1 and "No space left on device" in summary.failed[0]
    assert [Path(r.input).name for r in summary.written] == ["second.jsonl"]
    assert not [p for p in (tmp_path / "out").iterdir() if "first" in p.name]


class _KillOneWorker(run_module.Progress):
    """A progress line that kills one worker process of the current pool the first time rows come back."""

    killed = 0
    pools: list = []  # the pools run has started, newest last

    def add(self, records: int, errors: int) -> None:
        if not _KillOneWorker.killed:
            os.kill(next(iter(_KillOneWorker.pools[-1]._processes)), signal.SIGKILL)
            _KillOneWorker.killed = 1
        super().add(records, errors)


def test_a_worker_that_dies_is_replaced_and_its_chunks_sent_again(tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "Progress", _KillOneWorker)
    monkeypatch.setattr(shards_module, "CHUNK", 1)
    reads = []
    read = shards_module.read_records
    monkeypatch.setattr(shards_module, "read_records", lambda *a: (reads.append(a[0]), read(*a))[1])
    new_pool = run_module.Workers._new
    monkeypatch.setattr(run_module.Workers, "_new",
                        lambda self: (_KillOneWorker.pools.append(pool := new_pool(self)), pool)[1])
    replaced = []
    replace = run_module.Workers.replace
    monkeypatch.setattr(run_module.Workers, "replace", lambda self: (replaced.append(1), replace(self)))
    pages = good_jsonl(tmp_path / "pages.jsonl", n=40)
    summary = run([pages], tmp_path / "out", workers=2, progress=True)
    assert _KillOneWorker.killed and replaced == [1] and not summary.failed
    assert reads == [str(pages)]  # the input was read once: only the lost chunks were sent again
    rows = pl.read_parquet(tmp_path / "out" / shard_name(pages))
    assert rows["url"].to_list() == [f"http://e/{i}" for i in range(40)]


def test_a_pool_found_broken_when_sending_is_replaced_once(tmp_path, monkeypatch):
    # a worker that dies while the parent is between results makes the pool refuse the next chunk
    from concurrent.futures.process import BrokenProcessPool

    monkeypatch.setattr(shards_module, "CHUNK", 1)
    sent = []
    submit = run_module.Workers.submit

    def refuse_the_fifth(self, fn, *args):
        sent.append(1)
        if len(sent) == 5:
            raise BrokenProcessPool("A child process terminated abruptly")
        return submit(self, fn, *args)

    monkeypatch.setattr(run_module.Workers, "submit", refuse_the_fifth)
    replaced = []
    replace = run_module.Workers.replace
    monkeypatch.setattr(run_module.Workers, "replace", lambda self: (replaced.append(1), replace(self)))
    pages = good_jsonl(tmp_path / "pages.jsonl", n=40)
    summary = run([pages], tmp_path / "out", workers=2, progress=False)
    assert replaced == [1] and not summary.failed
    rows = pl.read_parquet(tmp_path / "out" / shard_name(pages))
    assert rows["url"].to_list() == [f"http://e/{i}" for i in range(40)]


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_a_killed_run_takes_its_workers_with_it_and_a_rerun_resumes(tmp_path, capsys):
    pages = good_jsonl(tmp_path / "pages.jsonl", n=3000)
    out = tmp_path / "out"
    parent = subprocess.Popen([sys.executable, "-m", "boilerplate.cli", "run", str(pages), "--out", str(out),
                               "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=Path(__file__).resolve().parent.parent)
    workers: list[int] = []
    for _ in range(1200):  # until the run's own pool has its workers (spawned: python processes)
        workers = [c for c in _children(parent.pid) if b"python" in Path(f"/proc/{c}/cmdline").read_bytes()]
        if len(workers) >= 2 and list(out.glob(".*.part")):
            break
        time.sleep(0.05)
    assert len(workers) >= 2, "the run's workers did not start"
    parent.kill()  # (SIGKILL: no cleanup of its own)
    parent.communicate(timeout=60)
    for _ in range(200):  # each worker gets SIGTERM from the kernel when its parent dies
        alive = [w for w in workers if Path(f"/proc/{w}").exists()
                 and b"zombie" not in Path(f"/proc/{w}/status").read_bytes().lower()]
        if not alive:
            break
        time.sleep(0.05)
    else:
        for w in alive:
            os.kill(w, signal.SIGKILL)
        pytest.fail("the run's workers outlived it")
    assert main(["run", str(pages), "--out", str(out), "--workers", "1"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["records"] == 3000
    assert not list(out.glob(".*.part")) and pl.read_parquet(out / shard_name(pages)).height == 3000


def test_a_second_run_into_the_same_directory_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    pages = good_jsonl(tmp_path / "pages.jsonl")
    with open(out / ".lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(RunError, match="another boilerplate run"):
            run([pages], out, workers=1, progress=False)
        assert main(["run", str(pages), "--out", str(out), "--workers", "1"]) == 3
        assert json.loads(capsys.readouterr().out)["status"] == "could not run"
    assert not run([pages], out, workers=1, progress=False).failed


def test_resume_redoes_damaged_shards_changed_directories_and_other_options(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text(PAGE, encoding="utf-8")
    out = tmp_path / "out"
    run([pages], out, workers=1, progress=False)
    assert run([pages], out, workers=1, progress=False).skipped == [str(pages)]
    (out / shard_name(pages)).write_bytes(b"")  # a shard cut to nothing
    assert len(run([pages], out, workers=1, progress=False).written) == 1
    (pages / "b.html").write_text(PAGE, encoding="utf-8")  # a directory that changed
    assert len(run([pages], out, workers=1, progress=False).written) == 1
    assert len(run([pages], out, workers=1, progress=False, scores=True).written) == 1  # other columns
    assert "scores" in pl.read_parquet(out / shard_name(pages)).columns


def test_symlinked_directories_are_followed_once(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.html").write_text(PAGE, encoding="utf-8")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "b.html").write_text(PAGE, encoding="utf-8")
    (pages / "linked").symlink_to(real, target_is_directory=True)
    (real / "loop").symlink_to(pages, target_is_directory=True)
    summary = run([pages], tmp_path / "out", workers=1, progress=False)
    assert summary.records == 2
    assert sorted(pl.read_parquet(tmp_path / "out" / shard_name(pages))["record_id"]) == ["b.html", "linked/a.html"]


def test_gzipped_htm_and_xhtml_pages_are_read_and_other_files_counted(tmp_path, capsys):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html.gz").write_bytes(gzip.compress(PAGE.encode()))
    (pages / "b.htm").write_text(PAGE, encoding="utf-8")
    (pages / "c.xhtml").write_text(PAGE, encoding="utf-8")
    (pages / "d.html.gz").write_bytes(b"\x1f\x8b not gzip")
    (pages / "logo.png").write_bytes(b"\x89PNG")
    (pages / "style.css").write_text("p {}")
    assert main(["run", str(pages), "--out", str(tmp_path / "out"), "--workers", "1"]) == 1  # (d.html.gz)
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["records"] == 4 and summary["responses_skipped"] == {"not a page file (.css)": 1,
                                                                        "not a page file (.png)": 1}
    rows = pl.read_parquet(tmp_path / "out" / shard_name(pages))
    assert rows["record_id"].to_list() == ["a.html.gz", "b.htm", "c.xhtml", "d.html.gz"]
    assert rows["title"].to_list()[:3] == ["Storm hits coast"] * 3 and "gzip" in rows["error"][3]


def test_a_record_over_the_limit_fails_alone_and_is_never_held(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(records_module, "MAX_RECORD_BYTES", 20_000)
    monkeypatch.setattr(records_module, "DRAIN_CHUNK", 4096)
    reads: list[int] = []
    drain = records_module._drain
    monkeypatch.setattr(records_module, "_drain", lambda reader: reads.append(drain(reader)) or reads[-1])
    warc = tmp_path / "crawl.warc.gz"
    huge = PAGE.replace("<p>", "<p>" + "word " * 10_000).encode()
    write_warc(warc, [("http://e/a", PAGE.encode(), "utf-8"), ("http://e/huge", huge, "utf-8"),
                      ("http://e/b", PAGE.encode(), "utf-8")])
    jsonl = tmp_path / "pages.jsonl"
    jsonl.write_text(json.dumps({"url": "http://e/1", "html": PAGE}) + "\n"
                     + json.dumps({"url": "http://e/2", "html": huge.decode()}) + "\n"
                     + json.dumps({"url": "http://e/3", "html": PAGE}) + "\n", encoding="utf-8")
    assert main(["run", str(warc), str(jsonl), "--out", str(tmp_path / "out"), "--workers", "1"]) == 1
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["records"] == 6 and summary["bad_records"] == 2 and not summary["inputs_failed"]
    rows = pl.read_parquet(tmp_path / "out" / shard_name(warc))
    assert rows["url"].to_list() == ["http://e/a", "http://e/huge", "http://e/b"]
    assert "the limit is" in rows["error"][1] and rows["title"][2] == "Storm hits coast"
    assert any(r >= len(huge) for r in reads)  # (the huge response drained in chunks, never read whole)
    rows = pl.read_parquet(tmp_path / "out" / shard_name(jsonl))
    assert "line 2: longer than" in rows["error"][1] and rows["title"][2] == "Storm hits coast"


def test_input_and_page_names_that_are_not_utf8(tmp_path, capsys):
    pages = Path(os.fsdecode(bytes(tmp_path) + b"/p\xe4ges"))
    pages.mkdir()
    (Path(os.fsdecode(bytes(pages) + b"/caf\xe9.html"))).write_text(PAGE, encoding="utf-8")
    warc = Path(os.fsdecode(bytes(tmp_path) + b"/cr\xe4wl.warc.gz"))
    write_warc(tmp_path / "crawl.warc.gz", [("http://e/a", PAGE.encode(), "utf-8")])
    (tmp_path / "crawl.warc.gz").rename(warc)
    assert main(["run", str(pages), str(warc), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["records"] == 2 and not summary["inputs_failed"]
    rows = pl.read_parquet(tmp_path / "out" / shard_name(pages))
    assert rows["title"].to_list() == ["Storm hits coast"] and rows["record_id"][0].startswith("caf")
    assert main(["run", str(pages), str(warc), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["shards_skipped"] == 2  # (resumed)


def test_an_unreachable_scheduler_is_one_line_within_the_timeout(tmp_path, capsys):
    pytest.importorskip("dask.distributed")
    pages = good_jsonl(tmp_path / "pages.jsonl")
    assert main(["run", str(pages), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9",
                 "--scheduler-timeout", "1"]) == 2
    err = capsys.readouterr().err
    assert "cannot connect within 1 s" in err and len(err.strip().splitlines()) == 1


def test_a_resumed_run_redoes_a_shard_damaged_inside_and_removes_a_killed_runs_leftovers(tmp_path):
    pages = good_jsonl(tmp_path / "pages.jsonl", n=50)
    out = tmp_path / "out"
    assert run([pages, tmp_path / "." / "pages.jsonl"], out, workers=1, progress=False).records == 50  # (once)
    shard = out / shard_name(pages)
    data = bytearray(shard.read_bytes())
    data[len(data) // 3] ^= 0xFF  # inside a data page; the footer is intact
    shard.write_bytes(bytes(data))
    (out / f".{shard.name}.12345.678.part").write_bytes(b"left by a killed run")
    summary = run([pages], out, workers=1, progress=False)
    assert len(summary.written) == 1 and not summary.skipped
    assert pl.read_parquet(shard).height == 50 and not list(out.glob(".*.part"))


def test_a_record_past_its_time_budget_is_abandoned_and_the_rest_goes_on(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shards_module, "CHUNK", 4)
    monkeypatch.setattr(shards_module, "BUDGET_GRACE", 8.0)  # (the workers start and load the model)
    slow = "<html><body>" + "".join("<div " + " ".join(f"a{i}=x" for i in range(9000)) + ">x</div>"
                                    for _ in range(400)) + "</body></html>"  # (libxml2: a minute or more)
    pages = tmp_path / "pages.jsonl"
    pages.write_text("".join(json.dumps({"url": f"http://e/{i}", "html": slow if i == 1 else PAGE}) + "\n"
                             for i in range(4)), encoding="utf-8")
    assert main(["run", str(pages), "--out", str(tmp_path / "out"), "--workers", "2",
                 "--record-timeout", "1"]) == 1
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["records"] == 4 and summary["bad_records"] == 1 and not summary["inputs_failed"]
    rows = pl.read_parquet(tmp_path / "out" / shard_name(pages))
    assert rows["url"].to_list() == [f"http://e/{i}" for i in range(4)]
    assert rows["error"][1].startswith("abandoned: still cleaning after 1 s")
    assert [rows["title"][i] for i in (0, 2, 3)] == ["Storm hits coast"] * 3


def test_scheduler_addresses_and_timeouts_are_checked_in_one_line(tmp_path, capsys):
    import threading
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    pages = good_jsonl(tmp_path / "pages.jsonl")
    web = HTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler)  # (not Dask: sends nothing on connect)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    cases = {"tls://127.0.0.1:8786": "other Dask transports", "inproc://x": "tcp://HOST:PORT",
             "ucx://127.0.0.1:1": "tcp://HOST:PORT", "tcp://127.0.0.1:99999999": "port 1-65535",
             f"tcp://127.0.0.1:{web.server_address[1]}": "no Dask handshake within 1 s"}
    for address, message in cases.items():
        assert main(["run", str(pages), "--out", str(tmp_path / "out"), "--scheduler", address,
                     "--scheduler-timeout", "1"]) == 2, address
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, (address, err)
    web.shutdown()
    for timeout in ("nan", "-1", "inf", "0"):
        with pytest.raises(SystemExit):
            main(["run", str(pages), "--out", str(tmp_path / "out"), "--scheduler", "local",
                  "--scheduler-timeout", timeout])
        assert "positive number of seconds" in capsys.readouterr().err
    with pytest.raises(InputFileError, match="positive number"):
        run([pages], tmp_path / "out", scheduler="local", scheduler_timeout=float("nan"))


@pytest.mark.parametrize("sig, code, status", [(signal.SIGINT, 130, "interrupted"),
                                              (signal.SIGTERM, 143, "terminated")])
def test_ctrl_c_and_sigterm_print_a_line_and_the_summary(tmp_path, sig, code, status):
    pages = good_jsonl(tmp_path / "pages.jsonl", n=4000)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "boilerplate.cli", "run", str(pages), "--out", str(out),
                             "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    for _ in range(600):  # until it is cleaning (the lock exists), then interrupt
        if (out / ".lock").exists():
            break
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    assert "interrupted" in stderr and json.loads(stdout.splitlines()[-1])["status"] == status
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]
