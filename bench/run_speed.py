"""Throughput of `boilerplate run` on 1 and 2 workers, and its peak memory for a small and a 10× larger
input, with and without --scores (memory must not grow with the records of an input).

    python -m bench.run_speed --labeled labeled --corpus DIR [--corpus DIR] --out bench/reports

The WARCs are built from the labeled pages (one <p> per line) and the corpus pages, cycled. Each run is a
fresh `boilerplate run` process (model loading and worker start-up included); peak memory is the largest
sum of RSS over the process and its workers, sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

from bench.quality import dump_as_html
from bench.warc import write_warc
from boilerplate.corpora import corpus_paths, read_corpus
from boilerplate.segment import segment_text


def _pages(labeled: Path, corpora: list[Path]) -> list[tuple[str, bytes, str | None]]:
    pages = []
    for txt in sorted(labeled.glob("*.txt")):
        html = dump_as_html(segment_text(txt.read_text(encoding="utf-8")).texts)
        pages.append((f"http://labeled/{txt.stem}", html.encode(), "utf-8"))
    for corpus in corpora:
        pages += [(f"http://{page.corpus}/{page.id}", page.html, None) for page in read_corpus(corpus)]
    return pages


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def timed_run(warc: Path, out: Path, workers: int, scores: bool = False) -> tuple[float, float]:
    """(seconds, peak MB) of one `boilerplate run` process over the WARC."""
    cmd = [sys.executable, "-m", "boilerplate.cli", "run", str(warc), "--out", str(out),
           "--workers", str(workers), "--force"] + (["--scores"] if scores else [])
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # 1: some records could not be read, which is counted, not fatal
        raise SystemExit(f"boilerplate run failed with exit code {proc.returncode}")
    return seconds, peak / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labeled", type=Path, default=Path("labeled"))
    ap.add_argument("--corpus", action="append", help="corpus directory (default: $BOILERPLATE_CORPORA)")
    ap.add_argument("--records", type=int, default=1200, help="records of the throughput WARC")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--memory-records", type=int, nargs=2, default=[500, 5000],
                    help="records of the small and the large WARC of the memory rows (1 worker)")
    ap.add_argument("--out", type=Path, default=Path("bench/reports"))
    args = ap.parse_args()
    corpora = corpus_paths(args.corpus)
    pages = _pages(args.labeled, corpora)
    with tempfile.TemporaryDirectory() as tmp:
        warc = Path(tmp) / "bench.warc.gz"
        n = write_warc(warc, islice(cycle(pages), args.records))
        mb = warc.stat().st_size / 1e6
        rows = []
        for w in args.workers:
            seconds, peak = timed_run(warc, Path(tmp) / f"out{w}", w)
            rows.append(f"| {w} | {n / seconds:,.1f} | {seconds:.1f} | {peak:,.0f} |")
            print(rows[-1], file=sys.stderr)
        memory = []
        peaks = {}
        for records in args.memory_records:
            sized = Path(tmp) / f"m{records}.warc.gz"
            write_warc(sized, islice(cycle(pages), records))
            for scores in (False, True):
                seconds, peaks[records, scores] = timed_run(sized, Path(tmp) / f"m{records}{scores}", 1, scores)
                memory.append(f"| {records:,} | {'yes' if scores else 'no'} | {records / seconds:,.1f} | "
                              f"{peaks[records, scores]:,.0f} |")
                print(memory[-1], file=sys.stderr)
    small, large = args.memory_records
    ratios = ", ".join(f"{peaks[large, sc] / peaks[small, sc]:.2f} {'with' if sc else 'without'} --scores"
                       for sc in (False, True))
    sources = ", ".join(["labeled"] + [c.name for c in corpora])
    report = "\n".join([
        "# `boilerplate run` throughput and memory", "",
        f"{n:,} WARC response records ({mb:.1f} MB gzipped) built from {len(pages)} distinct pages "
        f"({sources}), cycled. One fresh `boilerplate run --workers N` process per row: interpreter, "
        "model and worker start-up included. Peak RSS: the process plus its workers. "
        f"Machine: {os.cpu_count()} cores.", "",
        "| workers | records/s | seconds | peak RSS (MB) |", "|---|---|---|---|", *rows, "",
        f"Memory: one input of {small:,} and of {large:,} records, 1 worker:", "",
        "| records | --scores | records/s | peak RSS (MB) |", "|---|---|---|---|", *memory, "",
        f"Peak RSS {large:,} ÷ {small:,} records: {ratios}.", "",
        "Reproduce: `python -m bench.run_speed --labeled labeled --corpus DIR ... --out bench/reports`", ""])
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "run.md").write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
