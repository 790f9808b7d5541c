"""What the SQLite file holds for an empty optional field and a yes/no value: NULL and the
integers 0 and 1, whichever way the writer binds them (storage.sqlite.binding)."""

from __future__ import annotations

import sqlite3

from bot.app import default_rules
from bot.domain import SignatureForm
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.conftest import DESTINATIONS, LETTER, StepClock, artist


async def test_empty_fields_are_null_and_anonymity_is_an_integer(
    sqlite_store: SQLiteStore, db_url: str
) -> None:
    service = PledgeService(sqlite_store, LETTER, default_rules(), DESTINATIONS, StepClock())
    await service.sign(artist(1), SignatureForm("Ada Lovelace"), community="c", anonymous=True)
    await service.sign(
        artist(2), SignatureForm("Bo", "poet", "Oslo", "https://b.example"), community="c"
    )
    await sqlite_store.close()

    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        stored = conn.execute(
            "SELECT user_id, typeof(role), typeof(location), typeof(link), typeof(language), "
            "anonymous, typeof(anonymous) FROM signatures ORDER BY id"
        ).fetchall()
    assert stored == [
        ("1", "null", "null", "null", "null", 1, "integer"),
        ("2", "text", "text", "text", "null", 0, "integer"),
    ]
