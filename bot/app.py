"""Composition root — the ONE place that wires concrete classes together.

Settings → a store chosen by URL scheme → the core service → the adapters whose tokens are set →
the outbox dispatcher with each adapter as the sender for its platform. Nothing here holds a rule;
import-linter allows only this module (and the CLI through it) to import adapters and stores.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TextIO, cast

from bot.archive import SnapshotArchive
from bot.config import (
    ConfigError,
    MilestoneSettings,
    RateLimitSettings,
    ReaffirmSettings,
    Settings,
    SigningSettings,
)
from bot.domain import Destinations, Letter, LetterText, SnapshotInfo
from bot.errors import StoreMissing, StoreOutdated, StoreUnavailable
from bot.export import ExportFormat
from bot.milestones import MilestonePolicy
from bot.outbox import OutboxDispatcher
from bot.ports import OpenMode, Sender, Store, StoreRefused, Transfer
from bot.progress import SILENT, Advance, Progress
from bot.public import PublicLetter
from bot.ratelimit import Limit, RateLimits
from bot.reaffirm import version_counts
from bot.service import PledgeService, Rules, SystemClock
from bot.startup import keep_trying
from bot.transfer import check_source, copy_campaign

if TYPE_CHECKING:
    from adapters.web.publish import PublishedSite

__all__ = [
    "backup_to",
    "build_letter",
    "check_store",
    "config_warnings",
    "copy_store",
    "core",
    "default_rules",
    "export_to",
    "open_store",
    "publish_to",
    "rules_of",
    "run_bot",
    "run_console",
    "snapshot_to",
    "until_stopped",
]

_log = logging.getLogger(__name__)

CONSOLE_ANNOUNCE = ("console", "announcements")
STORE_CHECK_TIMEOUT = 15.0  # check-config's patience with a database server
BACKUP_POLL = 0.2  # seconds between looks at a growing backup file
NO_TOKEN_NO_TERMINAL = (
    "discord.token, telegram.token: no platform token is set, and there is no terminal for the "
    "console (a container started with -d?): set PLEDGEBOT_DISCORD__TOKEN or "
    "PLEDGEBOT_TELEGRAM__TOKEN; `pledgebot console` chats in a terminal, and "
    "`pledgebot run --only web` serves just the public page"
)
CONSOLE_MOD_QUEUE = ("console", "mod-queue")


class Adapter(Sender, Protocol):
    @property
    def connected(self) -> bool:
        """Logged in and receiving: what the heartbeat reports for this platform."""

    async def run(self) -> None: ...


# -- building the core -----------------------------------------------------------------------
def build_letter(settings: Settings) -> Letter:
    s = settings.letter
    translations = tuple(
        LetterText(t.title.strip(), t.preamble.strip(), tuple(t.demands), t.closing.strip(), lang)
        for lang, t in s.translations.items()
    )
    return Letter(
        s.title.strip(), s.preamble.strip(), tuple(s.demands), s.closing.strip(), translations
    )


def rate_limits_of(r: RateLimitSettings) -> RateLimits:
    """The per-account command rates of the configuration's ``[rate_limits]``."""
    return RateLimits(
        reading=Limit(r.reading_burst, r.reading_per_minute),
        signing=Limit(r.signing_burst, r.signing_per_minute),
        moderating=Limit(r.moderating_burst, r.moderating_per_minute),
        tracked_accounts=r.tracked_accounts,
    )


def build_rules(settings: Settings) -> Rules:
    return rules_of(settings.signing, settings.milestones, settings.rate_limits, settings.letter)


def rules_of(
    signing: SigningSettings,
    milestones: MilestoneSettings,
    rate_limits: RateLimitSettings,
    reaffirm: ReaffirmSettings,
) -> Rules:
    """The core's rules from the configuration's sections: the one place their defaults live."""
    return Rules(
        approval=signing.approval,
        allow_anonymous=signing.allow_anonymous,
        milestones=MilestonePolicy.of(milestones.thresholds, milestones.every),
        milestone_message=milestones.message,
        cooldown=timedelta(minutes=signing.cooldown_minutes),
        min_account_age=timedelta(days=signing.min_account_age_days),
        surge_window=timedelta(minutes=signing.surge_window_minutes),
        surge_share=signing.surge_share,
        surge_min_signatures=signing.surge_min_signatures,
        rate_limits=rate_limits_of(rate_limits),
        public_communities=signing.public_communities,
        live_edit_interval=timedelta(seconds=signing.live_edit_interval_seconds),
        require_reaffirm=reaffirm.require_reaffirm,
        reaffirm_notices_per_minute=reaffirm.reaffirm_notices_per_minute,
    )


def default_rules(**changes: Any) -> Rules:
    """The rules of a configuration that sets none, with ``changes`` (tests, benchmarks)."""
    defaults = rules_of(
        SigningSettings(), MilestoneSettings(), RateLimitSettings(), ReaffirmSettings()
    )
    return replace(defaults, **changes)


def build_destinations(settings: Settings) -> Destinations:
    """Every announce channel of every enabled platform, and the console (or its log)."""
    announce = [CONSOLE_ANNOUNCE]
    mod_queue = [CONSOLE_MOD_QUEUE]
    if settings.discord.enabled:
        announce += [("discord", str(c)) for c in settings.discord.announce_channel_ids]
        if settings.discord.mod_channel_id:
            mod_queue.append(("discord", str(settings.discord.mod_channel_id)))
    if settings.telegram.enabled:
        announce += [("telegram", str(c)) for c in settings.telegram.announce_chat_ids]
        if settings.telegram.mod_chat_id:
            mod_queue.append(("telegram", str(settings.telegram.mod_chat_id)))
    languages: dict[tuple[str, str], str] = {}
    for channel, language in settings.i18n.channel_languages.items():
        platform, _, where = channel.partition(":")
        if channel == "console":
            languages |= {CONSOLE_ANNOUNCE: language, CONSOLE_MOD_QUEUE: language}
        else:
            languages[(platform, where)] = language
    return Destinations(
        tuple(announce), tuple(mod_queue), settings.i18n.default_language, languages
    )


def config_warnings(settings: Settings) -> list[str]:
    """What an enabled platform is missing for the campaign to work there as expected."""
    found = []
    d, t = settings.discord, settings.telegram
    if d.enabled and not d.announce_channel_ids:
        found.append("discord.announce_channel_ids is empty: milestones are not posted on Discord")
    if d.enabled and not d.mod_channel_id:
        found.append(
            "discord.mod_channel_id is not set: no mod-queue cards or surge alerts on Discord"
        )
    if t.enabled and not t.announce_chat_ids:
        found.append("telegram.announce_chat_ids is empty: milestones are not posted on Telegram")
    if t.enabled and not t.mod_chat_id:
        found.append(
            "telegram.mod_chat_id is not set: no mod-queue cards or surge alerts on Telegram"
        )
    if t.enabled and not t.mod_chat_id and not t.moderator_user_ids:
        found.append(
            "telegram.moderator_user_ids is empty and there is no mod chat: "
            "nobody can moderate on Telegram"
        )
    return found


def open_store(url: str, mode: OpenMode = OpenMode.CREATE, *, key: str = "storage.url") -> Store:
    """The store a URL names (not opened yet), to be opened as ``mode`` says (see
    :class:`bot.ports.OpenMode`: the bot creates its database, every other command needs one that
    exists). A URL that cannot be used is a :class:`ConfigError` naming ``key``, the setting or
    option it came from."""
    if url.startswith("sqlite:"):
        from storage.sqlite import SQLiteStore, sqlite_path

        try:
            store = SQLiteStore(url, mode=mode)
            path = sqlite_path(url)
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}") from None
        folder = Path(path).parent
        if path != ":memory:" and not folder.is_dir():
            raise ConfigError(
                f"{key}: the folder {folder} does not exist (create it, or correct the path)"
            )
        return store
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from storage.postgres import PostgresStore
        except ImportError as exc:  # asyncpg is the optional "postgres" extra
            raise ConfigError(
                f"{key}: PostgreSQL needs asyncpg: pip install 'pledgebot[postgres]'"
            ) from exc
        try:
            return PostgresStore(url, mode=mode)
        except ValueError as exc:
            raise ConfigError(f"{key}: {exc}") from None
    raise ConfigError(f"{key}: unsupported scheme in {url.split(':', 1)[0]!r}")


@asynccontextmanager
async def opened(
    url: str, mode: OpenMode = OpenMode.CREATE, *, key: str = "storage.url", retry: float = 0.0
) -> AsyncIterator[Store]:
    """The store, open as ``mode`` says; a store that refuses this use is a
    :class:`ConfigError` on ``key``. A server that cannot be reached yet is tried again for
    ``retry`` seconds."""
    store = open_store(url, mode, key=key)
    try:
        await keep_trying("the database", store.open, within=retry)
    except StoreRefused as exc:
        raise ConfigError(f"{key}: {exc}") from None
    try:
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def core(
    settings: Settings, *, read_only: bool = False, wait: bool = False
) -> AsyncIterator[PledgeService]:
    """The core on the configured store; ``read_only`` opens it for reading and writes nothing
    (not even the letter's version), so it can run beside the bot that writes. ``wait``: a
    database server that cannot be reached yet is waited for (``run.startup_retry_seconds``)."""
    mode = OpenMode.READ_ONLY if read_only else OpenMode.CREATE
    retry = settings.run.startup_retry_seconds if wait else 0.0
    async with opened(settings.storage.url, mode, retry=retry) as store:
        service = PledgeService(
            store,
            build_letter(settings),
            build_rules(settings),
            build_destinations(settings),
            SystemClock(),
        )
        service.snapshots = SnapshotArchive(
            store,
            service.letter,
            Path(settings.web.snapshot_dir),
            service.clock,
            settings.web.public_url,
        )
        if not read_only:
            try:
                await service.start()
            except StoreUnavailable:  # locked, read-only or full: serve what can be served
                _log.warning(
                    "the database takes no changes now (locked, read-only or full): reading "
                    "works, changes are refused with 'try again' until it does"
                )
        yield service


# -- running ---------------------------------------------------------------------------------
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
            PublicLetter.of(service),
            settings.web,
            snapshots=_latest(service),
            default_language=settings.i18n.default_language,
        )
        await adapter.start()
        jobs.append(adapter.run())
    if settings.web.publish_dir:
        from adapters.web import Publisher, sign_links

        publisher = Publisher(
            PublicLetter.of(service),
            Path(settings.web.publish_dir),
            settings.web.publish_interval_seconds,
            sign_links=sign_links(settings.web),
            snapshot_dir=Path(settings.web.snapshot_dir),
            snapshots=_latest(service),
            default_language=settings.i18n.default_language,
        )
        jobs.append(publisher.run())
    return jobs


def _latest(service: PledgeService) -> Callable[[], Awaitable[SnapshotInfo | None]]:
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


# -- one-shot commands -----------------------------------------------------------------------
async def copy_store(
    source_url: str,
    target_url: str,
    *,
    force: bool,
    progress: Callable[[str], None],
    bars: Progress = SILENT,
) -> dict[str, int]:
    if source_url == target_url:
        raise ConfigError("--from and --to name the same store")
    async with opened(source_url, OpenMode.EXISTING, key="--from") as source:
        # The target is opened (and perhaps created) only once the source proves a campaign.
        await check_source(cast(Transfer, source))
        async with opened(target_url, key="--to") as target:
            return await copy_campaign(
                cast(Transfer, source),
                cast(Transfer, target),
                force=force,
                progress=progress,
                bars=bars,
            )


async def check_store(settings: Settings) -> tuple[bool, str]:
    """For ``check-config``: whether the store can be opened, and what it holds. Creates and
    migrates nothing, on either store: it is opened read-only, a missing SQLite file only has its
    folder checked, and a missing or older schema is reported as what ``pledgebot run`` will do
    about it. A store the configuration names wrongly raises :class:`ConfigError`."""
    url = settings.storage.url
    open_store(url)  # checks the URL, and an SQLite file's folder
    if url.startswith("sqlite:"):
        verdict = _sqlite_file_verdict(url)
        if verdict is not None:
            return verdict
    store = open_store(url, OpenMode.READ_ONLY)
    try:
        async with asyncio.timeout(STORE_CHECK_TIMEOUT):
            await store.open()  # on failure, it closes what it opened
            try:
                count = await store.count()
                versions = await version_counts(store, build_letter(settings).version)
            finally:
                await store.close()
    except StoreMissing:
        return True, "no pledgebot schema yet (`pledgebot run` creates it)"
    except StoreOutdated as exc:
        return True, f"reachable; {exc}"
    except StoreRefused as exc:  # not a database this pledgebot can use: a configuration matter
        raise ConfigError(f"storage.url: cannot open it: {exc}") from None
    except TimeoutError:
        return False, f"cannot open it: no answer within {STORE_CHECK_TIMEOUT:.0f} s"
    except Exception as exc:  # what the operator needs to know; the CLI redacts secrets
        return False, f"cannot open it: {exc}"
    said = f"opened; {count} approved signature{'s' if count != 1 else ''}"
    if versions.earlier:
        current = next(v for v in versions.versions if v.current)
        said += f" ({current.approved} on the current text"
        for v in versions.versions:
            if not v.current:
                since = f" from {v.first_seen.date().isoformat()}" if v.first_seen else ""
                said += f", {v.approved} on earlier text {v.version}{since}"
        said += ")"
    return True, said


def _sqlite_file_verdict(url: str) -> tuple[bool, str] | None:
    """check-config's answer for an SQLite file there is nothing to open in; None: open it."""
    from storage.sqlite import sqlite_path

    path = Path(sqlite_path(url))
    if str(path) == ":memory:":
        return True, "in memory: nothing is kept once the bot stops"
    if path.exists():
        return None
    if not os.access(path.parent, os.W_OK):
        return False, f"cannot create the database: {path.parent} is not writable"
    return True, "no database yet (`pledgebot run` creates it)"


async def backup_to(settings: Settings, target: Path, *, progress: Progress = SILENT) -> None:
    """An online, consistent copy of the SQLite database (PostgreSQL has pg_dump). SQLite
    writes the copy in one statement; its growth against the database's size is the progress."""
    url = settings.storage.url
    if not url.startswith("sqlite:"):
        raise ConfigError("storage.url: backup is for SQLite; back up PostgreSQL with pg_dump")
    from storage.sqlite import SQLiteStore, sqlite_path

    async with opened(url, OpenMode.READ_ONLY) as store:  # it must exist; nothing is created
        source = Path(sqlite_path(url.split("?", 1)[0]))
        total = await asyncio.to_thread(_size, source) + await asyncio.to_thread(
            _size, source.with_name(source.name + "-wal")
        )
        watcher = asyncio.create_task(
            _watch_growth(target, total, progress.stage("backing up", total // 1024, unit="KiB"))
        )
        try:
            await cast(SQLiteStore, store).backup(target)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


async def _watch_growth(path: Path, total: int, advance: Advance) -> None:
    """Move ``advance`` on (in KiB) as the file at ``path`` grows, up to ``total`` bytes."""
    shown = 0
    while True:
        await asyncio.sleep(BACKUP_POLL)
        grown = min(await asyncio.to_thread(_size, path), total) // 1024
        if grown > shown:
            advance(grown - shown)
            shown = grown


async def publish_to(
    settings: Settings, target: Path, *, progress: Progress = SILENT
) -> PublishedSite:
    """``pledgebot publish DIR``: the static site, from a store opened for reading only."""
    from adapters.web import publish_site, sign_links

    async with core(settings, read_only=True) as service:
        return await publish_site(
            PublicLetter.of(service),
            target,
            sign_links=sign_links(settings.web),
            snapshot_dir=Path(settings.web.snapshot_dir),
            snapshots=_latest(service),
            progress=progress,
            default_language=settings.i18n.default_language,
        )


async def snapshot_to(settings: Settings, output: Path | None) -> tuple[SnapshotInfo, Path]:
    """``pledgebot snapshot``: one snapshot into the archive folder (and a copy to ``output``)."""
    async with core(settings) as service:
        assert service.snapshots is not None
        taken = await service.snapshots.take()
        path = service.snapshots.path_of(taken.sha256)
    if output is not None:
        partial = output.with_name(output.name + ".partial")
        await asyncio.to_thread(shutil.copyfile, path, partial)
        await asyncio.to_thread(partial.replace, output)
        path = output
    return taken, path


async def export_to(
    settings: Settings,
    fmt: ExportFormat,
    output: Path | None,
    *,
    with_ids: bool = False,
    progress: Progress = SILENT,
) -> int:
    """Write an export to a file (atomically) or stdout; returns the bytes written. The store
    is opened for reading only: an export runs beside the bot and never creates a database."""
    async with core(settings, read_only=True) as service:
        total = await service.store.listed_count()
        advance = progress.stage("exporting", total, unit="signatures")
        chunks = service.export(fmt, with_ids=with_ids, progress=advance)
        if output is None:
            written = 0
            async for chunk in chunks:
                sys.stdout.write(chunk)
                written += len(chunk.encode())
            sys.stdout.flush()
            return written
        partial = output.with_name(output.name + ".partial")
        written = 0
        with partial.open("w", encoding="utf-8", newline="") as fh:
            async for chunk in chunks:
                fh.write(chunk)
                written += len(chunk.encode())
        partial.replace(output)
        return written
