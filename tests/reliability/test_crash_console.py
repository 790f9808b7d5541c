"""Crash safety on the console: kill -9 the bot mid-burst, again and again, and lose nothing.

Each round starts ``pledgebot console`` on the same SQLite file, pipes a burst of signatures and
approvals into it, and kills it with SIGKILL after a random number of answers. What the bot
acknowledged must be in the database after every crash; the count must equal the approved rows;
every crossed milestone must be announced; and once a last run has drained the outbox, nothing
may be left owed.

And no outbox line (announcement, mod-queue line, message to a signer) is printed twice: the
console notes each line's id in its journal before printing it, so a restart records the lines
a killed run printed instead of printing them again. (Before the journal, a kill between the
print and the database commit recording it repeated the line at the next start: 19 of 20 kills
aimed right after an announcement.)
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import EXAMPLE

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("CRASH_ROUNDS", "5"))  # `make soak` runs 50
SIGNED = re.compile(r"Signature #(\d+) is recorded")
APPROVED = re.compile(r"^#(\d+) approved: (.+)\.$")
ANNOUNCED = re.compile(r"^\[announcement\] (\d+) artists have signed")
OUTBOX_LINE = re.compile(r"^\[(announcement|mod queue|alert|to [^\]]+)\] ")

pytestmark = pytest.mark.slow


def _burst(round_no: int, pending: list[int]) -> str:
    """The moderator approves what waits from earlier rounds, new artists sign, and the
    moderator approves them too, in batches."""
    lines = ["/as mod"] + [f"/approve {' '.join(map(str, pending[i : i + 5]))}"
                           for i in range(0, len(pending), 5)]  # fmt: skip
    for n in range(12):
        lines += [f"/as r{round_no}u{n}", f"/sign Artist {round_no}-{n} | singer"]
    lines += ["/as mod", "/approve " + " ".join(str(i) for i in range(1, 400))]
    return "\n".join(lines) + "\n"


def _run_and_kill(command: list[str], stdin: str, env: dict[str, str], after: int) -> list[str]:
    """Feed the bot and read its answers; SIGKILL it after ``after`` lines of output. Returns
    everything it printed before it died, including what it printed while the kill was on its
    way (a terminal would show that too)."""
    bot = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, env=env, cwd=ROOT,
    )  # fmt: skip
    assert bot.stdin is not None and bot.stdout is not None
    try:
        bot.stdin.write(stdin)
        bot.stdin.close()  # end of input: a bot that gets through it all exits by itself
    except BrokenPipeError:
        pass
    seen: list[str] = []
    for line in bot.stdout:
        seen.append(line.rstrip("\n"))
        if len(seen) >= after:
            os.kill(bot.pid, signal.SIGKILL)
            break
    bot.wait(timeout=30)
    seen += [line.rstrip("\n") for line in bot.stdout]  # the rest, up to its last write
    bot.stdout.close()
    return seen


def test_kill_9_repeatedly_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    config = tmp_path / "config.toml"
    config.write_text(
        EXAMPLE.replace('url = "sqlite:///pledgebot.db"', f'url = "sqlite:///{db}"')
        .replace("thresholds = [10, 50, 100, 250, 500, 1000]", "thresholds = [5, 20, 40, 80]")
        .replace("every = 1000", "every = 0")
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "console", "--config", str(config), "--as", "mod"]
    rng = random.Random(7)
    acked_signatures: dict[int, str] = {}
    acked_approvals: set[int] = set()
    announced: list[int] = []
    printed: list[str] = []  # every outbox line, from every run
    for round_no in range(ROUNDS):
        pending = sorted(set(acked_signatures) - acked_approvals)
        out = _run_and_kill(command, _burst(round_no, pending), env, after=rng.randint(5, 80))
        for line in out:
            if (m := SIGNED.search(line)) is not None:
                acked_signatures[int(m.group(1))] = f"round {round_no}"
            if (m := APPROVED.match(line)) is not None:
                acked_approvals.add(int(m.group(1)))
            if (m := ANNOUNCED.match(line)) is not None:
                announced.append(int(m.group(1)))
            if OUTBOX_LINE.match(line):
                printed.append(line)
        # After every crash: what was acknowledged is stored.
        with sqlite3.connect(db) as conn:
            rows = dict(conn.execute("SELECT id, status FROM signatures").fetchall())
            count = conn.execute("SELECT value FROM counters WHERE name = 'approved'").fetchone()
        assert set(acked_signatures) <= set(rows)
        assert all(rows[i] == "approved" for i in acked_approvals)
        assert count[0] == sum(s == "approved" for s in rows.values())

    # A last, clean run delivers whatever the crashes left owed.
    final = subprocess.run(command, input="/count\n", text=True, env=env, cwd=ROOT,
                           capture_output=True, timeout=60, check=True)  # fmt: skip
    announced += [int(m.group(1)) for line in final.stdout.splitlines()
                  if (m := ANNOUNCED.match(line))]  # fmt: skip
    printed += [line for line in final.stdout.splitlines() if OUTBOX_LINE.match(line)]
    with sqlite3.connect(db) as conn:
        approved = conn.execute("SELECT COUNT(*) FROM signatures WHERE status = 'approved'")
        total = approved.fetchone()[0]
        owed = conn.execute(
            "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
        ).fetchone()[0]
        written = [m for (m,) in conn.execute(
            "SELECT milestone FROM outbox WHERE kind = 'announcement' AND platform = 'console'"
        )]  # fmt: skip
    crossed = [m for m in (5, 20, 40, 80) if m <= total]
    assert len(crossed) >= 2, f"only {total} approved: the rounds should cross milestones"
    assert sorted(written) == crossed  # each written once, for the console's destination
    assert set(announced) == set(crossed)  # and each was printed
    assert owed == 0
    # Printed once each, across every kill and restart.
    repeated = sorted({line for line in printed if printed.count(line) > 1})
    assert not repeated, repeated
    assert len(announced) == len(set(announced))


def test_a_restart_records_what_a_killed_run_noted_instead_of_printing_it_again(
    tmp_path: Path,
) -> None:
    """The state a kill leaves, set up exactly: two announcement rows still "sending", one of
    them noted in the console's journal (printed) and one not (the kill came before its turn)."""
    db = tmp_path / "crash.db"
    config = tmp_path / "config.toml"
    config.write_text(
        EXAMPLE.replace('url = "sqlite:///pledgebot.db"', f'url = "sqlite:///{db}"')
        .replace("thresholds = [10, 50, 100, 250, 500, 1000]", "thresholds = [1, 2]")
        .replace("every = 1000", "every = 0")
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot", "console", "--config", str(config), "--as", "mod"]
    first = subprocess.run(command, input="/sign A\n/approve 1\n/as b\n/sign B\n/as mod\n"
                           "/approve 2\n", text=True, env=env, capture_output=True,
                           timeout=60, check=True)  # fmt: skip
    assert first.stdout.count("[announcement]") == 2
    with sqlite3.connect(db) as conn:
        (printed, owed) = [i for (i,) in conn.execute(
            "SELECT id FROM outbox WHERE platform = 'console' AND kind = 'announcement' "
            "ORDER BY milestone"
        )]  # fmt: skip
        conn.execute(
            "UPDATE outbox SET status = 'sending', delivered_at = NULL WHERE id IN (?, ?)",
            (printed, owed),
        )
    conn.close()
    (tmp_path / "crash.db-console").write_text(f"{printed}\n")

    again = subprocess.run(command, input="/count\n", text=True, env=env, capture_output=True,
                           timeout=60, check=True)  # fmt: skip
    assert "[announcement] 1 artists" not in again.stdout  # noted: recorded, not printed again
    assert again.stdout.count("[announcement] 2 artists") == 1  # not noted: printed
    with sqlite3.connect(db) as conn:
        statuses = {row[0] for row in conn.execute(
            "SELECT status FROM outbox WHERE id IN (?, ?)", (printed, owed)
        )}  # fmt: skip
    conn.close()
    assert statuses == {"delivered"}
    journal = tmp_path / "crash.db-console"
    assert not journal.exists() or not journal.read_text()  # emptied once recorded
