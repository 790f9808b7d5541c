"""Every account that has signed has its ``accounts`` row (schema 12), on every store.

A claim that has to make an account's row has then found an account that never signed, which the
SQLite writer relies on to skip looking for its signature. So the row must be there for a
signature made before the table existed (schema 6 made rows only from then on), and for one
inserted without a claim first.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from bot.domain import Identity, Signature, Status
from bot.ports import Store, WriteTx
from storage.migrations import load
from storage.sql import queries as q
from storage.sql.translate import to_sqlite
from storage.sqlite import SQLiteStore
from tests.contract.test_store_contract import T0, insert, new_sig
from tests.postgres import fresh_schema, older_schema
from tests.stores import STORES

#: The schema before every signer had an accounts row.
BEFORE = 11
OLD = Identity("discord", "old")
_OLD_SIGNATURE = (
    "INSERT INTO signatures (platform, user_id, name, name_key, community, status, "
    "letter_version, created_at, person) "
    "VALUES ('discord', 'old', 'Old Signer', 'oldsigner', 'discord:1', 'pending', 'v1', "
    f"'{T0.isoformat()}', 'discord:old')"
)


@asynccontextmanager
async def _store_with_an_old_signature(kind: str, tmp_path: Path) -> AsyncIterator[Store]:
    """A database at schema 11 holding a signature whose account has no row, as signing before
    schema 6 left it, opened (so migrated) by this pledgebot's store."""
    if kind == "sqlite":
        path = tmp_path / "pledge.db"
        conn = sqlite3.connect(path)
        conn.execute(q.CREATE_SCHEMA_VERSION)
        for migration in load("sqlite")[:BEFORE]:
            conn.executescript(migration.sql)
            conn.execute(to_sqlite(q.RECORD_SCHEMA_VERSION), (migration.version,))
        conn.execute(_OLD_SIGNATURE)
        conn.commit()
        conn.close()
        async with SQLiteStore(f"sqlite:///{path}") as store:
            yield store
        return
    import asyncpg

    from storage.postgres import PostgresStore
    from storage.postgres.connection import split_url

    async with fresh_schema() as url:
        assert await older_schema(url, BEFORE) == BEFORE
        dsn, schema = split_url(url)
        conn = await asyncpg.connect(dsn, server_settings={"search_path": schema or "public"})
        try:
            await conn.execute(_OLD_SIGNATURE)
        finally:
            await conn.close()
        async with PostgresStore(url) as store:
            yield store


async def _claim_and_latest(store: Store, identity: Identity) -> tuple[str, Signature | None]:
    async def unit(tx: WriteTx) -> tuple[str, Signature | None]:
        person = await tx.claim_account(identity)
        return person, await tx.latest_signature(identity)

    return await store.write(unit)


@pytest.mark.parametrize("kind", STORES)
async def test_a_signature_from_before_the_accounts_table_gets_its_row(
    kind: str, tmp_path: Path
) -> None:
    async with _store_with_an_old_signature(kind, tmp_path) as store:
        assert await store.accounts_of(["discord:old"]) == [("discord:old", OLD)]
        person, latest = await _claim_and_latest(store, OLD)
        assert person == "discord:old"
        assert latest is not None
        assert (latest.identity, latest.status) == (OLD, Status.PENDING)


async def test_a_signature_inserted_without_a_claim_makes_the_row(any_store: Store) -> None:
    [a] = await insert(any_store, new_sig("a"))
    assert await any_store.accounts_of(["discord:a"]) == [("discord:a", a.identity)]
    assert await _claim_and_latest(any_store, a.identity) == ("discord:a", a)


async def test_a_new_account_finds_the_signature_it_just_made(any_store: Store) -> None:
    """In one unit: the claim makes the row (never signed), then a signature, then a look."""
    da = Identity("discord", "a")

    async def unit(tx: WriteTx) -> tuple[Signature | None, Signature, Signature | None]:
        await tx.claim_account(da)
        before = await tx.latest_signature(da)
        made = await tx.insert_signature(new_sig("a"))
        return before, made, await tx.latest_signature(da)

    before, made, after = await any_store.write(unit)
    assert before is None
    assert after == made


async def test_a_new_account_linked_in_its_unit_finds_the_persons_signature(
    any_store: Store,
) -> None:
    """A claim that made the row, then a link into a person who signed: the account now has
    that person's signature."""
    [b] = await insert(any_store, replace(new_sig("b"), identity=Identity("telegram", "b")))
    da = Identity("discord", "a")

    async def unit(tx: WriteTx) -> Signature | None:
        mine = await tx.claim_account(da)
        theirs = await tx.claim_account(b.identity)
        await tx.move_people([mine, theirs], "~p", T0)
        return await tx.latest_signature(da)

    assert await any_store.write(unit) == replace(b, person="~p")
