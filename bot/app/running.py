"""Running the bot: the adapters whose tokens are set (else the console), the outbox dispatcher
delivering for each, the public page and the heartbeat, until the first job ends or a signal
arrives."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, TextIO

from bot.app.collector import freeze_startup
from bot.app.stores import core
from bot.config import ConfigError, Settings
from bot.domain import SnapshotInfo
from bot.outbox import OutboxDispatcher
from bot.ports import Sender
from bot.service import PledgeService

_log = logging.getLogger(__name__)

NO_TOKEN_NO_TERMINAL = (
    "discord.token, telegram.token: no platform token is set, and there is no terminal for the "
    "console (a container started with -d?): set PLEDGEBOT_DISCORD__TOKEN or "
    "PLEDGEBOT_TELEGRAM__TOKEN; `pledgebot console` chats in a terminal, and "
    "`pledgebot run --only web` serves just the public page"
)


class Adapter(Sender, Protocol):
    @property
    def connected(self) -> bool:
        """Logged in and receiving: what the heartbeat reports for this platform."""

    async def run(self) -> None: ...


async def run_console(
    settings: Settings,
    *,
    user: str = "artist",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    language: str | None = None,
) -> None:
    """The terminal chat; ``language`` (``--lang``) wins over ``[console] language``."""
    async with core(settings) as service:
        await _console_session(
            settings, service, user=user, stdin=stdin, stdout=stdout, language=language
        )


async def run_bot(
    settings: Settings, *, only: str | None = None, flood_limits: bool = True
) -> None:
    """Every adapter whose token is set (or just ``only``); the console when none is.

    With ``only``, this process delivers only its platform's outbox messages, so separate
    processes (one per platform, several Discord shards) can share one PostgreSQL store.
    ``flood_limits=False`` leaves Telegram's flood limits unrespected: only for benchmarks
    against a fake Bot API, which imposes none.
    """
    if only == "web":
        if settings.web.address is None:
            raise ConfigError("web.listen: --only web needs web.listen (HOST:PORT) to be set")
        async with core(settings, read_only=True, wait=True) as service:
            jobs = await _web_jobs(settings, service)
            freeze_startup()
            await until_stopped([*jobs, *_heartbeat(settings, service, [])])
        return
    if only is None and not _platform_tokens(settings) and not _terminal():
        raise ConfigError(NO_TOKEN_NO_TERMINAL)
    async with core(settings, wait=True) as service:
        if only == "console":
            await _console_session(settings, service)
            return
        adapters: list[Adapter] = _platform_adapters(settings, service, only, flood_limits)
        if only is not None and not adapters:
            raise ConfigError(f"{only}.token: --only {only} needs the {only} token to be set")
        if not adapters:
            _log.warning("no platform token is set: starting the console adapter")
            await _console_session(settings, service)
            return
        from adapters.console import ConsoleLogSender

        # Whichever process claims the console's share of the outbox first logs it, once.
        senders: list[Sender] = [*adapters, ConsoleLogSender()]
        dispatcher = OutboxDispatcher(service.store, senders, service.clock)
        service.on_outbox(dispatcher.notify)
        await dispatcher.recover()
        web = await _web_jobs(settings, service) if only is None else []
        beat = _heartbeat(settings, service, adapters)
        notices = service.follow_the_text()  # earlier signers of a changed text, paced
        jobs = [dispatcher.run(), notices, *(a.run() for a in adapters), *web, *beat]
        freeze_startup()
        await until_stopped(jobs)


def _platform_tokens(settings: Settings) -> bool:
    return settings.discord.enabled or settings.telegram.enabled


def _terminal() -> bool:
    """Whether someone can type into the console (``docker run -d`` gives no terminal)."""
    return sys.stdin is not None and sys.stdin.isatty()


def _heartbeat(
    settings: Settings, service: PledgeService, adapters: list[Adapter]
) -> list[Awaitable[None]]:
    """The heartbeat file ``pledgebot health`` reads, when ``run.heartbeat_file`` is set."""
    if not settings.run.heartbeat_file:
        return []
    from bot.health import Heartbeat  # only a bot that keeps a heartbeat needs it

    beat = Heartbeat(Path(settings.run.heartbeat_file), service.store, adapters)
    return [beat.run()]


async def _console_session(
    settings: Settings,
    service: PledgeService,
    *,
    user: str = "artist",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    language: str | None = None,
) -> None:
    """The terminal chat. What the outbox owes the console prints after each command, in order,
    and once more at end of input, so a piped session reads the same every time. Lines a
    crashed session printed but had not recorded are recorded, not printed again (the
    console's journal, beside an SQLite database)."""
    from adapters.console import ConsoleAdapter

    async def flush() -> None:
        try:
            await dispatcher.recover(noted)
        except Exception as exc:  # the store is busy: the next command tries again
            _log.warning("outbox: cannot recover the console's messages now: %s", exc)
            return
        if console.journal is not None:
            console.journal.clear()  # every line printed before this round is recorded
        await dispatcher.drain()

    console = ConsoleAdapter(
        service,
        moderators=settings.console.moderators,
        user=user,
        stdin=stdin,
        stdout=stdout,
        after_command=flush,
        journal=_console_journal(settings.storage.url),
        language=language or settings.console.language or None,
    )
    noted = console.journal.noted() if console.journal is not None else []
    dispatcher = OutboxDispatcher(service.store, [console], service.clock)
    web = await _web_jobs(settings, service)
    try:
        # Earlier signers of a changed text, told before the first prompt: a console session
        # reads the same every time, and nothing limits how fast it prints.
        await service.follow_the_text(forever=False)
        await flush()
        await until_stopped([console.run(), *web])
        await flush()
        if console.journal is not None:
            console.journal.clear()  # what the last round printed is recorded too
    finally:
        if console.journal is not None:
            console.journal.close()


def _console_journal(url: str) -> Path | None:
    """Where the console notes the lines it printed: beside an SQLite database file."""
    if not url.startswith("sqlite:"):
        return None
    from storage.sqlite import sqlite_path

    path = Path(sqlite_path(url.split("?", 1)[0]))
    return None if str(path) == ":memory:" else path.with_name(path.name + "-console")


async def _web_jobs(settings: Settings, service: PledgeService) -> list[Awaitable[None]]:
    """The public page (bound now, so a taken port fails before anything else starts) and the
    static site's republishing, as configured in ``[web]``."""
    jobs: list[Awaitable[None]] = []
    if settings.web.address is not None:
        from adapters.web import WebAdapter

        adapter = WebAdapter(
            service.public,
            settings.web,
            snapshots=latest_snapshot(service),
            default_language=settings.i18n.default_language,
        )
        await adapter.start()
        jobs.append(adapter.run())
    if settings.web.publish_dir:
        from adapters.web import Publisher, sign_links

        publisher = Publisher(
            service.public,
            Path(settings.web.publish_dir),
            settings.web.publish_interval_seconds,
            sign_links=sign_links(settings.web),
            snapshot_dir=Path(settings.web.snapshot_dir),
            snapshots=latest_snapshot(service),
            default_language=settings.i18n.default_language,
        )
        jobs.append(publisher.run())
    return jobs


def latest_snapshot(service: PledgeService) -> Callable[[], Awaitable[SnapshotInfo | None]]:
    """The latest snapshot, for the page's footer."""

    async def latest() -> SnapshotInfo | None:
        return await service.store.latest_snapshot()

    return latest


def _platform_adapters(
    settings: Settings, service: PledgeService, only: str | None = None, flood_limits: bool = True
) -> list[Adapter]:
    adapters: list[Adapter] = []
    retry = settings.run.startup_retry_seconds
    if settings.discord.enabled and only in (None, "discord"):
        from adapters.discord import DiscordAdapter

        adapters.append(
            DiscordAdapter(
                service,
                settings.discord,
                startup_retry=retry,
            )
        )
    if settings.telegram.enabled and only in (None, "telegram"):
        from adapters.telegram import TelegramAdapter

        adapters.append(
            TelegramAdapter(
                service,
                settings.telegram,
                rate_limit=flood_limits,
                startup_retry=retry,
                language=settings.i18n.default_language,
            )
        )
    return adapters


async def until_stopped(jobs: list[Awaitable[Any]]) -> None:
    """Run jobs until the first ends (the console at end of input) or SIGINT/SIGTERM arrives;
    then cancel the rest and wait for them to clean up."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    tasks = [asyncio.ensure_future(job) for job in jobs]
    stopper = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            _log.info("stopping on signal")
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        for task in [*tasks, stopper]:
            task.cancel()
        results = await asyncio.gather(*tasks, stopper, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
            raise result
