"""One clock for every interaction's response budget, instead of a timer each.

Discord drops an interaction that gets no answer within 3 seconds, so work still running after
the client's response budget is acknowledged with a deferral (:mod:`adapters.discord.replies`).
Almost all work ends long before that, so the watch is nearly always called off. A
``loop.call_later`` per interaction made the event loop create, heap-sort and cancel a timer for
every modal submit (~5 µs of the adapter's CPU each, on the one core the bot runs on). The budget
is the same for every interaction of a client, so deadlines fall due in the order the watches
start: :class:`Deferrals` queues them and keeps one timer, for the oldest watch still running.

The client tells it its event loop once it runs (:attr:`Deferrals.loop`): on Python 3.11 every
``asyncio.get_running_loop()`` is a ``getpid()`` system call (the running loop is checked
against a fork), and a watch starts for every answered interaction.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["Deferrals", "Watch"]


class Watch:
    """One interaction's work under the budget: :meth:`Deferrals.watch` starts it, ``done``
    ends it, and ``deferral`` is the acknowledgement started if the budget ran out first."""

    __slots__ = ("_defer", "deadline", "deferral", "finished")

    def __init__(self, deadline: float, defer: Callable[[], Awaitable[Any]]) -> None:
        self.deadline = deadline
        self.finished = False
        self.deferral: asyncio.Future[Any] | None = None
        self._defer: Callable[[], Awaitable[Any]] | None = defer

    def done(self) -> asyncio.Future[Any] | None:
        """The work is over: no deferral will start now. Returns the one that did start (the
        answer must wait for it: Discord takes a follow-up only after the acknowledgement)."""
        self.finished = True
        self._defer = None  # the queue may hold a finished watch a while: not its interaction
        return self.deferral

    def _expire(self) -> None:
        if self._defer is not None:
            self.deferral = asyncio.ensure_future(self._defer())


class Deferrals:
    """Starts the deferral of each watched piece of work still running ``budget`` seconds
    after it began."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        #: The loop every watch runs in, once its owner knows it (a client sets it when it logs
        #: in); until then each watch asks for the running loop.
        self.loop: asyncio.AbstractEventLoop | None = None
        self._queue: deque[Watch] = deque()
        self._timer: asyncio.TimerHandle | None = None

    def watch(self, defer: Callable[[], Awaitable[Any]]) -> Watch:
        """Call ``defer()`` (once, in a task) if the returned watch is not done in time."""
        loop = self.loop or asyncio.get_running_loop()
        watch = Watch(loop.time() + self.budget, defer)
        queue = self._queue
        while queue and queue[0].finished:  # most work ends in the order it began
            queue.popleft()
        queue.append(watch)
        if self._timer is None:
            self._timer = loop.call_at(watch.deadline, self._expire)
        return watch

    def _expire(self) -> None:
        """Defer what is due and still running; forget what is done; wake for the next."""
        self._timer = None
        loop = self.loop or asyncio.get_running_loop()
        now = loop.time()
        queue = self._queue
        while queue:
            head = queue[0]
            if not head.finished:
                if head.deadline > now:
                    self._timer = loop.call_at(head.deadline, self._expire)
                    return
                head._expire()
            queue.popleft()
