"""Signing burst: N distinct signers through the core at concurrency C, auto-approval, durable.

Three sides, in alternating rounds, all at the same concurrency (C callers in flight) and into
the same table (pledgebot's own schema, made by its migrations, so with every index the real
``signatures`` table has):

* **pledgebot core + store**: ``PledgeService.sign`` as ``pledgebot run`` builds it;
* **raw, one row per COMMIT**: each caller's INSERT is its own transaction (SQLite: one aiosqlite
  connection in autocommit mode, WAL, ``synchronous=FULL``; PostgreSQL: an asyncpg pool);
* **raw, 100 rows per COMMIT** (the *limit line*): the callers' rows are queued and written 100
  to a transaction with one ``executemany`` — what group commit could reach if the store did
  nothing but insert rows.

Each side prints throughput, latency (p50/p99/max) and the CPU this process spent per signature
(``time.process_time``: every thread of the process, the store's own included; PostgreSQL's
server CPU is not in it). The PostgreSQL run compares with its own raw baselines only.

    python benchmarks/sign_burst.py [--signers 10000] [--concurrency 200] [--store URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._memory import peak_rss_mb
from bot import app
from bot.app.collector import tuned_for_serving
from bot.config import Settings
from bot.domain import Actor, Identity, SignatureForm

LETTER = {
    "title": "Benchmark letter",
    "preamble": "We pledge:",
    "demands": ["One.", "Two."],
    "closing": "Join us.",
}
BATCH = 100
#: asyncpg connections the raw PostgreSQL baselines use (pledgebot: 4 writers + readers).
PG_POOL = 8


@dataclass
class Result:
    rate: float  # signatures per second
    elapsed: float
    cpu_us: float  # this process's CPU per signature, every thread
    p50: float
    p99: float
    max: float


def _form(n: int) -> SignatureForm:
    return SignatureForm(f"Artist Number {n}", "musician", "Somewhere", f"https://a{n}.example")


async def _closed_loop(
    signers: int, concurrency: int, one: Callable[[int], Awaitable[Any]]
) -> Result:
    """Signers 0..signers-1, ``concurrency`` in flight; timed in wall-clock and CPU seconds."""
    latencies: list[float] = []
    next_n = iter(range(signers))

    async def worker() -> None:
        for n in next_n:
            started = time.perf_counter()
            await one(n)
            latencies.append(time.perf_counter() - started)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    latencies.sort()
    return Result(
        rate=signers / elapsed,
        elapsed=elapsed,
        cpu_us=cpu / signers * 1e6,
        p50=statistics.median(latencies) * 1000,
        p99=latencies[int(len(latencies) * 0.99) - 1] * 1000,
        max=latencies[-1] * 1000,
    )


# -- pledgebot ----------------------------------------------------------------------------------
async def bench_core(url: str, signers: int, concurrency: int) -> Result:
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

        async def one(n: int) -> None:
            actor = Actor(Identity("discord", str(10_000_000 + n)), f"u{n}")
            await service.sign(actor, _form(n), community="discord:1")

        result = await _closed_loop(signers, concurrency, one)
        count = await service.store.count()
        assert count == signers, (count, signers)
    return result


# -- the raw baselines --------------------------------------------------------------------------
async def _raw_loop(signers: int, concurrency: int, one: Callable[[int], Awaitable[Any]]) -> Result:
    """:func:`_closed_loop` under the collector settings ``app.core`` serves pledgebot's side
    with (:func:`bot.app.collector.tuned_for_serving`), entered as core enters them, once the
    connection is open: a setting any program could apply, so the ratios compare the work."""
    with tuned_for_serving():
        return await _closed_loop(signers, concurrency, one)


_COLUMNS = (
    "platform, user_id, name, name_key, role, location, link, anonymous, community, status, "
    "letter_version, created_at, decided_at, list_pos, look_key, person"
)


_SQLITE_INSERT = f"INSERT INTO signatures ({_COLUMNS}) VALUES ({','.join('?' * 16)})"
_PG_INSERT = (
    f"INSERT INTO signatures ({_COLUMNS}) VALUES ({','.join(f'${i}' for i in range(1, 17))})"
)


def _row(n: int, *, sqlite: bool) -> tuple[Any, ...]:
    """A signature row as pledgebot writes one (approved, listed, in the ``discord:1``
    community), ``n + 1`` its list position."""
    f = _form(n)
    user = str(10_000_000 + n)
    now: Any = datetime.now(UTC)
    now = now.isoformat() if sqlite else now
    key = f.name.casefold()
    return (
        "discord", user, f.name, key, f.role, f.location, f.link, False, "discord:1",
        "approved", "v1", now, now, n + 1, key, f"discord:{user}",
    )  # fmt: skip


async def _schema(url: str) -> None:
    """pledgebot's tables and indexes, made by its own migrations, then left empty."""
    async with app.opened(url):
        pass


async def bench_sqlite_rows(path: str, signers: int, concurrency: int) -> Result:
    import aiosqlite

    await _schema(f"sqlite:///{path}")
    insert = _SQLITE_INSERT
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = FULL")

        async def one(n: int) -> None:
            await conn.execute(insert, _row(n, sqlite=True))  # autocommit: its own COMMIT

        return await _raw_loop(signers, concurrency, one)


async def bench_sqlite_batched(path: str, signers: int, concurrency: int) -> Result:
    import aiosqlite

    await _schema(f"sqlite:///{path}")
    insert = _SQLITE_INSERT
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA synchronous = FULL")

        async def write(rows: list[tuple[Any, ...]]) -> None:
            await conn.execute("BEGIN IMMEDIATE")
            await conn.executemany(insert, rows)
            await conn.execute("COMMIT")

        return await _batched(signers, concurrency, write, sqlite=True, writers=1)


async def _batched(
    signers: int,
    concurrency: int,
    write: Callable[[list[tuple[Any, ...]]], Awaitable[None]],
    *,
    sqlite: bool,
    writers: int,
) -> Result:
    """Callers queue a row and wait for the COMMIT that holds it; ``writers`` tasks each take
    up to :data:`BATCH` queued rows per transaction."""
    queue: asyncio.Queue[tuple[tuple[Any, ...], asyncio.Future[None]]] = asyncio.Queue()

    async def writer() -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < BATCH and not queue.empty():
                batch.append(queue.get_nowait())
            await write([row for row, _ in batch])
            for _, done in batch:
                done.set_result(None)

    async def one(n: int) -> None:
        done = asyncio.get_running_loop().create_future()
        queue.put_nowait((_row(n, sqlite=sqlite), done))
        await done

    tasks = [asyncio.create_task(writer()) for _ in range(writers)]
    try:
        return await _raw_loop(signers, concurrency, one)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def bench_pg_rows(url: str, signers: int, concurrency: int) -> Result:
    import asyncpg

    await _schema(url)
    insert = _PG_INSERT
    async with asyncpg.create_pool(url, min_size=PG_POOL, max_size=PG_POOL) as pool:

        async def one(n: int) -> None:
            await pool.execute(insert, *_row(n, sqlite=False))  # autocommit: its own COMMIT

        return await _raw_loop(signers, concurrency, one)


async def bench_pg_batched(url: str, signers: int, concurrency: int) -> Result:
    import asyncpg

    await _schema(url)
    insert = _PG_INSERT
    async with asyncpg.create_pool(url, min_size=4, max_size=4) as pool:

        async def write(rows: list[tuple[Any, ...]]) -> None:
            async with pool.acquire() as conn, conn.transaction():
                await conn.executemany(insert, rows)

        return await _batched(signers, concurrency, write, sqlite=False, writers=4)


@asynccontextmanager
async def fresh_store(url: str, tmp: str, name: str = "burst") -> AsyncIterator[str]:
    """A fresh SQLite file, or a fresh schema in the given PostgreSQL database (dropped after)."""
    if not url:
        yield f"sqlite:///{tmp}/{name}.db"
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


# -- the run ------------------------------------------------------------------------------------
async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signers", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--store", default="", help="store URL (default: a fresh SQLite file)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="runs of each side, alternating; medians are shown"
    )
    args = parser.parse_args()
    pg = bool(args.store)
    rows, batched = (bench_pg_rows, bench_pg_batched) if pg else (None, None)
    sides: dict[str, list[Result]] = {"pledgebot core+store": [], "raw, 1 row/COMMIT": []}
    sides[f"raw, {BATCH} rows/COMMIT"] = []
    peak = 0.0

    # A round lasts about a second and the machine's speed wanders (fsync, other processes), so
    # the sides take turns and each side's median round is shown.
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            async with fresh_store(args.store, tmp, "core") as url:
                sides["pledgebot core+store"].append(
                    await bench_core(url, args.signers, args.concurrency)
                )
            peak = peak or peak_rss_mb()  # after the first core round, before any baseline
            async with fresh_store(args.store, tmp, "rows") as url:
                if rows is not None:
                    result = await rows(url, args.signers, args.concurrency)
                else:
                    result = await bench_sqlite_rows(url[10:], args.signers, args.concurrency)
                sides["raw, 1 row/COMMIT"].append(result)
            async with fresh_store(args.store, tmp, "batched") as url:
                if batched is not None:
                    result = await batched(url, args.signers, args.concurrency)
                else:
                    result = await bench_sqlite_batched(url[10:], args.signers, args.concurrency)
                sides[f"raw, {BATCH} rows/COMMIT"].append(result)

    store = args.store if pg else "sqlite (WAL, synchronous=FULL)"
    print(
        f"sign_burst: {args.signers} signers, {args.concurrency} in flight on every side, "
        f"approval=auto, store={store}; {args.rounds} alternating rounds, median round shown"
    )
    raw = "asyncpg pool of 8" if pg else "one aiosqlite connection"
    print(f"  raw sides: {raw}, INSERT into pledgebot's own signatures table (same indexes)")
    print(
        "  collector: every side gc.freeze once its store is open, young threshold 10,000 "
        "(bot/app/collector.py)"
    )
    cpu_note = "client CPU us/sig" if pg else "CPU us/sig"
    print(
        f"{'':24}{'sig/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{cpu_note:>19}"
        f"{'rounds (sig/s)':>26}"
    )
    medians = {name: _median(results) for name, results in sides.items()}
    for name, results in sides.items():
        m = medians[name]
        rounds = ", ".join(f"{r.rate:.0f}" for r in results)
        cpus = sorted(r.cpu_us for r in results)
        cpu = f"{statistics.median(cpus):.0f} ({cpus[0]:.0f}-{cpus[-1]:.0f})"
        print(
            f"{name:24}{m.rate:>9.0f}{m.p50:>9.2f}{m.p99:>9.2f}{m.max:>9.2f}{cpu:>19}{rounds:>26}"
        )
    core = medians["pledgebot core+store"]
    per_row = core.rate / medians["raw, 1 row/COMMIT"].rate
    limit = core.rate / medians[f"raw, {BATCH} rows/COMMIT"].rate
    cpu_core = statistics.median(r.cpu_us for r in sides["pledgebot core+store"])
    print(f"peak RSS of this process after the first core round (VmHWM): {peak:.0f} MB")
    print("targets:")
    if pg:
        _target("sig/s", f"{core.rate:,.0f}", ">= 3,300", core.rate >= 3300)
        _target("p99", f"{core.p99:.1f} ms", "<= 100 ms", core.p99 <= 100)
        _target("ratio to raw 1 row/COMMIT", f"{per_row:.2f}x", "(reported)", None)
        _target(f"ratio to raw {BATCH} rows/COMMIT", f"{limit:.2f}x", "(reported)", None)
    else:
        _target("sig/s", f"{core.rate:,.0f}", ">= 3,300", core.rate >= 3300)
        _target("p99", f"{core.p99:.1f} ms", "<= 30 ms", core.p99 <= 30)
        _target("CPU per signature", f"{cpu_core:.0f} us", "<= 45 us", cpu_core <= 45)
        _target("ratio to raw 1 row/COMMIT", f"{per_row:.2f}x", ">= 2.0x", per_row >= 2.0)
        _target(
            f"ratio to raw {BATCH} rows/COMMIT (limit line)", f"{limit:.2f}x", ">= 0.5x",
            limit >= 0.5,
        )  # fmt: skip
        # The same comparison in CPU, which a busy machine disturbs less than throughput.
        cpu_limit = statistics.median(r.cpu_us for r in sides[f"raw, {BATCH} rows/COMMIT"])
        _target(
            "CPU of the limit line / core CPU", f"{cpu_limit / cpu_core:.2f}x", ">= 0.5x",
            cpu_limit / cpu_core >= 0.5,
        )  # fmt: skip


def _target(what: str, measured: str, target: str, met: bool | None) -> None:
    verdict = "" if met is None else ("MET" if met else "MISSED")
    print(f"  {what:40}{measured:>12}   target {target:10} {verdict}")


def _median(runs: list[Result]) -> Result:
    """The round with the median rate (its own latencies, not a mix of rounds)."""
    return sorted(runs, key=lambda r: r.rate)[(len(runs) - 1) // 2]


if __name__ == "__main__":
    asyncio.run(main())
