"""The store interface (bot.ports.Store / WriteTx), as every implementation must honour it."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import (
    Identity,
    NewSignature,
    OutboxKind,
    OutboxMessage,
    Signature,
    SnapshotInfo,
    Status,
)
from bot.errors import StoreUnavailable
from bot.ports import Store, WriteTx

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def new_sig(
    user: str,
    *,
    status: Status = Status.PENDING,
    anonymous: bool = False,
    name: str | None = None,
    at: datetime = T0,
) -> NewSignature:
    name = name or f"Name {user}"
    return NewSignature(
        identity=Identity("discord", user),
        name=name,
        name_key=name.lower().replace(" ", ""),
        role="role",
        location="place",
        link="https://x.example",
        anonymous=anonymous,
        community="discord:1",
        status=status,
        letter_version="v1",
        created_at=at,
        decided_at=at if status is Status.APPROVED else None,
    )


async def insert(store: Store, *sigs: NewSignature, approve: bool = False) -> list[Signature]:
    async def unit(tx: WriteTx) -> list[Signature]:
        out = [await tx.insert_signature(s) for s in sigs]
        approved = sum(s.status is Status.APPROVED for s in out)
        if approved:
            await tx.add_to_count(approved)
        return out

    return await store.write(unit)


async def set_status(store: Store, sig: Signature, status: Status) -> Signature:
    async def unit(tx: WriteTx) -> Signature:
        current = await tx.get_signature(sig.id)
        assert current is not None
        done = current.evolve(status=status, decided_at=T0, decided_by="mod")
        await tx.update_signature(done)
        if status is Status.APPROVED:
            await tx.add_to_count(1)
        elif current.status is Status.APPROVED:
            await tx.add_to_count(-1)
        return done

    return await store.write(unit)


async def test_signatures_round_trip(any_store: Store) -> None:
    [sig] = await insert(any_store, new_sig("1"))
    assert sig.id > 0
    assert await any_store.get_signature(sig.id) == sig
    assert await any_store.latest_signature(Identity("discord", "1")) == sig
    assert await any_store.latest_signature(Identity("telegram", "1")) is None
    assert await any_store.get_signature(sig.id + 1000) is None


async def test_ids_are_sequential(any_store: Store) -> None:
    sigs = await insert(any_store, *(new_sig(str(n)) for n in range(5)))
    assert [s.id for s in sigs] == list(range(sigs[0].id, sigs[0].id + 5))


async def test_a_failing_unit_leaves_nothing_and_others_commit(any_store: Store) -> None:
    async def failing(tx: WriteTx) -> None:
        await tx.insert_signature(new_sig("bad"))
        await tx.add_to_count(5)
        await tx.add_audit(T0, "x", "approve", 1)
        raise RuntimeError("boom")

    results = await asyncio.gather(
        any_store.write(failing), insert(any_store, new_sig("good")), return_exceptions=True
    )
    assert isinstance(results[0], RuntimeError)
    assert await any_store.latest_signature(Identity("discord", "bad")) is None
    assert await any_store.latest_signature(Identity("discord", "good")) is not None
    assert await any_store.count() == 0
    assert await any_store.audit_log(10) == []


async def test_one_active_signature_per_identity_is_enforced(any_store: Store) -> None:
    await insert(any_store, new_sig("1"))
    with pytest.raises(Exception):  # noqa: B017 - each driver raises its own integrity error
        await insert(any_store, new_sig("1"))
    assert len(await any_store.histories([Identity("discord", "1")])) == 1


async def test_count_and_listing_follow_status_changes(any_store: Store) -> None:
    a, b, c = await insert(any_store, new_sig("a"), new_sig("b"), new_sig("c", anonymous=True))
    for sig in (b, a, c):
        await set_status(any_store, sig, Status.APPROVED)
    assert await any_store.count() == 3
    assert await any_store.listed_count() == 2
    assert [s.id for s in await any_store.listed_page(0, 10)] == [b.id, a.id]
    await set_status(any_store, b, Status.WITHDRAWN)
    assert (await any_store.count(), await any_store.listed_count()) == (2, 1)
    assert [s.id for s in await any_store.listed_page(0, 10)] == [a.id]
    assert [s.id async for s in any_store.listed_signatures()] == [a.id]


async def test_listing_pages_across_many_rows(any_store: Store) -> None:
    sigs = await insert(any_store, *(new_sig(str(n), status=Status.APPROVED) for n in range(2600)))
    # Unlist a scattered few so positions have gaps.
    for sig in sigs[5:2600:97]:
        await set_status(any_store, sig, Status.REMOVED)
    listed = [s.id for s in sigs if s not in sigs[5:2600:97]]
    assert await any_store.listed_count() == len(listed)
    for start in (0, 19, 1000, 1023, 1024, 2047, len(listed) - 5):
        page = await any_store.listed_page(start, 20)
        assert [s.id for s in page] == listed[start : start + 20], start
    assert await any_store.listed_page(len(listed), 20) == []
    assert [s.id async for s in any_store.listed_signatures(batch=700)] == listed


async def test_count_changes_are_reported_exactly_in_order(any_store: Store) -> None:
    seen: list[tuple[int, int]] = []

    async def listener(tx: WriteTx, old: int, new: int) -> None:
        seen.append((old, new))
        await tx.add_audit(T0, "test", f"count {old}->{new}", None)

    async def unit(tx: WriteTx) -> None:
        await tx.add_to_count(2, listener)
        await tx.add_to_count(-1, listener)

    await any_store.write(unit)
    assert seen == [(0, 2), (2, 1)]
    assert await any_store.count() == 1
    # What the listener wrote is part of the same transaction.
    assert [e.action for e in await any_store.audit_log(5)] == ["count 2->1", "count 0->2"]


async def test_concurrent_count_changes_are_each_seen_once(any_store: Store) -> None:
    seen: list[tuple[int, int]] = []

    async def listener(tx: WriteTx, old: int, new: int) -> None:
        seen.append((old, new))

    async def unit(tx: WriteTx) -> None:
        await tx.add_to_count(1, listener)

    await asyncio.gather(*(any_store.write(unit) for _ in range(300)))
    assert sorted(seen) == [(n, n + 1) for n in range(300)]
    assert await any_store.count() == 300


async def test_milestones_are_claimed_once(any_store: Store) -> None:
    async def claim(values: list[int]) -> list[int]:
        async def unit(tx: WriteTx) -> list[int]:
            return await tx.claim_milestones(values, T0)

        return await any_store.write(unit)

    assert await claim([10, 50]) == [10, 50]
    assert await claim([50, 100]) == [100]
    assert await claim([10]) == []
    assert await any_store.reached_milestones() == [10, 50, 100]


async def test_concurrent_milestone_claims_give_each_to_one_unit(any_store: Store) -> None:
    async def unit(tx: WriteTx) -> list[int]:
        return await tx.claim_milestones([100], T0)

    results = await asyncio.gather(*(any_store.write(unit) for _ in range(20)))
    assert sorted(map(len, results)) == [0] * 19 + [1]


def _msg(platform: str, dest: str, text: str = "hi", **kw: object) -> OutboxMessage:
    return OutboxMessage(OutboxKind.ANNOUNCEMENT, platform, dest, text, **kw)  # type: ignore[arg-type]


async def add_outbox(store: Store, *messages: OutboxMessage, at: datetime = T0) -> None:
    async def unit(tx: WriteTx) -> None:
        await tx.add_outbox(messages, at)

    await store.write(unit)


async def test_outbox_claims_are_exclusive_and_leased(any_store: Store) -> None:
    await add_outbox(
        any_store, _msg("discord", "1", "a"), _msg("discord", "2", "b"), _msg("telegram", "3", "c")
    )
    now = T0 + timedelta(seconds=1)
    lease = now + timedelta(seconds=60)
    first, second = await asyncio.gather(
        any_store.claim_outbox(["discord"], now, lease, 10),
        any_store.claim_outbox(["discord"], now, lease, 10),
    )
    assert sorted(m.text for m in first + second) == ["a", "b"]
    assert {m.platform for m in first + second} == {"discord"}
    assert await any_store.claim_outbox(["discord"], now, lease, 10) == []
    # The claimer died: after the lease runs out, the messages come back.
    later = lease + timedelta(seconds=1)
    again = await any_store.claim_outbox(["discord"], later, later + timedelta(seconds=60), 10)
    assert sorted(m.text for m in again) == ["a", "b"]


async def test_outbox_delivery_retry_and_failure(any_store: Store) -> None:
    await add_outbox(
        any_store,
        _msg("discord", "1", "a", signature_id=7),
        _msg("discord", "2", "b"),
        _msg("discord", "3", "c"),
    )
    now = T0 + timedelta(seconds=1)
    a, b, c = await any_store.claim_outbox(["discord"], now, now + timedelta(minutes=1), 10)
    await any_store.outbox_delivered(a.id, now, "m-1")
    retry_at = now + timedelta(seconds=30)
    await any_store.outbox_retry(b.id, retry_at, "502")
    await any_store.outbox_failed(c.id, now, "gone")
    assert await any_store.next_outbox_due(["discord"]) == retry_at
    assert await any_store.claim_outbox(["discord"], now, now + timedelta(minutes=1), 10) == []
    [due] = await any_store.claim_outbox(["discord"], retry_at, retry_at + timedelta(minutes=1), 10)
    assert (due.id, due.attempts) == (b.id, 1)
    rows = {m.id: m for m in await any_store.outbox_messages()}
    assert (rows[a.id].status, rows[a.id].ref) == ("delivered", "m-1")
    assert rows[c.id].status == "failed"
    assert await any_store.outbox_refs(7, OutboxKind.ANNOUNCEMENT) == [("discord", "1", "m-1")]


async def test_outbox_claims_released_at_start_up(any_store: Store) -> None:
    await add_outbox(any_store, _msg("discord", "1"))
    now = T0 + timedelta(seconds=1)
    assert await any_store.claim_outbox(["discord"], now, now + timedelta(hours=1), 10)
    released = await any_store.outbox_release_claims(["discord"])
    reclaimed = await any_store.claim_outbox(["discord"], now, now + timedelta(hours=1), 10)
    # A single-process store hands them back at once; a shared one waits for the lease.
    assert len(reclaimed) == released


async def test_redact_outbox(any_store: Store) -> None:
    await add_outbox(any_store, _msg("console", "q", "Secret Name", signature_id=3))

    async def unit(tx: WriteTx) -> None:
        await tx.redact_outbox([3])

    await any_store.write(unit)
    [row] = await any_store.outbox_messages()
    assert row.text == "(erased)" and row.status == "failed"


async def test_audit_log_is_newest_first(any_store: Store) -> None:
    async def unit(tx: WriteTx) -> None:
        await tx.add_audit(T0, "mod (console:mod)", "approve", 1)
        await tx.add_audit(T0 + timedelta(seconds=1), "mod (console:mod)", "reject", 2, "dup")

    await any_store.write(unit)
    log = await any_store.audit_log(10)
    assert [(e.action, e.signature_id, e.reason) for e in log] == [
        ("reject", 2, "dup"),
        ("approve", 1, None),
    ]
    assert log[0].at == T0 + timedelta(seconds=1)


async def test_letter_versions_are_recorded_once(any_store: Store) -> None:
    async def record(version: str) -> bool:
        async def unit(tx: WriteTx) -> bool:
            return await tx.record_letter_version(version, "text", T0)

        return await any_store.write(unit)

    assert await record("v1") is True
    assert await record("v1") is False
    assert await record("v2") is True


async def test_pending_histories_and_name_keys(any_store: Store) -> None:
    a, b, c = await insert(
        any_store, new_sig("a", name="Same Name"), new_sig("b"), new_sig("c", name="Same Name")
    )
    await set_status(any_store, a, Status.APPROVED)
    assert [s.id for s in await any_store.pending(10)] == [b.id, c.id]
    assert [s.id for s in await any_store.pending(1)] == [b.id]
    # Approved and pending signatures alike: a brigade signs before anyone is approved.
    assert [s.id for s in await any_store.look_alikes(["samename", "nobody"], 10)] == [a.id, c.id]
    # Either key finds it (bot.confusables gives each name two).
    looks = await insert(any_store, replace(new_sig("d", status=Status.APPROVED), look_key="x1"))
    await insert(any_store, replace(new_sig("e", status=Status.APPROVED), look_key="x1"))
    found = await any_store.look_alikes(["x1", "samename"], 10)
    assert [s.id for s in found] == [a.id, c.id, looks[0].id, looks[0].id + 1]
    assert found[2].look_key == "x1"
    history = await any_store.histories([Identity("discord", "a"), Identity("discord", "c")])
    assert [s.id for s in history] == [a.id, c.id]


async def test_look_alikes_are_active_signatures_only_and_bounded(any_store: Store) -> None:
    sigs = await insert(any_store, *(new_sig(str(n), name="Brigade Name") for n in range(6)))
    await set_status(any_store, sigs[0], Status.APPROVED)
    await set_status(any_store, sigs[1], Status.REJECTED)
    await set_status(any_store, sigs[2], Status.WITHDRAWN)
    await set_status(any_store, sigs[3], Status.REMOVED)
    found = await any_store.look_alikes(["brigadename"], 10)
    assert [(s.id, s.status) for s in found] == [
        (sigs[0].id, Status.APPROVED),
        (sigs[4].id, Status.PENDING),
        (sigs[5].id, Status.PENDING),
    ]
    # The oldest first, at most as many as asked for.
    assert [s.id for s in await any_store.look_alikes(["brigadename"], 2)] == [
        sigs[0].id,
        sigs[4].id,
    ]
    assert await any_store.look_alikes([], 10) == []


async def test_timestamps_round_trip_in_utc(any_store: Store) -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    [sig] = await insert(any_store, new_sig("t", at=at))
    stored = await any_store.get_signature(sig.id)
    assert stored is not None and stored.created_at == at


async def test_a_destinations_messages_are_claimed_in_order(any_store: Store) -> None:
    await add_outbox(any_store, _msg("discord", "1", "a1"), _msg("discord", "1", "a2"),
                     _msg("discord", "2", "b1"))  # fmt: skip
    now = T0 + timedelta(seconds=1)
    lease = now + timedelta(minutes=1)
    first = await any_store.claim_outbox(["discord"], now, lease, 10)
    assert [m.text for m in first] == ["a1", "b1"]  # each queue's head, side by side
    # While a1 is in flight, a2 waits — in this process or any other — and is not due, so a
    # dispatcher sleeps rather than spins: the next claimable moment is the end of a1's lease.
    assert await any_store.claim_outbox(["discord"], now, lease, 10) == []
    assert await any_store.next_outbox_due(["discord"]) == lease
    a1, b1 = first
    await any_store.outbox_retry(a1.id, now + timedelta(minutes=5), "502")
    await any_store.outbox_delivered(b1.id, now, "m")
    # a1 waits for its retry, and a2 behind it; nothing overtakes.
    assert await any_store.claim_outbox(["discord"], now, lease, 10) == []
    assert await any_store.next_outbox_due(["discord"]) == now + timedelta(minutes=5)
    later = now + timedelta(minutes=6)
    [again] = await any_store.claim_outbox(["discord"], later, later + timedelta(minutes=1), 10)
    assert again.text == "a1"
    await any_store.outbox_delivered(again.id, later, "m")
    [after] = await any_store.claim_outbox(["discord"], later, later + timedelta(minutes=1), 10)
    assert after.text == "a2"


async def test_the_next_message_of_one_queue(any_store: Store) -> None:
    await add_outbox(any_store, _msg("discord", "1", "a1"), _msg("discord", "1", "a2"),
                     _msg("discord", "2", "b1"), _msg("discord", "1", "a3"))  # fmt: skip
    now = T0 + timedelta(seconds=1)
    lease = now + timedelta(minutes=1)
    a1 = await any_store.claim_next_in_queue("discord", "1", now, lease)
    assert a1 is not None and a1.text == "a1"
    # In flight: nothing else of that queue, in this process or another; other queues untouched.
    assert await any_store.claim_next_in_queue("discord", "1", now, lease) is None
    assert await any_store.claim_next_in_queue("telegram", "1", now, lease) is None
    await any_store.outbox_delivered(a1.id, now, "m")
    a2 = await any_store.claim_next_in_queue("discord", "1", now, lease)
    assert a2 is not None and a2.text == "a2"
    # a2 must wait for a retry: a3 waits behind it.
    await any_store.outbox_retry(a2.id, now + timedelta(minutes=5), "502")
    assert await any_store.claim_next_in_queue("discord", "1", now, lease) is None
    later = now + timedelta(minutes=6)
    again = await any_store.claim_next_in_queue("discord", "1", later, later + timedelta(hours=1))
    assert again is not None and (again.id, again.attempts) == (a2.id, 1)
    # Its claimer dies: once the lease runs out the same message comes back, never a3.
    after_lease = later + timedelta(hours=2)
    back = await any_store.claim_next_in_queue("discord", "1", after_lease, after_lease)
    assert back is not None and back.id == a2.id
    [b1] = await any_store.claim_outbox(["discord"], now, lease, 10)
    assert b1.text == "b1"


async def test_snapshots_are_recorded_and_the_latest_is_the_chains_end(any_store: Store) -> None:
    assert await any_store.latest_snapshot() is None
    first = SnapshotInfo("a" * 64, T0, 3, 2, None)
    second = SnapshotInfo("b" * 64, T0 + timedelta(hours=1), 5, 4, "a" * 64)

    async def record(info: SnapshotInfo) -> SnapshotInfo | None:
        async def unit(tx: WriteTx) -> SnapshotInfo | None:
            before = await tx.latest_snapshot()
            await tx.record_snapshot(info)
            return before

        return await any_store.write(unit)

    assert await record(first) is None
    assert await any_store.latest_snapshot() == first
    assert await record(second) == first
    latest = await any_store.latest_snapshot()
    assert latest == second
    assert latest is not None and latest.generated_at.tzinfo is not None


async def test_a_failed_unit_records_no_snapshot(any_store: Store) -> None:
    async def unit(tx: WriteTx) -> None:
        await tx.record_snapshot(SnapshotInfo("c" * 64, T0, 1, 1, None))
        raise RuntimeError("the caller changed its mind")

    with pytest.raises(RuntimeError):
        await any_store.write(unit)
    assert await any_store.latest_snapshot() is None


# -- one person, several accounts (/link) ------------------------------------------------------
DA, TB = Identity("discord", "a"), Identity("telegram", "b")


async def _claim(store: Store, *identities: Identity) -> list[str]:
    async def unit(tx: WriteTx) -> list[str]:
        return [await tx.claim_account(i) for i in identities]

    return await store.write(unit)


async def _move(store: Store, persons: list[str], to: str) -> None:
    async def unit(tx: WriteTx) -> None:
        await tx.move_people(persons, to, T0)

    await store.write(unit)


async def test_an_account_is_its_own_person_until_linked(any_store: Store) -> None:
    assert await any_store.person_of(DA) == "discord:a"
    assert await _claim(any_store, DA, DA) == ["discord:a", "discord:a"]
    [sig] = await insert(any_store, new_sig("a"))
    assert sig.person == "discord:a"
    assert await any_store.histories_of(["discord:a"]) == [sig]
    assert await any_store.accounts_of(["discord:a"]) == [("discord:a", DA)]


async def test_linked_accounts_share_their_signatures(any_store: Store) -> None:
    [a] = await insert(any_store, new_sig("a", status=Status.APPROVED))
    await _claim(any_store, DA, TB)
    await _move(any_store, ["discord:a", "telegram:b"], "~p")
    assert await any_store.person_of(TB) == "~p"
    assert await any_store.accounts_of(["~p", "nobody"]) == [("~p", DA), ("~p", TB)]
    # Whichever account asks, the person's signature answers; a new one names the person.
    assert await any_store.latest_signature(TB) == replace(a, person="~p")

    async def from_b(tx: WriteTx) -> list[Signature]:
        return await tx.signatures_of(TB)

    assert [s.id for s in await any_store.write(from_b)] == [a.id]
    await set_status(any_store, a, Status.WITHDRAWN)
    [b] = await insert(any_store, replace(new_sig("b"), identity=TB))
    assert b.person == "~p"
    assert [s.id for s in await any_store.histories_of(["~p"])] == [a.id, b.id]
    # An account's own history is its own signatures only, though its person holds more.
    assert [s.id for s in await any_store.histories([TB])] == [b.id]
    assert [s.id for s in await any_store.histories([DA, TB])] == [a.id, b.id]
    # The active signature is the one shown, even when a later one exists.
    assert (await any_store.latest_signature(DA)) == b


async def test_accounts_of_persons_linked_and_of_their_own_at_once(any_store: Store) -> None:
    """Accounts found by their person whether linked (the index by person) or each its own
    person (its primary key), in one read and in one move."""
    tc, dd = Identity("telegram", "c"), Identity("discord", "d")
    await _claim(any_store, DA, TB, tc, dd)
    await _move(any_store, ["discord:a", "telegram:b"], "~p")
    assert await any_store.accounts_of(["telegram:c", "~p", "discord:a"]) == [
        ("~p", DA),
        ("~p", TB),
        ("telegram:c", tc),
    ]
    await _move(any_store, ["~p", "telegram:c"], "~q")
    assert await any_store.accounts_of(["~q"]) == [("~q", DA), ("~q", TB), ("~q", tc)]
    assert await any_store.accounts_of(["~p", "telegram:c"]) == []
    assert await any_store.accounts_of(["discord:d"]) == [("discord:d", dd)]


async def test_one_active_signature_per_person_is_enforced(any_store: Store) -> None:
    """Two accounts of one person cannot both hold an active signature: the database itself
    refuses the second, whatever the code above it checked."""
    await _claim(any_store, DA, TB)
    await _move(any_store, ["discord:a", "telegram:b"], "~p")
    await insert(any_store, new_sig("a"))
    with pytest.raises(Exception):  # noqa: B017 - each driver raises its own integrity error
        await insert(any_store, replace(new_sig("b"), identity=TB))
    assert len(await any_store.histories_of(["~p"])) == 1


async def test_unlinking_takes_the_account_and_its_own_signatures_away(any_store: Store) -> None:
    [a] = await insert(any_store, new_sig("a", status=Status.APPROVED))
    await set_status(any_store, a, Status.WITHDRAWN)
    [b] = await insert(any_store, replace(new_sig("b"), identity=TB))
    await _claim(any_store, DA, TB)
    await _move(any_store, ["discord:a", "telegram:b"], "~p")

    async def unit(tx: WriteTx) -> None:
        await tx.detach_account(TB)

    await any_store.write(unit)
    assert await any_store.person_of(TB) == "telegram:b"
    assert await any_store.accounts_of(["~p"]) == [("~p", DA)]
    assert [s.id for s in await any_store.histories_of(["~p"])] == [a.id]
    assert await any_store.latest_signature(TB) == replace(b, person="telegram:b")


async def test_link_codes_are_single_use_and_expire(any_store: Store) -> None:
    later = T0 + timedelta(minutes=10)

    async def add(code: str, who: Identity, at: datetime = T0) -> None:
        async def unit(tx: WriteTx) -> None:
            await tx.add_link_code(code, who, at, at + timedelta(minutes=10))

        await any_store.write(unit)

    async def take(code: str, at: datetime) -> Identity | None:
        async def unit(tx: WriteTx) -> Identity | None:
            return await tx.take_link_code(code, at)

        return await any_store.write(unit)

    await add("h1", DA)
    await add("h2", TB)
    assert await take("nope", T0) is None
    assert await take("h1", T0 + timedelta(minutes=9)) == DA
    assert await take("h1", T0 + timedelta(minutes=9)) is None  # used
    assert await take("h2", later) is None  # ten minutes old: expired
    await add("h3", DA)
    await add("h4", DA)  # a new code replaces the account's earlier one
    assert await take("h3", T0) is None
    assert await take("h4", T0) == DA


async def test_a_write_is_acknowledged_only_with_its_changes_stored(any_store: Store) -> None:
    """A unit that carries on after the database refused one of its statements (a duplicate
    key, caught): the store either acknowledges it with its other changes stored, or answers
    "try again" with none — never acknowledged and lost. (On PostgreSQL the refusal aborts the
    transaction, and the COMMIT of an aborted transaction answers ROLLBACK, not an error.)"""

    async def unit(tx: WriteTx) -> str:
        await tx.add_audit(T0, "mod", "approve", None, "the unit's other change")
        expires = T0 + timedelta(hours=1)
        await tx.add_link_code("same-code", Identity("discord", "1"), T0, expires)
        with contextlib.suppress(Exception):  # a unit that swallows the refusal
            await tx.add_link_code("same-code", Identity("discord", "2"), T0, expires)
        return "done"

    try:
        result = await any_store.write(unit)
    except StoreUnavailable:
        assert await any_store.audit_log(5) == []
    else:
        assert result == "done"
        assert [e.reason for e in await any_store.audit_log(5)] == ["the unit's other change"]
