"""Signing through the form: from /sign, from the letter's buttons, and what can go wrong."""

from __future__ import annotations

import logging

import pytest

from bot.domain import Status
from tests.adapters.discord.conftest import Bot, BotFactory, Server, actor
from tests.fakes.fake_discord import CallbackType, MessageFlag, OpenedModal

CONFIRMATION = (
    "Thank you! Signature #1 is recorded and awaits a moderator's approval. "
    "You are signing as {name}. You will get a message once it is decided."
)


async def test_sign_opens_a_form_prefilled_with_the_display_name(bot: Bot, server: Server) -> None:
    opener = await server.fake.send_slash_command(
        "sign", user=server.artist, channel=server.general
    )
    modal = await server.fake.wait_for_modal(opener)

    assert modal.custom_id == "pledge:sign-form:named"
    assert modal.title == "Sign the letter"
    assert modal.custom_ids() == ["name", "role", "location", "link"]
    inputs = {c["component"]["custom_id"]: c["component"] for c in modal.components}
    assert inputs["name"]["value"] == "Alice Artist"
    assert inputs["name"]["required"] is True
    assert [inputs[k]["max_length"] for k in ("name", "role", "location", "link")] == [
        80,
        60,
        60,
        200,
    ]
    assert inputs["role"]["required"] is False


async def test_submitting_the_form_signs_and_confirms_privately(bot: Bot, server: Server) -> None:
    callback = await bot.sign(
        server.artist,
        {"role": "Singer", "location": "Oakland", "link": "https://alice.example/music"},
    )

    assert callback.type is CallbackType.CHANNEL_MESSAGE
    assert callback.ephemeral
    assert callback.content == CONFIRMATION.format(name="Alice Artist")
    sig = (await bot.status(server.artist)).signature
    assert sig is not None
    assert (sig.name, sig.role, sig.location, sig.link) == (
        "Alice Artist",
        "Singer",
        "Oakland",
        "https://alice.example/music",
    )
    assert sig.status is Status.PENDING and not sig.anonymous
    assert sig.community == f"discord:{server.home.id}"


async def test_a_form_sent_back_in_action_rows_is_read_too(bot: Bot, server: Server) -> None:
    """Clients from before Labels send each text input back inside an ActionRow."""
    opener = await server.fake.send_slash_command(
        "sign", user=server.artist, channel=server.general
    )
    modal = await server.fake.wait_for_modal(opener)
    rows = [{"type": 1, "components": [label["component"]]} for label in modal.components]
    in_rows = OpenedModal(modal.interaction_id, modal.custom_id, modal.title, rows)
    submit = await server.fake.submit_modal(in_rows, {"role": "Singer", "location": "Oakland"})

    callback = await server.fake.wait_for_callback(submit)
    assert callback.content == CONFIRMATION.format(name="Alice Artist")
    sig = (await bot.status(server.artist)).signature
    assert sig is not None
    assert (sig.name, sig.role, sig.location) == ("Alice Artist", "Singer", "Oakland")


async def test_the_letters_buttons_open_the_forms(bot: Bot, server: Server) -> None:
    letter = (await bot.command("letter", server.artist)).message
    assert letter is not None

    named = await server.fake.click_button(letter, "pledge:sign:named", user=server.drummer)
    assert (await server.fake.wait_for_modal(named)).custom_id == "pledge:sign-form:named"

    anonymous = await server.fake.click_button(letter, "pledge:sign:anon", user=server.artist)
    modal = await server.fake.wait_for_modal(anonymous)
    assert modal.custom_id == "pledge:sign-form:anon"
    assert modal.title == "Sign without listing my name"
    submit = await server.fake.submit_modal(modal, {"name": "Alice A."})
    callback = await server.fake.wait_for_callback(submit)

    assert callback.ephemeral
    assert "You are counted but not listed by name." in (callback.content or "")
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.anonymous and sig.name == "Alice A."


async def test_sign_anonymous_option_opens_the_anonymous_form(bot: Bot, server: Server) -> None:
    callback = await bot.sign(server.artist, anonymous=True)
    assert callback.ephemeral
    sig = (await bot.status(server.artist)).signature
    assert sig is not None and sig.anonymous


async def test_a_bad_link_is_explained_and_nothing_is_stored(bot: Bot, server: Server) -> None:
    callback = await bot.sign(server.artist, {"link": "javascript:alert(1)"})
    assert callback.ephemeral
    assert callback.content == "The link must be a web address starting with http:// or https://."
    assert (await bot.status(server.artist)).signature is None


async def test_signing_twice_is_refused(bot: Bot, server: Server) -> None:
    await bot.sign(server.artist)
    refusal = (
        "You have already signed: signature #1 is awaiting approval. "
        "Use /status to see it or /withdraw to take it back."
    )
    # Before the form opens...
    again = await bot.command("sign", server.artist)
    assert again.ephemeral and again.modal is None and again.content == refusal
    # ...and on a form opened earlier and submitted now.
    stale = await bot.fake.submit_modal(
        "pledge:sign-form:named", {"name": "Someone Else"}, user=server.artist,
        channel=server.general,
    )  # fmt: skip
    late = await bot.fake.wait_for_callback(stale)
    assert late.ephemeral and late.content == refusal
    assert await bot.service.count() == 0
    assert len(await bot.service.store.histories([actor(server.artist).identity])) == 1


async def test_a_form_opened_before_a_restart_is_accepted_after_it(
    bots: BotFactory, server: Server
) -> None:
    async with bots():
        opener = await server.fake.send_slash_command(
            "sign", user=server.artist, channel=server.general
        )
        modal = await server.fake.wait_for_modal(opener)
    async with bots() as second:
        submit = await server.fake.submit_modal(modal, {"role": "Singer"})
        callback = await server.fake.wait_for_callback(submit)
        assert callback.content == CONFIRMATION.format(name="Alice Artist")
        assert (await second.status(server.artist)).signature is not None


async def test_slow_work_is_deferred_then_answered(bots: BotFactory, server: Server) -> None:
    async with bots(response_budget=0.0) as bot:
        callback = await bot.sign(server.artist)
        assert callback.type is CallbackType.DEFERRED_CHANNEL_MESSAGE
        assert callback.ephemeral
        await server.fake.wait_for_request("POST", "/webhooks/{app}/{token}")
        ref = callback.interaction
        answer = server.fake.original_response(ref)
        assert answer is not None and answer.ephemeral
        assert not answer.flags & MessageFlag.LOADING
        assert answer.content == CONFIRMATION.format(name="Alice Artist")


async def test_what_a_deferred_command_answered_is_its_follow_up(
    bots: BotFactory, server: Server
) -> None:
    """The fake's answer_of, which tests use to read an answer whether or not a busy machine
    made the bot defer: /count reads the same either way."""
    async with bots(response_budget=0.0) as slow:
        deferred = await slow.command("count", server.drummer)
        assert deferred.type is CallbackType.DEFERRED_CHANNEL_MESSAGE
        late = await server.fake.answer_of(deferred)
    async with bots() as quick:
        direct = await quick.command("count", server.drummer)
        assert direct.type is CallbackType.CHANNEL_MESSAGE
        assert await server.fake.answer_of(direct) is direct
    assert late.content == direct.content != ""


async def test_an_unexpected_error_is_logged_and_apologised_for(
    bot: Bot, server: Server, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.store.close()  # the database goes away under the bot
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        callback = await bot.command("count", server.artist)
    assert callback.ephemeral
    assert callback.content == (
        "Sorry, something went wrong on our side. It has been logged; please try again later."
    )
    [record] = [r for r in caplog.records if r.name.startswith("adapters.discord")]
    assert record.getMessage().startswith("/count by user")
    assert record.exc_info is not None
