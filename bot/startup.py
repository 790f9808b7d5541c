"""Start-up that waits for what is not there yet.

In a compose file the bots start beside a database that may still be booting, and a host's
network may come up after its services: :func:`keep_trying` retries such a step with growing
pauses for a configured time (``run.startup_retry_seconds``) before giving up with one clear
error. Only failures the caller calls transient are retried; a wrong token or a newer schema
fails at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.ports import Unreachable

__all__ = ["keep_trying"]

_log = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_PAUSE = 0.5
LONGEST_PAUSE = 10.0


def unreachable(exc: BaseException) -> bool:
    return isinstance(exc, Unreachable)


async def keep_trying(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    within: float,
    transient: Callable[[BaseException], bool] = unreachable,
) -> T:
    """``attempt()``'s result; while it fails in a way ``transient`` accepts, try again after
    0.5, 1, 2 … (at most 10) seconds until ``within`` seconds have passed, then raise
    :class:`Unreachable` naming ``what``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    pause = FIRST_PAUSE
    while True:
        try:
            return await attempt()
        except Exception as exc:
            if not transient(exc):
                raise
            left = deadline - loop.time()
            if left <= 0:
                raise Unreachable(
                    f"{what} cannot be reached (tried for {within:g} s): {exc}"
                ) from exc
            wait = min(pause, left)
            _log.warning("%s cannot be reached yet (%s); trying again in %.1f s", what, exc, wait)
            await asyncio.sleep(wait)
            pause = min(pause * 2, LONGEST_PAUSE)
