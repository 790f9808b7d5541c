"""Start-up waits for a database or a platform that is not reachable yet (a compose file starts
the bots beside a database that is still booting), for ``run.startup_retry_seconds``, then gives
up with a clear error."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import EXAMPLE, ROOT
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_telegram import FakeTelegram
from tests.forwarding import LateServer
from tests.postgres import PG_DSN, fresh_schema

#: The server opens after hanging up on this many tries: the bot tried, and tried again.
TRIES = 2


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        EXAMPLE.replace('url = "sqlite:///pledgebot.db"', f'url = "sqlite:///{tmp_path}/p.db"')
    )
    return path


async def _start(tmp_path: Path, *args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, "--config", str(_config(tmp_path)), cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), **env}, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, err.decode()


@pytest.mark.postgres
async def test_a_database_that_is_still_booting_is_waited_for(tmp_path: Path) -> None:
    async with fresh_schema() as url:
        port = int(PG_DSN.rsplit(":", 1)[1].split("/", 1)[0])
        async with LateServer(port) as database:
            env = {
                "PLEDGEBOT_STORAGE__URL": database.url(url),
                "PLEDGEBOT_RUN__STARTUP_RETRY_SECONDS": "60",
            }
            process = await _start(tmp_path, "run", "--only", "console", env=env)
            await asyncio.wait_for(database.tried(TRIES), 60)
            assert process.returncode is None  # still trying
            await database.open()
            out, err = await asyncio.wait_for(process.communicate(b"/count\n"), 60)
    assert process.returncode == 0, err.decode()
    assert "0 signatures so far" in out.decode()
    assert "the database cannot be reached yet" in err.decode()


@pytest.mark.postgres
async def test_a_database_that_never_comes_is_given_up_on(tmp_path: Path) -> None:
    async with LateServer(5432) as nowhere:  # never opens
        env = {
            "PLEDGEBOT_STORAGE__URL": f"postgresql://pledge:s3cret-password@127.0.0.1:{nowhere.port}/x",
            "PLEDGEBOT_RUN__STARTUP_RETRY_SECONDS": "1",
        }
        process = await _start(tmp_path, "run", "--only", "console", env=env)
        _, err = await asyncio.wait_for(process.communicate(b""), 60)
    assert process.returncode == 1
    assert "pledgebot: error: the database cannot be reached (tried for 1 s)" in err.decode()
    assert "s3cret-password" not in err.decode()


async def test_telegram_not_reachable_yet_is_waited_for(tmp_path: Path) -> None:
    async with FakeTelegram() as fake, LateServer(fake.port) as telegram:
        env = {
            "PLEDGEBOT_TELEGRAM__TOKEN": fake.token,
            "PLEDGEBOT_TELEGRAM__API_BASE_URL": telegram.url(fake.base_url),
            "PLEDGEBOT_WEB__LISTEN": "",
        }
        process = await _start(tmp_path, "run", env=env)
        try:
            await asyncio.wait_for(telegram.tried(TRIES), 60)
            assert process.returncode is None  # still trying
            await telegram.open()
            await fake.wait_for("getUpdates", answered=False, timeout=60)  # polling
        finally:
            code, err = await _stop(process)
    assert code == 0, err
    assert "Telegram cannot be reached yet" in err
    assert fake.token not in err


async def test_discord_not_reachable_yet_is_waited_for(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        fake.add_guild("Home")
        async with LateServer(fake.port) as discord:
            env = {
                "PLEDGEBOT_DISCORD__TOKEN": "MTAw.fake.discord-token-for-loopback",
                "PLEDGEBOT_DISCORD__API_BASE_URL": discord.url(fake.rest_base),
                "PLEDGEBOT_DISCORD__GATEWAY_URL": discord.url(fake.gateway_url),
                "PLEDGEBOT_WEB__LISTEN": "",
            }
            process = await _start(tmp_path, "run", env=env)
            try:
                await asyncio.wait_for(discord.tried(TRIES), 60)
                assert process.returncode is None  # still trying
                await discord.open()
                await fake.wait_for_gateway(2, timeout=60)  # IDENTIFY: logged in, connecting
            finally:
                code, err = await _stop(process)
    assert code == 0, err
    assert "Discord cannot be reached yet" in err
