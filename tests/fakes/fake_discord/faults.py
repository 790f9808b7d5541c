"""Fault injection: canned errors, 429s, 5xx answers and late answers for matching requests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from tests.fakes.fake_discord.errors import FaultResponse
from tests.fakes.fake_discord.records import compile_path
from tests.fakes.fake_discord.state import FakeDiscordState


@dataclass
class PathRule:
    """Applies to the next ``remaining`` requests of ``method`` (or ``*``) on ``pattern``."""

    method: str
    pattern: re.Pattern[str]
    remaining: int

    def matches(self, method: str, path: str) -> bool:
        method_ok = self.method == "*" or self.method == method
        return method_ok and self.pattern.fullmatch(path) is not None


@dataclass
class FaultRule(PathRule):
    """An answer that replaces the handler's (`FakeDiscord.inject_fault`)."""

    response: FaultResponse


@dataclass
class DelayRule(PathRule):
    """A late answer (`FakeDiscord.delay_response`)."""

    seconds: float
    process_first: bool


R = TypeVar("R", bound=PathRule)


def take_rule(rules: list[R], method: str, path: str) -> R | None:
    """The first rule matching the request, used up once (and dropped when spent)."""
    for rule in rules:
        if rule.matches(method, path):
            rule.remaining -= 1
            if rule.remaining <= 0:
                rules.remove(rule)
            return rule
    return None


class FaultsMixin(FakeDiscordState):
    """What a test calls to make Discord misbehave; the REST middleware applies it."""

    def inject_fault(
        self, method: str, path: str | re.Pattern[str], response: FaultResponse, *, times: int = 1
    ) -> None:
        """Answer the next ``times`` matching requests with ``response`` instead of the handler.

        ``path`` is below ``/api/v10``, e.g. ``/channels/{channel_id}/messages``; ``method``
        may be ``*``. Faulted requests are still recorded (``faulted=True``).
        """
        self._faults.append(FaultRule(method.upper(), compile_path(path), times, response))

    def rate_limit(
        self,
        method: str,
        path: str | re.Pattern[str],
        *,
        retry_after: float = 0.05,
        is_global: bool = False,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching requests with a realistic 429."""
        bucket = f"fake-bucket-{next(self._bucket_numbers)}"
        response = FaultResponse.rate_limited(retry_after, is_global=is_global, bucket=bucket)
        self.inject_fault(method, path, response, times=times)

    def fail_with_server_error(
        self, method: str, path: str | re.Pattern[str], *, status: int = 500, times: int = 1
    ) -> None:
        self.inject_fault(method, path, FaultResponse.server_error(status), times=times)

    def delay_response(
        self,
        method: str,
        path: str | re.Pattern[str],
        seconds: float,
        *,
        times: int = 1,
        process_first: bool = True,
    ) -> None:
        """Answer the next ``times`` matching requests ``seconds`` late (a slow or hung Discord).

        With ``process_first`` (the default) the request takes effect at once and only its
        answer is late: the "posted, but the answer never came in time" case, in which a client
        that gives up and retries would post twice without a nonce. Otherwise the wait comes
        first. An injected fault for the same request wins over the delay.
        """
        rule = DelayRule(method.upper(), compile_path(path), times, seconds, process_first)
        self._delays.append(rule)

    def faults_remaining(self) -> int:
        """How many injected answers (and delays) have not been used yet (0 once all were hit)."""
        faults = sum(rule.remaining for rule in self._faults)
        return faults + sum(rule.remaining for rule in self._delays)
