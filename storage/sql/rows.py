"""Turning rows into domain values. Every store selects the same columns in the same order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.domain import (
    Identity,
    LivePost,
    LivePostStatus,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Signature,
    SnapshotInfo,
    Status,
)

__all__ = [
    "LIVE_POST_COLUMNS",
    "OUTBOX_COLUMNS",
    "SIG_COLUMNS",
    "live_post",
    "outbox_message",
    "signature",
    "snapshot_info",
]

SIG_COLUMNS = (
    "id, platform, user_id, name, name_key, role, location, link, anonymous, community, status, "
    "letter_version, created_at, decided_at, decided_by, reason, withdrawn_at, erased, list_pos, "
    "look_key, person, lapsed, language"
)
LIST_POS = 18  # index of list_pos in SIG_COLUMNS
OUTBOX_COLUMNS = (
    "id, kind, platform, destination, text, signature_id, milestone, attempts, created_at, "
    "status, ref"
)
#: ``{p}``: the table's alias and a dot, or nothing; ``{name}``: the community's name column.
LIVE_POST_COLUMNS = (
    "{p}id, {p}platform, {p}chat, {p}message, {p}community, {p}language, {p}posted_by, "
    "{p}posted_at, {p}status, {name}, {p}ended_at, {p}end_reason"
)

Timestamp = Callable[[Any], datetime | None]


def _same(value: Any) -> datetime | None:
    return value  # type: ignore[no-any-return,unused-ignore]


def signature(row: Sequence[Any], ts: Timestamp = _same) -> Signature:
    created = ts(row[12])
    assert created is not None
    return Signature(
        id=row[0],
        identity=Identity(row[1], row[2]),
        name=row[3],
        name_key=row[4],
        role=row[5],
        location=row[6],
        link=row[7],
        anonymous=bool(row[8]),
        community=row[9],
        status=Status(row[10]),
        letter_version=row[11],
        created_at=created,
        decided_at=ts(row[13]),
        decided_by=row[14],
        reason=row[15],
        withdrawn_at=ts(row[16]),
        erased=bool(row[17]),
        look_key=row[19],
        person=row[20],
        lapsed=bool(row[21]),
        language=row[22],
    )


def outbox_message(row: Sequence[Any], ts: Timestamp = _same) -> OutboxMessage:
    return OutboxMessage(
        id=row[0],
        kind=OutboxKind(row[1]),
        platform=row[2],
        destination=row[3],
        text=row[4],
        signature_id=row[5],
        milestone=row[6],
        attempts=row[7],
        created_at=ts(row[8]),
        status=OutboxStatus(row[9]),
        ref=row[10],
    )


def live_post(row: Sequence[Any], ts: Timestamp = _same) -> LivePost:
    posted = ts(row[7])
    assert posted is not None
    return LivePost(
        id=row[0],
        platform=row[1],
        chat=row[2],
        message=row[3],
        community=row[4],
        language=row[5],
        posted_by=row[6],
        posted_at=posted,
        status=LivePostStatus(row[8]),
        community_name=row[9],
        ended_at=ts(row[10]),
        end_reason=row[11],
    )


# Columns of the logical schema (bot.ports.TABLES) that need converting between drivers.
TIMESTAMP_COLUMNS = frozenset(
    {"created_at", "decided_at", "withdrawn_at", "reached_at", "next_attempt_at", "lease_until",
     "delivered_at", "at", "first_seen", "generated_at", "linked_at", "updated_at", "posted_at",
     "next_edit_at", "ended_at"}
)  # fmt: skip
BOOLEAN_COLUMNS = frozenset({"anonymous", "erased", "lapsed"})


def snapshot_info(row: Sequence[Any], ts: Timestamp = _same) -> SnapshotInfo:
    """A row of ``snapshot_columns`` (storage.sql.queries.SNAPSHOT_COLUMNS) as the domain's."""
    at = ts(row[1])
    assert at is not None
    return SnapshotInfo(row[0], at, int(row[2]), int(row[3]), row[4])
