"""Every moderator command and button on Telegram, used by someone who is not a moderator — a
member of the mod chat who is not one of its administrators, a user in their private chat with
the bot, a user in another group — is refused, and the database file is exactly as it was (every
table, every row; see :mod:`tests.dbdump`).

The commands are typed into the real python-telegram-bot through the fake Bot API. A button's
``callback_data`` is chosen by the client, so besides the buttons a non-moderator can see, every
moderator button's data is also sent from a message in the user's own chat (as a modified client
could). Replying to a moderator's "❌ #N: Why is it rejected?" prompt is only possible in the chat
where it was asked: the mod chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from bot.domain import Status
from tests.adapters.telegram.conftest import JSON, Bot
from tests.conftest import MOD
from tests.dbdump import Dump, assert_same, dump_url
from tests.fakes.fake_telegram import ApiCall, FakeChat, FakeUser

REFUSAL = "Only moderators can do that."
COMMANDS = [
    "/pending",
    "/approve 1",
    "/approve 1 2 3",
    "/reject 1 spam",
    "/remove 1 spam",
    "/remove 2 spam",
    "/export csv",
    "/export json",
    "/export",
    "/audit",
    "/audit 100",
    "/audit x",
    "/snapshot",
    "/approve x",
    "/reject x",
]
BUTTONS = [
    f"pledge:{action}:{sig}:{view}"
    for view in ("c", "l")
    for action, sig in (("approve", 1), ("reject", 1), ("back", 1))
] + [f"pledge:reason:1:{n}:{view}" for view in ("c", "l") for n in range(5)]
WHO = ("mod-chat-member", "private-user", "other-group-user")


@dataclass
class Scene:
    bot: Bot
    user: FakeUser
    chat: FakeChat | None  # None: their private chat
    card: JSON  # the mod-queue card of #1
    prompt: JSON  # "❌ #1: Why is it rejected?", asked in the mod chat by a moderator
    own: JSON | None = None  # a message of the bot's the user can press buttons on


async def _outbox_idle(db_url: str) -> Dump:
    """The database once the outbox has delivered everything owed."""
    for _ in range(200):
        snapshot = dump_url(db_url)
        if all(r["status"] in ("delivered", "failed") for r in snapshot.records("outbox")):
            return snapshot
        await asyncio.sleep(0.01)
    raise AssertionError("the outbox did not settle")


async def _scene(bot: Bot, who: str) -> Scene:
    """#1 pending with its card, #2 approved; a moderator has asked for a reason for #1."""
    first = await bot.sign(bot.ada, "Ada")
    await bot.approve(await bot.sign(bot.bob, "Bob"))
    card = await bot.card(first.id)
    mark = bot.fake.mark()
    await bot.press(bot.mod, card, "❌ Reject")
    await bot.fake.wait_for("editMessageReplyMarkup", since=mark)
    mark = bot.fake.mark()
    await bot.press(bot.mod, card, "Other reason…")
    asked = await bot.fake.wait_for(
        "sendMessage",
        lambda c: c.params.get("text", "").startswith("❌ #"),
        since=mark,
    )
    prompt = bot.sent(asked)
    await bot.fake.wait_for(  # the card has its buttons back
        "editMessageText", lambda c: c.params["message_id"] == card["message_id"], since=mark
    )
    user = bot.fake.new_user("Mallory", username="mallory")
    chat: FakeChat | None
    if who == "mod-chat-member":
        bot.fake.set_member_status(bot.mod_chat, user, "member")
        chat = bot.mod_chat
    elif who == "private-user":
        chat = None
    else:
        chat = bot.supergroup
    return Scene(bot, user, chat, card, prompt)


async def _own_message(scene: Scene) -> JSON:
    """A message of the bot that the user sees: the card in the mod chat, or the bot's answer to
    /letter in their own chat."""
    if scene.chat is not None and scene.chat.id == scene.bot.mod_chat.id:
        return scene.card
    call = await scene.bot.say(scene.user, scene.chat, "/letter")
    return scene.bot.sent(call)


Act = Callable[[Scene], Awaitable[ApiCall]]


def _command(text: str) -> Act:
    async def act(scene: Scene) -> ApiCall:
        return await scene.bot.say(scene.user, scene.chat, text)

    return act


def _button(data: str) -> Act:
    async def act(scene: Scene) -> ApiCall:
        assert scene.own is not None
        return await scene.bot.press_data(scene.user, scene.own, data, check_button=False)

    return act


async def _reason_reply(scene: Scene) -> ApiCall:
    return await scene.bot.say(scene.user, scene.chat, "because I say so", reply_to=scene.prompt)


ACTIONS: list[tuple[str, Act]] = [
    *((text, _command(text)) for text in COMMANDS),
    *((f"button {data}", _button(data)) for data in BUTTONS),
]
MATRIX = [
    pytest.param(name, act, who, id=f"{name}-{who}") for name, act in ACTIONS for who in WHO
] + [pytest.param("reason reply", _reason_reply, "mod-chat-member", id="reason-reply")]


@pytest.mark.parametrize(("name", "act", "who"), MATRIX)
async def test_non_moderators_change_nothing(
    bot: Bot, db_url: str, name: str, act: Act, who: str
) -> None:
    scene = await _scene(bot, who)
    if name.startswith("button"):
        scene.own = await _own_message(scene)  # before the snapshot: it is not the action
    before = await _outbox_idle(db_url)
    mark = bot.fake.mark()

    answer = await act(scene)
    await bot.say(scene.user, scene.chat, "/count")  # one chat's updates run in order: done
    after = await _outbox_idle(db_url)

    assert_same(before, after, f"{name} by a {who}")
    if answer.method == "answerCallbackQuery":
        assert answer.params.get("text") == REFUSAL and answer.params.get("show_alert") is True
    else:
        assert bot.sent(answer)["text"] == REFUSAL
    touched = {"editMessageText", "editMessageReplyMarkup", "sendDocument"}
    assert [c.method for c in bot.fake.calls[mark:] if c.method in touched] == []
    sig = (await bot.service.mod_queue.item(1)).signature
    assert sig.status is Status.PENDING
    assert [e.action for e in await bot.service.audit(MOD)] == ["approve"]
