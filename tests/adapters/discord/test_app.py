"""``pledgebot run`` with a Discord token: the composition root runs the adapter and its outbox."""

from __future__ import annotations

import asyncio
import contextlib

from bot.app import run_bot
from bot.config import I18nSettings, LetterSettings, Settings, StorageSettings
from tests.adapters.discord.conftest import Server, settings_for


async def test_run_bot_serves_discord_and_delivers_its_outbox(server: Server, db_url: str) -> None:
    settings = Settings(
        letter=LetterSettings(title="No Music For ICE", demands=["Terminate the contracts."]),
        storage=StorageSettings(url=db_url),
        discord=settings_for(server),
        i18n=I18nSettings(default_language="fr"),
    )
    since = server.fake.gateway_frames.mark()
    app = asyncio.create_task(run_bot(settings))
    try:
        await server.fake.wait_for_gateway(2, since=since)
        opener = await server.fake.send_slash_command(
            "sign", user=server.artist, channel=server.general
        )
        submit = await server.fake.submit_modal(await server.fake.wait_for_modal(opener), {})
        confirmation = await server.fake.wait_for_callback(submit)
        assert confirmation.ephemeral

        card = await server.fake.wait_for_message(channel=server.mod_channel)
        assert card.custom_ids() == ["pledge:approve:1", "pledge:reject:1"]
        # A channel post: in [i18n] default_language, whatever the signer's client speaks.
        assert card.embeds[0]["title"] == "La signature n° 1 attend une approbation"
    finally:
        app.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await app
    assert app.cancelled()
