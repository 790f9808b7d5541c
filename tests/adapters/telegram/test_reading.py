"""Reading the letter and who signed it: the public commands, in private and in groups."""

from __future__ import annotations

import pytest

from bot.domain import Letter
from bot.i18n import translator
from bot.texts import command_help
from tests.adapters.telegram.conftest import Bot, Start
from tests.fakes.fake_telegram import FakeChat

SIGN_BUTTON = {"inline_keyboard": [[{"text": "✍️ Sign the letter", "callback_data": "pledge:sign"}]]}


def _chat(bot: Bot, where: str) -> FakeChat | None:
    return {"private": None, "group": bot.group, "supergroup": bot.supergroup}[where]


async def test_start_welcomes_and_lists_the_commands(bot: Bot) -> None:
    call = await bot.say(bot.ada, None, "/start")
    text = bot.sent(call)["text"]
    assert text.startswith("I gather signatures for the open letter “No Music For ICE”.")
    assert "/letter — read the letter" in text
    assert "/pending" not in text  # Ada is no moderator
    assert call.params["parse_mode"] == "HTML"


async def test_help_and_menus_list_the_cores_commands(bot: Bot) -> None:
    """One command list for every platform: the help text and the "/" menus come from it."""
    public = [c for c in command_help.COMMANDS if not c.moderator]
    text = bot.sent(await bot.say(bot.mod, None, "/help"))["text"]
    for entry in command_help.COMMANDS:
        assert f"{entry.usage} — {entry.summary}" in text.splitlines(), entry.name
    assert "/withdraw — take your signature back, optionally erasing your details" in text
    menus = [c.params for c in bot.fake.calls_to("setMyCommands")]
    default = next(m for m in menus if m.get("scope", {}).get("type", "default") == "default")
    assert [(c["command"], c["description"]) for c in default["commands"]] == [
        (c.name, c.description(translator())) for c in public
    ]


async def test_help_shows_moderator_commands_to_moderators_where_they_work(bot: Bot) -> None:
    assert "/pending" in bot.sent(await bot.say(bot.mod, None, "/help"))["text"]
    assert "/pending" in bot.sent(await bot.say(bot.admin, bot.mod_chat, "/help"))["text"]
    assert "/pending" not in bot.sent(await bot.say(bot.mod, bot.group, "/help"))["text"]


async def test_letter_in_private_has_numbered_demands_count_and_sign_button(bot: Bot) -> None:
    await bot.approved(3)
    call = await bot.say(bot.ada, None, "/letter")
    assert call.params["text"] == (
        "<b>No Music For ICE</b>\n\n"
        "We the undersigned artists pledge:\n\n"
        "1. Terminate the contracts.\n"
        "2. Stop the cloud services.\n"
        "3. End the projects.\n"
        "4. Reject future engagements.\n\n"
        "Join us.\n\n"
        "<b>3</b> signatures so far. Next milestone: <b>10</b>."
    )
    assert call.params["reply_markup"] == SIGN_BUTTON
    assert call.params["link_preview_options"] == {"is_disabled": True}


@pytest.mark.parametrize("where", ["group", "supergroup"])
async def test_letter_in_a_group_links_to_the_private_chat(bot: Bot, where: str) -> None:
    chat = _chat(bot, where)
    assert chat is not None
    call = await bot.say(bot.ada, chat, "/letter")
    [[button]] = call.params["reply_markup"]["inline_keyboard"]
    assert button == {
        "text": "✍️ Sign in a private chat",
        "url": f"https://t.me/pledge_test_bot?start=sign-{-chat.id}",
    }
    assert "1. Terminate the contracts." in bot.sent(call)["text"]


async def test_letter_text_from_the_configuration_is_escaped(start_bot: Start) -> None:
    letter = Letter("Rock & Roll <3", "Say <b>no</b>:", ("Stop <script>",), "")
    bot = await start_bot(letter=letter)
    call = await bot.say(bot.ada, None, "/letter")
    text = bot.sent(call)["text"]
    assert text.startswith("Rock & Roll <3\n\nSay <b>no</b>:\n\n1. Stop <script>")
    assert call.params["text"].startswith("<b>Rock &amp; Roll &lt;3</b>")


@pytest.mark.parametrize("where", ["private", "group", "supergroup"])
async def test_demands(bot: Bot, where: str) -> None:
    chat = _chat(bot, where)
    every = bot.sent(await bot.say(bot.ada, chat, "/demands"))["text"]
    assert every.splitlines() == [
        "No Music For ICE demands:",
        "1. Terminate the contracts.",
        "2. Stop the cloud services.",
        "3. End the projects.",
        "4. Reject future engagements.",
    ]
    assert bot.sent(await bot.say(bot.ada, chat, "/demands 2"))["text"] == (
        "2. Stop the cloud services."
    )
    out_of_range = bot.sent(await bot.say(bot.ada, chat, "/demands 9"))["text"]
    assert out_of_range == "The letter has demands 1 to 4."
    assert "Usage" in bot.sent(await bot.say(bot.ada, chat, "/demands two"))["text"]


@pytest.mark.parametrize("where", ["private", "group", "supergroup"])
async def test_count(bot: Bot, where: str) -> None:
    await bot.approved(1)
    call = await bot.say(bot.ada, _chat(bot, where), "/count")
    assert bot.sent(call)["text"] == "1 signature so far. Next milestone: 10."


@pytest.mark.parametrize("where", ["private", "group", "supergroup"])
async def test_signatories_pages_with_buttons(start_bot: Start, where: str) -> None:
    bot = await start_bot(thresholds=(1000,))
    chat = _chat(bot, where)
    await bot.approved(25)
    first = bot.sent(await bot.say(bot.ada, chat, "/signatories"))
    lines = first["text"].splitlines()
    assert lines[0] == "Signatories — page 1 of 2"
    assert lines[1].endswith(" Artist 0") and len(lines) == 21
    assert first["reply_markup"] == {
        "inline_keyboard": [[{"text": "▶", "callback_data": "pledge:page:2"}]]
    }

    mark = bot.fake.mark()
    await bot.press(bot.bob, first, "▶")
    await bot.fake.wait_for("editMessageText", since=mark)
    second = bot.fake.message(first["chat"]["id"], first["message_id"])
    assert second is not None
    assert second["text"].splitlines()[0] == "Signatories — page 2 of 2"
    assert second["text"].splitlines()[-1].endswith(" Artist 24")
    assert second["reply_markup"] == {
        "inline_keyboard": [[{"text": "◀", "callback_data": "pledge:page:1"}]]
    }

    beyond = bot.sent(await bot.say(bot.ada, chat, "/signatories 3"))["text"]
    assert beyond == "There are 2 pages: ask for a page from 1 to 2."


async def test_signatories_count_anonymous_signers_without_listing_them(bot: Bot) -> None:
    [listed] = await bot.approved(1, name="Listed")
    await bot.approve(await bot.sign(bot.ada, "Hidden Person", anonymous=True))
    text = bot.sent(await bot.say(bot.bob, None, "/signatories"))["text"]
    assert f"#{listed.id} Listed 0" in text
    assert "Hidden" not in text
    assert text.endswith("…and 1 more person who signed without being listed.")


async def test_signatories_when_no_one_is_listed(bot: Bot) -> None:
    call = await bot.say(bot.ada, None, "/signatories")
    assert bot.sent(call)["text"] == "No one is listed yet."
    assert "reply_markup" not in call.params


@pytest.mark.parametrize(
    ("command", "payload", "label"),
    [
        ("/status", "status", "See my signature"),
        ("/withdraw", "withdraw", "Withdraw my signature"),
    ],
)
@pytest.mark.parametrize("where", ["group", "supergroup"])
async def test_personal_commands_in_a_group_link_to_the_private_chat(
    bot: Bot, where: str, command: str, payload: str, label: str
) -> None:
    await bot.sign(bot.ada, "Ada Lovelace", role="composer")
    call = await bot.say(bot.ada, _chat(bot, where), command)
    assert "Ada Lovelace" not in call.params["text"]
    assert call.params["reply_markup"] == {
        "inline_keyboard": [
            [{"text": label, "url": f"https://t.me/pledge_test_bot?start={payload}"}]
        ]
    }


async def test_commands_addressed_to_another_bot_are_ignored(bot: Bot) -> None:
    mark = bot.fake.mark()
    bot.fake.feed_command(bot.ada, bot.group, "/count@some_other_bot")
    call = await bot.say(bot.ada, bot.group, "/count@pledge_test_bot")
    assert [c for c in bot.fake.calls[mark:] if c.method == "sendMessage"] == [call]


async def test_unknown_command_and_stray_text_in_private(bot: Bot) -> None:
    unknown = bot.sent(await bot.say(bot.ada, None, "/frobnicate"))["text"]
    assert unknown == "I do not know that command. /help lists mine."
    stray = bot.sent(await bot.say(bot.ada, None, "hello?"))["text"]
    assert "/sign signs it" in stray
    cancel = bot.sent(await bot.say(bot.ada, None, "/cancel"))["text"]
    assert cancel.startswith("There is nothing to cancel.")
