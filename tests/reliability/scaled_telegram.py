"""``python -m bot`` with Telegram's per-group flood limit on a one-second clock.

PTB's ``AIORateLimiter`` holds each group to 20 requests a minute, as Telegram asks, and counts
every call that names the group (cards, their redraws, replies). The Telegram crash test sends
a hundred signatures' mod-queue cards through one mod chat, which at the real pace takes
minutes. Run as ``python -m tests.reliability.scaled_telegram run --config FILE``, this keeps the
limiter and its shape (20 at once, then evenly spaced) but over one second instead of sixty, and
changes nothing else: the rest is ``pledgebot run``, line for line.
"""

from __future__ import annotations

import sys
from typing import Any

from telegram.ext import AIORateLimiter


def scale_group_limit() -> None:
    original = AIORateLimiter.__init__

    def one_second_groups(self: AIORateLimiter, *args: Any, **kwargs: Any) -> None:
        kwargs["group_time_period"] = 1
        original(self, *args, **kwargs)

    AIORateLimiter.__init__ = one_second_groups  # type: ignore[method-assign]


if __name__ == "__main__":
    scale_group_limit()
    from bot.cli import main

    sys.exit(main())
