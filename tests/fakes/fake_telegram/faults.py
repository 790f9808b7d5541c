"""Fault injection: errors, 429s, 5xx answers, late answers and methods broken for a while."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

from tests.fakes.fake_telegram.models import JSON
from tests.fakes.fake_telegram.state import FakeTelegramState


@dataclass(frozen=True)
class Fault:
    """An injected answer for one call: an error and/or a delay before answering.

    ``status`` None means "answer normally" (after ``delay``). With ``process_first`` the call
    takes effect before the delay, so a client that times out has still sent its message.
    """

    status: int | None = None
    description: str | None = None
    retry_after: float | None = None
    delay: float = 0.0
    process_first: bool = False

    def error_body(self) -> JSON:
        assert self.status is not None
        body: JSON = {
            "ok": False,
            "error_code": self.status,
            "description": self.description or default_description(self.status, self),
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def default_description(status: int, fault: Fault) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {fault.retry_after}"
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(status, f"Error {status}")


class FaultsMixin(FakeTelegramState):
    """What a test calls to make the Bot API misbehave; ``_answer`` (server.py) applies it."""

    def inject(self, method: str, fault: Fault, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``fault`` (queued in order)."""
        self._faults.setdefault(method, deque()).extend([fault] * times)

    def inject_rate_limit(self, method: str, *, retry_after: float = 1, times: int = 1) -> None:
        """Next calls answer 429 with ``parameters.retry_after``.

        The Bot API sends an int; PTB also accepts a float (it becomes a timedelta). It must be
        > 0: PTB tests ``if retry_after:``, so 0 would not raise ``RetryAfter``.
        """
        if retry_after <= 0:
            raise ValueError("retry_after must be > 0 (PTB ignores a falsy retry_after)")
        description = f"Too Many Requests: retry after {retry_after:g}"
        self.inject(method, Fault(429, description, retry_after=retry_after), times=times)

    def inject_server_error(self, method: str, *, status: int = 500, times: int = 1) -> None:
        """Next calls answer a 5xx (PTB raises ``NetworkError``; polling backs off ~1 s)."""
        if not 500 <= status <= 599:
            raise ValueError("a server error is a 5xx status")
        self.inject(method, Fault(status), times=times)

    def inject_error(self, method: str, status: int, description: str, *, times: int = 1) -> None:
        """Next calls answer an arbitrary Bot API error, e.g. 400 "Bad Request: …"."""
        self.inject(method, Fault(status, description), times=times)

    def inject_delay(
        self, method: str, seconds: float, *, times: int = 1, process_first: bool = False
    ) -> None:
        """Next calls answer normally after ``seconds`` (for client timeout tests).

        With ``process_first`` the call takes effect before the wait (the "message was sent
        but the answer never came" case); otherwise a client that gives up changes nothing.
        """
        self.inject(method, Fault(delay=seconds, process_first=process_first), times=times)

    def break_method(
        self,
        method: str,
        *,
        status: int = 502,
        description: str | None = None,
        seconds: float | None = None,
    ) -> None:
        """Every call of ``method`` fails with ``status`` until ``repair_method`` or, if
        given, for ``seconds`` from now."""
        until = None if seconds is None else time.monotonic() + seconds
        self._broken[method] = (Fault(status, description), until)

    def repair_method(self, method: str) -> None:
        self._broken.pop(method, None)

    def fail_get_updates(self, *, seconds: float | None = None, status: int = 502) -> None:
        """Make polling fail for a while (PTB logs, backs off 1 s, 1.5 s, … and retries)."""
        self.break_method("getUpdates", status=status, seconds=seconds)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        if queue:
            return queue.popleft()
        broken = self._broken.get(method)
        if broken is not None:
            fault, until = broken
            if until is None or time.monotonic() < until:
                return fault
            del self._broken[method]
        return None
