"""``/communities`` on Telegram: which groups bring the signatures, under their current titles."""

from __future__ import annotations

import asyncio

from adapters.telegram.links import chat_community
from bot.domain import Actor, Identity, SignatureForm
from tests.adapters.telegram.conftest import Bot, Start
from tests.conftest import MOD

REFUSED = "Only moderators can do that."


async def _titled(bot: Bot, community: str, title: str) -> None:
    """Until the register holds ``title`` for ``community`` (titles arrive with updates)."""
    async with asyncio.timeout(10):
        while True:
            table = await bot.service.community_register.table()
            if any(r.community == community and r.name == title for r in table.rows):
                return
            await asyncio.sleep(0.02)


async def _sign_from(bot: Bot, n: int, community: str, *, approve: bool) -> None:
    signer = Actor(Identity("telegram", str(9000 + n)), f"Signer {n}")
    result = await bot.service.sign(signer, SignatureForm(f"Signer {n}"), community=community)
    if approve:
        await bot.service.approve(MOD, [result.signature.id])


async def test_moderators_see_each_group_by_its_title(bot: Bot) -> None:
    group, supergroup = chat_community(bot.group.id), chat_community(bot.supergroup.id)
    for n in range(3):
        await _sign_from(bot, n, group, approve=n < 2)
    await _sign_from(bot, 3, supergroup, approve=True)
    # The bot learns a group's title when someone follows its sign link, asking Telegram.
    bot.fake.feed_command(bot.bob, None, f"/start sign-{-bot.group.id}")
    await _titled(bot, group, "Music makers")

    answer = await bot.say(bot.mod, None, "/communities")

    assert answer.params["text"].splitlines() == [
        "<b>Communities</b>, most approved first — 3 approved signatures in all",
        "1. Music makers: 2 approved (67%), 1 pending, 3 in the last 24 hours",
        f"2. Telegram chat {bot.supergroup.id}: 1 approved (33%), 0 pending, "
        "1 in the last 24 hours",
    ]


async def test_members_are_refused_and_the_group_hears_nothing_of_it(bot: Bot) -> None:
    answer = await bot.say(bot.ada, None, "/communities")
    assert answer.params["text"] == REFUSED
    answer = await bot.say(bot.mod, bot.group, "/communities")  # not where moderators work
    assert answer.params["text"].startswith("Moderator commands work in the mod chat")


async def test_everyone_may_ask_when_the_table_is_public(start_bot: Start) -> None:
    bot = await start_bot(public_communities=True)
    await _sign_from(bot, 1, chat_community(bot.group.id), approve=True)
    answer = await bot.say(bot.ada, bot.group, "/communities")
    # No title known yet: a member's command records nothing.
    assert answer.params["text"].splitlines()[1] == (
        f"1. Telegram chat {bot.group.id}: 1 approved (100%), 0 pending, 1 in the last 24 hours"
    )


async def test_a_renamed_group_is_shown_by_its_new_title(bot: Bot) -> None:
    group = chat_community(bot.group.id)
    await _sign_from(bot, 1, group, approve=False)
    bot.fake.add_bot(bot.group, by=bot.admin, notify=False)
    bot.fake.feed_update(
        {
            "message": {
                "message_id": 900,
                "date": 0,
                "chat": {"id": bot.group.id, "type": "group", "title": "Music makers"},
                "from": bot.admin.to_api(),
                "new_chat_members": [bot.fake.bot.to_api()],
            }
        }
    )  # the bot added to the group: it learns the title
    await _titled(bot, group, "Music makers")
    bot.fake.rename_chat(bot.group, "Music makers united", by=bot.admin)
    await _titled(bot, group, "Music makers united")

    answer = await bot.say(bot.admin, bot.mod_chat, "/communities")
    assert "1. Music makers united: 0 approved" in answer.params["text"]


async def test_a_hostile_group_title_is_inert(bot: Bot) -> None:
    group = chat_community(bot.group.id)
    await _sign_from(bot, 1, group, approve=True)
    bot.fake.rename_chat(
        bot.group, '<b>Loud</b> & <a href="https://evil.example">x</a> @everyone', by=bot.ada
    )
    async with asyncio.timeout(10):
        while not (await bot.service.community_register.table()).rows[0].name:
            await asyncio.sleep(0.02)

    answer = await bot.say(bot.mod, None, "/communities")

    line = answer.params["text"].splitlines()[1]
    assert line.startswith(
        '1. &lt;b&gt;Loud&lt;/b&gt; &amp; &lt;a href="https://evil.example"&gt;x&lt;/a&gt; '
        "\uff20everyone: "
    )
