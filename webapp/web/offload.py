"""Blocking work off the event loop: database calls (and the file-backed registers) run in a
bounded pool of worker threads, so one slow or locked query never stalls other requests, the
health check included. ``VERHUIZEN_DB_THREADS`` bounds the pool; beyond it, requests wait for
a free thread (the database's own timeouts, ``VERHUIZEN_DB_TIMEOUT``, bound that wait).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread

P = ParamSpec("P")
T = TypeVar("T")


class Offload:
    def __init__(self, threads: int) -> None:
        self.threads = threads
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        # Made on first use: a limiter belongs to the running event loop.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.threads)
        return self._limiter

    async def __call__(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` in a worker thread; the event loop serves others meanwhile."""
        return await anyio.to_thread.run_sync(
            functools.partial(fn, *args, **kwargs), limiter=self.limiter
        )
