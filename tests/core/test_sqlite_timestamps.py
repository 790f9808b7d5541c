"""Timestamps as the SQLite file keeps them: UTC ISO 8601 text, always with microseconds, so
that text order is time order for every row, written by any pledgebot version."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from bot.app import default_rules
from bot.domain import SignatureForm
from bot.service import PledgeService
from storage.sql.translate import iso
from storage.sqlite import SQLiteStore
from tests.conftest import DESTINATIONS, LETTER, StepClock, artist

FORM = SignatureForm("Ada Lovelace", "engineer", "London", "")


async def test_a_whole_second_keeps_its_fraction_in_the_file(
    sqlite_store: SQLiteStore, db_url: str
) -> None:
    whole = datetime(2026, 11, 28, 12, 0, 1, tzinfo=UTC)
    clock = StepClock(at=whole - timedelta(microseconds=1), step=timedelta(microseconds=1))
    service = PledgeService(sqlite_store, LETTER, default_rules(), DESTINATIONS, clock)
    await service.sign(artist(1), FORM, community="c")  # made on the whole second
    await service.sign(artist(2), FORM, community="c")  # a microsecond after it
    await sqlite_store.close()

    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        stored = conn.execute("SELECT created_at FROM signatures ORDER BY created_at").fetchall()
    assert stored == [
        ("2026-11-28T12:00:01.000000+00:00",),
        ("2026-11-28T12:00:01.000001+00:00",),
    ]


#: UTC itself, a zero offset that is another object, and two others.
_ZONES = st.sampled_from(
    [
        UTC,
        timezone(timedelta(0)),
        timezone(timedelta(hours=5, minutes=30)),
        timezone(-timedelta(hours=8)),
    ]
)
_MOMENTS = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=_ZONES)
#: Up to two seconds on either side: the same second again, and the seconds around it.
_NEAR = st.integers(-2_000_001, 2_000_001).map(lambda us: timedelta(microseconds=us))


@given(st.lists(st.tuples(_MOMENTS, st.booleans(), _NEAR), min_size=1, max_size=30))
def test_every_timestamp_is_its_isoformat_in_utc_with_microseconds(
    moments: list[tuple[datetime, bool, timedelta]],
) -> None:
    """In any order and zone, on a whole second or not, near the last one or not, iso() writes
    what isoformat(timespec="microseconds") writes for the moment in UTC."""
    for at, whole, near in moments:
        first = at.replace(microsecond=0) if whole else at
        for dt in (first, first + near):
            expected = dt.astimezone(UTC).isoformat(timespec="microseconds")
            assert iso(dt) == expected
            assert iso(dt) == expected  # again, from the second the first call kept
