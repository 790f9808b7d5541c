"""Connecting, registering commands, and shutting down."""

from __future__ import annotations

import asyncio

import discord

from bot.i18n import translator
from bot.texts import command_help
from tests.adapters.discord.conftest import Bot, BotFactory, Server, settings_for

PUBLIC = {
    "letter",
    "demands",
    "sign",
    "status",
    "withdraw",
    "reaffirm",
    "count",
    "signatories",
    "link",
    "unlink",
}
MODERATOR = {
    "pending", "approve", "reject", "remove", "export", "audit", "snapshot", "communities",
    "post-letter", "live-posts", "unpost",
}  # fmt: skip


async def test_commands_are_synced_to_each_configured_server(bot: Bot, server: Server) -> None:
    for guild in (server.home, server.community):
        synced = server.fake.commands(guild)
        commands = {c["name"]: c for c in synced if c["type"] == 1}
        assert set(commands) == PUBLIC | MODERATOR
        assert [c["name"] for c in synced if c["type"] == 2] == ["Signature status"]
        for command in commands.values():
            assert command["description"], command["name"]
            for option in command.get("options", []):
                assert option["description"] not in ("", "…"), (command["name"], option)
    assert server.fake.commands() == []


async def test_each_command_is_described_as_on_every_platform(bot: Bot, server: Server) -> None:
    """The descriptions are the core's one command list (Telegram's help and menu use it too)."""
    commands = {c["name"]: c for c in server.fake.commands(server.home)}
    for entry in command_help.COMMANDS:
        assert commands[entry.name]["description"] == entry.description(translator()), entry.name
    assert commands["withdraw"]["description"] == (
        "Take your signature back, optionally erasing your details"
    )


async def test_moderator_commands_are_hidden_and_server_only(bot: Bot, server: Server) -> None:
    commands = {c["name"]: c for c in server.fake.commands(server.home)}
    for name in MODERATOR:
        assert int(commands[name]["default_member_permissions"]) == 1 << 5, name
        assert commands[name]["contexts"] == [0], name
    for name in PUBLIC:
        assert commands[name]["default_member_permissions"] is None, name


async def test_options_carry_discords_limits(bot: Bot, server: Server) -> None:
    commands = {c["name"]: c for c in server.fake.commands(server.home)}
    reason = next(o for o in commands["reject"]["options"] if o["name"] == "reason")
    assert reason["max_length"] == 300
    fmt = commands["export"]["options"][0]
    assert fmt["name"] == "format"
    assert [c["value"] for c in fmt["choices"]] == ["csv", "json"]
    approve = commands["approve"]["options"][0]
    assert approve["autocomplete"] is True


async def test_only_the_guilds_intent_is_requested(bot: Bot, server: Server) -> None:
    identify = await server.fake.wait_for_gateway(2)
    assert identify.d["intents"] == discord.Intents(guilds=True).value
    assert identify.d["token"] == "test-token"


async def test_commands_are_global_when_no_server_is_configured(
    bots: BotFactory, server: Server
) -> None:
    async with bots(settings=settings_for(server, guild_ids=[])) as bot:
        synced = server.fake.commands()
        assert {c["name"] for c in synced if c["type"] == 1} == PUBLIC | MODERATOR
        assert [c["name"] for c in synced if c["type"] == 2] == ["Signature status"]
        assert server.fake.commands(server.home) == []
        # Global commands work in a direct message too.
        callback = await bot.command(
            "count", server.artist, channel=server.fake.dm_channel(server.artist)
        )
        assert callback.content == "**0** signatures so far. Next milestone: **2**."


async def test_cancelling_run_closes_the_connection(bots: BotFactory, server: Server) -> None:
    base = discord.http.Route.BASE
    async with bots() as bot:
        assert server.fake.rest_base == discord.http.Route.BASE
        task = bot.task
        assert task is not None
        await bot.stop()
        assert task.cancelled()
    for _ in range(100):
        if server.fake.gateway_connection_count == 0:
            break
        await asyncio.sleep(0.01)
    assert server.fake.gateway_connection_count == 0
    assert base == discord.http.Route.BASE


async def test_a_process_runs_only_its_shards(bots: BotFactory, server: Server) -> None:
    """shard_count/shard_ids: this process identifies as shard 1 of 2 and still serves."""
    settings = settings_for(server, shard_count=2, shard_ids=[1])
    async with bots(settings=settings) as bot:
        identify = await server.fake.wait_for_gateway(2)
        assert identify.d["shard"] == [1, 2]
        assert server.fake.gateway_connection_count == 1
        callback = await bot.command("count", server.artist)
        assert callback.content == "**0** signatures so far. Next milestone: **2**."
