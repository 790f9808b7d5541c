"""How a store is opened (bot.ports.OpenMode), as every implementation must honour it: only the
bot creates a database, and a reader runs beside the bot that writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.app import open_store
from bot.domain import Identity, Status
from bot.errors import StoreRefused, StoreUnavailable
from bot.ports import OpenMode, Store, WriteTx
from tests.contract.test_store_contract import insert, new_sig
from tests.stores import Place


@asynccontextmanager
async def opened(url: str, mode: OpenMode = OpenMode.CREATE) -> AsyncIterator[Store]:
    """The store the CLI would open for ``url`` in ``mode``."""
    store = open_store(url, mode)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


@pytest.mark.parametrize("mode", [OpenMode.EXISTING, OpenMode.READ_ONLY])
async def test_a_missing_database_is_refused_and_nothing_is_created(
    place: Place, mode: OpenMode
) -> None:
    store = open_store(place.url, mode)
    with pytest.raises(StoreRefused, match="there is no pledgebot database at"):
        await store.open()
    await store.close()
    assert not await place.exists()


async def test_an_existing_campaign_opens_as_it_was(place: Place) -> None:
    async with opened(place.url) as first:
        [sig] = await insert(first, new_sig("1", status=Status.APPROVED))
    async with opened(place.url, OpenMode.EXISTING) as again:
        assert await again.count() == 1
        assert await again.get_signature(sig.id) == sig
        [other] = await insert(again, new_sig("2", status=Status.APPROVED))
        assert other.id == sig.id + 1 and await again.count() == 2


async def test_a_reader_beside_the_writer_sees_its_commits_and_writes_nothing(
    place: Place,
) -> None:
    async with opened(place.url) as writer:
        [first] = await insert(writer, new_sig("1", status=Status.APPROVED))
        async with opened(place.url, OpenMode.READ_ONLY) as reader:
            assert await reader.count() == 1
            assert [s.id for s in await reader.listed_page(0, 10)] == [first.id]

            async def sign(tx: WriteTx) -> None:
                await tx.insert_signature(new_sig("3"))

            with pytest.raises(StoreUnavailable):
                await reader.write(sign)
            assert await reader.latest_signature(Identity("discord", "3")) is None

            [second] = await insert(writer, new_sig("2", status=Status.APPROVED))
            assert await reader.count() == 2
            assert await reader.get_signature(second.id) == second
        assert await writer.count() == 2
