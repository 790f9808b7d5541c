"""Staying fast with a million signatures stored.

Bulk-loads N signatures (default 1,000,000; 10,000 of them pending, signed by a brigade under 500
names) straight into a fresh store through the copy-store Transfer port — not through the bot —
then times what users ask for: ``/count``, the first, a middle and the last ``/signatories`` page,
``/pending`` and the look-alike search its cards need among pending and approved; streams a full
CSV export in a separate process and reports its peak RSS; and reports the RSS of a bot process
idle on this store and after a burst of signatures.

    python benchmarks/scale.py [--signatures 1000000] [--store URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._memory import peak_rss_mb, rss_mb, run_measured  # noqa: E402
from bot import app  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.domain import Actor, Identity  # noqa: E402
from bot.limits import LOOK_ALIKES_READ, PENDING_DEFAULT  # noqa: E402
from bot.ports import TABLES, Row, Transfer  # noqa: E402

MOD = Actor(Identity("console", "mod"), "mod", is_moderator=True)
START = datetime(2025, 12, 1, tzinfo=UTC)
PENDING = 10_000
BRIGADE_NAMES = 500
BATCH = 20_000
BUCKET = 1024


LIST_POS = TABLES["signatures"].index("list_pos")


def _rows(total: int, pending: int, version: str) -> Any:
    """Signatures in approval order; every 10th anonymous; the last ``pending`` await approval,
    signed by a brigade: :data:`BRIGADE_NAMES` names, each used by many accounts."""
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    approved = total - pending
    list_pos = 0
    for i in range(1, total + 1):
        at = t0 + timedelta(milliseconds=i)
        is_approved = i <= approved
        anonymous = i % 10 == 0
        pos = None
        if is_approved and not anonymous:
            list_pos += 1
            pos = list_pos
        name = f"Artist Number {i}" if is_approved else f"Brigade Artist {i % BRIGADE_NAMES}"
        row = {
            "id": i, "platform": "discord", "user_id": str(10_000_000 + i), "name": name,
            "name_key": name.lower().replace(" ", ""), "role": "musician",
            "location": "Somewhere", "link": f"https://a{i}.example", "anonymous": anonymous,
            "community": "discord:1", "status": "approved" if is_approved else "pending",
            "letter_version": version, "created_at": at, "decided_at": at if is_approved else None,
            "decided_by": "mod" if is_approved else None, "erased": False, "list_pos": pos,
            "look_key": name.lower().replace(" ", ""),
            "person": f"discord:{10_000_000 + i}",  # each signer an account of their own
            "lapsed": False,
        }  # fmt: skip
        # In the table's column order; a column added since is left NULL, as for a new row.
        yield tuple(row.get(column) for column in TABLES["signatures"])


async def seed(store: Transfer, total: int, pending: int, version: str = "v1") -> None:
    """``version``: the letter version every signature stands on (the configured letter's,
    unless a benchmark means to measure a change of text)."""
    batch: list[Row] = []
    listed = 0
    buckets: dict[int, int] = {}
    for row in _rows(total, pending, version):
        batch.append(row)
        pos = row[LIST_POS]
        if pos is not None:
            listed += 1
            buckets[pos // BUCKET] = buckets.get(pos // BUCKET, 0) + 1
        if len(batch) >= BATCH:
            await store.load("signatures", batch)
            batch = []
    if batch:
        await store.load("signatures", batch)
    await store.load("counters", [("approved", total - pending), ("listed", listed)])
    await store.load("listing_buckets", sorted(buckets.items()))
    await store.finish_load()


async def timed(fn: Callable[[], Awaitable[object]], repeat: int = 7) -> float:
    """Median milliseconds over ``repeat`` runs, after one warm-up."""
    await fn()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        await fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def export_rss(config: Path, out: Path) -> tuple[float, float]:
    """The export's own peak RSS (VmHWM, reported by the export process itself; not
    ``ru_maxrss``, which would carry this process's size across fork and exec)."""
    started = time.perf_counter()
    peak = run_measured(
        "bot",
        ["export", "--config", str(config), "--format", "csv", "--output", str(out)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    return peak, time.perf_counter() - started


def bot_rss(config: Path, burst: int) -> tuple[float, float, float]:
    """RSS of a console bot on this store, read from /proc while it runs: idle after start-up,
    after a signing burst, and its peak (VmHWM) by then."""
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--config", str(config)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert bot.stdin is not None and bot.stdout is not None
    lines: queue.SimpleQueue[str] = queue.SimpleQueue()
    # Read the bot's replies on a thread, so neither side ever blocks on a full pipe.
    threading.Thread(target=lambda: [lines.put(x) for x in bot.stdout], daemon=True).start()

    def wait_for_count() -> None:
        while "so far." not in lines.get(timeout=600):
            pass

    bot.stdin.write("/count\n")
    bot.stdin.flush()
    wait_for_count()
    idle = rss_mb(bot.pid)
    for n in range(burst):
        bot.stdin.write(f"/as burst{n}\n/sign Burst Artist {n} | singer | Town\n")
    bot.stdin.write("/count\n")
    bot.stdin.flush()
    wait_for_count()
    after, peak = rss_mb(bot.pid), peak_rss_mb(bot.pid)
    bot.stdin.close()
    bot.wait(timeout=60)
    return idle, after, peak


def _config(tmp: str, url: str) -> Path:
    text = (ROOT / "config.example.toml").read_text()
    text = text.replace('url = "sqlite:///pledgebot.db"', f'url = "{url}"')
    text = text.replace('listen = "127.0.0.1:8080"', 'listen = ""')
    path = Path(tmp) / "scale.toml"
    path.write_text(text)
    return path


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--store", default="", help="store URL (default: a fresh SQLite file)")
    parser.add_argument("--burst", type=int, default=2000)
    args = parser.parse_args()
    from sign_burst import fresh_store  # the same fresh-store helper as the burst benchmark

    with tempfile.TemporaryDirectory() as tmp:
        async with fresh_store(args.store, tmp) as url:
            config = _config(tmp, url)
            settings, _ = load_settings(config)
            version = app.build_letter(settings).version  # all signed the configured text
            async with app.opened(url) as store:
                started = time.perf_counter()
                await seed(cast(Transfer, store), args.signatures, PENDING, version)
                seeded = time.perf_counter() - started
            async with app.core(settings) as service:  # as `pledgebot run` builds it
                listed = await service.store.listed_count()
                pages = -(-listed // 20)
                waiting = await service.store.pending(PENDING_DEFAULT)
                keys = list({k for sig in waiting for k in (sig.name_key, sig.look_key)})
                results = {
                    "/count": await timed(service.count),
                    "/signatories 1": await timed(lambda: service.signatories(1)),
                    f"/signatories {pages // 2}": await timed(
                        lambda: service.signatories(pages // 2)
                    ),
                    f"/signatories {pages}": await timed(lambda: service.signatories(pages)),
                    f"/pending ({PENDING} pending)": await timed(lambda: service.pending(MOD)),
                    f"look-alikes of {len(waiting)} pending": await timed(
                        lambda: service.store.look_alikes(keys, LOOK_ALIKES_READ)
                    ),
                    "/count by text (moderators)": await timed(lambda: service.versions(MOD)),
                }
            export_peak, export_seconds = export_rss(config, Path(tmp) / "all.csv")
            csv_mb = (Path(tmp) / "all.csv").stat().st_size / 1e6
            idle, after, bot_peak = bot_rss(config, args.burst)
            async with app.core(settings) as service:
                # Once the text has changed (an earlier one recorded): the counts per text come
                # from an index scan, and each start walks the signatures for whoever still
                # needs telling (nobody here: all signed the current text).
                await service.store.write(
                    lambda tx: tx.record_letter_version("0" * 12, "an earlier text", START)
                )
                by_text = await timed(lambda: service.versions(MOD))
                started = time.perf_counter()
                await service.store.stale_signers(version, 0, 50)
                stale_scan = time.perf_counter() - started

    print(
        f"scale: {args.signatures:,} signatures ({PENDING:,} pending), "
        f"store={args.store or 'sqlite'}; seeded in {seeded:.1f} s"
    )
    print(f"{'query':34}{'median ms':>10}   target")
    targets = {"/count": 5.0}
    for name, ms in results.items():
        target = targets.get(name, 20.0)
        verdict = "MET" if ms <= target else "MISSED"
        print(f"{name:34}{ms:>10.2f}   ≤ {target:g} ms {verdict}")
    print("after a change of text (no target: moderators, and once per start):")
    print(f"{'  /count by text (moderators)':34}{by_text:>10.2f}")
    print(f"{'  start-up: who owes a notice':34}{stale_scan * 1000:>10.2f}")
    verdict = "MET" if export_peak <= 150 else "MISSED"
    print(
        f"{'full CSV export':34}{export_seconds * 1000:>10.0f}   peak RSS {export_peak:.0f} MB "
        f"(≤ 150 MB {verdict}), {csv_mb:.0f} MB written"
    )
    verdict = "MET" if idle <= 45 else "MISSED"
    print(
        f"console bot RSS: idle {idle:.0f} MB (target <= 45 MB {verdict}), after {args.burst} "
        f"signatures {after:.0f} MB, peak {bot_peak:.0f} MB"
    )


if __name__ == "__main__":
    asyncio.run(main())
