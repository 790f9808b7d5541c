"""The SQLite writer: units of work in group transactions on the one writer connection.

``BEGIN IMMEDIATE`` takes SQLite's write lock, so the counters a group loads at its start are
exact for the whole group; they are kept in memory and written once before COMMIT. A unit that
fails having written nothing (the usual case: the rules refuse before anything is written) is
simply dropped; one that fails after writing has the group rolled back and run again without it,
as on PostgreSQL — no savepoint per unit, which cost a SAVEPOINT and a RELEASE for every unit to
spare the rare failure a re-run. The whole group runs on the connection's thread as plain sqlite3
calls (:func:`storage.sqlite.session.drive`); the group itself — BEGIN, the counters, COMMIT —
is :class:`storage.sqlite.session.Session`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.domain import (
    Identity,
    LivePost,
    LivePostStatus,
    NewLivePost,
    NewSignature,
    OutboxMessage,
    Signature,
    SnapshotInfo,
)
from bot.ports import CountListener, LiveEditOwed
from storage.sql import queries as q
from storage.sql.live_owed import LiveOwed
from storage.sql.rows import LIST_POS, SIG_COLUMNS, live_post, signature, snapshot_info
from storage.sql.translate import iso, to_sqlite

__all__ = ["Counters", "Tx", "from_iso"]

# The shared statements, translated once. The list position is numbered here (next_list_pos).
_SIGNATURE_BY_ID = to_sqlite(q.SIGNATURE_BY_ID)
_SIGNATURES_OF = to_sqlite(q.SIGNATURES_OF)
_LIST_POS_OF = to_sqlite(q.LIST_POS_OF)
# Not the shared INSERT … RETURNING: on SQLite (3.40) RETURNING makes the insert into a table
# with this many indexes cost ~2.5 times as much (43 against 17 µs a row, measured), and the
# single writer knows what it would return: the id is the cursor's lastrowid, the list position
# is numbered here and the person is the account's, read by claim_account or here.
_INSERT_SIGNATURE = (
    "INSERT INTO signatures (platform, user_id, name, name_key, role, location, link, "
    "anonymous, community, status, letter_version, created_at, decided_at, list_pos, "
    "look_key, person, language) "
    "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17)"
)
_UPDATE_SIGNATURE = to_sqlite(q.UPDATE_SIGNATURE)
_ADD_OUTBOX = to_sqlite(q.ADD_OUTBOX)
_REDACT_OUTBOX = to_sqlite(q.REDACT_OUTBOX)
_ADD_AUDIT = to_sqlite(q.ADD_AUDIT)
_RECORD_LETTER_VERSION = to_sqlite(q.RECORD_LETTER_VERSION)
_REAFFIRM_SIGNATURE = to_sqlite(q.REAFFIRM_SIGNATURE)
_ADD_SIGNATURE_VERSION = to_sqlite(q.ADD_SIGNATURE_VERSION)
_MARK_TOLD = to_sqlite(q.MARK_TOLD)
_LATEST_SNAPSHOT = to_sqlite(q.LATEST_SNAPSHOT)
_RECORD_SNAPSHOT = to_sqlite(q.RECORD_SNAPSHOT)
_ACCOUNTS_OF_PERSONS = to_sqlite(q.ACCOUNTS_OF_PERSONS)
_MOVE_ACCOUNTS = to_sqlite(q.MOVE_ACCOUNTS)
_MOVE_SIGNATURES = to_sqlite(q.MOVE_SIGNATURES)
_DETACH_ACCOUNT = to_sqlite(q.DETACH_ACCOUNT)
_DETACH_SIGNATURES = to_sqlite(q.detach_signatures())
_DROP_LINK_CODES = to_sqlite(q.DROP_LINK_CODES)
_ADD_LINK_CODE = to_sqlite(q.ADD_LINK_CODE)
_TAKE_LINK_CODE = to_sqlite(q.TAKE_LINK_CODE)
_NAME_COMMUNITY = to_sqlite(q.NAME_COMMUNITY)
_ADD_LIVE_POST = to_sqlite(q.ADD_LIVE_POST)
_END_LIVE_POST = to_sqlite(q.END_LIVE_POST)
_END_LIVE_POSTS_IN = to_sqlite(q.END_LIVE_POSTS_IN)
_LIVE_EDIT_DUE = to_sqlite(q.LIVE_EDIT_DUE)
_WAITING_LIVE_EDITS = to_sqlite(q.WAITING_LIVE_EDITS)
_ADD_LIVE_EDIT = to_sqlite(q.ADD_LIVE_EDIT)
_SET_NEXT_EDIT = to_sqlite(q.SET_NEXT_EDIT)
# SQLite-only: the single writer reads every counter at BEGIN and settles them at COMMIT; the
# milestones it has not reached are those missing from the table (it holds the write lock).
_PERSON_OF_ACCOUNT = "SELECT person FROM accounts WHERE account = ?1"
_ADD_ACCOUNT = "INSERT OR IGNORE INTO accounts (account, person) VALUES (?1, ?1)"
# A person's active signature, else their latest, as two index searches: the shared "ORDER BY
# active first, id DESC" sorts in a temporary B-tree even when no row matches (3.1 against 4.1 µs
# a lookup for a new signer, 6.9 against 9.0 for one who has signed, measured). The partial unique
# index signatures_one_active_person holds one active signature per person at most.
_ACTIVE_ELSE_LATEST = (
    f"SELECT {SIG_COLUMNS} FROM signatures WHERE id = COALESCE("
    "(SELECT id FROM signatures WHERE person = {person} AND status IN ('pending', 'approved')), "
    "(SELECT MAX(id) FROM signatures WHERE person = {person}))"
)
_LATEST_OF_PERSON = _ACTIVE_ELSE_LATEST.format(person="?1")
_LATEST_SIGNATURE = _ACTIVE_ELSE_LATEST.format(
    person="COALESCE((SELECT person FROM accounts WHERE account = ?1), ?1)"
)
_MILESTONES_AMONG = to_sqlite("SELECT value FROM milestones WHERE value = ANY($1)")
_ADD_MILESTONE = "INSERT INTO milestones (value, reached_at) VALUES (?1, ?2)"


def from_iso(text: str | None) -> datetime | None:
    """A timestamp as SQLite keeps it (ISO 8601 text), back as a datetime."""
    return datetime.fromisoformat(text) if text else None


def _signature(row: Sequence[Any]) -> Signature:
    return signature(row, from_iso)


@dataclass(slots=True)
class Counters:
    """Counter rows of the current transaction, kept in memory and written once before COMMIT."""

    approved: int = 0
    listed: int = 0
    next_list_pos: int = 1
    bucket_deltas: dict[int, int] = field(default_factory=dict)

    def copy(self) -> Counters:
        return replace(self, bucket_deltas=dict(self.bucket_deltas))

    def list_one(self) -> int:
        pos = self.next_list_pos
        self.next_list_pos += 1
        self.listed += 1
        self.bucket_deltas[pos // q.BUCKET] = self.bucket_deltas.get(pos // q.BUCKET, 0) + 1
        return pos

    def unlist(self, pos: int) -> None:
        self.listed -= 1
        self.bucket_deltas[pos // q.BUCKET] = self.bucket_deltas.get(pos // q.BUCKET, 0) - 1


class Tx:
    """:class:`bot.ports.WriteTx` over the writer connection, inside the group transaction."""

    def __init__(self, cursor: sqlite3.Cursor, counters: Counters, live: LiveOwed) -> None:
        # The group's one cursor: ``Connection.execute`` would make a new one per statement.
        # Every result is read before the next statement, so one cursor serves them all.
        self._cur = cursor
        self.counters = counters
        self._live = live
        #: Whether this unit changed the transaction (a row, or the counters in memory): if it
        #: then fails, the group must run again without it.
        self.wrote = False
        self._positions: dict[int, int | None] = {}
        self._persons: dict[str, str] = {}  # account -> person, as read in this unit
        #: Accounts whose row this unit's claim made, and which have not signed since: every
        #: account that ever signed has its row (schema 12), so each is a person of its own
        #: without a signature. Most of a burst: their signing looks for nothing.
        self._unsigned: set[str] = set()
        # The account string of the identity claimed last: a signature's unit passes the same
        # Identity to the claim, the look and the insert, and str() of it is a Python call.
        self._claimed: tuple[Identity | None, str] = (None, "")

    def _begin_writing(self) -> None:
        self.wrote = True

    def _write(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        self._begin_writing()
        return self._cur.execute(sql, params).fetchall()

    def _select(self, sql: str, params: Sequence[Any]) -> list[Signature]:
        out = []
        for row in self._cur.execute(sql, params).fetchall():
            self._positions[row[0]] = row[LIST_POS]
            out.append(_signature(row))
        return out

    async def latest_signature(self, identity: Identity) -> Signature | None:
        claimed, account = self._claimed
        if identity is not claimed:
            account = str(identity)
        if account in self._unsigned:
            return None  # its row made by this unit's claim: it never signed
        person = self._persons.get(account)
        if person is None:
            rows = self._select(_LATEST_SIGNATURE, (account,))
        else:  # claimed in this unit: its person is known, no need to look it up again
            rows = self._select(_LATEST_OF_PERSON, (person,))
        return rows[0] if rows else None

    async def get_signature(self, signature_id: int) -> Signature | None:
        rows = self._select(_SIGNATURE_BY_ID, (signature_id,))
        return rows[0] if rows else None

    async def signatures_of(self, identity: Identity) -> list[Signature]:
        return self._select(_SIGNATURES_OF, (str(identity),))

    async def insert_signature(self, new: NewSignature) -> Signature:
        claimed, account = self._claimed
        if new.identity is not claimed:
            account = str(new.identity)
        person = self._persons.get(account) or self._claim(account)
        self._unsigned.discard(account)
        self.wrote = True
        pos = self.counters.list_one() if new.listed else None
        created = iso(new.created_at)
        decided = new.decided_at
        sig_id = self._cur.execute(
            _INSERT_SIGNATURE,
            # anonymous as 0/1: a bool would go through an adapter (storage.sqlite.binding); the
            # status's _value_ is the text .value returns, without enum's property call
            (
                new.identity.platform, new.identity.user_id, new.name, new.name_key, new.role,
                new.location, new.link, 1 if new.anonymous else 0, new.community,
                new.status._value_, new.letter_version, created,
                None if decided is None else created if decided == new.created_at else iso(decided),
                pos, new.look_key, person, new.language,
            ),
        ).lastrowid  # fmt: skip
        assert sig_id is not None
        self._positions[sig_id] = pos
        return new.stored_as(sig_id, person)

    async def update_signature(self, signature: Signature) -> None:
        if signature.id not in self._positions:
            rows = self._cur.execute(_LIST_POS_OF, (signature.id,)).fetchall()
            self._positions[signature.id] = rows[0][0] if rows else None
        pos = self._positions[signature.id]
        self.wrote = True
        if signature.listed and pos is None:
            pos = self.counters.list_one()
        elif not signature.listed and pos is not None:
            self.counters.unlist(pos)
            pos = None
        self._positions[signature.id] = pos
        self._write(
            _UPDATE_SIGNATURE,
            (
                signature.name, signature.name_key, signature.role, signature.location,
                signature.link, signature.status.value,
                iso(signature.decided_at) if signature.decided_at else None,
                signature.decided_by, signature.reason,
                iso(signature.withdrawn_at) if signature.withdrawn_at else None,
                signature.erased, pos, signature.look_key, signature.id, signature.lapsed,
            ),
        )  # fmt: skip

    async def add_to_count(self, delta: int, on_change: CountListener | None = None) -> None:
        # The writer holds the database's write lock, so the count it loaded is exact.
        self.wrote = True
        old = self.counters.approved
        self.counters.approved = old + delta
        if on_change is not None:
            await on_change(self, old, old + delta)

    async def claim_milestones(self, values: Sequence[int], at: datetime) -> list[int]:
        wanted = sorted(set(values))
        found = self._cur.execute(_MILESTONES_AMONG, (json.dumps(wanted),)).fetchall()
        reached = {row[0] for row in found}
        fresh = [v for v in wanted if v not in reached]
        for value in fresh:
            self._write(_ADD_MILESTONE, (value, iso(at)))
        return fresh

    async def add_outbox(self, messages: Sequence[OutboxMessage], at: datetime) -> None:
        if not messages:
            return
        self._begin_writing()
        when = iso(at)
        self._cur.executemany(
            _ADD_OUTBOX,
            [
                (m.kind.value, m.platform, m.destination, m.text, m.signature_id, m.milestone, when)
                for m in messages
            ],
        )

    async def redact_outbox(self, signature_ids: Sequence[int]) -> None:
        if signature_ids:
            self._write(_REDACT_OUTBOX, (json.dumps(list(signature_ids)),))

    async def add_audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        signature_id: int | None,
        reason: str | None = None,
    ) -> None:
        self._write(_ADD_AUDIT, (iso(at), actor, action, signature_id, reason))

    async def record_letter_version(self, version: str, text: str, at: datetime) -> bool:
        return bool(self._write(_RECORD_LETTER_VERSION, (version, text, iso(at))))

    async def reaffirm(self, signature: Signature, version: str, at: datetime) -> Signature:
        self._write(_REAFFIRM_SIGNATURE, (signature.id, version))
        self._write(
            _ADD_SIGNATURE_VERSION, (signature.id, version, signature.letter_version, iso(at))
        )
        return signature.evolve(letter_version=version)

    async def mark_told(self, version: str, signature_ids: Sequence[int]) -> list[int]:
        if not signature_ids:
            return []
        return [r[0] for r in self._write(_MARK_TOLD, (version, json.dumps(list(signature_ids))))]

    async def claim_account(self, identity: Identity) -> str:
        account = str(identity)
        self._claimed = (identity, account)
        return self._claim(account)

    def _claim(self, account: str) -> str:
        """Also for a signature inserted without a claim first: every signer has a row."""
        # The single writer holds the write lock, so reading first is safe, and an account that
        # has its row (anyone who signed before) costs no write: a refusal after it needs no re-run.
        if self._cur.execute(_ADD_ACCOUNT, (account,)).rowcount == 1:
            self.wrote = True  # a new account: its own person, who never signed
            self._unsigned.add(account)
            person = account
        else:
            person = self._cur.execute(_PERSON_OF_ACCOUNT, (account,)).fetchall()[0][0]
        self._persons[account] = person
        return person

    async def accounts_of(self, persons: Sequence[str]) -> list[tuple[str, Identity]]:
        found = self._cur.execute(_ACCOUNTS_OF_PERSONS, (json.dumps(list(persons)),))
        return [(person, Identity.parse(account)) for person, account in found.fetchall()]

    async def move_people(self, persons: Sequence[str], to: str, at: datetime) -> None:
        self._persons.clear()  # accounts change persons
        self._unsigned.clear()  # and may join one who signed
        moving = json.dumps(list(persons))
        self._write(_MOVE_ACCOUNTS, (to, iso(at), moving))
        self._write(_MOVE_SIGNATURES, (to, moving))

    async def detach_account(self, identity: Identity) -> None:
        self._persons.clear()
        self._unsigned.clear()
        self._write(_DETACH_SIGNATURES, (str(identity), identity.platform, identity.user_id))
        self._write(_DETACH_ACCOUNT, (str(identity),))

    async def add_link_code(
        self, code_hash: str, identity: Identity, at: datetime, expires_at: datetime
    ) -> None:
        self._write(_DROP_LINK_CODES, (str(identity), iso(at)))
        self._write(_ADD_LINK_CODE, (code_hash, str(identity), iso(at), iso(expires_at)))

    async def take_link_code(self, code_hash: str, at: datetime) -> Identity | None:
        found = self._write(_TAKE_LINK_CODE, (code_hash, iso(at)))
        return Identity.parse(found[0][0]) if found else None

    async def latest_snapshot(self) -> SnapshotInfo | None:
        found = self._cur.execute(_LATEST_SNAPSHOT).fetchall()
        return snapshot_info(found[0], from_iso) if found else None

    async def record_snapshot(self, snapshot: SnapshotInfo) -> None:
        s = snapshot
        self._write(
            _RECORD_SNAPSHOT, (s.sha256, iso(s.generated_at), s.approved, s.listed, s.previous)
        )

    async def name_community(self, community: str, name: str, at: datetime) -> None:
        self._write(_NAME_COMMUNITY, (community, name, iso(at)))

    async def add_live_post(self, post: NewLivePost) -> LivePost:
        self._live.forget()
        p = post
        rows = self._write(
            _ADD_LIVE_POST,
            (p.platform, p.chat, p.message, p.community, p.language, p.posted_by, iso(p.posted_at)),
        )
        return live_post(rows[0], from_iso)

    async def end_live_post(
        self, post_id: int, status: LivePostStatus, at: datetime, reason: str
    ) -> LivePost | None:
        self._live.forget()
        rows = self._write(_END_LIVE_POST, (post_id, status.value, iso(at), reason))
        return live_post(rows[0], from_iso) if rows else None

    async def end_live_posts_in(
        self, platform: str, chat: str, at: datetime, reason: str
    ) -> list[LivePost]:
        self._live.forget()
        rows = self._write(_END_LIVE_POSTS_IN, (platform, chat, iso(at), reason))
        return [live_post(r, from_iso) for r in rows]

    async def live_edits_owed(self) -> list[LiveEditOwed]:
        if self._live.posts is None:
            self._live.posts = self._read_live_edits_owed()
        return list(self._live.posts)

    def _read_live_edits_owed(self) -> list[LiveEditOwed]:
        # The writer holds the database's write lock: no claim can come between.
        posts = self._cur.execute(_LIVE_EDIT_DUE).fetchall()
        waiting: set[tuple[str, str]] = set()
        for platform in {p[1] for p in posts}:
            queues = [f"live:{p[0]}" for p in posts if p[1] == platform]
            found = self._cur.execute(_WAITING_LIVE_EDITS, (platform, json.dumps(queues)))
            waiting |= {(platform, row[0]) for row in found.fetchall()}
        owed = []
        for post_id, platform, due in posts:
            if (platform, f"live:{post_id}") not in waiting:
                when = from_iso(due)
                assert when is not None
                owed.append((post_id, platform, when))
        return owed

    async def schedule_live_edits(self, edits: Sequence[LiveEditOwed], at: datetime) -> None:
        if not edits:
            return
        self._begin_writing()
        now = iso(at)
        self._cur.executemany(
            _ADD_LIVE_EDIT, [(platform, f"live:{i}", now, iso(due)) for i, platform, due in edits]
        )
        self._cur.executemany(_SET_NEXT_EDIT, [(iso(due), i) for i, _, due in edits])
        self._live.scheduled(edits)
