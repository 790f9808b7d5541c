"""PostgreSQL connections lost under the bot (a server restart, a backend an operator
terminated): the signers whose change was in flight are told to try again, nobody is told
"signed" for a signature that is not stored, and the next signatures are taken as usual.

The losses are real: ``pg_terminate_backend`` on the store's own backends, found through the
``application_name`` each test's store sets, or as the backend waiting on a lock the test holds.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.app import default_rules
from bot.domain import SignatureForm, Status
from bot.errors import StoreUnavailable
from bot.ports import WriteTx
from bot.service import PledgeService
from storage.postgres import PostgresStore
from storage.postgres.connection import connect, split_url
from storage.postgres.writer import Session
from tests.conftest import DESTINATIONS, LETTER, StepClock, artist
from tests.postgres import PG_DSN, fresh_schema

pytestmark = pytest.mark.postgres

TRY_AGAIN = "temporarily unavailable, please try again"


@asynccontextmanager
async def _bot(writers: int) -> AsyncIterator[tuple[PledgeService, asyncpg.Connection, str]]:
    """A service on a fresh schema whose connections all carry the schema's name as their
    ``application_name``, an operator's connection beside it, and the schema."""
    async with fresh_schema() as url:
        schema = url.rsplit("search_path=", 1)[1]
        named = f"{url}&application_name={schema}"
        operator = await asyncpg.connect(PG_DSN)
        try:
            async with PostgresStore(named, writers=writers) as store:
                rules = default_rules(approval="auto")
                service = PledgeService(store, LETTER, rules, DESTINATIONS, StepClock())
                yield service, operator, schema
        finally:
            await operator.close()


async def _stored(operator: asyncpg.Connection, schema: str) -> list[str]:
    rows = await operator.fetch(f'SELECT user_id FROM "{schema}".signatures ORDER BY id')
    return [r[0] for r in rows]


async def _backends(operator: asyncpg.Connection, schema: str) -> list[int]:
    """The store's backends: its writers and its readers."""
    rows = await operator.fetch(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1", schema
    )
    return [r[0] for r in rows]


async def _terminate(operator: asyncpg.Connection, pids: list[int]) -> None:
    """End each backend, and wait until it is gone (as a server restart would)."""
    for pid in pids:
        assert await operator.fetchval("SELECT pg_terminate_backend($1, 5000)", pid)


async def test_after_the_servers_connections_are_lost_the_next_signature_is_taken() -> None:
    """Every connection of the store is ended while the bot is idle (the server restarted):
    the next signer is not even asked to try again — the writer connects anew before its
    transaction, and the reads' pool does too — and all that was signed is there."""
    async with _bot(writers=2) as (service, operator, schema):
        await service.sign(artist(1), SignatureForm("First"), community="c")
        pids = await _backends(operator, schema)
        assert len(pids) >= 3  # two writers and a reader
        await _terminate(operator, pids)

        for n in (2, 3, 4):
            result = await service.sign(artist(n), SignatureForm(f"Artist {n}"), community="c")
            assert result.signature.status is Status.APPROVED
        assert await service.count() == 4
        assert (await service.status(artist(1).identity)).signature is not None
        assert await _stored(operator, schema) == ["1", "2", "3", "4"]


async def test_signers_in_flight_when_the_writer_is_lost_are_told_to_try_again() -> None:
    """The writer's backend is ended in the middle of a group (waiting on a lock the test
    holds): each signer in it reads "try again", none of them is stored, the bot carries on,
    and when they sign again they are taken, on a new connection."""
    async with _bot(writers=1) as (service, operator, schema):
        await service.sign(artist(0), SignatureForm("Before"), community="c")
        await operator.execute("BEGIN")
        await operator.execute(f'LOCK TABLE "{schema}".signatures IN EXCLUSIVE MODE')
        signing = [
            asyncio.create_task(
                service.sign(artist(n), SignatureForm(f"Artist {n}"), community="c")
            )
            for n in (1, 2, 3)
        ]
        await _terminate(operator, await _blocked_by(operator))  # the writer, in its group
        replies = await asyncio.gather(*signing, return_exceptions=True)
        await operator.execute("ROLLBACK")

        for reply in replies:
            assert isinstance(reply, StoreUnavailable), reply
            assert TRY_AGAIN in str(reply)
        assert await _stored(operator, schema) == ["0"]
        assert await service.count() == 1

        for n in (1, 2, 3):
            result = await service.sign(artist(n), SignatureForm(f"Artist {n}"), community="c")
            assert result.signature.status is Status.APPROVED
        assert await _stored(operator, schema) == ["0", "1", "2", "3"]
        assert await service.count() == 4


async def test_a_read_whose_connection_is_lost_is_answered_from_a_new_one() -> None:
    """A signer asks for their status while its read waits on a lock the test holds, and the
    read's backend is ended: the read runs again on a new connection, and once the lock is
    gone the signer sees their signature (not the apology a driver's error would bring)."""
    async with _bot(writers=1) as (service, operator, schema):
        signed = await service.sign(artist(1), SignatureForm("First"), community="c")
        await operator.execute("BEGIN")
        await operator.execute(f'LOCK TABLE "{schema}".signatures IN ACCESS EXCLUSIVE MODE')
        asking = asyncio.create_task(service.status(artist(1).identity))
        lost = await _blocked_by(operator)
        await _terminate(operator, lost)
        await _blocked_by(operator, unless=asking)  # the read again, on a new connection
        await operator.execute("ROLLBACK")
        assert (await asking).signature == signed.signature


async def _blocked_by(
    operator: asyncpg.Connection, unless: asyncio.Task[object] | None = None
) -> list[int]:
    """The backends waiting on a lock the operator's connection holds, once there is one (none
    if the task ``unless`` ends first)."""
    me = await operator.fetchval("SELECT pg_backend_pid()")
    async with asyncio.timeout(30):
        while unless is None or not unless.done():
            await asyncio.sleep(0.01)
            rows = await operator.fetch(  # pg_locks, not pg_stat_activity: not a snapshot
                "SELECT DISTINCT pid FROM pg_locks WHERE NOT granted "
                "AND $1 = ANY(pg_blocking_pids(pid))",
                me,
            )
            if rows:
                return [r[0] for r in rows]
    return []


async def test_a_burst_through_lost_writers_acknowledges_only_what_is_stored() -> None:
    """Every backend of the store is ended in the middle of a burst (the server restarted),
    wherever the writers' groups and the reads are:
    each signer reads their signature or "try again" (never the driver's error, which the
    adapters would answer with an apology), every acknowledged signature is stored, the count
    is the rows', and the burst goes on through new connections."""
    async with _bot(writers=2) as (service, operator, schema):
        numbers = iter(range(400))
        signed: set[str] = set()
        refused: list[BaseException] = []

        async def signer() -> None:
            for n in numbers:
                try:
                    await service.sign(artist(n), SignatureForm(f"Artist {n}"), community="c")
                except StoreUnavailable as exc:
                    assert TRY_AGAIN in str(exc)
                    refused.append(exc)
                else:
                    signed.add(str(n))

        async def operator_ends_the_writers() -> None:
            while len(signed) < 50:
                await asyncio.sleep(0.001)
            await _terminate(operator, await _backends(operator, schema))

        await asyncio.gather(operator_ends_the_writers(), *(signer() for _ in range(16)))
        stored = set(await _stored(operator, schema))
        assert signed <= stored
        assert len(signed) + len(refused) == 400
        assert signed
        assert await service.count() == len(stored)
        result = await service.sign(artist("after"), SignatureForm("After"), community="c")
        assert result.signature.status is Status.APPROVED


@asynccontextmanager
async def _own_role() -> AsyncIterator[tuple[str, str, asyncpg.Connection]]:
    """A login role of this test's own, whose connection limit the test may set to none (the
    server then refuses the role's new connections, as one restarting does), a store URL on a
    fresh schema as that role, and an operator's connection."""
    role = f"pledge_test_{uuid.uuid4().hex[:12]}"
    operator = await asyncpg.connect(PG_DSN)
    database = await operator.fetchval("SELECT quote_ident(current_database())")
    await operator.execute(f'CREATE ROLE "{role}" LOGIN')
    await operator.execute(f'GRANT CREATE ON DATABASE {database} TO "{role}"')
    try:
        async with fresh_schema() as url:
            parts = urlsplit(url)
            as_role = parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}")
            yield urlunsplit(as_role), role, operator
    finally:
        await operator.execute(f'REVOKE CREATE ON DATABASE {database} FROM "{role}"')
        await operator.execute(f'DROP ROLE "{role}"')
        await operator.close()


async def test_while_no_connection_can_be_had_writes_are_refused_and_then_taken() -> None:
    """The store's connections are lost and the server refuses new ones for a while: signers
    and writes are told to try again (the writer waits a little longer before each new try),
    and once the server takes connections again the next signature is taken."""
    async with _own_role() as (url, role, operator):
        schema = url.rsplit("search_path=", 1)[1]
        async with PostgresStore(f"{url}&application_name={schema}", writers=1) as store:
            rules = default_rules(approval="auto")
            service = PledgeService(store, LETTER, rules, DESTINATIONS, StepClock())
            await service.sign(artist(1), SignatureForm("First"), community="c")

            await operator.execute(f'ALTER ROLE "{role}" CONNECTION LIMIT 0')
            await _terminate(operator, await _backends(operator, schema))

            with pytest.raises(StoreUnavailable, match=TRY_AGAIN):
                await service.sign(artist(2), SignatureForm("Second"), community="c")

            async def audit(tx: WriteTx) -> None:
                await tx.add_audit(LETTER_AT, "mod", "approve", None, "while refused")

            for _ in range(3):  # the writer itself cannot connect: each try is refused
                with pytest.raises(StoreUnavailable, match=TRY_AGAIN):
                    await store.write(audit)

            await operator.execute(f'ALTER ROLE "{role}" CONNECTION LIMIT -1')
            result = await service.sign(artist(2), SignatureForm("Second"), community="c")
            assert result.signature.status is Status.APPROVED
            assert await service.count() == 2
            assert await _stored(operator, schema) == ["1", "2"]
            assert await store.audit_log(5) == []


async def test_a_writer_whose_begin_was_cancelled_commits_for_real_afterwards() -> None:
    """asyncpg keeps a ``Transaction`` whose BEGIN failed as the connection's current one; a
    session built on it then opened a SAVEPOINT for every later group, and its "COMMIT" was a
    RELEASE inside a transaction that never ended: the caller told the row was saved, and
    nobody else ever saw it. A BEGIN cancelled after the server ran it (as when the writer is
    stopped at that moment) leaves the connection so."""
    async with fresh_schema() as url, PostgresStore(url, writers=0) as store:
        dsn, _ = split_url(url)
        session = Session(partial(connect, dsn))
        await session.open()
        try:
            begin = asyncio.create_task(session.begin())
            await asyncio.sleep(0)  # BEGIN is on its way to the server
            begin.cancel()
            with pytest.raises(asyncio.CancelledError):
                await begin

            await session.begin()
            await session.open_unit().add_audit(
                LETTER_AT, "mod", "approve", None, "after the cancelled BEGIN"
            )
            await session.commit()
        finally:
            await session.close()
        assert [entry.reason for entry in await store.audit_log(5)] == ["after the cancelled BEGIN"]


LETTER_AT = StepClock().now()
