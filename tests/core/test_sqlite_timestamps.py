"""Timestamps as the SQLite file keeps them: UTC ISO 8601 text, always with microseconds, so
that text order is time order for every row, written by any pledgebot version."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from bot.app import default_rules
from bot.domain import SignatureForm
from bot.service import PledgeService
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
