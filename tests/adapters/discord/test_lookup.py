"""Finding signatures and signers on Discord: ``/remove``'s suggestions, ``/reject``'s canned
reasons (the ones Telegram's buttons offer), and the moderators' "Signature status" member menu."""

from __future__ import annotations

from typing import Any

from bot.domain import SignatureForm, Status
from bot.texts import rejection
from tests.adapters.discord.conftest import CONSOLE_MOD, Bot, Server, actor
from tests.conftest import artist
from tests.fakes.fake_discord import CallbackType, FakeMember, InteractionCallback

MENU = "Signature status"


async def _suggest(bot: Bot, command: str, user: FakeMember, focused: str, value: str) -> Any:
    ref = await bot.fake.send_autocomplete(
        command, user=user, channel=bot.server.general, focused=focused, value=value
    )
    callback = await bot.fake.wait_for_callback(ref)
    assert callback.type is CallbackType.AUTOCOMPLETE_RESULT
    return callback.choices


async def _menu(bot: Bot, user: FakeMember, target: FakeMember, **kw: Any) -> InteractionCallback:
    ref = await bot.fake.send_user_command(
        MENU, user=user, target=target, channel=bot.server.general, **kw
    )
    return await bot.fake.wait_for_callback(ref)


def _fields(callback: InteractionCallback) -> dict[str, str]:
    [embed] = callback.data["embeds"]
    return {f["name"]: f["value"] for f in embed["fields"]}


# -- /remove ---------------------------------------------------------------------------------------
async def test_remove_suggests_approved_and_pending_signatures(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist, {"role": "Singer"})
    await bot.sign(server.drummer)
    await bot.service.approve(CONSOLE_MOD, [1])

    everything = await _suggest(bot, "remove", server.moderator, "signature", "")
    assert everything == [
        {"name": "#2 Dan Drums", "value": 2},
        {"name": "#1 Alice Artist — Singer", "value": 1},
    ]
    assert await _suggest(bot, "remove", server.admin, "signature", "ali") == [
        {"name": "#1 Alice Artist — Singer", "value": 1}
    ]
    assert await _suggest(bot, "remove", server.admin, "signature", "#2") == [
        {"name": "#2 Dan Drums", "value": 2}
    ]


async def test_remove_finds_an_older_signature_by_its_whole_name_or_number(
    bot: Bot, server: Server
) -> None:
    """Beyond the newest listed, a name is found by its key (look-alikes too) and a number
    anywhere; an anonymous signature, never listed, is found the same way."""
    ann = artist("ann")
    await bot.service.sign(ann, SignatureForm("Ann Old"), community="console", anonymous=True)
    await bot.service.approve(CONSOLE_MOD, [1])
    for n in range(105):
        signer = artist(f"s{n}")
        await bot.service.sign(signer, SignatureForm(f"Signer {n:03d}"), community="console")
    await bot.service.approve(CONSOLE_MOD, list(range(2, 52)))
    await bot.service.approve(CONSOLE_MOD, list(range(52, 102)))
    await bot.service.approve(CONSOLE_MOD, list(range(102, 107)))

    assert await _suggest(bot, "remove", server.moderator, "signature", "ann old") == [
        {"name": "#1 Ann Old", "value": 1}
    ]
    assert await _suggest(bot, "remove", server.moderator, "signature", "АNN 0LD") == [
        {"name": "#1 Ann Old", "value": 1}  # a Cyrillic А and a zero
    ]
    by_number = await _suggest(bot, "remove", server.moderator, "signature", "1")
    assert by_number[0] == {"name": "#1 Ann Old", "value": 1}
    assert all("1" in c["name"] for c in by_number)
    assert len(await _suggest(bot, "remove", server.moderator, "signature", "")) == 25


async def test_remove_suggests_nothing_removed_and_nothing_to_non_moderators(
    bot: Bot, server: Server
) -> None:
    await bot.sign(server.artist)
    await bot.sign(server.drummer)
    await bot.service.remove(CONSOLE_MOD, 1, "Spam")

    assert await _suggest(bot, "remove", server.moderator, "signature", "") == [
        {"name": "#2 Dan Drums", "value": 2}
    ]
    assert await _suggest(bot, "remove", server.drummer, "signature", "") == []


# -- /reject's reasons -----------------------------------------------------------------------------
async def test_reject_offers_the_canned_reasons_telegram_offers(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    canned = [
        {"name": f"{r.label}: {r.reason}", "value": str(r.reason)}
        for r in rejection.REJECTION_REASONS
    ]
    assert await _suggest(bot, "reject", server.moderator, "reason", "") == canned
    assert await _suggest(bot, "reject", server.moderator, "reason", "spam") == [
        c for c in canned if "spam" in c["name"].casefold()
    ]

    picked = canned[1]["value"]
    callback = await bot.command("reject", server.moderator, signature=1, reason=picked)

    assert callback.content == "#1 rejected. The signer will be told why."
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.status is Status.REJECTED and sig.reason == picked


# -- the member menu -------------------------------------------------------------------------------
async def test_the_member_menu_is_synced_for_moderators_only(bot: Bot, server: Server) -> None:
    [menu] = [c for c in server.fake.commands(server.home) if c.get("type") == 2]
    assert menu["name"] == MENU
    assert int(menu["default_member_permissions"]) == 1 << 5  # Manage Server
    assert menu["contexts"] == [0]  # servers only
    assert menu["name_localizations"]["es-ES"] == "Estado de la firma"
    assert menu["name_localizations"]["pt-BR"] == "Status da assinatura"


async def test_the_member_menu_shows_a_signers_card(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist, {"role": "Singer"})
    await bot.service.reject(CONSOLE_MOD, 1, "Typo")
    await bot.sign(server.artist, {"name": "Alice Artist", "role": "Singer"})
    twin = artist("twin")
    await bot.service.sign(twin, SignatureForm("ALICE ARTIST"), community="console")
    made = await bot.service.link_code(artist("ann"))
    await bot.service.link(actor(server.artist), made.code)

    callback = await _menu(bot, server.moderator, server.artist)

    assert callback.ephemeral
    [embed] = callback.data["embeds"]
    assert embed["title"] == "Signature #2 awaits approval"
    found = _fields(callback)
    assert found["Name"] == "Alice Artist"
    assert found["Earlier signatures"] == "#1 rejected: Typo"
    assert found["Linked accounts"] == "console:ann"
    assert found["Possible duplicate of"] == "#3 ALICE ARTIST (pending)"
    assert f"<@{server.artist.id}>" in found["Signer"]


async def test_the_member_menu_says_who_has_not_signed(bot: Bot, server: Server) -> None:
    callback = await _menu(bot, server.admin, server.drummer)
    assert callback.ephemeral
    assert callback.content == "Dan Drums has not signed."

    spanish = await _menu(bot, server.admin, server.drummer, locale="es-ES")
    assert spanish.content == "Dan Drums no ha firmado."


async def test_the_member_menu_refuses_non_moderators(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    callback = await _menu(bot, server.drummer, server.artist)
    assert callback.ephemeral
    assert callback.content == "Only moderators can do that."
    assert "embeds" not in callback.data or not callback.data["embeds"]
