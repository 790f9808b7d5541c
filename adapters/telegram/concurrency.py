"""Updates from different chats at once, updates from one chat in order.

python-telegram-bot handles updates one at a time by default, so a signer in one chat waits
behind every database write and Bot API round trip of everyone else. Fully concurrent handling is
wrong for the signing conversation, whose state must see a chat's updates in order (PTB warns
about exactly that). This processor gives each chat its own FIFO lock: different chats run
concurrently (up to a bound), one chat's updates run one after another, as they arrived.

Each update lets the event loop turn :data:`POLL_TURNS` times before its handler runs, so that
the poller's next ``getUpdates`` is on the wire before a batch is handled, not after: PTB's
updater sends it three loop turns after it queues a batch (its retry loop's ``asyncio.wait``
completes, the new poll's task starts, aiohttp's body writer runs), and handlers started at once
run their first steps, replies included, ahead of it. Then the Bot API reads the next long
poll behind the whole batch's replies and the bot waits on them; asked first, it is answered
while the bot handles the batch. Measured in benchmarks/telegram_burst.py (commit message).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["POLL_TURNS", "PerChatUpdateProcessor"]

#: Loop turns an update waits before its handler runs: the poller's next request goes out first.
POLL_TURNS = 3


@dataclass
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0  # running or waiting; the entry goes when it drops to zero


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: dict[int, _Turn] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await _after_the_poll(coroutine)
            return
        turn = self._turns.setdefault(chat.id, _Turn())
        turn.holders += 1
        try:
            try:  # asyncio locks are fair: first come, first served
                await turn.lock.acquire()
            except BaseException:  # cancelled while the chat's earlier updates ran
                _close(coroutine)
                raise
            try:
                await _after_the_poll(coroutine)
            finally:
                turn.lock.release()
        finally:
            turn.holders -= 1
            if not turn.holders:
                del self._turns[chat.id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the application waits for running updates before this."""


async def _after_the_poll(coroutine: Awaitable[Any]) -> None:
    """Run the handler once the poller has had its turns (see the module's docstring); if
    cancelled first, close it, so that it is not left never awaited."""
    try:
        for _ in range(POLL_TURNS):
            await asyncio.sleep(0)
    except BaseException:
        _close(coroutine)
        raise
    await coroutine


def _close(coroutine: Awaitable[Any]) -> None:
    """Close a handler that will never run, so that it is not left never awaited."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()
