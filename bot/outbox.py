"""The outbox dispatcher: hands owed messages to the adapter that owns their platform.

Rows are written in the same transaction as their cause, so a crash can delay a message but never
lose it. The dispatcher claims due rows (a lease, so a dead claimer's rows come back), delivers
them, and marks each delivered, rescheduled with backoff, or failed for good.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Collection, Sequence
from datetime import timedelta

from bot.domain import OutboxMessage
from bot.ports import Clock, DeliveryError, Sender, Store

__all__ = ["OutboxDispatcher"]

_log = logging.getLogger(__name__)


class OutboxDispatcher:
    def __init__(
        self,
        store: Store,
        senders: Sequence[Sender],
        clock: Clock,
        *,
        lease: timedelta = timedelta(seconds=60),
        poll_interval: float = 5.0,
        batch: int = 50,
        max_attempts: int = 12,
        base_backoff: float = 2.0,
        max_backoff: float = 900.0,
    ) -> None:
        self.store = store
        self.clock = clock
        self.senders = {s.platform: s for s in senders}
        self.lease = lease
        self.poll_interval = poll_interval
        self.batch = batch
        self.max_attempts = max_attempts
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._started = False

    @property
    def platforms(self) -> list[str]:
        return list(self.senders)

    def notify(self) -> None:
        """New rows were written: look now rather than at the next poll."""
        self._wake.set()

    async def recover(self, delivered: Collection[int] = ()) -> None:
        """At start-up: take back rows a crashed run had claimed but not finished.
        ``delivered``: rows the sender knows it delivered though the store has not recorded it
        (the console's journal of printed lines); they are recorded, not delivered again."""
        if self._started:
            return
        for message_id in delivered:
            await self.store.outbox_delivered(message_id, self.clock.now(), None)
        released = await self.store.outbox_release_claims(self.platforms)
        self._started = True  # only once it worked: a locked store is asked again next time
        if released:
            _log.warning("outbox: %d message(s) left in flight by an earlier run", released)

    async def run(self) -> None:
        """Deliver until cancelled. Destinations are served side by side: a slow one (a
        flood-limited Telegram group) never holds back the others, while each destination's
        messages go out one after another (the store hands out only a queue's head)."""
        await self.recover()
        inflight: set[asyncio.Task[None]] = set()

        def finished(task: asyncio.Task[None]) -> None:
            inflight.discard(task)
            self._wake.set()  # its destination's next message may be claimable now

        try:
            while True:
                self._wake.clear()  # before looking, so a notify meanwhile is not lost
                room = self.batch - len(inflight)
                claimed: list[OutboxMessage] = []
                if room > 0:
                    try:
                        claimed = await self._claim(room)
                    except asyncio.CancelledError:
                        raise
                    except Exception:
                        _log.exception("outbox: claiming failed; retrying shortly")
                for message in claimed:
                    task = asyncio.create_task(self._deliver_queue(message))
                    inflight.add(task)
                    task.add_done_callback(finished)
                if room <= 0:
                    await self._wake.wait()  # full: the next finished send makes room
                elif not claimed:
                    await self._sleep()
        finally:
            for task in inflight:
                task.cancel()  # a cancelled send stays claimed: its lease brings it back

    async def drain(self) -> int:
        """Deliver everything due now (used before a clean exit and by the console).

        A store that cannot take the bookkeeping now (locked by another process, read-only,
        full) ends the round early instead of failing the caller: what is owed stays owed, and
        a later drain delivers it."""
        total = 0
        try:
            await self.recover()
            while delivered := await self.deliver_due():
                total += delivered
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            _log.warning("outbox: cannot deliver now, will try again later: %s", exc)
            _log.debug("outbox: drain failed", exc_info=True)
        return total

    async def deliver_due(self) -> int:
        """One round: claim what is due (each destination's next message) and deliver it.
        Every delivery of the round finishes before a failure is raised."""
        claimed = await self._claim(self.batch)
        results = await asyncio.gather(*(self._deliver(m) for m in claimed), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return len(claimed)

    async def _deliver_queue(self, message: OutboxMessage | None) -> None:
        """Deliver a message, then the messages queued behind it for the same destination,
        one after another, while each is due: a backlog to one channel (a surge's mod-queue
        cards) drains at the platform's pace, each next message found by one index search."""
        while message is not None:
            await self._deliver(message)
            now = self.clock.now()
            try:
                message = await self.store.claim_next_in_queue(
                    message.platform, message.destination, now, now + self.lease
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                _log.exception("outbox: claiming the next message failed; the loop will")
                return

    async def _claim(self, limit: int) -> list[OutboxMessage]:
        now = self.clock.now()
        return await self.store.claim_outbox(self.platforms, now, now + self.lease, limit)

    async def _deliver(self, message: OutboxMessage) -> None:
        sender = self.senders[message.platform]
        try:
            ref = await sender.deliver(message)
        except asyncio.CancelledError:
            raise
        except DeliveryError as exc:
            if exc.permanent:
                _log.warning(
                    "outbox: giving up on #%d to %s:%s: %s",
                    message.id,
                    message.platform,
                    message.destination,
                    exc,
                )
                await self.store.outbox_failed(message.id, self.clock.now(), str(exc))
            else:
                await self._retry(message, str(exc), exc.retry_after)
            return
        except Exception as exc:
            _log.exception(
                "outbox: delivering #%d to %s:%s failed",
                message.id,
                message.platform,
                message.destination,
            )
            await self._retry(message, f"{type(exc).__name__}: {exc}", None)
            return
        await self.store.outbox_delivered(message.id, self.clock.now(), ref)

    async def _retry(self, message: OutboxMessage, error: str, retry_after: float | None) -> None:
        attempts = message.attempts + 1
        if attempts >= self.max_attempts:
            _log.error("outbox: #%d failed %d times, giving up: %s", message.id, attempts, error)
            await self.store.outbox_failed(message.id, self.clock.now(), error)
            return
        delay = min(self.base_backoff * 2 ** (attempts - 1), self.max_backoff)
        delay *= 1 + random.random() / 10  # jitter, so retries of a burst spread out
        if retry_after is not None:
            delay = max(delay, retry_after)
        next_at = self.clock.now() + timedelta(seconds=delay)
        await self.store.outbox_retry(message.id, next_at, error)
        self._schedule_wake(delay)

    def _schedule_wake(self, delay: float) -> None:
        asyncio.get_running_loop().call_later(delay, self._wake.set)

    async def _sleep(self) -> None:
        timeout = self.poll_interval
        due = await self.store.next_outbox_due(self.platforms)
        if due is not None:
            timeout = min(timeout, max((due - self.clock.now()).total_seconds(), 0.0))
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
        # that arrives as the event is set, and the dispatcher would then never stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wake.wait()
