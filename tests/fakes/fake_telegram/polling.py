"""How updates reach the bot: ``getUpdates`` long polling (and the webhook methods that turn
it off), and `run_application`, which runs a PTB Application against the fake."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from tests.fakes.fake_telegram.errors import BotApiError
from tests.fakes.fake_telegram.models import JSON, ApiCall
from tests.fakes.fake_telegram.state import FakeTelegramState
from tests.fakes.fake_telegram.wire import as_int

if TYPE_CHECKING:
    from telegram.ext import Application


class PollingMixin(FakeTelegramState):
    """``getUpdates``, ``setWebhook``, ``deleteWebhook``, ``getWebhookInfo``."""

    async def _get_updates(self, call: ApiCall) -> list[JSON]:
        """Long poll: confirm below ``offset``, answer at once if updates wait, else wait up to
        ``timeout`` for a feed (or shutdown). A newer getUpdates ends an older one with 409,
        as Telegram does."""
        if self.webhook is not None:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = call.params
        offset = as_int(params.get("offset", 0))
        limit = min(max(as_int(params.get("limit", 100)), 1), 100)
        timeout = max(float(params.get("timeout", 0) or 0), 0.0)
        self._confirm(offset)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list) and allowed:
            self._allowed_updates = frozenset(allowed)
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise BotApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            self._drop_unwanted()
            batch = self._pending_updates[:limit]
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                break
            await self._updates_signal.wait(remaining)
        self.delivered_update_ids.update(update["update_id"] for update in batch)
        return batch  # encoded at once (FakeTelegram._answer): no copy needed

    def _drop_unwanted(self) -> None:
        """Telegram never delivers update types outside the last ``allowed_updates``.

        (Unlike Telegram, the fake's default lets every type through, ``chat_member`` too.)
        """
        if self._allowed_updates is not None:
            allowed = self._allowed_updates
            self._pending_updates = [
                u for u in self._pending_updates if allowed & (u.keys() - {"update_id"})
            ]

    def _confirm(self, offset: int) -> None:
        """Drop updates confirmed by ``offset`` (negative: keep only the last ``-offset``)."""
        if offset < 0:
            self._pending_updates = self._pending_updates[offset:]
        elif offset:
            self._pending_updates = [u for u in self._pending_updates if u["update_id"] >= offset]

    async def _delete_webhook(self, call: ApiCall) -> bool:
        self.webhook = None
        if call.params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    async def _set_webhook(self, call: ApiCall) -> bool:
        url = call.params.get("url", "")
        self.webhook = dict(call.params) if url else None
        if call.params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    async def _get_webhook_info(self, call: ApiCall) -> JSON:
        return {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending_updates),
        }


@contextlib.asynccontextmanager
async def run_application(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    poll_timeout: float = 5.0,
    allowed_updates: Iterable[str] | None = None,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run a PTB Application with polling, started by hand, and stop it cleanly.

    ``post_init``/``post_shutdown`` run only under ``run_polling``; they are called here so
    the application behaves the same. Stopping cancels the in-flight getUpdates and sends a
    final ``getUpdates(offset=last+1, timeout=0)`` confirming what was handled.
    """
    async with application:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0,
            timeout=dt.timedelta(seconds=poll_timeout),
            allowed_updates=list(allowed_updates) if allowed_updates is not None else None,
        )
        try:
            yield application
        finally:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
