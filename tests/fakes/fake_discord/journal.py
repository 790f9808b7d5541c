"""An append-only, awaitable log: what the fake's tests wait on instead of sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Journal(Generic[T]):
    """An append-only, awaitable log: tests wait on what happened instead of sleeping.

    The waits take a ``timeout`` (a test must never hang) and, on timeout, say what *was* seen,
    which a caller-side ``asyncio.timeout`` could not.
    """

    def __init__(self, describe: Callable[[T], str]) -> None:
        self._items: list[T] = []
        self._waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = []
        self._describe = describe

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))

    def __getitem__(self, index: int) -> T:
        return self._items[index]

    def mark(self) -> int:
        """The current length: pass it as ``since`` to wait only for later items."""
        return len(self._items)

    def filter(self, predicate: Callable[[T], bool], *, since: int = 0) -> list[T]:
        return [item for item in self._items[since:] if predicate(item)]

    def append(self, item: T) -> None:
        self._items.append(item)
        for predicate, future in list(self._waiters):
            if future.done():
                continue
            try:
                matched = predicate(item)
            except Exception as exc:  # surface predicate bugs in the waiting test
                future.set_exception(exc)
            else:
                if matched:
                    future.set_result(item)

    async def wait_for(
        self,
        predicate: Callable[[T], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - bounded waits, see Journal
        since: int = 0,
    ) -> T:
        """The first item from ``since`` on that satisfies ``predicate``, waiting if need be."""
        for index in range(since, len(self._items)):  # no copy of a long journal per wait
            if predicate(self._items[index]):
                return self._items[index]
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = (predicate, future)
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout):
                return await future
        except TimeoutError:
            raise TimeoutError(self._timeout_message(timeout, since)) from None
        finally:
            self._waiters.remove(waiter)

    def cancel_waiters(self) -> None:
        for _, future in self._waiters:
            future.cancel()

    def _timeout_message(self, timeout: float, since: int) -> str:
        recent = [self._describe(item) for item in self._items[since:][-15:]]
        seen = "\n  ".join(recent) if recent else "(nothing)"
        return f"nothing matched within {timeout}s; seen since #{since}:\n  {seen}"
