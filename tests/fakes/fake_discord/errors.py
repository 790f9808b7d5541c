"""Discord-shaped errors, and the canned answers (429, 5xx, any error) faults inject."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.fake_discord.models import JSON
from tests.fakes.fake_discord.wire import json_response


class DiscordAPIError(Exception):
    """Raised by handlers to answer with Discord's error shape ``{"message", "code"}``."""

    def __init__(self, status: int, code: int, message: str, errors: JSON | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def to_response(self) -> web.Response:
        body: JSON = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(body, status=self.status)


def invalid_form(field_name: str, code: str, message: str) -> DiscordAPIError:
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    return DiscordAPIError(400, 50035, "Invalid Form Body", errors)


@dataclass(frozen=True)
class FaultResponse:
    """A canned answer that replaces the real handler for a matching request."""

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    text: str | None = None

    @classmethod
    def rate_limited(
        cls,
        retry_after: float = 0.05,
        *,
        is_global: bool = False,
        scope: str = "user",
        bucket: str = "fake-bucket",
    ) -> FaultResponse:
        """A 429 as Discord sends it.

        discord.py treats a 429 without a ``Via`` header, or with a non-JSON body, as a
        Cloudflare ban and raises instead of retrying; ``retry_after`` comes from the JSON body.
        """
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, math.ceil(retry_after))),
            "X-RateLimit-Scope": "global" if is_global else scope,
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        else:
            headers.update(
                {
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                    "X-RateLimit-Bucket": bucket,
                }
            )
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
            "code": 0,
        }
        return cls(status=429, body=body, headers=headers)

    @classmethod
    def server_error(cls, status: int = 500) -> FaultResponse:
        """A 5xx; discord.py retries 500/502/504/524 after a hard-coded sleep of >= 1 s."""
        return cls(status=status, body={"message": f"{status}: Server Error", "code": 0})

    @classmethod
    def error(cls, status: int, code: int, message: str) -> FaultResponse:
        """Any Discord-shaped error, e.g. ``error(403, 50013, "Missing Permissions")``."""
        return cls(status=status, body={"message": message, "code": code})

    def to_response(self) -> web.Response:
        if self.text is not None:
            return web.Response(
                status=self.status, text=self.text, content_type="text/html", headers=self.headers
            )
        if self.body is None:
            return web.Response(status=self.status, headers=self.headers)
        return json_response(self.body, status=self.status, headers=self.headers)
