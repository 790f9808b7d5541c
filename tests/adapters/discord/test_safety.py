"""A signer's text can neither ping anyone nor format itself, wherever the bot shows it."""

from __future__ import annotations

import re
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord import render
from tests.adapters.discord.conftest import Bot, Server, assert_no_pings, message_bodies
from tests.hostile import FRAGMENTS

HOSTILE = "**Bold** @everyone <@&123> __under__ `code`"
# What the core stores (mentions neutralised with a fullwidth ＠), escaped for Discord.
SHOWN = "\\*\\*Bold\\*\\* ＠everyone <＠&123> \\_\\_under\\_\\_ \\`code\\`"


def assert_inert(text: str) -> None:
    assert "@everyone" not in text
    assert "<@&123>" not in text
    assert "**Bold**" not in text
    assert "__under__" not in text


async def test_a_hostile_name_pings_no_one_and_formats_nothing(bot: Bot, server: Server) -> None:
    confirmation = await bot.sign(server.artist, {"name": HOSTILE, "role": "*DJ*"})
    assert confirmation.content is not None
    assert f"You are signing as {SHOWN}." in confirmation.content
    assert_inert(confirmation.content)

    card = await bot.card(1)
    shown = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}
    assert (shown["Name"], shown["Role"]) == (SHOWN, "\\*DJ\\*")

    await bot.click(card, "pledge:approve:1", server.moderator)
    listing = await bot.command("signatories", server.drummer)
    assert listing.data["embeds"][0]["description"] == f"`#1` {SHOWN}, \\*DJ\\*"

    pending = await bot.command("status", server.artist)
    assert pending.content is not None and SHOWN in pending.content

    for request, body in message_bodies(server.fake):
        assert_inert(str(body.get("content") or ""))
        for embed in body.get("embeds") or []:
            assert_inert(str(embed))
        assert body.get("allowed_mentions") == {"parse": []}, request.describe()
    assert_no_pings(server.fake)


async def test_a_hostile_display_name_is_escaped_on_decided_cards(bot: Bot, server: Server) -> None:
    server.admin.nick = "@everyone **boss**"
    await bot.sign(server.artist)
    card = await bot.card(1)

    await bot.click(card, "pledge:approve:1", server.admin)

    decision = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}["Decision"]
    # The core neutralises the mention in the stored name; markdown is escaped at render time.
    assert decision.startswith("Approved by \uff20everyone \\*\\*boss\\*\\* <t:")


@given(
    st.lists(
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6), st.sampled_from(" #->\n\t")),
        max_size=8,
    ).map("".join)
)
def test_plain_text_skips_the_escapes_only_when_they_would_change_nothing(text: str) -> None:
    """safe() returns text that needs no escaping as it is, without running the escapes; for
    every text that shortcut must agree with the full escaping. (The profile's example count:
    150 in `make test`, 5,000 under `make soak`.)"""
    assert render.safe(text) == _escaped_in_full(text)


#: For each character the shortcut has to stop at, the smallest text that the full escaping
#: changes: take any of them out of ``_NOTHING_TO_ESCAPE`` and one of these fails at once.
NEEDS_ESCAPING = (
    "*a*", "`a`", "a_b", "~~a~~", "||a||", "[a](b)", "<#1>", "@everyone", "a\\b",
    "a\n# b", "# a", "> a", "- a", "-# a",
)  # fmt: skip


@pytest.mark.parametrize("text", NEEDS_ESCAPING)
def test_the_shortcut_never_skips_text_that_needs_escaping(text: str) -> None:
    assert render.safe(text) == _escaped_in_full(text) != text


def _escaped_in_full(text: str) -> str:
    with patch.object(render, "_NOTHING_TO_ESCAPE", re.compile(r"(?!)")):
        return render.safe(text)


def test_every_masked_link_is_broken_even_one_that_follows_a_web_address() -> None:
    """The second link's "[" sits in what looks like one long address, ")[x](https://…"; it
    is escaped all the same, so neither link works."""
    shown = render.safe("[x](https://evil.example)[x](https://evil.example)")
    assert shown == "\\[x](https://evil.example)\\[x](https://evil.example)"
