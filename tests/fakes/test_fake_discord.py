"""Smoke tests: the real discord.py, unmocked, against `FakeDiscord` on 127.0.0.1.

Why: every Discord adapter test will stand on this fake, so these tests prove each path the
adapter needs (login, gateway READY, command sync, interactions of every kind, views, modals,
faults, nonce dedup, reconnect) works end to end with the real library before anyone relies on it.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import discord
import pytest
from discord import app_commands

from tests.fakes.fake_discord import (
    CallbackType,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    MessageFlag,
    Permission,
    snowflake_time,
)

pytestmark = pytest.mark.filterwarnings("ignore:'audioop' is deprecated:DeprecationWarning")

READY_TIMEOUT = 5.0


class _DropVoiceLibraryWarning(logging.Filter):
    """discord.Client logs once that PyNaCl/davey are missing; voice is irrelevant here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


@pytest.fixture(autouse=True)
def _quiet_voice_warning() -> Iterator[None]:
    logger = logging.getLogger("discord.client")
    voice_filter = _DropVoiceLibraryWarning()
    logger.addFilter(voice_filter)
    yield
    logger.removeFilter(voice_filter)


# ----------------------------------------------------------------------------- the bot under test


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """One Label-wrapped input (discord.py 2.7 style) and one legacy ActionRow input."""

    def __init__(self) -> None:
        super().__init__(custom_id="feedback-modal", timeout=30)
        self.text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            custom_id="feedback_text"
        )
        self.add_item(discord.ui.Label(text="Your feedback", component=self.text))
        self.name_input: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            label="Name", custom_id="feedback_name", required=False
        )
        self.add_item(self.name_input)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        reply = f"{self.text.value}/{self.name_input.value}"
        await interaction.response.send_message(reply, ephemeral=True)


class SignView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Sign", custom_id="sign", style=discord.ButtonStyle.primary)
    async def sign(
        self, interaction: discord.Interaction, button: discord.ui.Button[SignView]
    ) -> None:
        await interaction.response.edit_message(
            content=f"Signed by {interaction.user.name}", view=None
        )


class SmokeBot(discord.Client):
    """A minimal client: guilds + members intents, no message content."""

    def __init__(self, guild_id: int) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        intents.members = True
        super().__init__(intents=intents, guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        self.guild_object = discord.Object(guild_id)
        _register_commands(self.tree, self.guild_object)


def _register_commands(tree: app_commands.CommandTree, guild: discord.Object) -> None:
    @tree.command(name="pledge", description="Sign", guild=guild)
    async def pledge(interaction: discord.Interaction, name: str, count: int, public: bool) -> None:
        await interaction.response.send_message(f"{name}:{count}:{public}", ephemeral=True)

    @tree.command(name="feedback", description="Give feedback", guild=guild)
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @tree.command(name="slow", description="Defers", guild=guild)
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("done", ephemeral=True)

    @tree.command(name="colour", description="Pick a colour", guild=guild)
    async def colour(interaction: discord.Interaction, colour: str) -> None:
        await interaction.response.send_message(colour)

    @colour.autocomplete("colour")
    async def colour_choices(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["red", "green", "blue"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    @tree.command(name="whoami", description="Global command, usable in DMs")
    async def whoami(interaction: discord.Interaction) -> None:
        where = "dm" if interaction.guild_id is None else "guild"
        await interaction.response.send_message(f"{interaction.user.name}@{where}")


# ----------------------------------------------------------------------------- fixtures


@dataclass
class World:
    fake: FakeDiscord
    guild: FakeGuild
    general: FakeChannel
    signer_role: FakeRole
    alice: FakeMember
    bob: FakeUser


@pytest.fixture
async def world() -> AsyncIterator[World]:
    fake = FakeDiscord()
    guild = fake.add_guild("Pledge HQ")
    general = fake.add_text_channel(guild, "general")
    signer = fake.add_role(guild, "Signer", permissions=Permission.MANAGE_MESSAGES)
    alice = fake.add_member(
        guild,
        "alice",
        global_name="Alice",
        roles=[signer],
        joined_at=datetime(2024, 1, 2, tzinfo=UTC),
        created_at=datetime(2020, 5, 6, tzinfo=UTC),
    )
    bob = fake.add_user("bob", global_name="Bob")
    async with fake:
        with fake.point_discord_py():
            yield World(fake, guild, general, signer, alice, bob)


@pytest.fixture
async def bot(world: World) -> AsyncIterator[SmokeBot]:
    client = SmokeBot(world.guild.id)
    async with client:
        runner = asyncio.create_task(client.start("fake-token"))
        try:
            await _wait_until_ready(client, runner)
            yield client
        finally:
            await client.close()
            await runner


async def _wait_until_ready(client: discord.Client, runner: asyncio.Task[None]) -> None:
    """Ready, or the start task's own error if it died first (instead of a bare timeout)."""
    ready = asyncio.create_task(client.wait_until_ready())
    done, _ = await asyncio.wait(
        {ready, runner}, timeout=READY_TIMEOUT, return_when="FIRST_COMPLETED"
    )
    if ready not in done:
        ready.cancel()
        if runner in done:
            runner.result()
        raise TimeoutError("discord.py did not become ready")


async def _synced(bot: SmokeBot) -> None:
    await bot.tree.sync(guild=bot.guild_object)
    await bot.tree.sync()


def _text_channel(bot: SmokeBot, channel: FakeChannel) -> discord.TextChannel:
    found = bot.get_channel(channel.id)
    assert isinstance(found, discord.TextChannel)
    return found


# ----------------------------------------------------------------------------- tests


async def test_login_and_ready_build_real_guild_state(world: World, bot: SmokeBot) -> None:
    fake = world.fake
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    assert bot.application_id == fake.application_id
    assert [r.path for r in fake.requests][:2] == ["/users/@me", "/oauth2/applications/@me"]
    identify = await fake.wait_for_gateway(2)
    assert identify.d["intents"] == bot.intents.value

    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.chunked
    assert guild.member_count == len(world.guild.members) == 2
    member = guild.get_member(world.alice.id)
    assert member is not None
    assert member.global_name == "Alice"
    assert member.joined_at == datetime(2024, 1, 2, tzinfo=UTC)
    assert member.created_at == snowflake_time(world.alice.id)
    assert member.created_at.date() == datetime(2020, 5, 6, tzinfo=UTC).date()
    assert member.guild_permissions.manage_messages
    assert guild.me is not None and guild.me.bot


async def test_tree_sync_stores_commands_and_keeps_ids(world: World, bot: SmokeBot) -> None:
    synced = await bot.tree.sync(guild=bot.guild_object)
    stored = world.fake.commands(world.guild)
    assert sorted(c["name"] for c in stored) == ["colour", "feedback", "pledge", "slow"]
    assert {c.id for c in synced} == {int(c["id"]) for c in stored}
    again = await bot.tree.sync(guild=bot.guild_object)
    assert {c.id for c in again} == {c.id for c in synced}
    request = world.fake.requests_to("PUT", "/applications/{app}/guilds/{guild}/commands")[0]
    assert request.headers["Authorization"] == "Bot fake-token"


async def test_slash_command_gets_an_ephemeral_reply(world: World, bot: SmokeBot) -> None:
    await _synced(bot)
    ref = await world.fake.send_slash_command(
        "pledge",
        user=world.alice,
        channel=world.general,
        options={"name": "Alice", "count": 3, "public": True},
    )
    callback = await world.fake.wait_for_callback(ref)
    assert callback.type is CallbackType.CHANNEL_MESSAGE
    assert callback.content == "Alice:3:True"
    assert callback.flags == MessageFlag.EPHEMERAL
    original = world.fake.original_response(ref)
    assert original is not None and original.ephemeral
    [request] = world.fake.requests_to("POST", "/interactions/{id}/{token}/callback")
    assert request.query == {"with_response": "1"}
    assert "Authorization" not in request.headers


async def test_global_command_in_a_dm_carries_the_user(world: World, bot: SmokeBot) -> None:
    await _synced(bot)
    ref = await world.fake.send_slash_command("whoami", user=world.bob)
    assert "user" in ref.payload and "member" not in ref.payload
    callback = await world.fake.wait_for_callback(ref)
    assert callback.content == "bob@dm"


async def test_button_on_a_channel_message_is_handled(world: World, bot: SmokeBot) -> None:
    sent = await _text_channel(bot, world.general).send("Sign the letter?", view=SignView())
    stored = world.fake.message(sent.id)
    assert stored.custom_ids() == ["sign"]

    ref = await world.fake.click_button(stored, "sign", user=world.alice)
    callback = await world.fake.wait_for_callback(ref)
    assert callback.type is CallbackType.UPDATE_MESSAGE
    assert stored.content == "Signed by alice"
    assert stored.components == []


async def test_modal_opened_by_a_command_is_submitted(world: World, bot: SmokeBot) -> None:
    await _synced(bot)
    opener = await world.fake.send_slash_command(
        "feedback", user=world.alice, channel=world.general
    )
    modal = await world.fake.wait_for_modal(opener)
    assert modal.custom_id == "feedback-modal"
    assert [c["type"] for c in modal.components] == [18, 1]

    submit = await world.fake.submit_modal(modal, {"feedback_text": "great", "feedback_name": "Al"})
    callback = await world.fake.wait_for_callback(submit)
    assert callback.content == "great/Al"
    assert callback.ephemeral


async def test_modal_submitted_by_bare_custom_id_uses_labels(world: World, bot: SmokeBot) -> None:
    await _synced(bot)
    opener = await world.fake.send_slash_command(
        "feedback", user=world.alice, channel=world.general
    )
    await world.fake.wait_for_modal(opener)
    submit = await world.fake.submit_modal(
        "feedback-modal",
        {"feedback_text": "fine", "feedback_name": ""},
        user=world.alice,
        channel=world.general,
    )
    assert {c["type"] for c in submit.payload["data"]["components"]} == {18}
    callback = await world.fake.wait_for_callback(submit)
    assert callback.content == "fine/"


async def test_autocomplete_returns_choices(world: World, bot: SmokeBot) -> None:
    await _synced(bot)
    ref = await world.fake.send_autocomplete(
        "colour", user=world.alice, channel=world.general, focused="colour", value="gr"
    )
    callback = await world.fake.wait_for_callback(ref)
    assert callback.type is CallbackType.AUTOCOMPLETE_RESULT
    assert callback.choices == [{"name": "green", "value": "green"}]


async def test_first_followup_after_defer_replaces_thinking(world: World, bot: SmokeBot) -> None:
    await _synced(bot)
    ref = await world.fake.send_slash_command("slow", user=world.alice, channel=world.general)
    callback = await world.fake.wait_for_callback(ref)
    assert callback.type is CallbackType.DEFERRED_CHANNEL_MESSAGE
    await world.fake.wait_for_request("POST", "/webhooks/{app}/{token}")
    original = world.fake.original_response(ref)
    assert original is not None
    assert original.content == "done"
    assert original.ephemeral and not original.flags & MessageFlag.LOADING
    assert world.fake.followups(ref) == []


async def test_rate_limited_post_is_retried_and_stored_once(world: World, bot: SmokeBot) -> None:
    world.fake.rate_limit("POST", "/channels/{channel_id}/messages", retry_after=0.05)
    await _text_channel(bot, world.general).send("hello")
    posts = world.fake.requests_to("POST", f"/channels/{world.general.id}/messages")
    assert [(p.status, p.faulted) for p in posts] == [(429, True), (200, False)]
    assert posts[0].response["retry_after"] == 0.05
    assert [m.content for m in world.fake.messages_in(world.general)] == ["hello"]
    assert world.fake.faults_remaining() == 0


async def test_server_error_is_retried(world: World, bot: SmokeBot) -> None:
    world.fake.fail_with_server_error("POST", "/channels/*/messages", status=502)
    await _text_channel(bot, world.general).send("after 502")
    assert [m.content for m in world.fake.messages_in(world.general)] == ["after 502"]


async def test_delayed_response_posts_first_and_answers_late(world: World, bot: SmokeBot) -> None:
    world.fake.delay_response("POST", "/channels/*/messages", 0.3)
    send = asyncio.create_task(_text_channel(bot, world.general).send("slow"))
    await world.fake.wait_for_message(channel=world.general)  # posted before the answer
    assert not send.done()
    sent = await send
    assert [m.id for m in world.fake.messages_in(world.general)] == [sent.id]
    assert world.fake.faults_remaining() == 0


async def test_enforced_nonce_dedups_repeated_posts(world: World, bot: SmokeBot) -> None:
    channel = _text_channel(bot, world.general)
    first = await channel.send("pledge received", nonce="pledge-42")
    again = await channel.send("pledge received", nonce="pledge-42")
    other = await channel.send("pledge received", nonce="pledge-43")
    assert again.id == first.id != other.id
    posts = world.fake.requests_to("POST", "/channels/*/messages")
    assert posts[0].json["enforce_nonce"] is True
    assert len(world.fake.messages_in(world.general)) == 2


async def test_attachments_are_recorded(world: World, bot: SmokeBot) -> None:
    file = discord.File(io.BytesIO(b"signed,1\n"), filename="pledges.csv")
    sent = await _text_channel(bot, world.general).send("export", file=file)
    stored = world.fake.message(sent.id)
    assert [(f.filename, f.data) for f in stored.files] == [("pledges.csv", b"signed,1\n")]
    assert sent.attachments[0].filename == "pledges.csv"
    assert sent.attachments[0].size == len(b"signed,1\n")


async def test_closed_dms_answer_50007(world: World, bot: SmokeBot) -> None:
    world.fake.close_dms(world.bob)
    dm = await bot.create_dm(discord.Object(world.bob.id))
    with pytest.raises(discord.Forbidden) as raised:
        await dm.send("please sign")
    assert raised.value.code == 50007
    assert world.fake.messages_in(world.fake.dm_channel(world.bob)) == []


async def test_unknown_route_is_recorded_and_404s(world: World, bot: SmokeBot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.http.request(discord.http.Route("GET", "/not/a/route"))
    last = world.fake.requests[-1]
    assert (last.path, last.status, last.response["code"]) == ("/not/a/route", 404, 0)


async def test_reconnect_resumes_and_replays_missed_events(world: World, bot: SmokeBot) -> None:
    await _synced(bot)
    fake = world.fake
    since = fake.gateway_frames.mark()
    await fake.request_reconnect()
    await fake.wait_for_gateway(6, since=since)

    since = fake.gateway_frames.mark()
    await fake.drop_gateway(4000)
    ref = await fake.send_slash_command("whoami", user=world.alice, channel=world.general)
    await fake.wait_for_gateway(6, since=since)
    callback = await fake.wait_for_callback(ref)
    assert callback.content == "alice@guild"
    identifies = [frame for frame in fake.gateway_frames if frame.op == 2]
    assert len(identifies) == 1, "the client identified again instead of resuming"


async def test_wrong_token_fails_login(world: World) -> None:
    world.fake.required_token = "right-token"
    client = SmokeBot(world.guild.id)
    async with client:
        with pytest.raises(discord.LoginFailure):
            await client.start("wrong-token")
    assert world.fake.requests[0].status == 401
