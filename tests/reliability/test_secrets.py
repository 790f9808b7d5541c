"""Tokens never reach a log line or an error message, even with debug logging on."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.logs import RedactSecrets
from tests.cli.conftest import EXAMPLE
from tests.fakes.fake_discord import FakeDiscord
from tests.fakes.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
DISCORD_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAw.GxYzAb.secret-discord-token-value"


def test_the_log_filter_redacts_messages_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "123456:AAE-very-secret-telegram-token"
    logger = logging.getLogger("test.secrets")
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets([secret]))
    caplog.handler.addFilter(RedactSecrets([secret]))
    logger.addHandler(handler)
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", secret)
        try:
            raise RuntimeError(f"failed for https://api.telegram.org/bot{secret}/getUpdates")
        except RuntimeError:
            logger.exception("polling failed")
    finally:
        logger.removeHandler(handler)
    text = caplog.text
    assert secret not in text
    assert "bot[redacted]/getMe" in text and "bot[redacted]/getUpdates" in text


def _env(**settings: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    return {**clean, "PYTHONPATH": str(ROOT), **settings}


async def _run_verbose(tmp_path: Path, env: dict[str, str], ready: asyncio.Future[None]) -> str:
    """``pledgebot run -v`` until ``ready``, then SIGTERM; returns everything it logged."""
    config = tmp_path / "config.toml"
    config.write_text(
        EXAMPLE.replace('url = "sqlite:///pledgebot.db"', f'url = "sqlite:///{tmp_path}/s.db"')
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "-v", "--config", str(config), cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        done, _ = await asyncio.wait(
            [ready, asyncio.ensure_future(process.wait())], timeout=30,
            return_when=asyncio.FIRST_COMPLETED,
        )  # fmt: skip
        assert done, "the bot did not get going"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 30)
    return out.decode() + err.decode()


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


async def test_telegram_token_stays_out_of_debug_logs(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    ready = asyncio.ensure_future(telegram.wait_for("getUpdates", answered=False, timeout=30))
    logs = await _run_verbose(
        tmp_path,
        _env(PLEDGEBOT_TELEGRAM__TOKEN=telegram.token,
             PLEDGEBOT_TELEGRAM__API_BASE_URL=telegram.base_url),
        ready,  # type: ignore[arg-type]
    )  # fmt: skip
    assert " DEBUG " in logs  # it did log, verbosely
    assert telegram.token not in logs
    assert telegram.token.split(":")[1] not in logs


async def test_a_rejected_discord_token_is_reported_without_the_token(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        fake.required_token = "the-right-token"
        guild = fake.add_guild("Home")
        fake.add_text_channel(guild, "general")
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        logs = await _run_verbose(
            tmp_path,
            _env(PLEDGEBOT_DISCORD__TOKEN=DISCORD_TOKEN,
                 PLEDGEBOT_DISCORD__API_BASE_URL=fake.rest_base,
                 PLEDGEBOT_DISCORD__GATEWAY_URL=fake.gateway_url),
            ready,
        )  # fmt: skip
    assert "token" in logs.lower()  # the failure is explained...
    assert DISCORD_TOKEN not in logs and "secret-discord-token-value" not in logs  # ...safely


async def test_a_rejected_telegram_token_is_reported_without_the_token(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    wrong = telegram.token.replace(":", ":Wrong")
    for verbose in (False, True):
        config = tmp_path / "config.toml"
        config.write_text(
            EXAMPLE.replace('url = "sqlite:///pledgebot.db"', f'url = "sqlite:///{tmp_path}/t.db"')
        )
        args = ["run", "--config", str(config), *(["-v"] if verbose else [])]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, cwd=tmp_path,
            env=_env(PLEDGEBOT_TELEGRAM__TOKEN=wrong,
                     PLEDGEBOT_TELEGRAM__API_BASE_URL=telegram.base_url),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(), 60)
        text = out.decode() + err.decode()
        assert process.returncode == 2, text
        assert "telegram.token: Telegram rejected the token" in text
        assert wrong not in text and wrong.split(":")[1] not in text
        assert "Unclosed client session" not in text  # the HTTP clients were closed


def test_an_error_line_never_quotes_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    """Whatever a library puts in an exception, the command line prints it redacted."""
    from bot.cli import _run
    from bot.logs import Redactor

    secret = "123456:AAE-very-secret-telegram-token"

    async def failing() -> int:
        raise RuntimeError(f"The token `{secret}` was rejected by the server.")

    assert _run(failing(), Redactor([secret])) == 1
    err = capsys.readouterr().err
    assert secret not in err and "The token `[redacted]` was rejected" in err
