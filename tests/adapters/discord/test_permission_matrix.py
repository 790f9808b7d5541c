"""Every moderator command, button and form on Discord, used by someone who is not a moderator —
a plain member of the campaign's server, an admin of another (community) server, a user in a
DM — is refused, and the database file is exactly as it was (every table, every row; see
:mod:`tests.dbdump`).

Nothing here goes through a shortcut: the slash commands, button clicks and form submits reach
the real discord.py over the fake's gateway. Some of these cannot happen from a normal client
(a DM has no moderator commands, a form is only opened by its button), which is the point: a
modified client or a stale form must be refused as well.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.domain import Status
from tests.adapters.discord.conftest import (
    CONSOLE_MOD,
    Bot,
    Server,
    approved_signatures,
)
from tests.dbdump import Dump, assert_same, dump_url
from tests.fakes.fake_discord import CallbackType, FakeChannel, InteractionCallback

REFUSED = "Only moderators can do that."

Act = Callable[[Bot, Any, FakeChannel | None], Awaitable[InteractionCallback]]


@dataclass(frozen=True)
class Action:
    name: str
    act: Act
    refusal: str | None = REFUSED  # None: an autocomplete, which answers with no choices


def _command(name: str, **options: Any) -> Act:
    async def act(bot: Bot, user: Any, channel: FakeChannel | None) -> InteractionCallback:
        ref = await bot.fake.send_slash_command(
            name, user=user, channel=channel, options=options or None
        )
        return await bot.fake.wait_for_callback(ref)

    return act


def _button(custom_id: str) -> Act:
    async def act(bot: Bot, user: Any, channel: FakeChannel | None) -> InteractionCallback:
        card = await bot.card(1)
        ref = await bot.fake.click_button(card, custom_id, user=user)
        return await bot.fake.wait_for_callback(ref)

    return act


def _reason_form() -> Act:
    """The reject-reason form submitted without its button having opened it (a stale or forged
    form)."""

    async def act(bot: Bot, user: Any, channel: FakeChannel | None) -> InteractionCallback:
        ref = await bot.fake.submit_modal(
            "pledge:reject-form:1", {"reason": "spam"}, user=user, channel=channel
        )
        return await bot.fake.wait_for_callback(ref)

    return act


def _suggest(name: str) -> Act:
    async def act(bot: Bot, user: Any, channel: FakeChannel | None) -> InteractionCallback:
        ref = await bot.fake.send_autocomplete(
            name, user=user, channel=channel, focused="signature", value=""
        )
        return await bot.fake.wait_for_callback(ref)

    return act


ACTIONS = [
    Action("/pending", _command("pending")),
    Action("/approve 1", _command("approve", signature="1")),
    Action("/approve 1 2 3", _command("approve", signature="1 2 3")),
    Action("/approve x", _command("approve", signature="x")),
    Action("/reject 1", _command("reject", signature=1, reason="spam")),
    Action("/remove 1", _command("remove", signature=1, reason="spam")),
    Action("/remove 2 (approved)", _command("remove", signature=2, reason="spam")),
    Action("/export csv", _command("export", format="csv")),
    Action("/export json", _command("export", format="json")),
    Action("/audit", _command("audit")),
    Action("/audit 100", _command("audit", entries=100)),
    Action("/snapshot", _command("snapshot")),
    Action("Approve button", _button("pledge:approve:1")),
    Action("Reject button", _button("pledge:reject:1")),
    Action("reject-reason form", _reason_form()),
    Action("/approve suggestions", _suggest("approve"), refusal=None),
    Action("/reject suggestions", _suggest("reject"), refusal=None),
]
BUTTONS = {"Approve button", "Reject button"}
WHO = ("member", "community-admin", "dm-user")


async def _settled(bot: Bot, db_url: str) -> Dump:
    """The database once every owed message went out (nothing changes in the background: the
    tests' dispatcher only delivers when drained)."""
    await bot.drain()
    return dump_url(db_url)


# A card's buttons are in the mod channel, out of a DM user's reach (the others are not).
MATRIX = [
    pytest.param(action, who, id=f"{action.name}-{who}")
    for action in ACTIONS
    for who in WHO
    if not (who == "dm-user" and action.name in BUTTONS)
]


@pytest.mark.parametrize(("action", "who"), MATRIX)
async def test_non_moderators_change_nothing(
    bot: Bot, server: Server, db_url: str, action: Action, who: str
) -> None:
    fake = server.fake
    await bot.sign(server.artist)  # #1, pending, with its card in the mod channel
    await approved_signatures(bot.service, 1)  # #2, approved; the audit log has an entry
    await bot.card(1)
    user: Any
    channel: FakeChannel | None
    if who == "member":
        user, channel = server.drummer, server.general
    elif who == "community-admin":
        user, channel = server.community_admin, server.community_channel
        if action.name in BUTTONS:  # to see the card at all, they must be in the home server
            fake.add_member(server.home, user=server.community_admin.user)
    else:
        user, channel = fake.add_user("stranger", global_name="Stranger"), None
    before = await _settled(bot, db_url)
    sent = fake.requests.mark()

    callback = await action.act(bot, user, channel)
    await asyncio.sleep(0.05)  # anything the handler does after answering

    assert_same(before, dump_url(db_url), f"{action.name} by a {who}")
    if action.refusal is None:
        assert callback.type is CallbackType.AUTOCOMPLETE_RESULT
        assert callback.choices == []
    else:
        assert callback.type is CallbackType.CHANNEL_MESSAGE, callback.describe()
        assert callback.ephemeral and callback.content == action.refusal
        assert callback.files == ()
    # Nothing else was posted or edited: no card redrawn, no DM, no file.
    others = [
        r.describe()
        for r in fake.requests.filter(lambda r: r.method in ("POST", "PATCH", "PUT"), since=sent)
        if not r.path.startswith("/interactions/")
    ]
    assert others == []
    sig = (await bot.service.mod_queue.item(1)).signature
    assert sig.status is Status.PENDING
    assert [e.action for e in await bot.service.audit(CONSOLE_MOD)] == ["approve"]
