"""On a terminal, ``/sign`` alone asks for each field in turn."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.conftest import ROOT


def _read_until(fd: int, marker: bytes, seen: bytearray, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {marker!r} in {bytes(seen)!r}"
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk


def test_sign_asks_field_by_field_on_a_terminal(config: Path, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--config", str(config), "--as", "dee"],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
    )
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, b"dee> ", seen)
        os.write(master, b"/sign\n")
        for prompt, answer in (
            (b"Public name: ", b"Dee Dee\n"),
            (b"Role/affiliation (optional): ", b"\n"),
            (b"Location (optional): ", b"Oslo\n"),
            (b"Link (optional): ", b"\n"),
        ):
            _read_until(master, prompt, seen)
            os.write(master, answer)
        _read_until(master, b"You are signing as Dee Dee.", seen)
        os.write(master, b"/status\n")
        _read_until(master, b"Signature #1: Dee Dee, Oslo", seen)
        os.write(master, b"\x04")  # Ctrl-D: end of input
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
        assert proc.stderr is not None
        proc.stderr.close()


def test_run_without_a_token_on_a_terminal_is_the_console(config: Path, tmp_path: Path) -> None:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        stdin=slave, stdout=slave, stderr=subprocess.PIPE, cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, b"artist> ", seen)
        os.write(master, b"/count\n")
        _read_until(master, b"0 signatures so far.", seen)
        os.write(master, b"\x04")
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert "no platform token is set: starting the console adapter" in err
