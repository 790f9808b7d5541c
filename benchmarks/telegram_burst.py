"""Telegram signing burst: N distinct users send a one-line /sign through the real adapter.

pledgebot's TelegramAdapter (the real python-telegram-bot Application, polling; the real
PledgeService over a fresh SQLite file; the outbox dispatcher running as in ``pledgebot run``)
against the test suite's fake Bot API on 127.0.0.1, with the adapter's AIORateLimiter OFF (it
would hold a burst to Telegram's 30 messages/s); then the same load against a do-nothing PTB
Application that answers a message with a fixed sendMessage (with a Sign button).

Each user sends ``/sign Artist Number N | musician | Somewhere`` in their private chat once.
pledgebot answers that with a summary and Sign/Cancel buttons, not a signature: the first table
times that first reply. The second table times the signature itself: each user then presses
Sign under their summary; pledgebot answers the press, removes the buttons, signs and confirms,
and the do-nothing bot makes the same three Bot API calls with fixed content. Latency runs from
the update being available to getUpdates to the bot's sendMessage to that chat arriving at the
fake.

    python benchmarks/telegram_burst.py [--users 2000] [--concurrency 64] [--rounds 3]
                                        [--no-press-sign] [--only pledgebot|bare]
                                        [--bare-transport httpx|aiohttp] [--bare-gc tuned|default]

``--concurrency``, ``--rounds``: as in discord_burst.py. pledgebot makes its Bot API calls with
aiohttp (adapters/telegram/http.py); the bare bot uses the same aiohttp transport, so the
headline compares like with like, or with ``--bare-transport httpx`` PTB's default client. Likewise
both bots run under pledgebot's garbage-collector settings (bot/app/collector.py), or with
``--bare-gc default`` the bare bot under CPython's default collector.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
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
from tests.fakes.fake_telegram import ApiCall, FakeTelegram

BARE_REPLY = "Thank you! Your signature is recorded."
SUMMARY = "<b>Please check your signature</b>"
SIGNED = "Thank you!"
SIGN_BUTTON = "pledge:confirm:named"
BARE_TRANSPORTS = {
    "httpx": "PTB's default HTTPXRequest (httpx, 256 connections)",
    "aiohttp": "the same AiohttpRequest as pledgebot",
}
WARMUP = 20
#: Updates handled at once: the adapter's PerChatUpdateProcessor bound, given to the bare bot too.
MAX_CONCURRENT_UPDATES = 64
ALLOWED_UPDATES = ["message", "callback_query", "chat_member"]


class _TimedCalls(list[ApiCall]):
    """The fake's call log, also telling the driver when a sendMessage arrives (the first one
    to each chat in each phase counts)."""

    def __init__(self, arrivals: Arrivals) -> None:
        super().__init__()
        self.arrivals = arrivals
        self.phase = "warm-up"

    def append(self, call: ApiCall) -> None:
        super().append(call)
        if call.method == "sendMessage":
            self.arrivals.arrived((self.phase, call.params.get("chat_id")), call)


async def measure(
    kind: str, args: argparse.Namespace, tmp: str, round_: int
) -> tuple[Run, Run | None]:
    """Start a fresh fake and the ``kind`` bot; warm up; time the /sign burst, then (unless
    ``--no-press-sign``) the Sign presses."""
    arrivals = Arrivals()
    fake = FakeTelegram()
    calls = _TimedCalls(arrivals)
    fake.calls = calls
    mod_chat = fake.new_supergroup("Letter moderators")
    announce = fake.new_group("Music makers")
    users = [fake.new_user(f"Artist{n}") for n in range(WARMUP + args.users)]
    failures: list[str] = []
    replies: dict[int, ApiCall] = {}  # user id -> the bot's first reply

    def checked(n: int, call: ApiCall, expected: str) -> None:
        text = str(call.params.get("text", ""))
        if not text.startswith(expected):
            failures.append(f"user {n}: {call.method} {text[:80]!r}")

    def first_reply(expected: str) -> Callable[[int], Any]:
        async def one(n: int) -> float:
            user = users[n]
            started = time.perf_counter()
            fake.feed_command(user, None, f"/sign Artist Number {n} | musician | Somewhere")
            arrived, call = await arrivals.wait((calls.phase, user.id))
            checked(n, call, expected)
            replies[user.id] = call
            return float(arrived - started)

        return one

    def press_sign(expected: str) -> Callable[[int], Any]:
        async def one(n: int) -> float:
            user = users[n]
            summary = replies[user.id].result  # feed_callback reads the message's current state
            started = time.perf_counter()
            fake.feed_callback(user, summary, SIGN_BUTTON)
            arrived, call = await arrivals.wait((calls.phase, user.id))
            checked(n, call, expected)
            return float(arrived - started)

        return one

    sign = first_reply(SUMMARY if kind == "pledgebot" else BARE_REPLY)
    press = press_sign(SIGNED if kind == "pledgebot" else BARE_REPLY)
    pressed: Run | None = None
    async with fake:
        spec = {
            "base_url": fake.base_url,
            "token": fake.token,
            "mod_chat": mod_chat.id,
            "announce": [announce.id],
            "db": f"sqlite:///{tmp}/{kind}-{round_}.db",
            "approval": args.approval,
            "bare_transport": args.bare_transport,
            "bare_gc": args.bare_gc,
        }
        bot = BotProcess(__file__, kind, spec)
        mark = fake.mark()
        await bot.start()
        try:
            await fake.wait_for("getUpdates", since=mark, answered=False, timeout=60)
            await closed_loop(WARMUP, 4, sign)
            if args.press_sign:
                calls.phase = "warm-up presses"
                await closed_loop(WARMUP, 4, press)
            calls.phase = "/sign"

            async def burst(one: Callable[[int], Any]) -> Run:
                return await timed_burst(
                    kind, bot.pid, args.users, args.concurrency, lambda n: one(WARMUP + n)
                )

            sent = await burst(sign)
            if args.press_sign:
                calls.phase = "Sign pressed"
                pressed = await burst(press)
        finally:
            report = await bot.stop()
    expected = WARMUP + args.users if args.press_sign else 0
    if kind == "pledgebot" and report.get("signatures") != expected:
        failures.append(f"{report.get('signatures')} signatures stored, not {expected}")
    for run in (sent, pressed):
        if run is not None:
            run.failures, run.child = failures, report
    return sent, pressed


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
        "--press-sign",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time pressing Sign under the summary (default: yes)",
    )
    parser.add_argument(
        "--only", choices=("pledgebot", "bare"), help="run one bot (e.g. under a profiler)"
    )
    parser.add_argument(
        "--bare-transport",
        choices=("httpx", "aiohttp"),
        default="aiohttp",
        help="the bare bot's HTTP client: pledgebot's (aiohttp; the default, so that the "
        "headline compares like with like), or PTB's default (httpx)",
    )
    add_bare_gc_option(parser)
    args = parser.parse_args()

    layout = pin_cores()
    kinds = [k for k in ("bare", "pledgebot") if args.only in (None, k)]
    first: dict[str, list[Run]] = {k: [] for k in kinds}
    second: dict[str, list[Run]] = {k: [] for k in kinds}
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(max(1, args.rounds)):
            for kind in kinds:
                sent, pressed = await measure(kind, args, tmp, round_)
                for failure in sent.failures[:5]:
                    print(f"FAILED ({kind}): {failure}", file=sys.stderr)
                if sent.failures:
                    raise SystemExit(1)
                first[kind].append(sent)
                if pressed is not None:
                    second[kind].append(pressed)

    concurrency = "all at once" if args.concurrency <= 0 else str(args.concurrency)
    print(
        f"telegram_burst: {args.users} distinct users, each once, in their private chat; "
        f"concurrency {concurrency}; {WARMUP} warm-up users first"
    )
    print(
        "  pledgebot: TelegramAdapter (PTB Application, polling, PerChatUpdateProcessor("
        f"{MAX_CONCURRENT_UPDATES})) + PledgeService, approval={args.approval}, fresh SQLite "
        "store (WAL, synchronous=FULL), outbox dispatcher running"
    )
    print("             RATE LIMITER OFF: TelegramAdapter(rate_limit=False), no AIORateLimiter")
    print(
        "  bare:      PTB Application, polling, concurrent_updates("
        f"{MAX_CONCURRENT_UPDATES}): a message -> a fixed sendMessage with a Sign button; the "
        "button -> answerCallbackQuery, editMessageReplyMarkup, a fixed sendMessage"
    )
    print(
        "  HTTP:      pledgebot: adapters.telegram.http.AiohttpRequest (aiohttp, 256 connections); "
        f"bare: {BARE_TRANSPORTS[args.bare_transport]}; sniffio installed (see pyproject.toml)"
    )
    print(collector_line(args.bare_gc))
    print("  latency:   update available to getUpdates -> the bot's sendMessage reaches the fake")
    print(f"  machine:   {machine()}; {layout}")
    tables = [("/sign Name | role | place", first)]
    if args.press_sign:
        tables.append(("Sign pressed under the summary", second))
    for title, rounds in tables:
        runs = {kind: median_run(rounds[kind]) for kind in kinds}
        print()
        if rounds is first:
            print(
                f"{title}: pledgebot's FIRST reply is the summary with Sign/Cancel buttons "
                "(nothing is stored yet)"
            )
        else:
            print(
                f"{title}: pledgebot answers the button, removes it, signs (store write) "
                "and sends the confirmation; timed to that confirmation"
            )
        for kind in kinds:
            rates = rounds_line(rounds[kind])
            print(f"  {kind} rounds (updates/s): {rates}; the median round is shown")
        print_table([runs[k] for k in kinds], unit="updates")
        print_threads([runs[k] for k in kinds])
        print_verdict(
            runs.get("pledgebot"), runs.get("bare"), p99_target_ms=100, concurrency=args.concurrency
        )
        print_warnings(list(runs.values()))
    for kind in kinds:
        print(f"  {kind} process at exit: {json.dumps(first[kind][-1].child)}")


# -- the bots under test (child processes) -----------------------------------------------------
async def child_pledgebot(spec: dict[str, Any]) -> None:
    telegram = {
        "token": spec["token"],
        "api_base_url": spec["base_url"],
        "announce_chat_ids": spec["announce"],
        "mod_chat_id": spec["mod_chat"],
    }
    await serve_pledgebot(spec, "telegram", telegram)


async def child_bare(spec: dict[str, Any]) -> None:
    """The do-nothing Application, under the collector settings ``--bare-gc`` names: with
    pledgebot's, entered before it is built and its start-up frozen once it is, as ``run_bot``
    does."""
    with bare_collector(spec["bare_gc"]) as started:
        await _serve_bare(spec, started)
    child_report()


async def _serve_bare(spec: dict[str, Any], started: Callable[[], None]) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import Application, ContextTypes, TypeHandler

    builder = (
        Application.builder()
        .token(spec["token"])
        .base_url(spec["base_url"])
        .concurrent_updates(MAX_CONCURRENT_UPDATES)
    )
    if spec["bare_transport"] == "aiohttp":
        from adapters.telegram.http import AiohttpRequest

        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(1))
    application = builder.build()

    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Sign", callback_data=SIGN_BUTTON)]])

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A message: the fixed reply, with a button. The button: what any bot must do for a
        press (answer it), what pledgebot does too (remove the keyboard), the fixed reply."""
        assert update.effective_chat is not None
        query = update.callback_query
        if query is None:
            await context.bot.send_message(
                update.effective_chat.id, BARE_REPLY, reply_markup=keyboard
            )
            return
        await query.answer()
        await query.edit_message_reply_markup(None)
        await context.bot.send_message(update.effective_chat.id, BARE_REPLY)

    application.add_handler(TypeHandler(Update, answer))

    async def serve() -> None:
        updater = application.updater
        assert updater is not None
        async with application:
            await application.start()
            await updater.start_polling(poll_interval=0, allowed_updates=ALLOWED_UPDATES)
            try:
                await asyncio.Event().wait()
            finally:
                await updater.stop()
                await application.stop()

    started()
    await until_stopped([serve()])


def child_main(kind: str, spec: dict[str, Any]) -> None:
    os.environ.setdefault("PTB_TIMEDELTA", "true")  # no deprecation warning per RetryAfter
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(child_pledgebot(spec) if kind == "pledgebot" else child_bare(spec))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child_main(sys.argv[2], json.loads(sys.argv[4]))
    else:
        asyncio.run(main())
