"""The recorded calls, and waiting on them: tests wait for what happened instead of sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.fakes.fake_telegram.models import JSON, ApiCall
from tests.fakes.fake_telegram.state import FakeTelegramState


class CallLogMixin(FakeTelegramState):
    """Reading ``calls`` and waiting for calls and update deliveries."""

    def calls_to(self, method: str) -> list[ApiCall]:
        """Every recorded call of ``method`` (answered or not), in arrival order."""
        return [call for call in self.calls if call.method == method]

    def mark(self) -> int:
        """A cursor for ``wait_for(since=...)``: only calls recorded after now."""
        return len(self.calls)

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test deadline, reported in the error
        since: int = 0,
        answered: bool = True,
    ) -> ApiCall:
        """The first call of ``method`` (from index ``since``) matching ``predicate``.

        By default only answered calls match, so the fake's state already reflects the call.
        Raises TimeoutError listing the calls seen.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for call in self.calls[since:]:
                if call.method != method or (answered and not call.answered):
                    continue
                if predicate is None or predicate(call):
                    return call
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closing:
                seen = [f"{c.method}:{c.status}" for c in self.calls[since:]]
                raise TimeoutError(f"no matching {method} call within {timeout}s; seen {seen}")
            await self._calls_signal.wait(remaining)

    async def wait_for_count(
        self,
        method: str,
        count: int,
        predicate: Callable[[ApiCall], bool] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test deadline, reported in the error
        since: int = 0,
    ) -> list[ApiCall]:
        """The first ``count`` answered calls of ``method`` matching ``predicate``."""
        found: list[ApiCall] = []
        cursor = since
        for _ in range(count):
            call = await self.wait_for(method, predicate, timeout=timeout, since=cursor)
            found.append(call)
            cursor = self.calls.index(call) + 1
        return found

    async def wait_for_delivery(
        self,
        update: JSON,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - a test deadline, reported in the error
    ) -> None:
        """Wait until a getUpdates answer carried ``update``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while update["update_id"] not in self.delivered_update_ids:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"update {update['update_id']} not delivered in {timeout}s")
            await self._calls_signal.wait(remaining)
