"""The Bot API's error answer, raised inside the fake's method handlers."""

from __future__ import annotations

from tests.fakes.fake_telegram.models import JSON


class BotApiError(Exception):
    """Raised inside the fake's method handlers; becomes a Bot API error answer."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(what: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {what}")
