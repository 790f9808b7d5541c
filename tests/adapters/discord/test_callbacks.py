"""Interaction callbacks go out without ``?with_response`` (adapters/discord/callbacks.py).

What the user sees is unchanged: the reply exists with its text, privacy and buttons, and the
buttons still work when pressed later. A view discord.py must keep under its message's id goes
through discord.py's own method, answer and all. Refusals from Discord are raised and handled as
before. The last tests pin the discord.py internals the module relies on.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator
from importlib.metadata import version

import discord
import pytest
from discord.enums import InteractionResponseType
from discord.webhook.async_ import AsyncWebhookAdapter

from adapters.discord import callbacks
from adapters.discord.replies import NO_PINGS
from tests.adapters.discord.conftest import Bot, BotFactory, Server, approved_signatures
from tests.fakes.fake_discord import (
    CallbackType,
    FakeDiscord,
    FaultResponse,
    MessageFlag,
    RecordedRequest,
)

CONFIRMATION = (
    "Thank you! Signature #1 is recorded and awaits a moderator's approval. "
    "You are signing as Dan Drums. You will get a message once it is decided."
)


def callback_requests(fake: FakeDiscord) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/callback")]


def asked_back(fake: FakeDiscord) -> list[str]:
    """The callbacks that asked Discord for the message they made."""
    return [r.describe() for r in callback_requests(fake) if "with_response" in r.query]


async def test_a_letter_signed_from_its_button_is_answered_as_before(
    bot: Bot, server: Server
) -> None:
    """Three callbacks (the public letter, the form, the private thank-you), none asked back."""
    letter = await bot.command("letter", server.artist)
    assert letter.type is CallbackType.CHANNEL_MESSAGE and not letter.ephemeral
    posted = letter.message
    assert posted is not None and not posted.ephemeral
    assert posted.embeds[0]["title"] == "No Music For ICE"
    assert posted.custom_ids() == ["pledge:sign:named", "pledge:sign:anon"]

    press = await server.fake.click_button(posted, "pledge:sign:named", user=server.drummer)
    modal = await server.fake.wait_for_modal(press)
    assert modal.custom_id == "pledge:sign-form:named"
    submit = await server.fake.submit_modal(modal, {"role": "Drums"})
    thanks = await server.fake.wait_for_callback(submit)

    assert thanks.type is CallbackType.CHANNEL_MESSAGE
    assert thanks.message is not None and thanks.message.ephemeral
    assert thanks.message.content == CONFIRMATION
    assert (await bot.status(server.drummer)).signature is not None
    assert len(callback_requests(server.fake)) == 3
    assert asked_back(server.fake) == []


async def test_a_page_turned_in_place_keeps_its_buttons_working(bot: Bot, server: Server) -> None:
    await approved_signatures(bot.service, 45)
    first = await bot.command("signatories", server.artist)
    message = first.message
    assert message is not None and message.ephemeral
    assert message.custom_ids() == ["pledge:page:0", "pledge:page:2"]

    turned = await bot.click(message, "pledge:page:2", server.artist)
    assert turned.type is CallbackType.UPDATE_MESSAGE
    assert message.embeds[0]["title"] == "Signatories — page 2 of 3"
    assert message.custom_ids() == ["pledge:page:1", "pledge:page:3"]
    again = await bot.click(message, "pledge:page:3", server.artist)  # the edited buttons
    assert again.type is CallbackType.UPDATE_MESSAGE
    assert message.embeds[0]["title"] == "Signatories — page 3 of 3"
    assert asked_back(server.fake) == []


async def test_a_file_is_still_attached(bot: Bot, server: Server) -> None:
    await approved_signatures(bot.service, 1)
    export = await bot.command("export", server.moderator, format="csv")
    assert export.ephemeral
    [upload] = export.files
    assert upload.filename.endswith(".csv") and b"Signer 00" in upload.data
    assert export.message is not None and export.message.ephemeral
    assert asked_back(server.fake) == []


async def test_a_deferred_answer_still_arrives_as_its_follow_up(
    bots: BotFactory, server: Server
) -> None:
    """The deferral leaves the interaction answered, so the reply is a follow-up."""
    async with bots(response_budget=0.0) as slow:
        deferred = await slow.command("count", server.drummer)
        assert deferred.type is CallbackType.DEFERRED_CHANNEL_MESSAGE and deferred.ephemeral
        answer = await server.fake.answer_of(deferred)
    assert answer.content == "**0** signatures so far. Next milestone: **2**."
    assert not answer.flags & MessageFlag.LOADING
    assert asked_back(server.fake) == []


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (404, 10062, "Unknown interaction"),
        (400, 40060, "Interaction has already been acknowledged."),
    ],
)
async def test_a_refused_callback_is_logged_and_the_bot_goes_on(
    bot: Bot,
    server: Server,
    caplog: pytest.LogCaptureFixture,
    status: int,
    code: int,
    message: str,
) -> None:
    server.fake.inject_fault(
        "POST", "/interactions/*/*/callback", FaultResponse.error(status, code, message)
    )
    with caplog.at_level(logging.ERROR, logger="adapters.discord"):
        ref = await server.fake.send_slash_command("count", user=server.artist)

        def logged() -> list[logging.LogRecord]:
            return [r for r in caplog.records if r.name == "adapters.discord.replies"]

        async with asyncio.timeout(5):
            while not logged():
                await asyncio.sleep(0.01)
    [record] = logged()
    assert record.getMessage() == "could not answer /count"
    assert record.exc_info is not None
    refusal = record.exc_info[1]
    assert isinstance(refusal, discord.HTTPException)
    assert (refusal.status, refusal.code) == (status, code)
    assert server.fake.original_response(ref) is None

    later = await bot.command("count", server.artist)
    assert later.content == "**0** signatures so far. Next milestone: **2**."


async def test_a_rate_limited_callback_is_waited_out(bot: Bot, server: Server) -> None:
    server.fake.rate_limit("POST", "/interactions/*/*/callback", retry_after=0.05)
    callback = await bot.command("count", server.artist)
    assert callback.content == "**0** signatures so far. Next milestone: **2**."
    assert [r.status for r in callback_requests(server.fake)] == [429, 204]


# -- a view discord.py keeps by message id ---------------------------------------------------
class Counter(discord.ui.View):
    """A button discord.py dispatches itself (not a DynamicItem): found by its message's id."""

    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.presses = 0

    @discord.ui.button(label="Press", custom_id="counter:press")
    async def press(self, interaction: discord.Interaction, _: discord.ui.Button[Counter]) -> None:
        self.presses += 1
        await callbacks.edit_message(
            interaction,
            content=f"pressed {self.presses}",
            embed=None,
            view=self,
            allowed_mentions=NO_PINGS,
        )


class Question(discord.ui.Modal, title="A question"):
    """A modal answered by its own ``on_submit``: discord.py must keep it to call it."""

    answer: discord.ui.TextInput[Question] = discord.ui.TextInput(
        label="Answer", custom_id="answer"
    )

    async def on_submit(self, interaction: discord.Interaction, /) -> None:
        await callbacks.send_message(
            interaction, content=f"answered {self.answer.value}", allowed_mentions=NO_PINGS
        )


class Plain(discord.Client):
    """Opens :class:`Question` for ``/ask``; answers a modal submit ``plain:<what>`` with a
    message and the view ``<what>`` names."""

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.application_command:
            await callbacks.send_modal(interaction, Question(custom_id="plain-question"))
            assert interaction.response.type is InteractionResponseType.modal
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if interaction.type is not discord.InteractionType.modal_submit or not custom_id.startswith(
            "plain:"
        ):
            return
        what = custom_id.removeprefix("plain:")
        view = Counter() if what == "counter" else None
        await callbacks.send_message(
            interaction,
            content=what,
            view=view,
            ephemeral=what == "private",
            allowed_mentions=NO_PINGS,
        )
        assert interaction.response.is_done()
        assert interaction.response.type is InteractionResponseType.channel_message
        with pytest.raises(discord.InteractionResponded):
            await callbacks.send_message(interaction, content="twice")
        await interaction.followup.send("and a follow-up", ephemeral=True)


@pytest.fixture
async def plain(server: Server) -> AsyncIterator[Plain]:
    intents = discord.Intents.none()
    intents.guilds = True
    client = Plain(
        intents=intents,
        allowed_mentions=discord.AllowedMentions.none(),
        guild_ready_timeout=0.1,  # nothing here needs the guilds: ready as soon as identified
    )
    with server.fake.point_discord_py():
        async with client:
            runner = asyncio.create_task(client.start("fake-token"))
            ready = asyncio.create_task(client.wait_until_ready())
            await asyncio.wait({ready, runner}, timeout=5, return_when="FIRST_COMPLETED")
            assert ready.done(), runner.result() if runner.done() else "not ready"
            try:
                yield client
            finally:
                await client.close()
                await runner


async def test_a_view_found_by_its_message_id_still_gets_it(plain: Plain, server: Server) -> None:
    fake = server.fake
    submit = await fake.submit_modal(
        "plain:counter", {}, user=server.artist, channel=server.general
    )
    sent = await fake.wait_for_callback(submit)
    message = sent.message
    assert message is not None and message.content == "counter"
    assert message.custom_ids() == ["counter:press"]
    assert [r.query.get("with_response") for r in callback_requests(fake)] == ["1"]

    for presses in (1, 2):  # the view was kept under the message's id, and edits keep it
        await fake.wait_for_callback(
            await fake.click_button(message, "counter:press", user=server.artist)
        )
        assert message.content == f"pressed {presses}"
    assert [r.query.get("with_response") for r in callback_requests(fake)] == ["1", None, None]
    [followup] = fake.followups(submit)
    assert followup.content == "and a follow-up" and followup.ephemeral


async def test_a_message_without_a_view_is_not_asked_back(plain: Plain, server: Server) -> None:
    fake = server.fake
    submit = await fake.submit_modal(
        "plain:private", {}, user=server.artist, channel=server.general
    )
    sent = await fake.wait_for_callback(submit)
    assert sent.message is not None and sent.message.ephemeral
    assert sent.message.content == "private"
    assert sent.data["allowed_mentions"] == {"parse": []}  # the client's, merged
    assert asked_back(fake) == []
    await fake.wait_for_request("POST", "/webhooks/{app}/{token}")
    [followup] = fake.followups(submit)
    assert followup.content == "and a follow-up"


async def test_a_modal_with_its_own_submit_is_kept_for_it(plain: Plain, server: Server) -> None:
    fake = server.fake
    ref = await fake.send_slash_command("ask", user=server.artist, channel=server.general)
    modal = await fake.wait_for_modal(ref)
    assert modal.custom_id == "plain-question" and modal.custom_ids() == ["answer"]
    submit = await fake.submit_modal(modal, {"answer": "42"})
    answered = await fake.wait_for_callback(submit)
    assert answered.content == "answered 42"
    assert asked_back(fake) == []


async def test_a_form_is_answered_once_by_whoever_submits_it(bot: Bot, server: Server) -> None:
    """Two sign forms open at once, submitted in the other order: discord.py does not hold
    them (pledgebot answers from the submit), and each signer is thanked under their own name."""
    forms = []
    for member in (server.artist, server.drummer):
        press = await server.fake.send_slash_command("sign", user=member, channel=server.general)
        forms.append(await server.fake.wait_for_modal(press))
    answers = []
    for form in reversed(forms):
        submit = await server.fake.submit_modal(form, {"role": "Band"})
        answers.append(await server.fake.wait_for_callback(submit))
    assert [a.content for a in answers] == [
        CONFIRMATION,
        CONFIRMATION.replace("#1", "#2").replace("Dan Drums", "Alice Artist"),
    ]
    assert len(callback_requests(server.fake)) == 4  # each interaction answered once


# -- the discord.py internals callbacks.py relies on ---------------------------------------------
def test_discord_py_is_the_series_callbacks_was_written_for() -> None:
    """A new minor release may move what callbacks.py uses: read its changes, then widen the
    pin in pyproject.toml and this check together."""
    assert version("discord.py").startswith("2.7.")


def test_the_internals_used_are_where_callbacks_expects_them() -> None:
    assert "_response_type" in discord.InteractionResponse.__slots__
    assert {"_state", "_session"} <= set(discord.Interaction.__slots__)
    request = inspect.signature(AsyncWebhookAdapter.request).parameters
    assert {"route", "session", "payload", "multipart", "files", "proxy", "proxy_auth"} <= set(
        request
    )
    message_params = inspect.signature(callbacks.interaction_message_response_params).parameters
    assert {
        "type",
        "content",
        "embed",
        "file",
        "view",
        "flags",
        "allowed_mentions",
        "previous_allowed_mentions",
    } <= set(message_params)
    # discord.py's own callback goes to the same endpoint, asking for the answer.
    source = inspect.getsource(AsyncWebhookAdapter.create_interaction_response)
    assert f"'{callbacks.CALLBACK_PATH}'" in source
    assert "'with_response': '1'" in source
    for method in ("send_message", "edit_message", "defer", "send_modal"):
        body = inspect.getsource(getattr(discord.InteractionResponse, method))
        assert "create_interaction_response" in body, method
        assert "self._response_type = " in body, method
