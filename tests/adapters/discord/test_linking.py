"""One person, several accounts on Discord: /link and /unlink, privately, and the linked
accounts on a moderator's card."""

from __future__ import annotations

import re

from bot.domain import Identity, SignatureForm
from tests.adapters.discord.conftest import Bot, Server
from tests.adapters.discord.test_mod_queue import fields
from tests.conftest import artist

_CODE = re.compile(r"Your linking code is ([0-9A-Z]{5}-[0-9A-Z]{5})\.")


async def test_a_code_made_on_discord_links_a_console_account(bot: Bot, server: Server) -> None:
    callback = await bot.command("link", server.artist)

    assert callback.ephemeral  # the code lets its holder join this account: no one else sees it
    found = _CODE.match(callback.content or "")
    assert found is not None, callback.content
    assert (callback.content or "").endswith("Keep the code to yourself.")
    ann = artist("ann")
    result = await bot.service.link(ann, found.group(1))
    assert Identity("discord", str(server.artist.id)) in result.accounts

    await bot.sign(server.artist)
    status = await bot.service.status(ann.identity)  # the console account sees the signature
    assert status.signature is not None and status.signature.id == 1


async def test_a_code_from_elsewhere_is_redeemed_with_the_code_option(
    bot: Bot, server: Server
) -> None:
    ann = artist("ann")
    await bot.service.sign(ann, SignatureForm("Ann"), community="console")
    made = await bot.service.link_code(ann)

    callback = await bot.command("link", server.artist, code=made.code.lower())

    assert callback.ephemeral
    assert callback.content == (
        "Linked: this account now goes with console:ann. You hold one signature between them; "
        "/status and /withdraw work from any of them, and /unlink undoes the link."
    )
    again = await bot.command("sign", server.artist)
    assert again.content == (
        "You have already signed: signature #1 is awaiting approval. "
        "Use /status to see it or /withdraw to take it back."
    )
    status = await bot.command("status", server.artist)
    assert (status.content or "").splitlines()[-1] == "Linked accounts: console:ann."


async def test_a_wrong_code_is_explained_and_links_nothing(bot: Bot, server: Server) -> None:
    callback = await bot.command("link", server.artist, code="not a code")
    assert callback.ephemeral
    assert callback.content == (
        "That is not a linking code: codes look like 7KQ2M-9XD4T. Send /link on your other "
        "account to get one."
    )
    callback = await bot.command("link", server.artist, code="7KQ2M-9XD4T")
    assert (callback.content or "").startswith("That code does not work")
    assert (await bot.status(server.artist)).linked == ()


async def test_unlink_gives_the_account_back_its_own(bot: Bot, server: Server) -> None:
    ann = artist("ann")
    made = await bot.service.link_code(ann)
    await bot.command("link", server.drummer, code=made.code)

    callback = await bot.command("unlink", server.drummer)

    assert callback.ephemeral
    assert callback.content == (
        "Unlinked: this account no longer goes with console:ann. A signature made from this "
        "account stays with it."
    )
    again = await bot.command("unlink", server.drummer)
    assert again.content == "This account is not linked to any other."


async def test_the_card_shows_the_signers_linked_accounts(bot: Bot, server: Server) -> None:
    ann = artist("ann")
    made = await bot.service.link_code(ann)
    await bot.command("link", server.artist, code=made.code)
    await bot.sign(server.artist)

    shown = fields(await bot.card(1))

    assert shown["Linked accounts"] == "console:ann"
