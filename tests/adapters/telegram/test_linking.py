"""One person, several accounts on Telegram: /link and /unlink in the private chat, a code
typed in a group made void, and the linked accounts on a moderator's card."""

from __future__ import annotations

import re

import pytest

from bot.domain import Identity, SignatureForm
from bot.errors import NoSuchLinkCode
from tests.adapters.telegram.conftest import Bot
from tests.conftest import artist

_CODE = re.compile(r"Your linking code is ([0-9A-Z]{5}-[0-9A-Z]{5})\.")


async def test_a_code_made_in_private_links_a_console_account(bot: Bot) -> None:
    call = await bot.say(bot.ada, None, "/link")

    found = _CODE.match(call.params["text"])
    assert found is not None, call.params["text"]
    result = await bot.service.link(artist("ann"), found.group(1))
    assert Identity("telegram", str(bot.ada.id)) in result.accounts
    status = bot.sent(await bot.say(bot.ada, None, "/status"))["text"]
    assert status.splitlines()[-1] == "Linked accounts: console:ann."


async def test_a_code_from_elsewhere_is_redeemed_in_private(bot: Bot) -> None:
    ann = artist("ann")
    await bot.service.sign(ann, SignatureForm("Ann"), community="console")
    made = await bot.service.link_code(ann)

    call = await bot.say(bot.ada, None, f"/link {made.code}")

    assert call.params["text"] == (
        "Linked: this account now goes with console:ann. You hold one signature between them; "
        "/status and /withdraw work from any of them, and /unlink undoes the link."
    )
    sig = await bot.signature_of(bot.ada)  # the console account's signature, seen from here
    assert sig is not None and sig.identity == ann.identity


async def test_a_code_typed_in_a_group_no_longer_works(bot: Bot) -> None:
    ann = artist("ann")
    made = await bot.service.link_code(ann)

    call = await bot.say(bot.ada, bot.group, f"/link {made.code}")

    assert call.params["text"] == (
        "Everyone here can read that code, so it no longer works. Make a new one with /link on "
        "your other account, and send it to me in a private chat."
    )
    assert call.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Link my accounts", "url": "https://t.me/pledge_test_bot?start=link"}]
        ]
    }
    with pytest.raises(NoSuchLinkCode):  # whoever read it in the group cannot use it
        await bot.service.link(artist("mallory"), made.code)
    assert (await bot.service.status(Identity("telegram", str(bot.ada.id)))).linked == ()


async def test_link_in_a_group_without_a_code_leads_to_the_private_chat(bot: Bot) -> None:
    call = await bot.say(bot.ada, bot.group, "/link")
    assert call.params["text"] == "Linking accounts happens in a private chat with me."
    assert not bot.fake.sent_messages(bot.fake.private_chat(bot.ada))

    call = await bot.say(bot.ada, None, "/start link")  # the button's deep link
    assert _CODE.match(call.params["text"]) is not None


async def test_unlink_in_private(bot: Bot) -> None:
    made = await bot.service.link_code(artist("ann"))
    await bot.say(bot.ada, None, f"/link {made.code}")

    call = await bot.say(bot.ada, None, "/unlink")

    assert call.params["text"] == (
        "Unlinked: this account no longer goes with console:ann. A signature made from this "
        "account stays with it."
    )
    call = await bot.say(bot.ada, None, "/unlink")
    assert call.params["text"] == "This account is not linked to any other."


async def test_the_card_shows_the_signers_linked_accounts(bot: Bot) -> None:
    made = await bot.service.link_code(artist("ann"))
    await bot.say(bot.ada, None, f"/link {made.code}")
    sig = await bot.sign(bot.ada, "Ada Lovelace")

    card = await bot.card(sig.id)

    assert card["text"].splitlines()[:3] == [
        f"#{sig.id} Ada Lovelace",
        "from telegram:private",
        "Linked accounts: console:ann.",
    ]
