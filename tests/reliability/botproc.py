"""``pledgebot run`` as a subprocess against a fake platform, and its SQLite file read directly.

Shared by the crash tests: the fake lives in the test's event loop, the bot is the real command
in its own process, so SIGKILL stops it at any instruction, as a power cut or an OOM kill would.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LETTER = """\
[letter]
title = "No Music For ICE"
preamble = "We the undersigned artists pledge:"
demands = ["Terminate the contracts.", "Stop the cloud services."]
closing = "Join us."
"""

#: Logged by the outbox dispatcher at start-up for rows a killed run had claimed ("sending").
RELEASED = re.compile(r"outbox: (\d+) message\(s\) left in flight by an earlier run")


def write_config(tmp_path: Path, db: Path, sections: str) -> Path:
    """A config file: the letter, manual approval, low milestones, ``db``, and ``sections``."""
    path = tmp_path / "config.toml"
    path.write_text(
        f"{LETTER}\n"
        '[signing]\napproval = "manual"\n\n'
        "[milestones]\nthresholds = [5, 15, 30]\nevery = 0\n"
        'message = "{count} artists have signed “{title}”."\n\n'
        f'[storage]\nurl = "sqlite:///{db}"\n\n'
        f"{sections}",
        encoding="utf-8",
    )
    return path


class BotProcess:
    """``python -m bot run --config CONFIG``, started and stopped again and again; each run
    writes its log (INFO and up, stderr) to its own file. ``module`` replaces ``bot`` with a
    wrapper that calls the same command line."""

    def __init__(
        self,
        config: Path,
        workdir: Path,
        env: dict[str, str] | None = None,
        *,
        module: str = "bot",
    ) -> None:
        self.config = config
        self.module = module
        self.workdir = workdir
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")},
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.logs: list[Path] = []
        self._process: asyncio.subprocess.Process | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        assert not self.running, "already running"
        log = self.workdir / f"run-{len(self.logs) + 1:02d}.log"
        self.logs.append(log)
        with log.open("wb") as stderr:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", self.module, "run", "--config", str(self.config),
                cwd=self.workdir, env=self.env, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip

    async def exited(self) -> int:
        """Wait for the process to end by itself (e.g. a config error); its exit code."""
        assert self._process is not None
        return await self._process.wait()

    async def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs."""
        process = self._process
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await asyncio.wait_for(process.wait(), 10)

    async def stop(self) -> int:
        """SIGTERM, as a service manager stops it; the exit code."""
        process = self._process
        assert process is not None
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(process.wait(), 20)

    def log_text(self, run: int = -1) -> str:
        return self.logs[run].read_text(encoding="utf-8", errors="replace")

    def released_claims(self) -> list[int]:
        """Per run, how many outbox rows it found left "sending" by the run killed before it."""
        found = []
        for log in self.logs:
            m = RELEASED.search(log.read_text(encoding="utf-8", errors="replace"))
            found.append(int(m.group(1)) if m else 0)
        return found


@dataclass(frozen=True)
class Snapshot:
    """What the database file holds, read by a separate connection (the bot may be dead)."""

    statuses: dict[int, str]
    approved_counter: int
    owed: int  # outbox rows pending or sending, any platform

    @property
    def approved(self) -> int:
        return sum(status == "approved" for status in self.statuses.values())


def snapshot(db: Path) -> Snapshot:
    with sqlite3.connect(db, timeout=10) as conn:
        statuses = dict(conn.execute("SELECT id, status FROM signatures").fetchall())
        row = conn.execute("SELECT value FROM counters WHERE name = 'approved'").fetchone()
        owed = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
        ).fetchone()[0]
    conn.close()
    return Snapshot(statuses, row[0] if row else 0, owed)


def outbox_rows(db: Path, platform: str) -> list[sqlite3.Row]:
    """id, kind, destination, milestone, status, ref, attempts of one platform's rows."""
    with sqlite3.connect(db, timeout=10) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT id, kind, destination, milestone, status, ref, attempts FROM outbox "
            "WHERE platform = ? ORDER BY id",
            (platform,),
        ).fetchall()
    conn.close()
    return rows


async def wait_until_drained(db: Path, *, timeout: float) -> Snapshot:  # noqa: ASYNC109
    """Poll the file until the outbox owes nothing (the bot delivers in its own process)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        state = snapshot(db)
        if state.owed == 0:
            return state
        if loop.time() > deadline:
            raise AssertionError(f"the outbox still owes {state.owed} message(s) after {timeout}s")
        await asyncio.sleep(0.1)
