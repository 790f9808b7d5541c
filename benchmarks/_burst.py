"""What discord_burst.py and telegram_burst.py share: the closed-loop driver, the bot process,
CPU accounting and the table.

Layout of a run: this process serves the loopback fake (Discord or the Bot API) and drives the
load; each bot under test runs in its own child process (the same script with ``--child``), so
the fake's own CPU time is never charged to the bot, as with the real, remote platform. Latency is
measured inside the fake: from the moment a user's event is handed to the bot (gateway frame
sent, update available to getUpdates) to the moment the bot's answer reaches the fake.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import resource
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._memory import peak_rss_mb  # noqa: E402

#: Ticks per second of /proc/<pid>/stat's utime and stime.
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- measuring --------------------------------------------------------------------------------
@dataclass
class Run:
    """One bot's measured burst."""

    name: str
    latencies: list[float]  # seconds, one per user, in completion order
    elapsed: float  # first dispatch to last answer
    bot_cpu: float  # seconds of CPU the bot process used during the burst (all threads)
    fake_cpu: float  # seconds of CPU this process (the fake and the driver) used meanwhile
    other_cpu: float  # seconds of CPU every other process on the machine used meanwhile
    failures: list[str] = field(default_factory=list)  # answers that were not the expected one
    threads: list[ThreadUse] = field(default_factory=list)  # the bot's threads, busiest first
    child: dict[str, Any] = field(default_factory=dict)  # what the bot process reported at exit

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed

    def percentile(self, fraction: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] * 1000


@dataclass
class ThreadUse:
    """What one thread of the bot process did during the burst (Linux /proc): on one core,
    a second busy thread costs context switches and kernel time that an instruction count does
    not show (pledgebot's store runs each group commit on its own thread)."""

    main: bool  # the process's first thread: the event loop
    cpu: float  # seconds on a CPU (schedstat's nanoseconds; utime + stime without it)
    kernel: float  # seconds of that in the kernel (stime, in clock ticks)
    blocked: int  # voluntary context switches: it waited (I/O, a futex: the GIL, a queue)
    preempted: int  # involuntary ones: the scheduler gave its CPU to another thread


def thread_uses(pid: int) -> dict[int, ThreadUse]:
    """Every thread of a process, so far (a thread that ends before the next read drops out)."""
    uses = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text().rsplit(")", 1)[1].split()
            status = (task / "status").read_text()
            schedstat = task / "schedstat"
            ran = int(schedstat.read_text().split()[0]) / 1e9 if schedstat.exists() else None
        except (OSError, ValueError):
            continue
        switches = dict(line.split(":") for line in status.splitlines() if "ctxt_switches" in line)
        kernel = int(stat[12]) / _CLOCK_TICKS
        uses[int(task.name)] = ThreadUse(
            main=int(task.name) == pid,
            cpu=int(stat[11]) / _CLOCK_TICKS + kernel if ran is None else ran,
            kernel=kernel,
            blocked=int(switches["voluntary_ctxt_switches"]),
            preempted=int(switches["nonvoluntary_ctxt_switches"]),
        )
    return uses


def _thread_deltas(before: dict[int, ThreadUse], after: dict[int, ThreadUse]) -> list[ThreadUse]:
    deltas = []
    for tid, end in after.items():
        start = before.get(tid, ThreadUse(end.main, 0.0, 0.0, 0, 0))
        deltas.append(
            ThreadUse(
                end.main,
                end.cpu - start.cpu,
                end.kernel - start.kernel,
                end.blocked - start.blocked,
                end.preempted - start.preempted,
            )
        )
    return sorted(deltas, key=lambda use: (not use.main, -use.cpu))


#: Longest a burst (or a warm-up) may take before the run is called failed.
BURST_TIMEOUT = 600.0


async def closed_loop(
    users: int, concurrency: int, one: Callable[[int], Awaitable[float]]
) -> tuple[list[float], float]:
    """Users 0..users-1, each once, with ``concurrency`` in flight (0: all at once): a user's
    turn comes as soon as an earlier one was answered. ``one(n)`` dispatches user n and returns
    its latency. Returns the latencies and the seconds from the first dispatch to the last
    answer."""
    pending = iter(range(users))
    latencies: list[float] = []

    async def worker() -> None:
        for n in pending:
            latencies.append(await one(n))

    workers = users if concurrency <= 0 else min(concurrency, users)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(BURST_TIMEOUT):
            await asyncio.gather(*(worker() for _ in range(workers)))
    except TimeoutError:
        missing = users - len(latencies)
        raise RuntimeError(
            f"{missing} of {users} users got no answer in {BURST_TIMEOUT:.0f} s"
        ) from None
    return latencies, time.perf_counter() - started


async def timed_burst(
    name: str,
    bot_pid: int,
    users: int,
    concurrency: int,
    one: Callable[[int], Awaitable[float]],
) -> Run:
    """The measured stretch: :func:`closed_loop` with the CPU meters running. This process's
    garbage collector is paused meanwhile: the fake keeps every request it saw, and a full
    collection of that in the middle of a burst would be charged to the bot as latency."""
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        meter = CpuMeter(bot_pid)
        latencies, elapsed = await closed_loop(users, concurrency, one)
        bot_cpu, fake_cpu, other_cpu = meter.stop()
    finally:
        gc.enable()
        gc.unfreeze()
    run = Run(name, latencies, elapsed, bot_cpu, fake_cpu, other_cpu)
    run.threads = meter.threads
    return run


def median_run(runs: list[Run]) -> Run:
    """The round with the median throughput (the lower middle one for an even count)."""
    return sorted(runs, key=lambda run: run.rate)[(len(runs) - 1) // 2]


class Arrivals:
    """Answers keyed by what they answer (interaction id, chat id): the fake calls
    :meth:`arrived` when one comes in; :meth:`wait` gives its arrival time, whether it came
    before or after the wait began."""

    def __init__(self) -> None:
        self._times: dict[Any, tuple[float, Any]] = {}
        self._waiters: dict[Any, asyncio.Future[tuple[float, Any]]] = {}

    def arrived(self, key: Any, detail: Any = None) -> None:
        if key in self._times:
            return  # only the first answer counts
        entry = (time.perf_counter(), detail)
        self._times[key] = entry
        waiter = self._waiters.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(entry)

    async def wait(self, key: Any) -> tuple[float, Any]:
        """(arrival time, detail); bounded by the caller (see :func:`timed_burst`)."""
        if key in self._times:
            return self._times[key]
        waiter = asyncio.get_running_loop().create_future()
        self._waiters[key] = waiter
        try:
            return await waiter
        finally:
            self._waiters.pop(key, None)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, every thread included (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent busy so far (Linux /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / _CLOCK_TICKS


class CpuMeter:
    """CPU used during a stretch of time: by the bot process, by this one, by everyone else."""

    def __init__(self, bot_pid: int) -> None:
        self.bot_pid = bot_pid
        self.threads: list[ThreadUse] = []  # the bot's threads over the stretch, once stopped
        self._start_threads = thread_uses(bot_pid)
        self._start = self._read()

    def _read(self) -> tuple[float, float, float]:
        return cpu_seconds(self.bot_pid), own_cpu_seconds(), machine_busy_seconds()

    def stop(self) -> tuple[float, float, float]:
        """(bot, this process, every other process) CPU seconds since the meter started."""
        bot, own, busy = (b - a for a, b in zip(self._start, self._read(), strict=True))
        self.threads = _thread_deltas(self._start_threads, thread_uses(self.bot_pid))
        return bot, own, max(0.0, busy - bot - own)


# -- processes and cores ----------------------------------------------------------------------
#: The cores bot processes run on (None: not pinned); set by :func:`pin_cores`.
_bot_cpus: set[int] | None = None


def pin_cores() -> str:
    """With two cores or more, pin this process (the fake and the driver) to the first and
    every bot process to the others, so that the fake never takes CPU from the bot under test
    (two processes that keep waking each other otherwise often end up on one core, at half a
    core each). Returns the layout, for the output."""
    global _bot_cpus
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return "fake and bot share the only core"
    os.sched_setaffinity(0, {available[0]})
    _bot_cpus = set(available[1:])
    listed = ",".join(str(c) for c in available[1:])
    return f"fake pinned to core {available[0]}, bot process to core(s) {listed}"


# -- the bot process --------------------------------------------------------------------------
class BotProcess:
    """A bot under test in a child process: ``python SCRIPT --child KIND --spec JSON``.

    Its stderr is passed through (prefixed) so a bot error is seen, not swallowed; at the end it
    is stopped with SIGTERM, like ``pledgebot run``, and its last stdout line (a JSON report)
    is returned.
    """

    def __init__(self, script: str, kind: str, spec: dict[str, Any]) -> None:
        self.script, self.kind, self.spec = script, kind, spec
        self.process: asyncio.subprocess.Process | None = None
        self._stderr_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        cpus = _bot_cpus
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            self.script,
            "--child",
            self.kind,
            "--spec",
            json.dumps(self.spec),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env=env,
            preexec_fn=None if cpus is None else lambda: os.sched_setaffinity(0, cpus),
        )
        self._stderr_task = asyncio.create_task(self._pass_stderr())

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def _pass_stderr(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for line in self.process.stderr:
            sys.stderr.write(f"  [{self.kind} bot] {line.decode(errors='replace')}")

    async def stop(self, timeout: float = 30.0) -> dict[str, Any]:  # noqa: ASYNC109
        process = self.process
        assert process is not None and process.stdout is not None
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(timeout):
                out = await process.stdout.read()
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()
            raise RuntimeError(f"the {self.kind} bot did not stop within {timeout} s") from None
        if self._stderr_task is not None:
            await self._stderr_task
        lines = out.decode().strip().splitlines()
        if process.returncode != 0 or not lines:
            raise RuntimeError(f"the {self.kind} bot exited with {process.returncode}")
        report: dict[str, Any] = json.loads(lines[-1])
        return report


async def serve_pledgebot(spec: dict[str, Any], platform: str, section: dict[str, Any]) -> None:
    """In the bot process: pledgebot exactly as ``pledgebot run --only PLATFORM`` runs it — the
    settings (the benchmark letter, ``section`` as the platform's) through the composition root,
    :func:`bot.app.run_bot`, until signalled — then report how many signatures were made
    (approved or pending). Telegram's flood limits are off: the fake does not impose them."""
    from bot import app
    from bot.config import Settings

    settings = Settings(
        letter={
            "title": "Benchmark letter",
            "preamble": "We pledge:",
            "demands": ["One.", "Two."],
            "closing": "Join us.",
        },
        signing={"approval": spec["approval"]},
        storage={"url": spec["db"]},
        web={"listen": ""},
        **{platform: section},
    )
    await app.run_bot(settings, only=platform, flood_limits=False)
    async with app.opened(spec["db"]) as store:
        signatures = await store.count() + len(await store.pending(limit=1_000_000))
    child_report(signatures=signatures)


def child_report(**values: Any) -> None:
    """The bot process's last stdout line; its peak RSS read from the process itself (VmHWM:
    ``ru_maxrss`` would include the benchmark's own size, carried across fork and exec), and
    the collector's passes per generation over the process's life, start-up included."""
    passes = [generation["collections"] for generation in gc.get_stats()]
    print(json.dumps({"peak_rss_mb": peak_rss_mb(), "gc_passes": passes, **values}), flush=True)


# -- the garbage collector --------------------------------------------------------------------
#: ``--bare-gc``: the bare bot under pledgebot's collector settings (the default, so that the
#: ratios compare the bots' own work), or CPython's default (the comparison before they were
#: equalised, for the record).
BARE_GC = ("tuned", "default")


def add_bare_gc_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bare-gc",
        choices=BARE_GC,
        default="tuned",
        help="the bare bot's garbage collector: pledgebot's settings (tuned; the default, a "
        "setting any bot could apply, like the transport) or CPython's default",
    )


def collector_line(bare_gc: str) -> str:
    """The header line saying which collector each side ran with."""
    tuned = "gc.freeze after start-up, young threshold 10,000 (bot/app/collector.py)"
    if bare_gc == "tuned":
        return f"  collector: both sides {tuned}"
    return f"  collector: pledgebot {tuned}; bare: CPython's default (--bare-gc default)"


@contextmanager
def bare_collector(bare_gc: str) -> Iterator[Callable[[], None]]:
    """In the bare bot's process, around all it does: pledgebot's collector settings, entered
    and left as ``core()`` enters and leaves them (:func:`bot.app.collector.tuned_for_serving`).
    Yields what to call once the bare client is built, before it serves: pledgebot's
    :func:`bot.app.collector.freeze_startup` at that moment (nothing with ``default``)."""
    from bot.app.collector import freeze_startup, tuned_for_serving

    if bare_gc != "tuned":
        yield lambda: None
        return
    with tuned_for_serving():
        yield freeze_startup


# -- output -----------------------------------------------------------------------------------
def rounds_line(runs: list[Run]) -> str:
    """Each round's throughput and the bot's CPU per answered user, for the rounds line: the CPU
    of every round, since a busy machine moves throughput more than it moves CPU."""
    rates = ", ".join(f"{run.rate:.0f}" for run in runs)
    cpu = ", ".join(f"{run.bot_cpu / len(run.latencies) * 1e6:.0f}" for run in runs)
    return f"{rates}; bot us/op {cpu}"


def print_table(runs: list[Run], *, unit: str) -> None:
    """Throughput and latency, then CPU: in cores busy during the burst and in microseconds per
    answered user (machine-dependent, but less disturbed than throughput when the machine is
    shared); ``others`` is the CPU every other process on the machine used meanwhile."""
    print(
        f"{'':12}{unit + '/s':>16}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'seconds':>8}"
        f"{'bot CPU':>9}{'bot us/op':>10}{'fake CPU':>9}{'fake us/op':>11}{'others':>8}"
    )
    for run in runs:
        users = len(run.latencies)
        print(
            f"{run.name:12}{run.rate:>16.0f}{run.percentile(0.50):>8.1f}"
            f"{run.percentile(0.99):>8.1f}{max(run.latencies) * 1000:>8.1f}{run.elapsed:>8.2f}"
            f"{run.bot_cpu / run.elapsed:>9.0%}{run.bot_cpu / users * 1e6:>10.0f}"
            f"{run.fake_cpu / run.elapsed:>9.0%}{run.fake_cpu / users * 1e6:>11.0f}"
            f"{run.other_cpu / run.elapsed:>8.0%}"
        )


def print_threads(runs: list[Run]) -> None:
    """Each bot's threads per answered user: CPU µs (of it in the kernel), and context switches
    (blocked + preempted); threads under 1 µs per user are left out."""
    for run in runs:
        users = len(run.latencies)
        parts = []
        for n, use in enumerate(run.threads):
            if use.cpu / users * 1e6 < 1 and not use.main:
                continue
            parts.append(
                f"{'event loop' if use.main else f'thread {n}'} {use.cpu / users * 1e6:.0f} "
                f"(kernel {use.kernel / users * 1e6:.0f}; "
                f"{use.blocked / users:.2f} + {use.preempted / users:.2f})"
            )
        switches = sum(use.blocked + use.preempted for use in run.threads) / users
        print(
            f"  {run.name} threads per answered user, CPU us (kernel; context switches blocked "
            f"+ preempted): {', '.join(parts)}; {switches:.2f} context switches in all"
        )


def print_verdict(
    pledgebot: Run | None, bare: Run | None, *, p99_target_ms: float, concurrency: int
) -> None:
    if pledgebot is None or bare is None:
        return
    ratio = pledgebot.rate / bare.rate
    p99 = pledgebot.percentile(0.99)
    print(
        f"ratio (pledgebot / bare) throughput: {ratio:.3f}x "
        f"[target >= 0.80: {'MET' if ratio >= 0.8 else 'MISSED'}]   "
        f"pledgebot p99: {p99:.1f} ms [target <= {p99_target_ms:.0f}: "
        f"{'MET' if p99 <= p99_target_ms else 'MISSED'}]"
    )
    cost = (pledgebot.bot_cpu / len(pledgebot.latencies)) / (bare.bot_cpu / len(bare.latencies))
    print(f"bot CPU per answered user, pledgebot / bare: {cost:.2f}x")
    mine, theirs = pledgebot.child.get("peak_rss_mb"), bare.child.get("peak_rss_mb")
    if mine and theirs:
        print(
            f"peak RSS of each bot process (its own VmHWM at exit): pledgebot {mine:.1f} MB, "
            f"bare {theirs:.1f} MB, {mine / theirs:.2f}x "
            f"[target <= 1.30x: {'MET' if mine / theirs <= 1.3 else 'MISSED'}]"
        )
    if concurrency > 0:
        needed = concurrency / (p99_target_ms / 1000)
        print(
            f"(with {concurrency} users in flight, mean latency = {concurrency} / throughput "
            f"(Little's law): a p99 within {p99_target_ms:.0f} ms needs more than {needed:.0f}/s)"
        )


def print_warnings(runs: list[Run]) -> None:
    """Say when a number may not measure the bot: the fake saturated, or the machine was
    shared with other work."""
    for run in runs:
        fake = run.fake_cpu / run.elapsed
        if fake > 0.85:
            print(
                f"note: in the {run.name} run the fake used {fake:.0%} of its core: the fake, "
                "not the bot, may be what limits that run's throughput"
            )
        others = run.other_cpu / run.elapsed
        if others > 0.10:
            print(
                f"note: other processes used {others:.0%} of a core during the {run.name} run: "
                "its figures are lower than this machine can do"
            )


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}"
