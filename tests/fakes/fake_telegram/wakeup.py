"""A broadcast wake-up for the fake's waiters (long polls, delays, tests waiting on calls)."""

from __future__ import annotations

import asyncio
import contextlib


class Signal:
    """A broadcast wake-up: ``notify()`` wakes every current waiter; no lost wake-ups.

    Waiters must read their condition and call ``wait()`` without awaiting in between, which
    asyncio's single thread guarantees.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float | None) -> None:
        """Until the next ``notify()`` or at most ``seconds``."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()
