"""From the shared ``$n`` text to what sqlite3 accepts.

SQLite takes numbered parameters as ``?NNN`` (a number may be used twice, as in PostgreSQL), so
``$3`` becomes ``?3``. It has no arrays: ``= ANY($n)`` (a list parameter) becomes a membership
test over the JSON array the SQLite store binds in its place (:func:`sqlite_params`). Statements
are translated once and cached, so the text sqlite3 sees is always the same and its own
prepared-statement cache keeps working.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

__all__ = ["iso", "sqlite_params", "to_sqlite"]

_ANY = re.compile(r"=\s*ANY\(\$(\d+)\)")
_PARAM = re.compile(r"\$(\d+)")


@cache
def to_sqlite(sql: str) -> str:
    """``platform = ANY($2) AND id = $3`` → ``platform IN (SELECT value FROM json_each(?2))
    AND id = ?3``."""
    sql = _ANY.sub(r"IN (SELECT value FROM json_each(?\1))", sql)
    return _PARAM.sub(r"?\1", sql)


#: The second the last timestamp fell in, the next one, and that second's text up to the seconds
#: ("2026-11-28T12:00:01"), replaced whole (so any thread reads a consistent one).
_second = (datetime.min.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC), "")
_ONE_SECOND = timedelta(seconds=1)
_LAST_SECOND = datetime.max.replace(microsecond=0, tzinfo=UTC)  # no second after it to keep
#: "000" to "999": the fraction as two of these is a third of the cost of formatting it ":06d".
_DIGITS = tuple(f"{n:03d}" for n in range(1000))


def iso(dt: datetime) -> str:
    """How SQLite keeps a timestamp: UTC ISO 8601 text with microseconds, which sorts and
    compares in time order as text (``dt.isoformat(timespec="microseconds")`` in UTC).

    A burst's timestamps fall in the same second and differ only in their microseconds, so the
    text of the second is kept and only the fraction is formatted: ``isoformat`` formats every
    field with ``sprintf`` and asks the time zone for its offset, ~11,000 instructions a
    timestamp, and the writer formats one or more for every signature."""
    if dt.tzinfo is not UTC:
        dt = dt.astimezone(UTC)
    global _second
    start, end, text = _second
    if not start <= dt < end:
        start = dt.replace(microsecond=0)
        text = start.isoformat()[:19]
        if start < _LAST_SECOND:
            _second = (start, start + _ONE_SECOND, text)
    micro = dt.microsecond
    return f"{text}.{_DIGITS[micro // 1000]}{_DIGITS[micro % 1000]}+00:00"


def sqlite_params(args: Sequence[Any]) -> tuple[Any, ...]:
    """Parameters as sqlite3 binds them: timestamps as :func:`iso` text, lists as JSON arrays
    (for ``= ANY``). Booleans bind as 0/1 already."""
    return tuple(
        iso(a) if isinstance(a, datetime) else json.dumps(a) if isinstance(a, list) else a
        for a in args
    )
