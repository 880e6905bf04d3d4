"""A pool of worker processes that can be replaced when one dies or is killed, and die with their parent."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any


class Workers:
    """A process pool that can be replaced when one of its workers dies."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"), initializer=_die_with_parent,
                                   initargs=(os.getpid(),))

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run `fn(*args)` in the pool."""
        return self.pool.submit(fn, *args)

    def replace(self) -> None:
        """Shut the pool down (its workers finish or are gone) and start a new one."""
        self.pool.shutdown(cancel_futures=True)
        self.pool = self._new()

    def kill(self) -> None:
        """Stop every worker now (one is stuck on a record), and start a new pool."""
        for process in list(self.pool._processes.values()):  # (the executor's own processes: no public way)
            process.kill()
        self.replace()

    def shutdown(self) -> None:
        """Shut the pool down, cancelling what has not started."""
        self.pool.shutdown(cancel_futures=True)


def _die_with_parent(parent: int) -> None:
    """Worker initializer: the worker gets SIGTERM when the parent process dies (Linux), so that no
    orphan keeps the parent's stdout open; elsewhere it is left to the pool's own shutdown."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the signal was set up
        os._exit(1)
