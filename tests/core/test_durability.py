"""An acknowledged signature survives ``kill -9`` of the process that acknowledged it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from pathlib import Path

from bot.domain import Status
from storage.sqlite import SQLiteStore

CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from bot.domain import Destinations, SignatureForm
    from bot.app import default_rules
    from bot.service import PledgeService
    from storage.sqlite import SQLiteStore
    from tests.conftest import LETTER, artist

    async def main(url):
        async with SQLiteStore(url) as store:
            service = PledgeService(store, LETTER, default_rules(approval="auto"),
                                    Destinations((("console", "a"),), ()))
            await service.start()

            # 64 signers at a time keep every group commit full. (Starting all 100,000 at once
            # cost ~6 s of CPU before the first answer, and half a minute on a busy machine.)
            numbers = iter(range(100_000))

            async def signer():
                for n in numbers:
                    r = await service.sign(artist(n), SignatureForm(f"Artist {n}"), community="c")
                    print(f"ack {r.signature.id} {n}", flush=True)

            await asyncio.gather(*(signer() for _ in range(64)))

    asyncio.run(main(sys.argv[1]))
    """
)


async def test_acknowledged_signatures_survive_kill_9(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        url,
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert child.stdout is not None
    acked: dict[int, str] = {}
    async with asyncio.timeout(60):
        while len(acked) < 500:
            line = await child.stdout.readline()
            assert line, "the child died before acknowledging enough signatures"
            _, sig_id, n = line.decode().split()
            acked[int(sig_id)] = n
    os.kill(child.pid, signal.SIGKILL)
    await child.wait()

    async with SQLiteStore(url) as store:
        for sig_id, n in acked.items():
            sig = await store.get_signature(sig_id)
            assert sig is not None and sig.name == f"Artist {n}"
            assert sig.status is Status.APPROVED
        approved = 0
        async for _ in store.listed_signatures():
            approved += 1
        assert await store.count() == approved >= len(acked)
