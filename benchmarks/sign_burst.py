"""Signing burst: N distinct signers through the core at concurrency C, auto-approval, durable.

Prints signatures/s, latency percentiles and peak RSS, then the same rows through a baseline of
raw aiosqlite (one INSERT + COMMIT per row, the same WAL/synchronous=FULL setting) and the ratio.

    python benchmarks/sign_burst.py [--signers 10000] [--concurrency 200] [--store URL]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiosqlite

from bot import app
from bot.config import Settings
from bot.domain import Actor, Identity, SignatureForm

LETTER = {
    "title": "Benchmark letter",
    "preamble": "We pledge:",
    "demands": ["One.", "Two."],
    "closing": "Join us.",
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _form(n: int) -> SignatureForm:
    return SignatureForm(f"Artist Number {n}", "musician", "Somewhere", f"https://a{n}.example")


async def bench_core(url: str, signers: int, concurrency: int) -> dict[str, float]:
    # As `pledgebot run` builds it: automatic approval, announcements to the console and one
    # Discord channel (the rows are written, nothing delivers them here).
    settings = Settings(
        letter=LETTER,
        signing={"approval": "auto"},
        milestones={"thresholds": [10, 100, 1000], "every": 1000, "message": "{count} signed"},
        storage={"url": url},
        discord={"token": "benchmark", "announce_channel_ids": [1]},
        web={"listen": ""},
    )
    async with app.core(settings) as service:
        store = service.store
        latencies: list[float] = []
        next_n = iter(range(signers))

        async def worker() -> None:
            for n in next_n:
                actor = Actor(Identity("discord", str(10_000_000 + n)), f"u{n}")
                started = time.perf_counter()
                await service.sign(actor, _form(n), community="discord:1")
                latencies.append(time.perf_counter() - started)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        count = await store.count()
        assert count == signers, (count, signers)
        latencies.sort()
        return {
            "rate": signers / elapsed,
            "elapsed": elapsed,
            "cpu_us": cpu / signers * 1e6,  # both threads: the event loop's and the store's
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "max": latencies[-1] * 1000,
            "rss": _rss_mb(),
        }


async def bench_baseline(path: str, signers: int) -> dict[str, float]:
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = FULL")
        await conn.execute(
            "CREATE TABLE signatures (id INTEGER PRIMARY KEY, platform TEXT, user_id TEXT, "
            "name TEXT, role TEXT, location TEXT, link TEXT, created_at TEXT)"
        )
        started = time.perf_counter()
        for n in range(signers):
            f = _form(n)
            await conn.execute("BEGIN")
            await conn.execute(
                "INSERT INTO signatures (platform, user_id, name, role, location, link, "
                "created_at) VALUES (?,?,?,?,?,?,datetime('now'))",
                ("discord", str(n), f.name, f.role, f.location, f.link),
            )
            await conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
    return {"rate": signers / elapsed, "elapsed": elapsed}


@asynccontextmanager
async def fresh_store(url: str, tmp: str) -> AsyncIterator[str]:
    """A fresh SQLite file, or a fresh schema in the given PostgreSQL database (dropped after)."""
    if not url:
        yield f"sqlite:///{tmp}/burst.db"
        return
    if not url.startswith(("postgresql://", "postgres://")):
        yield url
        return
    import asyncpg

    schema = f"pledgebot_bench_{uuid.uuid4().hex[:8]}"
    yield f"{url}{'&' if '?' in url else '?'}search_path={schema}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signers", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--store", default="", help="store URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs of each, alternating; the median is shown"
    )
    args = parser.parse_args()

    # A run lasts about a second and fsync speed wanders, so both sides run several times,
    # alternating, and each side's median round is compared.
    cores: list[dict[str, float]] = []
    baselines: list[dict[str, float]] = []
    for round_ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            async with fresh_store(args.store, tmp) as url:
                cores.append(await bench_core(url, args.signers, args.concurrency))
            baselines.append(await bench_baseline(f"{tmp}/baseline-{round_}.db", args.signers))
    core = _median(cores)
    baseline = _median(baselines)

    print(
        f"sign_burst: {args.signers} signers, concurrency {args.concurrency}, "
        f"approval=auto, store={'sqlite (WAL, synchronous=FULL)' if not args.store else args.store}"
    )
    print(
        f"{'':24}{'sig/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'seconds':>10}"
        f"{'CPU us/sig':>11}"
    )
    print(
        f"{'pledgebot core+store':24}{core['rate']:>10.0f}{core['p50']:>10.2f}"
        f"{core['p99']:>10.2f}{core['max']:>10.2f}{core['elapsed']:>10.2f}"
        f"{core['cpu_us']:>10.0f}"
    )
    print(
        f"{'raw aiosqlite baseline':24}{baseline['rate']:>10.0f}{'':>30}"
        f"{baseline['elapsed']:>10.2f}"
    )
    print(
        f"ratio (core / baseline): {core['rate'] / baseline['rate']:.2f}x   "
        f"peak RSS after core run: {core['rss']:.0f} MB"
    )
    core_rates = ", ".join(f"{r['rate']:.0f}" for r in cores)
    baseline_rates = ", ".join(f"{r['rate']:.0f}" for r in baselines)
    print(f"rounds (sig/s): core {core_rates}; baseline {baseline_rates}; medians shown")
    ratio = core["rate"] / baseline["rate"]
    print(
        f"targets: >= 3,300 sig/s {_verdict(core['rate'] >= 3300)}, "
        f"p99 <= 50 ms {_verdict(core['p99'] <= 50)}, ratio >= 2.0 {_verdict(ratio >= 2.0)}"
    )


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    """The round with the median rate (its own latencies, not a mix of rounds)."""
    return sorted(runs, key=lambda r: r["rate"])[(len(runs) - 1) // 2]


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


if __name__ == "__main__":
    asyncio.run(main())
