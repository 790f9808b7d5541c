"""The heartbeat of a running bot, and ``pledgebot health``, which reads it.

``pledgebot run`` with ``run.heartbeat_file`` set rewrites that file every
:data:`INTERVAL` seconds: when, whether the store answered, and whether each platform is
connected. A container's HEALTHCHECK runs ``pledgebot health`` in the same container; it needs
no connection of its own, and a bot whose event loop is stuck shows as a heartbeat grown old.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.ports import Store

__all__ = ["INTERVAL", "MAX_AGE", "Heartbeat", "Verdict", "read_heartbeat"]

_log = logging.getLogger(__name__)

INTERVAL = 15.0  # seconds between heartbeats
MAX_AGE = 60.0  # older than this, the bot counts as stuck
STORE_TIMEOUT = 10.0  # how long one heartbeat waits for the store


class Connection(Protocol):
    platform: str

    @property
    def connected(self) -> bool: ...


class Heartbeat:
    def __init__(
        self,
        path: Path,
        store: Store,
        connections: Sequence[Connection],
        interval: float = INTERVAL,
    ) -> None:
        self.path = path
        self.store = store
        self.connections = connections
        self.interval = interval

    async def run(self) -> None:
        """Beat until cancelled; the file is removed on the way out (a stopped bot has none)."""
        try:
            while True:
                await self.beat()
                await asyncio.sleep(self.interval)
        finally:
            with contextlib.suppress(OSError):
                self.path.unlink()

    async def beat(self) -> None:
        store_error = None
        try:
            async with asyncio.timeout(STORE_TIMEOUT):
                await self.store.count()
        except TimeoutError:
            store_error = f"no answer within {STORE_TIMEOUT:g} s"
        except Exception as exc:  # what the operator needs to read in `pledgebot health`
            store_error = str(exc) or type(exc).__name__
        state = {
            "pid": os.getpid(),
            "at": time.time(),
            "store": store_error,
            "platforms": {c.platform: c.connected for c in self.connections},
        }
        try:
            await asyncio.to_thread(_write_atomically, self.path, json.dumps(state))
        except OSError as exc:
            _log.warning("cannot write the heartbeat file %s: %s", self.path, exc)


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


@dataclass(frozen=True, slots=True)
class Verdict:
    healthy: bool
    message: str


def read_heartbeat(path: Path, *, max_age: float = MAX_AGE, now: float | None = None) -> Verdict:
    """Healthy when the heartbeat is recent, the store answered and every platform is
    connected; otherwise why not."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        age = (time.time() if now is None else now) - float(state["at"])
        store_error = state["store"]
        platforms: dict[str, bool] = dict(state["platforms"])
    except FileNotFoundError:
        return Verdict(False, f"no heartbeat in {path}: the bot is not running (or starting)")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Verdict(False, f"cannot read the heartbeat in {path}: {exc}")
    problems = []
    if age > max_age:
        problems.append(f"the last heartbeat is {age:.0f} s old (the bot is stuck)")
    if store_error:
        problems.append(f"the database does not answer: {store_error}")
    down = sorted(name for name, connected in platforms.items() if not connected)
    if down:
        problems.append(f"not connected to {', '.join(down)}")
    if problems:
        return Verdict(False, "; ".join(problems))
    up = ", ".join(sorted(platforms)) or "no platform"
    return Verdict(True, f"healthy: {up} connected, the database answers ({age:.0f} s ago)")
