"""The store's side of ``/communities``: names kept as last given, and counts per community."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain import CommunityCount, NewSignature, Status
from bot.ports import Store, WriteTx
from tests.contract.test_store_contract import T0, insert, new_sig


async def _name(store: Store, community: str, name: str) -> None:
    async def unit(tx: WriteTx) -> None:
        await tx.name_community(community, name, T0)

    await store.write(unit)


async def test_counts_per_community_with_names(any_store: Store) -> None:
    def sig(user: str, community: str, status: Status, hours_ago: int = 0) -> NewSignature:
        return replace(
            new_sig(user, status=status, at=T0 - timedelta(hours=hours_ago)), community=community
        )

    await insert(
        any_store,
        sig("1", "discord:1", Status.APPROVED),
        sig("2", "discord:1", Status.APPROVED, hours_ago=30),
        sig("3", "discord:1", Status.PENDING),
        sig("4", "telegram:-5", Status.APPROVED),
        sig("5", "telegram:-5", Status.REJECTED),
        sig("6", "console", Status.REJECTED),
    )
    await _name(any_store, "discord:1", "Old name")
    await _name(any_store, "discord:1", "Night Owls")
    await _name(any_store, "telegram:-9", "Never signed")

    counts = await any_store.community_counts(T0 - timedelta(hours=24), 10)

    assert counts == [
        CommunityCount("discord:1", "Night Owls", 2, 1, 2),
        CommunityCount("telegram:-5", None, 1, 0, 2),
        CommunityCount("console", None, 0, 0, 1),
    ]
    assert await any_store.community_counts(T0 - timedelta(hours=24), 1) == counts[:1]


async def test_no_signatures_no_communities(any_store: Store) -> None:
    await _name(any_store, "discord:1", "Night Owls")
    assert await any_store.community_counts(T0, 20) == []
