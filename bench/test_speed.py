"""Throughput benchmark (pytest-benchmark): each stage and end to end, on the labeled articles plus the
corpora in $BOILERPLATE_CORPORA; resiliparse, trafilatura and a bare lxml parse on the same pages.

    make bench-speed CORPORA="../shared/corpora/zh-news-dev ../shared/corpora/en-articles-dev"

Per-page figures are the benchmark's mean time for one pass over all pages divided by the page count.
Ratios and peak memory go to bench/reports/speed.md; the raw JSON to bench/reports/speed.json
(compare runs with --benchmark-compare).
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest
from lxml import etree

import boilerplate
from boilerplate.corpora import corpus_paths, read_corpus
from boilerplate.decode import decode_text
from boilerplate.features import batch_features
from boilerplate.lexicon import words
from boilerplate.segment import parse_html, segment
from boilerplate.title import find_title

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "bench" / "reports" / "speed.md"
RESULTS: dict[str, float] = {}  # name → ms per page


def _pages() -> list[bytes]:
    pages = [p.read_bytes() for p in sorted((ROOT / "labeled").glob("*.txt"))]
    for path in corpus_paths():
        pages += [p.html for p in read_corpus(path)]
    return pages


PAGES = _pages()
HTML = [p for p in PAGES if b"<" in p[:4096]]
TEXTS = [decode_text(p) for p in PAGES]
HTML_TEXTS = [decode_text(p) for p in HTML]
DUMPS = ["\n".join(segment(t).texts) for t in HTML_TEXTS]  # the HTML pages as plain-text dumps (one block a line)
MB = sum(len(p) for p in PAGES) / 1e6


def _run(benchmark, name: str, fn, n_pages: int) -> None:
    if n_pages == 0:
        pytest.skip("no HTML pages to time: give corpora, e.g. make bench-speed "
                    "CORPORA=\"../shared/corpora/zh-news-dev ../shared/corpora/en-articles-dev\"")
    benchmark.pedantic(fn, rounds=3, iterations=1, warmup_rounds=1)
    if benchmark.stats is None:  # --benchmark-disable: each case runs once as a smoke test, nothing timed
        return
    ms = benchmark.stats.stats.mean * 1000 / n_pages
    RESULTS[name] = ms
    benchmark.extra_info.update(pages=n_pages, ms_per_page=round(ms, 3),
                                pages_per_s=round(1000 / ms, 1), mb_per_s=round(MB / benchmark.stats.stats.mean, 2))


def test_stage_decode(benchmark):
    _run(benchmark, "decode", lambda: [decode_text(p) for p in PAGES], len(PAGES))


def test_stage_segment(benchmark):
    _run(benchmark, "segment", lambda: [segment(t) for t in TEXTS], len(PAGES))


def test_stage_features(benchmark):
    blocks = [segment(t) for t in TEXTS]
    _run(benchmark, "features", lambda: batch_features(blocks), len(PAGES))


def test_stage_predict(benchmark):
    """The model's call, its lexicon's word hashing included."""
    blocks = [segment(t) for t in TEXTS]
    X, offsets, groups = batch_features(blocks)
    model = boilerplate.load_model()
    _run(benchmark, "predict", lambda: model.predict_proba(X, offsets, groups, words(blocks)), len(PAGES))


def test_stage_title(benchmark):
    blocks = [segment(t) for t in TEXTS]
    _run(benchmark, "title", lambda: [find_title(b) for b in blocks], len(PAGES))


def test_end_to_end_extract_one_by_one(benchmark):
    model = boilerplate.load_model()
    _run(benchmark, "boilerplate extract (html)", lambda: [boilerplate.extract(p, model=model) for p in HTML],
         len(HTML))


def test_end_to_end_extract_many(benchmark):
    model = boilerplate.load_model()
    _run(benchmark, "boilerplate extract_many (html)", lambda: list(boilerplate.extract_many(HTML, model=model)),
         len(HTML))


def test_end_to_end_extract_many_markdown(benchmark):
    """The same pages with their structure: Markdown with links (the walk's structure record, the content
    model and the renderer on top of the text path)."""
    model = boilerplate.load_model()
    _run(benchmark, "boilerplate extract_many markdown, links (html)",
         lambda: list(boilerplate.extract_many(HTML, model=model, format="markdown", links=True)), len(HTML))


def test_end_to_end_extract_many_text_dumps(benchmark):
    model = boilerplate.load_model()
    _run(benchmark, "boilerplate extract_many (text dumps of the html pages)",
         lambda: list(boilerplate.extract_many(DUMPS, model=model, kind="text")), len(DUMPS))


def test_lxml_parse_only(benchmark):
    def parse():
        for t in HTML_TEXTS:
            etree.fromstring(t.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    _run(benchmark, "lxml parse only (html)", parse, len(HTML))


def test_lxml_parse_and_bare_walk(benchmark):
    """The floor of any segmenter written in Python over lxml: parse, then visit every element once
    reading what a block needs (tag, text, tail, class, id) and doing nothing with it."""
    def walk():
        for t in HTML_TEXTS:
            root = parse_html(t)
            if root is None:
                continue
            for event, el in etree.iterwalk(root, events=("start", "end")):
                if event == "start":
                    el.tag, el.text, el.get("class"), el.get("id")
                else:
                    _ = el.tail
    _run(benchmark, "lxml parse + bare DOM walk (html)", walk, len(HTML))


def test_resiliparse(benchmark):
    extract_plain_text = pytest.importorskip("resiliparse.extract.html2text").extract_plain_text
    _run(benchmark, "resiliparse main_content (html)",
         lambda: [extract_plain_text(t, main_content=True) for t in HTML_TEXTS], len(HTML))


def test_trafilatura(benchmark):
    trafilatura = pytest.importorskip("trafilatura")
    _run(benchmark, "trafilatura (html)", lambda: [trafilatura.extract(t) for t in HTML_TEXTS], len(HTML))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_zz_memory_and_ratios():
    """Peak RSS during batch extraction of 1,000+ pages (flat = no growth), then the speed ratios."""
    model = boilerplate.load_model()
    stream = (PAGES[i % len(PAGES)] for i in range(max(1000, len(PAGES))))
    checkpoints = []
    done = 0
    t0 = time.perf_counter()
    batch: list[bytes] = []
    for page in stream:
        batch.append(page)
        if len(batch) == 100:
            list(boilerplate.extract_many(batch, model=model))
            done += len(batch)
            batch.clear()
            checkpoints.append((done, _rss_mb()))
    elapsed = time.perf_counter() - t0
    lines = ["# Throughput benchmark", "",
             "Produced by `make bench-speed` (single process, one core); ms per page are means over the "
             f"pages below. Pages: {len(PAGES)} ({len(HTML)} HTML), {MB:.1f} MB.", "",
             "| case | ms/page | pages/s |", "|---|---:|---:|"]
    lines += [f"| {name} | {ms:.2f} | {1000 / ms:.0f} |" for name, ms in RESULTS.items()]
    ours = RESULTS.get("boilerplate extract_many (html)")
    lines += ["", "Ratios (boilerplate extract_many ms/page ÷ other ms/page; ≤ 1 means boilerplate is faster):", ""]
    for other in ("resiliparse main_content (html)", "trafilatura (html)", "lxml parse only (html)",
                  "lxml parse + bare DOM walk (html)"):
        if ours and other in RESULTS:
            lines.append(f"- ÷ {other}: **{ours / RESULTS[other]:.2f}**")
    markdown = RESULTS.get("boilerplate extract_many markdown, links (html)")
    if ours and markdown:
        lines.append(f"- Markdown with links ÷ text (extract_many): **{markdown / ours:.2f}**")
    parse = RESULTS.get("lxml parse only (html)")
    stages = {"decode": RESULTS.get("decode"), "lxml parse": parse,
              "DOM walk (segment − parse)": RESULTS["segment"] - parse if parse and "segment" in RESULTS else None,
              "features": RESULTS.get("features"), "predict": RESULTS.get("predict"), "title": RESULTS.get("title")}
    if ours and all(v is not None for v in stages.values()):
        stages["the rest (roles, lines, batching)"] = ours - sum(stages.values())
        lines += ["", "Where `extract_many`'s time goes (stages measured alone on the same pages):", "",
                  "| stage | ms/page | share |", "|---|---:|---:|"]
        lines += [f"| {name} | {ms:.2f} | {ms / ours:.0%} |" for name, ms in stages.items()]
    lines += ["", f"Peak RSS while extracting {done} pages in batches of 100 ({elapsed:.1f} s):", "",
              "| pages done | peak RSS (MB) |", "|---:|---:|"]
    lines += [f"| {n} | {rss:.0f} |" for n, rss in checkpoints[:: max(1, len(checkpoints) // 10)]]
    if RESULTS and HTML:  # a run without timings (--benchmark-disable) or HTML pages leaves the last report
        REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines))
    assert done >= 1000
