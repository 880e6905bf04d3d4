"""Progress shown to a person: a bar on a terminal, lines in a log (the commands' and benchmarks' view of
long work; the library reports progress through callbacks)."""

from __future__ import annotations

import sys
import time


class StderrProgress:
    """A progress bar on stderr, one line per stage, redrawn in place: `[#####.....] stage 12/40 3s`;
    a stage with no known total is printed as a line of its own."""

    def __init__(self, width: int = 30) -> None:
        self.width, self.stage, self.start = width, "", time.monotonic()
        self.terminal = sys.stderr.isatty()

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report `done` of `total` for `stage`."""
        started = stage != self.stage
        if started:
            self.stage, self.start = stage, time.monotonic()
        elapsed = f"{time.monotonic() - self.start:.0f}s"
        if total <= 0:
            print(f"{stage} ...", file=sys.stderr, flush=True)
            return
        if not self.terminal:  # (a log: a line when a stage starts and when it ends, no redrawing)
            if started or done >= total:
                print(f"{stage} {done:,}/{total:,} {elapsed}", file=sys.stderr, flush=True)
            return
        filled = self.width * min(done, total) // total
        end = "\n" if done >= total else ""
        bar = "#" * filled + "." * (self.width - filled)
        sys.stderr.write(f"\r[{bar}] {stage} {done:,}/{total:,} {elapsed}{end}")
        sys.stderr.flush()
