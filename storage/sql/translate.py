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
from datetime import UTC, datetime
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


def iso(dt: datetime) -> str:
    """How SQLite keeps a timestamp: UTC ISO 8601 text with microseconds, which sorts and
    compares in time order as text."""
    if dt.tzinfo is not UTC:
        dt = dt.astimezone(UTC)
    # isoformat() without arguments writes the same text at ~60 % of the cost (timespec= is a
    # keyword parsed on every signature), except on a whole second, where it drops the fraction
    # ("12:00:00+00:00" would sort before the "12:00:00.000000+00:00" already stored).
    return dt.isoformat() if dt.microsecond else dt.isoformat(timespec="microseconds")


def sqlite_params(args: Sequence[Any]) -> tuple[Any, ...]:
    """Parameters as sqlite3 binds them: timestamps as :func:`iso` text, lists as JSON arrays
    (for ``= ANY``). Booleans bind as 0/1 already."""
    return tuple(
        iso(a) if isinstance(a, datetime) else json.dumps(a) if isinstance(a, list) else a
        for a in args
    )
