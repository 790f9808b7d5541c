"""The per-chat update processor: one chat's updates run in the order they arrived, other chats
do not wait for them, and a handler cancelled before it starts is closed, never run."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import Chat, Message, Update

from adapters.telegram.concurrency import PerChatUpdateProcessor

_ids = iter(range(1, 1_000_000))


def update_in(chat_id: int) -> Update:
    n = next(_ids)
    chat = Chat(id=chat_id, type=Chat.PRIVATE)
    return Update(update_id=n, message=Message(message_id=n, date=datetime.now(UTC), chat=chat))


async def test_one_chats_updates_run_in_arrival_order_while_another_chat_goes_on() -> None:
    processor = PerChatUpdateProcessor(64)
    ran: list[str] = []
    first_may_end = asyncio.Event()

    async def handler(name: str, wait: asyncio.Event | None = None) -> None:
        ran.append(f"{name} started")
        if wait is not None:
            await wait.wait()
        ran.append(f"{name} ended")

    tasks = [
        asyncio.create_task(processor.process_update(update_in(5), handler("a1", first_may_end))),
        asyncio.create_task(processor.process_update(update_in(5), handler("a2"))),
        asyncio.create_task(processor.process_update(update_in(6), handler("b1"))),
    ]
    while "b1 ended" not in ran:  # chat 6 is answered while chat 5's first update still runs
        await asyncio.sleep(0)
    assert "a2 started" not in ran
    first_may_end.set()
    await asyncio.gather(*tasks)
    assert [e for e in ran if e.startswith("a")] == [
        "a1 started",
        "a1 ended",
        "a2 started",
        "a2 ended",
    ]


async def _cancelled_before_it_starts(
    behind_another: bool,
) -> tuple[bool, Coroutine[Any, Any, None]]:
    processor = PerChatUpdateProcessor(64)
    blocker = asyncio.Event()
    ran = False

    async def blocking() -> None:
        await blocker.wait()

    async def handler() -> None:
        nonlocal ran
        ran = True

    first = None
    if behind_another:
        first = asyncio.create_task(processor.process_update(update_in(7), blocking()))
        for _ in range(10):
            await asyncio.sleep(0)
    coroutine = handler()
    task = asyncio.create_task(processor.process_update(update_in(7), coroutine))
    await asyncio.sleep(0)  # it has started waiting: for the chat's turn, or the poll's turns
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    blocker.set()
    if first is not None:
        await first
    return ran, coroutine


async def test_a_handler_cancelled_while_the_poll_goes_out_is_closed_not_run() -> None:
    ran, coroutine = await _cancelled_before_it_starts(behind_another=False)
    assert not ran
    # closed: no "never awaited" at shutdown
    assert inspect.getcoroutinestate(coroutine) == inspect.CORO_CLOSED


async def test_a_handler_cancelled_while_its_chat_is_busy_is_closed_not_run() -> None:
    ran, coroutine = await _cancelled_before_it_starts(behind_another=True)
    assert not ran
    assert inspect.getcoroutinestate(coroutine) == inspect.CORO_CLOSED
