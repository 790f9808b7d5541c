"""Logging set-up that keeps secrets out of every line.

Tokens are ``SecretStr`` in the settings, but libraries log URLs (the Telegram Bot API puts the
token in the path) and put them in exception messages ("The token `…` was rejected"), so one
:class:`Redactor` cleans every log record (a filter on the handler) and every error line the
command line prints, and :func:`install_excepthooks` sends what nobody caught through it too.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable
from types import TracebackType
from urllib.parse import urlsplit

__all__ = [
    "RedactSecrets",
    "Redactor",
    "hide_password",
    "install_excepthooks",
    "setup_logging",
    "url_password",
]

#: Shorter values are not secrets worth hunting for (and would redact ordinary words).
MIN_SECRET = 6


class Redactor:
    """Replaces every configured secret in a text with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str] | Redactor) -> None:
        super().__init__()
        self.redact = secrets if isinstance(secrets, Redactor) else Redactor(secrets)

    @property
    def secrets(self) -> list[str]:
        return self.redact.secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.redact.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self.redact(message), None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def url_password(url: str) -> str:
    """The password in a database URL, or ``""``."""
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


def hide_password(url: str) -> str:
    """``postgresql://pledge:***@db/pledge`` for ``postgresql://pledge:secret@db/pledge``."""
    password = url_password(url)
    if not password:
        return url
    scheme, rest = url.split("://", 1)
    credentials, at, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***{at}{host}"


def install_excepthooks(redact: Redactor) -> None:
    """An exception nobody caught (in the main thread or another) prints its traceback through
    ``redact``, as a log line would."""

    def print_redacted(
        kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        text = logging.Formatter().formatException((kind, exc, tb))
        print(redact(text), file=sys.stderr)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            print_redacted(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = print_redacted
    threading.excepthook = thread_hook


def setup_logging(level: int, secrets: Iterable[str] | Redactor = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO; PTB's URLs carry the token.
    for noisy in ("httpx", "httpcore", "discord.http", "discord.gateway", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
