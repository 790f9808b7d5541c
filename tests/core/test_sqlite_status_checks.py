"""Schema 15 (SQLite) rebuilds signatures, outbox and live_posts to check their statuses without
a temporary B-tree per row written: an existing database keeps every row, column and index, and
a status outside the rules is still refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.migrations import load
from storage.sql import queries as q
from storage.sql.translate import to_sqlite
from storage.sqlite import SQLiteStore
from tests.dbdump import Dump, dump

#: The schema before the rebuild.
BEFORE = 14
REBUILT = ("signatures", "outbox", "live_posts")

_ROWS = (
    "INSERT INTO signatures (platform, user_id, name, name_key, role, location, link, anonymous, "
    "community, status, letter_version, created_at, decided_at, decided_by, reason, "
    "withdrawn_at, erased, list_pos, look_key, person, notified_version, lapsed, language) "
    "VALUES "
    "('discord', '1', 'Ada', 'ada', 'engineer', 'London', 'https://a.example', 0, 'discord:1', "
    " 'approved', 'v1', '2026-01-01T00:00:00.000000+00:00', '2026-01-01T00:00:00.000000+00:00', "
    " NULL, NULL, NULL, 0, 1, 'ada', 'discord:1', 'v1', 0, 'en'), "
    "('discord', '2', 'Bo', 'bo', NULL, NULL, NULL, 1, 'discord:1', 'pending', 'v1', "
    " '2026-01-02T00:00:00.000000+00:00', NULL, NULL, NULL, NULL, 0, NULL, 'bo', '~p', NULL, 0, "
    " NULL), "
    "('telegram', '3', NULL, '', NULL, NULL, NULL, 0, 'telegram:9', 'withdrawn', 'v0', "
    " '2026-01-03T00:00:00.000000+00:00', '2026-01-03T00:00:00.000000+00:00', NULL, NULL, "
    " '2026-01-04T00:00:00.000000+00:00', 1, NULL, '', 'telegram:3', NULL, 1, 'de'), "
    "('console', '4', 'Cy', 'cy', NULL, NULL, NULL, 0, 'console', 'rejected', 'v1', "
    " '2026-01-05T00:00:00.000000+00:00', '2026-01-05T00:00:00.000000+00:00', 'mod', 'spam', "
    " NULL, 0, NULL, 'cy', 'console:4', NULL, 0, NULL), "
    "('console', '5', 'Di', 'di', NULL, NULL, NULL, 0, 'console', 'removed', 'v1', "
    " '2026-01-06T00:00:00.000000+00:00', '2026-01-06T00:00:00.000000+00:00', 'mod', 'fake', "
    " NULL, 0, NULL, 'di', 'console:5', NULL, 0, NULL);"
    "INSERT INTO outbox (kind, platform, destination, text, signature_id, milestone, created_at, "
    "status, attempts, next_attempt_at, lease_until, delivered_at, ref, last_error) VALUES "
    "('dm', 'discord', '1', 'Thanks', 1, NULL, '2026-01-01T00:00:00.000000+00:00', 'delivered', "
    " 1, '2026-01-01T00:00:00.000000+00:00', NULL, '2026-01-01T00:00:01.000000+00:00', 'm1', "
    " NULL), "
    "('milestone', 'telegram', '9', '10 signed', NULL, 10, '2026-01-02T00:00:00.000000+00:00', "
    " 'failed', 5, '2026-01-03T00:00:00.000000+00:00', NULL, NULL, NULL, 'blocked'), "
    "('live_edit', 'discord', 'live:1', '', NULL, NULL, '2026-01-02T00:00:00.000000+00:00', "
    " 'sending', 0, '2026-01-02T00:00:00.000000+00:00', '2026-01-02T00:01:00.000000+00:00', "
    " NULL, NULL, NULL), "
    "('mod_queue', 'console', 'mods', 'Bo?', 2, NULL, '2026-01-02T00:00:00.000000+00:00', "
    " 'pending', 0, '2026-01-02T00:00:00.000000+00:00', NULL, NULL, NULL, NULL);"
    "INSERT INTO live_posts (platform, chat, message, community, language, posted_by, posted_at, "
    "status, next_edit_at, ended_at, end_reason) VALUES "
    "('discord', '7', '70', 'discord:1', 'en', 'discord:1', '2026-01-01T00:00:00.000000+00:00', "
    " 'live', '2026-01-02T00:00:00.000000+00:00', NULL, NULL), "
    "('telegram', '8', '80', 'telegram:9', 'de', 'telegram:3', "
    " '2026-01-01T00:00:00.000000+00:00', 'stopped', '2026-01-01T00:00:00.000000+00:00', "
    " '2026-01-02T00:00:00.000000+00:00', 'unposted'), "
    "('telegram', '9', '90', 'telegram:9', 'de', 'telegram:3', "
    " '2026-01-01T00:00:00.000000+00:00', 'lost', '2026-01-01T00:00:00.000000+00:00', "
    " '2026-01-02T00:00:00.000000+00:00', 'deleted');"
)


def _database_at_schema_14(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(q.CREATE_SCHEMA_VERSION)
    for migration in load("sqlite")[:BEFORE]:
        conn.executescript(migration.sql)
        conn.execute(to_sqlite(q.RECORD_SCHEMA_VERSION), (migration.version,))
    conn.executescript(_ROWS)
    conn.commit()
    conn.close()


def _indexes(d: Dump) -> set[tuple[str, str, str]]:
    return {entry for entry in d.schema if entry[0] == "index"}


async def test_an_existing_database_keeps_every_row_column_and_index(tmp_path: Path) -> None:
    path = tmp_path / "pledge.db"
    _database_at_schema_14(path)
    before = dump(path)
    async with SQLiteStore(f"sqlite:///{path}"):
        pass
    after = dump(path)

    assert {name for name in before.tables} == {name for name in after.tables}
    for table in before.tables:
        if table != "schema_version":
            assert after.columns[table] == before.columns[table], table
            assert after.tables[table] == before.tables[table], table
    assert _indexes(after) == _indexes(before)
    assert [row for row in after.rows("schema_version")][-1] == (15,)


@pytest.mark.parametrize("table", REBUILT)
async def test_a_status_outside_the_rules_is_still_refused(tmp_path: Path, table: str) -> None:
    path = tmp_path / "pledge.db"
    _database_at_schema_14(path)
    async with SQLiteStore(f"sqlite:///{path}"):
        pass
    conn = sqlite3.connect(path)
    try:
        statuses = [r[0] for r in conn.execute(f"SELECT DISTINCT status FROM {table}")]
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            conn.execute(f"UPDATE {table} SET status = 'archived' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            conn.execute(f"UPDATE {table} SET status = 'Approved' WHERE id = 1")
        for status in statuses:  # every status the rules allow is still taken
            conn.execute(f"UPDATE {table} SET status = ? WHERE id = 1", (status,))
    finally:
        conn.rollback()
        conn.close()
