"""Starting and stopping: command menus, polling, webhook mode, and a clean stop."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from adapters.telegram import TelegramAdapter
from bot.config import TelegramSettings
from bot.domain import OutboxKind, OutboxMessage
from bot.service import PledgeService
from tests.adapters.telegram.conftest import Bot, Start
from tests.fakes.fake_telegram import FakeTelegram

PUBLIC = [
    "letter",
    "demands",
    "sign",
    "status",
    "withdraw",
    "reaffirm",
    "count",
    "signatories",
    "link",
    "unlink",
]
MODERATOR = [
    "pending", "approve", "reject", "remove", "export", "audit", "snapshot", "communities",
    "postletter", "liveposts", "unpost",
]  # fmt: skip


def _names(commands: list[dict[str, Any]]) -> list[str]:
    return [c["command"] for c in commands]


async def test_menus_public_for_everyone_moderator_commands_where_moderators_are(bot: Bot) -> None:
    fake = bot.fake
    assert _names(fake.commands_for()) == PUBLIC
    for chat_id in (bot.mod.id, bot.admin.id):
        assert _names(fake.commands_for({"type": "chat", "chat_id": chat_id})) == PUBLIC + MODERATOR
    mod_chat = fake.commands_for({"type": "chat", "chat_id": bot.mod_chat.id})
    assert set(_names(mod_chat)) > set(MODERATOR)  # without what works in private only
    assert fake.commands_for({"type": "chat", "chat_id": bot.ada.id}) == []


async def test_a_moderator_gets_their_menu_when_they_open_the_private_chat(bot: Bot) -> None:
    scope = {"type": "chat", "chat_id": bot.admin.id}
    bot.fake.commands.clear()
    await bot.say(bot.admin, None, "/start")
    assert _names(bot.fake.commands_for(scope)) == PUBLIC + MODERATOR
    await bot.say(bot.ada, None, "/start")
    assert bot.fake.commands_for({"type": "chat", "chat_id": bot.ada.id}) == []


async def test_polling_asks_only_for_the_updates_it_handles(bot: Bot) -> None:
    first = bot.fake.calls_to("getUpdates")[0]
    assert first.params["allowed_updates"] == [
        "message",
        "callback_query",
        "chat_member",
        "my_chat_member",
    ]


async def test_a_slow_chat_does_not_hold_up_the_others(bot: Bot) -> None:
    bot.fake.inject_delay("sendMessage", 0.5)  # the first answer (to Ada) takes a while
    mark = bot.fake.mark()
    bot.fake.feed_command(bot.ada, None, "/count")
    await bot.fake.wait_for("sendMessage", since=mark, answered=False)  # Ada's answer is underway
    fast = await bot.say(bot.bob, None, "/count")
    slow = await bot.fake.wait_for("sendMessage", lambda c: c.params["chat_id"] == bot.ada.id)
    assert slow.answered_at is not None and fast.answered_at is not None
    assert fast.answered_at < slow.answered_at


async def test_one_chats_updates_are_handled_in_order(bot: Bot) -> None:
    bot.fake.inject_delay("sendMessage", 0.2)  # the first answer is slow; it still comes first
    mark = bot.fake.mark()
    for command in ("/count", "/demands 1", "/demands 2"):
        bot.fake.feed_command(bot.ada, None, command)
    calls = await bot.fake.wait_for_count("sendMessage", 3, since=mark)
    texts = [c.params["text"] for c in sorted(calls, key=lambda c: c.time)]
    assert texts == [
        "<b>0</b> signatures so far. Next milestone: <b>10</b>.",
        "1. Terminate the contracts.",
        "2. Stop the cloud services.",
    ]


async def test_cancelling_run_stops_cleanly_and_confirms_handled_updates(
    fake: FakeTelegram, service: PledgeService
) -> None:
    settings = TelegramSettings(token=fake.token, api_base_url=fake.base_url)  # type: ignore[arg-type]
    adapter = TelegramAdapter(service, settings)
    run = asyncio.create_task(adapter.run())
    ada = fake.new_user("Ada")
    update = fake.feed_command(ada, None, "/count")
    await fake.wait_for("sendMessage")
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    last = fake.calls_to("getUpdates")[-1]
    assert last.params["offset"] == update["update_id"] + 1 and last.params["timeout"] == 0
    assert fake.pending_updates == []


async def test_a_delivery_before_start_up_waits_for_the_connection(
    fake: FakeTelegram, service: PledgeService
) -> None:
    settings = TelegramSettings(token=fake.token, api_base_url=fake.base_url)  # type: ignore[arg-type]
    adapter = TelegramAdapter(service, settings)
    ada = fake.new_user("Ada")
    fake.private_chat(ada)
    message = OutboxMessage(OutboxKind.NOTIFICATION, "telegram", str(ada.id), "Hello & welcome")
    delivery = asyncio.create_task(adapter.deliver(message))
    run = asyncio.create_task(adapter.run())
    try:
        ref = await asyncio.wait_for(delivery, 5)
        assert fake.message(ada.id, int(ref or 0))["text"] == "Hello & welcome"  # type: ignore[index]
    finally:
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _post(url: str, update: dict[str, Any], secret: str | None) -> int:
    """POST an update as Telegram would; the status. Retries while the server starts up (PTB
    registers the webhook just before it listens)."""
    for _ in range(100):
        try:
            return _post_once(url, update, secret)
        except urllib.error.URLError as error:
            if not isinstance(error.reason, ConnectionRefusedError):
                raise
            time.sleep(0.02)
    raise AssertionError(f"nothing listens at {url}")


def _post_once(url: str, update: dict[str, Any], secret: str | None) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(update).encode(), headers={"Content-Type": "application/json"}
    )
    if secret is not None:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


async def test_webhook_mode_registers_the_hook_and_serves_updates(start_bot: Start) -> None:
    pytest.importorskip("tornado", reason="webhook mode needs python-telegram-bot[webhooks]")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/pledgebot/telegram"
    bot = await start_bot(
        webhook={
            "webhook_url": url,
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
            "webhook_secret": "s3cret-Token_1",
        }
    )
    [hook] = bot.fake.calls_to("setWebhook")
    assert hook.params["url"] == url
    assert hook.params["secret_token"] == "s3cret-Token_1"
    assert bot.fake.calls_to("getUpdates") == []

    # Telegram would POST the update; build one with the fake and deliver it by hand.
    update = bot.fake.feed_command(bot.ada, None, "/count")
    assert await asyncio.to_thread(_post, url, update, None) == 403  # no secret: refused
    assert await asyncio.to_thread(_post, url, update, "s3cret-Token_1") == 200
    call = await bot.fake.wait_for("sendMessage")
    assert bot.sent(call)["text"] == "0 signatures so far. Next milestone: 10."
