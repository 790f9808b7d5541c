"""Discord signing burst: N distinct members submit the sign modal through the real adapter.

pledgebot's DiscordAdapter (real discord.py, real PledgeService over a fresh SQLite file, the
outbox dispatcher running as in ``pledgebot run``) against the test suite's fake Discord on
127.0.0.1; then the same load against a do-nothing discord.py client answering every interaction
with a fixed message. Each user submits ``pledge:sign-form:named`` once (a type 5 interaction,
Label-wrapped inputs as discord.py 2.7 builds them); latency runs from the fake sending
INTERACTION_CREATE to the bot's interaction callback arriving at the fake.

    python benchmarks/discord_burst.py [--users 2000] [--concurrency 64] [--rounds 3]
                                       [--approval auto|manual] [--only pledgebot|bare]
                                       [--bare-gc tuned|default]

``--concurrency C`` keeps C users in flight (a user's submit goes out the moment an earlier one
is answered); 0 sends all N at once. The fake runs in this process, each bot in a child process;
the bots run ``--rounds`` times each, alternating, and the median round is shown. Both bots run
under pledgebot's garbage-collector settings (bot/app/collector.py), a setting any bot could
apply; ``--bare-gc default`` leaves the bare bot on CPython's default collector.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._burst import (
    Arrivals,
    BotProcess,
    Run,
    add_bare_gc_option,
    bare_collector,
    child_report,
    closed_loop,
    collector_line,
    machine,
    median_run,
    pin_cores,
    print_table,
    print_threads,
    print_verdict,
    print_warnings,
    rounds_line,
    serve_pledgebot,
    timed_burst,
)
from bot.app import until_stopped
from tests.fakes.fake_discord import (
    CallbackType,
    FakeDiscord,
    InteractionCallback,
    Journal,
)

TOKEN = "benchmark-token"
SIGN_FORM = "pledge:sign-form:named"
BARE_REPLY = "Thank you! Your signature is recorded."
WARMUP = 20


class _TimedJournal(Journal[InteractionCallback]):
    """The fake's callback journal, also telling the driver when each callback arrived."""

    def __init__(self, arrivals: Arrivals) -> None:
        super().__init__(InteractionCallback.describe)
        self.arrivals = arrivals

    def append(self, item: InteractionCallback) -> None:
        super().append(item)
        self.arrivals.arrived(item.interaction.id, item)


def _values(n: int) -> dict[str, str]:
    return {
        "name": f"Artist Number {n}",
        "role": "musician",
        "location": "Somewhere",
        "link": f"https://artist{n}.example",
    }


async def measure(kind: str, args: argparse.Namespace, tmp: str, round_: int) -> Run:
    """Start a fresh fake and the ``kind`` bot, warm up, then time the burst."""
    arrivals = Arrivals()
    fake = FakeDiscord(heartbeat_interval_ms=40_000)
    fake.callbacks = _TimedJournal(arrivals)
    guild = fake.add_guild("Benchmark HQ")
    general = fake.add_text_channel(guild, "general")
    news = fake.add_text_channel(guild, "news")
    mod_queue = fake.add_text_channel(guild, "mod-queue")
    members = [fake.add_member(guild, f"user{n}") for n in range(WARMUP + args.users)]
    expected = "Thank you!" if kind == "pledgebot" else BARE_REPLY
    failures: list[str] = []
    # Every submit is built and serialised before the clock starts: a load generator, not the
    # system under test, should not spend the burst building payloads.
    submits = [
        fake.prepare_modal_submit(SIGN_FORM, _values(n), user=member, channel=general)
        for n, member in enumerate(members)
    ]

    async def one(n: int) -> float:
        started = time.perf_counter()
        ref = await fake.dispatch_prepared(submits[n])
        arrived, callback = await arrivals.wait(ref.id)
        if callback.type is not CallbackType.CHANNEL_MESSAGE or not (
            callback.content or ""
        ).startswith(expected):
            failures.append(f"user {n}: {callback.describe()}: {callback.content!r}")
        return float(arrived - started)

    async with fake:
        spec = {
            "rest": fake.rest_base,
            "gateway": fake.gateway_url,
            "guild_id": guild.id,
            "announce": [news.id],
            "mod_channel": mod_queue.id,
            "db": f"sqlite:///{tmp}/{kind}-{round_}.db",
            "approval": args.approval,
            "bare_gc": args.bare_gc,
        }
        bot = BotProcess(__file__, kind, spec)
        await bot.start()
        try:
            await fake.wait_for_gateway(2, timeout=60)  # IDENTIFY: logged in, commands synced
            await closed_loop(WARMUP, 4, one)  # the first answers also wait for on_ready
            run = await timed_burst(
                kind, bot.pid, args.users, args.concurrency, lambda n: one(WARMUP + n)
            )
        finally:
            run_report = await bot.stop()
    if kind == "pledgebot" and run_report.get("signatures") != WARMUP + args.users:
        stored = run_report.get("signatures")
        failures.append(f"{stored} signatures stored, not {WARMUP + args.users}")
    run.failures, run.child = failures, run_report
    return run


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2000, help="distinct signers (default 2000)")
    parser.add_argument(
        "--concurrency", type=int, default=64, help="users in flight (default 64); 0 = all at once"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs of each bot, alternating; the median is shown"
    )
    parser.add_argument("--approval", choices=("auto", "manual"), default="auto")
    parser.add_argument(
        "--only", choices=("pledgebot", "bare"), help="run one bot (e.g. under a profiler)"
    )
    add_bare_gc_option(parser)
    args = parser.parse_args()

    layout = pin_cores()
    kinds = [k for k in ("bare", "pledgebot") if args.only in (None, k)]
    rounds: dict[str, list[Run]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(max(1, args.rounds)):
            for kind in kinds:
                run = await measure(kind, args, tmp, round_)
                for failure in run.failures[:5]:
                    print(f"FAILED ({kind}): {failure}", file=sys.stderr)
                if run.failures:
                    raise SystemExit(1)
                rounds[kind].append(run)
    runs = {kind: median_run(rounds[kind]) for kind in kinds}

    concurrency = "all at once" if args.concurrency <= 0 else str(args.concurrency)
    print(
        f"discord_burst: {args.users} distinct members each submit the sign modal once "
        f"(type 5, {SIGN_FORM}); concurrency {concurrency}; {WARMUP} warm-up submits first"
    )
    print(
        f"  pledgebot: DiscordAdapter + PledgeService, approval={args.approval}, fresh SQLite "
        "store (WAL, synchronous=FULL), outbox dispatcher running"
    )
    print("  bare:      discord.Client (same intents and caches), on_interaction -> fixed message")
    print(collector_line(args.bare_gc))
    print("  latency:   fake sends INTERACTION_CREATE -> the interaction callback reaches the fake")
    print(f"  machine:   {machine()}; {layout}")
    for kind in kinds:
        rates = rounds_line(rounds[kind])
        print(f"  {kind} rounds (interactions/s): {rates}; the median round is shown")
    print_table([runs[k] for k in kinds], unit="interactions")
    print_threads([runs[k] for k in kinds])
    print_verdict(
        runs.get("pledgebot"), runs.get("bare"), p99_target_ms=100, concurrency=args.concurrency
    )
    print_warnings(list(runs.values()))
    for run in runs.values():
        print(f"  {run.name} process at exit: {json.dumps(run.child)}")


# -- the bots under test (child processes) -----------------------------------------------------
class _DropVoiceWarning(logging.Filter):
    """discord.Client logs once that PyNaCl/davey are missing; voice is irrelevant here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


async def child_pledgebot(spec: dict[str, Any]) -> None:
    discord = {
        "token": TOKEN,
        "api_base_url": spec["rest"],
        "gateway_url": spec["gateway"],
        "guild_ids": [spec["guild_id"]],
        "announce_channel_ids": spec["announce"],
        "mod_channel_id": spec["mod_channel"],
    }
    await serve_pledgebot(spec, "discord", discord)


async def child_bare(spec: dict[str, Any]) -> None:
    """The do-nothing client, under the collector settings ``--bare-gc`` names: with pledgebot's,
    entered before the client is built and its start-up frozen once it is, as ``run_bot`` does."""
    with bare_collector(spec["bare_gc"]) as started:
        await _serve_bare(spec, started)
    child_report()


async def _serve_bare(spec: dict[str, Any], started: Callable[[], None]) -> None:
    import discord
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    Route.BASE = spec["rest"]
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(spec["gateway"])
    intents = discord.Intents.none()
    intents.guilds = True

    class BareBot(discord.Client):
        async def on_interaction(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message(BARE_REPLY, ephemeral=True)

    client = BareBot(
        intents=intents,
        allowed_mentions=discord.AllowedMentions.none(),
        member_cache_flags=discord.MemberCacheFlags.none(),
        chunk_guilds_at_startup=False,
        max_messages=None,
    )

    async def serve() -> None:
        async with client:
            await client.start(TOKEN)

    started()
    await until_stopped([serve()])


def child_main(kind: str, spec: dict[str, Any]) -> None:
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("discord.client").addFilter(_DropVoiceWarning())
    asyncio.run(child_pledgebot(spec) if kind == "pledgebot" else child_bare(spec))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child_main(sys.argv[2], json.loads(sys.argv[4]))
    else:
        asyncio.run(main())
