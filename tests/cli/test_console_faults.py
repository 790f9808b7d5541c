"""The console keeps answering whatever the database or the terminal does: a write lock held by
another process, a database opened read-only, bytes that are not UTF-8."""

from __future__ import annotations

import os
import queue
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from tests.cli.conftest import EXAMPLE, ROOT, Pledgebot

#: How long one step may wait for the console's answer (it comes in well under a second).
ANSWER_WAIT = 30.0


class Console:
    """``pledgebot console`` fed one line at a time, its output read as it comes."""

    def __init__(self, config: Path, cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "console", "--config", str(config), "--as", "mod"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            cwd=cwd, env={**env, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        self.lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)  # end of output: the console has exited

    def say(self, line: str, *expected: str) -> list[str]:
        """Send a line; return the output up to the one containing each expected text."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        seen: list[str] = []
        for text in expected:
            while True:
                got = self.lines.get(timeout=ANSWER_WAIT)
                assert got is not None, f"the console ended after {line!r}: {seen}"
                seen.append(got)
                if text in got:
                    break
        return seen

    def finish(self) -> tuple[int, str]:
        assert self.process.stdin is not None
        self.process.stdin.close()
        code = self.process.wait(timeout=ANSWER_WAIT)
        assert self.process.stderr is not None
        return code, self.process.stderr.read()


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE.replace('url = "sqlite:///pledgebot.db"', f'url = "{url}"'))
    return path


def test_a_write_lock_held_by_another_process_never_ends_the_console(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    console = Console(_config(tmp_path, f"sqlite:///{db}?timeout=0.3"), tmp_path)
    try:
        console.say("/count", "0 signatures so far")
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # e.g. a maintenance script writing
        try:
            console.say("/sign Ada Lovelace", "temporarily unavailable")
            # The outbox's bookkeeping after that command could not write either; the console
            # is still here, and reading works.
            console.say("/count", "0 signatures so far")
            console.say("/as ada", "You are now ada")
        finally:
            other.execute("ROLLBACK")
            other.close()
        answered = console.say("/sign Ada Lovelace", "is recorded", "[mod queue] #1 awaits")
        assert any("Signature #1 is recorded" in line for line in answered)
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            console.say("/as mod", "You are now mod")
            console.say("/approve 1", "temporarily unavailable")
            console.say("/status", "You have not signed yet")
        finally:
            other.execute("ROLLBACK")
            other.close()
        # What was owed while the lock was held is printed once it is gone.
        console.say("/approve 1", "#1 approved", "[to ada] Your signature #1")
    finally:
        code, err = console.finish()
    assert code == 0, err
    assert "pledgebot: error" not in err  # (the store logs each refused commit; that is all)


def test_a_read_only_database_still_serves_reading(pledgebot: Pledgebot, tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    config = _config(tmp_path, f"sqlite:///{db}")
    first = pledgebot("console", "--config", str(config), stdin="/sign Ada\n")
    assert first.returncode == 0, first.stderr
    before = db.read_bytes()
    config = _config(tmp_path, f"sqlite:///{db}?mode=ro")
    result = pledgebot(
        "console", "--config", str(config), "--as", "mod", stdin="/count\n/sign Bob\n/pending\n"
    )
    assert result.returncode == 0, result.stderr
    assert "0 signatures so far" in result.stdout
    assert "temporarily unavailable" in result.stdout  # the signature is refused...
    assert "#1 awaits approval: Ada" in result.stdout  # ...and the queue can still be read
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before


def test_bytes_that_are_not_utf8_do_not_end_the_console(tmp_path: Path) -> None:
    config = _config(tmp_path, f"sqlite:///{tmp_path}/p.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--config", str(config)],
        input=b"/count\n/sign Ad\xffa \xc3\x28 Lovelace\n/status\n/count\n",
        capture_output=True, cwd=tmp_path, timeout=60, check=False,
        env={**env, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8:strict",
             "LC_ALL": "C.UTF-8"},
    )  # fmt: skip
    out, err = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, err
    assert out.count("0 signatures so far") == 2  # the line before the bad bytes, and after
    assert "Signature #1 is recorded" in out
    assert "Signature #1: Ad\ufffda \ufffd( Lovelace" in out
