"""User text is shown literally everywhere, and no message outgrows Telegram's 4,096 characters.

The fake parses ``parse_mode="HTML"`` like Telegram: an unescaped ``<b>`` would turn bold, a
stray ``<`` or ``&`` would fail the whole message with "can't parse entities" (which the test
fixture turns into a failure through the error log), and a text over 4,096 characters would fail
with "message is too long".
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.domain import Letter, SignatureForm
from bot.limits import AUDIT_MAX
from tests.adapters.telegram.conftest import JSON, Bot, Start
from tests.conftest import MOD, artist

HOSTILE = '<b>Bold</b> & <a href="https://evil.example">click</a>'
ROLE = "drums & <i>bass</i>"


def _formatting(message: JSON) -> list[str]:
    """Entity types other than those the bot adds itself (bold labels, mentions, code)."""
    return [e["type"] for e in message.get("entities", []) if e["type"] in ("italic", "text_link")]


async def test_hostile_names_are_shown_literally_everywhere(bot: Bot) -> None:
    summary = bot.sent(await bot.say(bot.ada, None, f"/sign {HOSTILE} | {ROLE}"))
    assert f"Public name: {HOSTILE}" in summary["text"]
    assert f"Role/affiliation: {ROLE}" in summary["text"]
    mark = bot.fake.mark()
    await bot.press(bot.ada, summary, "✍️ Sign")
    sig = await bot.signed(bot.ada, since=mark)
    assert sig.name == HOSTILE

    shown: list[JSON] = [summary, await bot.card(sig.id)]
    shown.append(bot.sent(await bot.say(bot.ada, None, "/status")))
    shown.append(bot.sent(await bot.say(bot.mod, bot.mod_chat, "/pending")))
    shown.append(bot.sent(await bot.say(bot.mod, None, f"/approve {sig.id}")))
    shown.append(bot.sent(await bot.say(bot.bob, bot.group, "/signatories")))
    for message in shown:
        assert HOSTILE in message["text"], message["text"]
        assert _formatting(message) == []
    bold = [
        message["text"][e["offset"] : e["offset"] + e["length"]]
        for message in shown
        for e in message.get("entities", [])
        if e["type"] == "bold"
    ]
    assert "Bold" not in bold


async def test_reasons_and_moderator_names_are_escaped_too(bot: Bot) -> None:
    renamed = dataclasses.replace(bot.mod, first_name="M&M <mod>")
    sig = await bot.sign(bot.ada, "Ada")
    card = await bot.card(sig.id)
    mark = bot.fake.mark()
    bot.fake.feed_command(renamed, bot.mod_chat, f"/reject {sig.id} <3 & more")
    await bot.fake.wait_for("editMessageText", since=mark)
    edited = bot.fake.message(bot.mod_chat, card["message_id"])
    assert edited is not None
    assert edited["text"].endswith("❌ Rejected by M&M <mod>: <3 & more")
    notice = await bot.answer(bot.fake.private_chat(bot.ada), since=mark)
    assert "Reason: <3 & more." in bot.sent(notice)["text"]


async def test_a_page_of_the_longest_names_fits_one_message(start_bot: Start) -> None:
    bot = await start_bot(thresholds=(1000,))
    amp = "&" * 80
    made = []
    for n in range(20):
        sig = await bot.service.sign(
            artist(n),
            SignatureForm(
                f"{n:02d}{amp}"[:80], "<" * 60, ">" * 60, f"https://x.example/?{'&' * 170}"
            ),
            community="console",
        )
        made.append(sig.signature.id)
    await bot.service.approve(MOD, made)
    page = bot.sent(await bot.say(bot.ada, None, "/signatories"))
    lines = page["text"].splitlines()
    assert len(lines) == 21
    for number, line in enumerate(lines[1:]):
        assert line.startswith(f"#{made[number]} {number:02d}&&")
        assert line.endswith("…")
    assert len(page["text"]) <= 4096


async def test_a_long_letter_is_split_with_the_button_on_the_last_part(start_bot: Start) -> None:
    demands = tuple(f"Demand {n}: " + "word " * 100 for n in range(25))
    bot = await start_bot(letter=Letter("Long & winding", "", demands, ""))
    mark = bot.fake.mark()
    bot.fake.feed_command(bot.ada, None, "/letter")
    last = await bot.fake.wait_for("sendMessage", lambda c: "reply_markup" in c.params, since=mark)
    parts = [c for c in bot.fake.calls[mark:] if c.method == "sendMessage"]
    assert len(parts) > 1 and parts[-1] is last
    texts = [bot.sent(c)["text"] for c in parts]
    assert all(len(t) <= 4096 for t in texts)
    joined = "\n".join(texts)
    assert all(f"{n + 1}. Demand {n}: word" in joined for n in range(25))
    # The summary before signing must stay one message (its buttons): the demands are shortened.
    summary = bot.sent(await bot.say(bot.ada, None, "/sign Ada"))
    assert len(summary["text"]) <= 4096
    assert "25. Demand 24: word" in summary["text"]
    assert summary["text"].endswith("or cancel.")


@pytest.mark.parametrize("command", ["/pending", f"/audit {AUDIT_MAX}"])
async def test_long_moderator_answers_fit(start_bot: Start, command: str) -> None:
    bot = await start_bot(thresholds=(1000,))
    for n in range(30):
        sig = await bot.service.sign(
            artist(n), SignatureForm(f"{n}" + "&" * 78), community="console"
        )
        await bot.service.reject(MOD, sig.signature.id, "&" * 300)
        await bot.service.sign(artist(n), SignatureForm(f"{n}" + "<" * 78), community="console")
    mark = bot.fake.mark()
    bot.fake.feed_command(bot.mod, None, command)
    await bot.fake.wait_for("sendMessage", since=mark)
    # The chat's updates run in order: once /count is answered, the whole answer is sent.
    bot.fake.feed_command(bot.mod, None, "/count")
    counted = await bot.fake.wait_for(
        "sendMessage", lambda c: "so far" in c.params.get("text", ""), since=mark
    )
    answers = [c for c in bot.fake.calls[mark:] if c.method == "sendMessage" and c is not counted]
    assert all(c.ok for c in answers)
    if command.startswith("/audit"):  # the whole log was shown, not an error
        shown = "\n".join(bot.sent(c)["text"] for c in answers)
        assert shown.count(": reject #") == 30
