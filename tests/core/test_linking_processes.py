"""Linked accounts served by two bot processes on one PostgreSQL database at the same moment:
the database's own rules keep one active signature per person.

In one process the group commit runs concurrent units one after another in one transaction, so
the race these tests are about needs two stores (two processes' connection pools) whose
transactions overlap. A signature made through each at once from two accounts of one person, or
a signature made through one while the account is linked through the other, must leave the
person with one active signature.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import default_rules
from bot.domain import Actor, Identity, SignatureForm
from bot.errors import AlreadySigned
from bot.service import PledgeService
from tests.conftest import DESTINATIONS, LETTER, StepClock
from tests.postgres import fresh_schema

pytestmark = pytest.mark.postgres

# Backends waiting for a lock the given one holds.
_WAITING_FOR = "SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))"


@pytest.fixture
async def two_processes() -> AsyncIterator[tuple[PledgeService, PledgeService]]:
    from storage.postgres import PostgresStore

    rules = default_rules(
        approval="auto", cooldown=timedelta(0), rate_limits=None, surge_min_signatures=0
    )
    async with (
        fresh_schema() as url,
        PostgresStore(url, writers=2, readers=2) as one,
        PostgresStore(url, writers=2, readers=2) as two,
    ):
        first, second = (
            PledgeService(s, LETTER, rules, DESTINATIONS, StepClock()) for s in (one, two)
        )
        await first.start()
        await second.start()
        yield first, second


async def _active(service: PledgeService, *accounts: Identity) -> int:
    persons = list({await service.store.person_of(a) for a in accounts})
    return sum(s.status.is_active for s in await service.store.histories_of(persons))


async def test_two_linked_accounts_signing_through_two_processes_keep_one_signature(
    two_processes: tuple[PledgeService, PledgeService],
) -> None:
    one, two = two_processes
    for n in range(8):
        a = Actor(Identity("discord", f"a{n}"), "A")
        b = Actor(Identity("telegram", f"b{n}"), "B")
        code = await one.link_code(a)
        await two.link(b, code.code)
        results = await asyncio.gather(
            one.sign(a, SignatureForm(f"Artist {n}"), community="c"),
            two.sign(b, SignatureForm(f"Artist {n}"), community="c"),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, BaseException)]
        assert len(refused) == 1 and isinstance(refused[0], AlreadySigned), results
        assert await _active(one, a.identity, b.identity) == 1
    assert await one.count() == 8


async def test_linking_while_the_account_signs_in_another_process(
    two_processes: tuple[PledgeService, PledgeService],
) -> None:
    """The account's row is held by both units: either the link sees the new signature (and
    withdraws the later one) or the signature sees the link (and is refused)."""
    one, two = two_processes
    for n in range(8):
        a = Actor(Identity("discord", f"a{n}"), "A")
        b = Actor(Identity("telegram", f"b{n}"), "B")
        await one.sign(a, SignatureForm(f"Artist {n}"), community="c")
        code = await one.link_code(a)
        await asyncio.gather(
            one.link(b, code.code),
            two.sign(b, SignatureForm(f"Artist {n} again"), community="c"),
            return_exceptions=True,
        )
        assert await _active(one, a.identity, b.identity) == 1
    assert await one.count() == 8


async def test_one_account_signing_through_two_processes_that_wait_for_each_other(
    two_processes: tuple[PledgeService, PledgeService],
) -> None:
    """Both processes claim the account while a third transaction holds its row; when that one
    ends, the first signs and the second, having waited for it, is refused — though its claim
    read the account's signatures before the first committed."""
    import asyncpg

    from storage.postgres.connection import split_url

    one, two = two_processes
    a = Actor(Identity("discord", "a"), "A")
    dsn, schema = split_url(one.store.url)  # type: ignore[attr-defined]
    holder = await asyncpg.connect(dsn, server_settings={"search_path": schema or "public"})
    try:
        await holder.execute("BEGIN")
        await holder.execute("INSERT INTO accounts (account, person) VALUES ($1, $1)", "discord:a")
        signing = [
            asyncio.create_task(service.sign(a, SignatureForm("Artist"), community="c"))
            for service in (one, two)
        ]
        while await holder.fetchval(_WAITING_FOR, holder.get_server_pid()) < 2:
            await asyncio.sleep(0.01)  # until both claims wait on the row
        await holder.execute("COMMIT")
    finally:
        await holder.close()
    results = await asyncio.gather(*signing, return_exceptions=True)

    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], AlreadySigned), results
    assert await _active(one, a.identity) == 1
    assert await one.count() == 1
