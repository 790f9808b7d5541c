"""Logging set-up that keeps secrets out of every line.

Tokens are ``SecretStr`` in the settings, but libraries log URLs (the Telegram Bot API puts the
token in the path), so a filter on the handler redacts any configured secret from every record.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

__all__ = ["RedactSecrets", "setup_logging"]


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        text = record.exc_text or ""
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "[redacted]")
            text = text.replace(secret, "[redacted]")
        record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = text
        return True


def setup_logging(level: int, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO; PTB's URLs carry the token.
    for noisy in ("httpx", "httpcore", "discord.http", "discord.gateway", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
