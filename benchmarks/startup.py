"""Start-up: how long ``pledgebot`` takes to answer, as a whole process, over several runs.

* ``pledgebot --version`` and ``pledgebot --help``: from the process's start to its exit;
* ``pledgebot console`` on a terminal: from the start to the first line it prints (the greeting,
  printed once the store is open and the console is ready for a command), on a fresh SQLite
  file's second opening (the first, not timed, creates it);
* the idle console bot's memory: its resident size (``VmRSS``) and high-water mark (``VmHWM``),
  read from ``/proc/PID/status`` at that first line, target ≤ 45 MB. ``benchmarks/scale.py``
  reads the same figure on a store of a million signatures, after a ``/count``.

Each figure is wall-clock time (min / median / max over ``--runs``) and the process's own CPU
time (user + system, from ``wait4``), the latter being what a busy machine disturbs least. A
bare ``python -c pass`` is timed alongside as the floor no Python command can go below.

    python benchmarks/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLEDGEBOT = str(Path(sys.executable).parent / "pledgebot")
#: The commands run as an installed pledgebot runs: with its modules' bytecode cached (pip
#: compiles it at install). PYTHONDONTWRITEBYTECODE, if set here, would have every run compile
#: pledgebot's sources again (about 0.1 s of CPU).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _whole(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a command run to its exit, output thrown away."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{argv} exited with {process.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def _first_line(argv: list[str]) -> tuple[float, float, float, float]:
    """(wall seconds to the first printed line, CPU seconds by then, resident and peak MB then)
    of a command on a terminal; it is then stopped."""
    master, slave = pty.openpty()
    started = time.perf_counter()
    process = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        cwd=ROOT,
        env=ENV,
    )
    os.close(slave)
    seen = b""
    try:
        while b"\n" not in seen:
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                raise RuntimeError(f"{argv} printed no line in 30 s")
            seen += os.read(master, 4096)
        wall = time.perf_counter() - started
        ticks = os.sysconf("SC_CLK_TCK")
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        rss, peak = _status_mb(process.pid, "VmRSS"), _status_mb(process.pid, "VmHWM")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        os.close(master)
    return wall, cpu, rss, peak


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def _config(tmp: str) -> Path:
    text = (ROOT / "config.example.toml").read_text()
    text = text.replace('url = "sqlite:///pledgebot.db"', f'url = "sqlite:///{tmp}/startup.db"')
    text = text.replace('listen = "127.0.0.1:8080"', 'listen = ""')
    path = Path(tmp) / "startup.toml"
    path.write_text(text)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = str(_config(tmp))
        console = [PLEDGEBOT, "console", "--config", config]
        _first_line(console)  # creates the database and caches bytecode: not what a start costs
        _whole([PLEDGEBOT, "--help"])
        memory: list[tuple[float, float]] = []

        def console_start() -> tuple[float, float]:
            wall, cpu, rss, peak = _first_line(console)
            memory.append((rss, peak))
            return wall, cpu

        cases: list[tuple[str, Callable[[], tuple[float, float]], int | None]] = [
            ("python -c pass (floor)", lambda: _whole([sys.executable, "-c", "pass"]), None),
            ("pledgebot --version", lambda: _whole([PLEDGEBOT, "--version"]), 100),
            ("pledgebot --help", lambda: _whole([PLEDGEBOT, "--help"]), 100),
            ("pledgebot console: 1st line", console_start, 250),
        ]
        results: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in cases}
        for _ in range(args.runs):  # the cases take turns, so a busy spell hits them alike
            for name, run, _ in cases:
                results[name].append(run())
    print(f"startup: each command {args.runs} times as a whole process, in turns")
    print(f"{'':30}{'wall ms: min':>13}{'median':>8}{'max':>8}{'CPU ms: median':>16}   target")
    for name, _, target in cases:
        walls = sorted(w * 1000 for w, _ in results[name])
        cpu = statistics.median(c * 1000 for _, c in results[name])
        median = statistics.median(walls)
        verdict = (
            ""
            if target is None
            else (f"wall median <= {target} ms {'MET' if median <= target else 'MISSED'}")
        )
        print(f"{name:30}{walls[0]:>13.0f}{median:>8.0f}{walls[-1]:>8.0f}{cpu:>16.0f}   {verdict}")
    rss = sorted(r for r, _ in memory)
    idle = statistics.median(rss)
    print(
        f"{'pledgebot console: idle RSS':30}min {rss[0]:.1f}, median {idle:.1f}, max {rss[-1]:.1f} "
        f"MB; peak {max(p for _, p in memory):.1f} MB   median <= 45 MB "
        f"{'MET' if idle <= 45 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
