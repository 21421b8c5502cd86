"""Worker processes for the per-article stages: an ordered map over batches, with bounded
read-ahead (input is consumed in the calling thread, a few batches ahead of the results) and
workers that die with their parent, so that a killed run leaves no stray process behind."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT_PER_WORKER = 2  # batches queued per worker: enough to keep it busy, little memory
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this worker when its parent dies (Linux); elsewhere a killed
    parent may leave its workers to finish their batch."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def ordered_map(
    func: Callable[[list[T]], list[R]],
    items: Iterable[T],
    *,
    workers: int,
    batch_size: int,
) -> Iterator[R]:
    """``func`` over batches of ``items`` in ``workers`` forked processes; results in input
    order. State the workers need (a loaded model) must exist before the first call: they are
    forked from this process."""
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
        pending: deque[multiprocessing.pool.AsyncResult[list[R]]] = deque()
        batch: list[T] = []
        for item in items:
            batch.append(item)
            if len(batch) == batch_size:
                pending.append(pool.apply_async(func, (batch,)))
                batch = []
                if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    yield from pending.popleft().get()
        if batch:
            pending.append(pool.apply_async(func, (batch,)))
        while pending:
            yield from pending.popleft().get()
