"""Coroutines run to the end on a loop of their own.

`asyncio.run` refuses to start while the calling thread already runs a loop, and a worker that
has driven Playwright's sync API keeps one running on its main thread for the session's browser;
a thread of its own gives each scenario a clean loop wherever the test lands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def run_coroutine(scenario: Callable[[], Awaitable[T]]) -> T:
    """What `scenario()` returns, run with asyncio.run in a thread of its own."""

    async def main() -> T:
        return await scenario()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()
