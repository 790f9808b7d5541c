"""Exporting approved signatures as CSV or JSON, streamed in chunks so a million rows never sit
in memory at once."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Literal

from bot.domain import Identity, Letter, Signature
from bot.errors import InvalidInput
from bot.i18n import msg
from bot.linking import is_linked_person
from bot.reaffirm import version_counts

if TYPE_CHECKING:
    from bot.ports import Store
    from bot.progress import Advance

__all__ = ["EXPORT_FORMATS", "ExportFormat", "export_chunks"]

ExportFormat = Literal["csv", "json"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "json")

_BATCH = 1000
_FIELDS = ("signature", "name", "role", "location", "link", "approved_at", "letter_version")
_ID_FIELDS = ("platform", "user_id", "community", "linked_ids")
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


Linked = dict[str, list[Identity]]


def _record(sig: Signature, with_ids: bool, linked: Linked) -> dict[str, object]:
    record: dict[str, object] = {
        "signature": sig.id,
        "name": sig.name,
        "role": sig.role,
        "location": sig.location,
        "link": sig.link,
        "approved_at": sig.decided_at.isoformat() if sig.decided_at else None,
        "letter_version": sig.letter_version,
    }
    if with_ids:
        record |= {
            "platform": sig.identity.platform,
            "user_id": sig.identity.user_id,
            "community": sig.community,
            # The signer's other accounts (/link), space-separated: "discord:1 telegram:2".
            "linked_ids": " ".join(str(a) for a in linked.get(sig.person, ()) if a != sig.identity),
        }
    return record


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


async def _listed(store: Store, progress: Advance) -> AsyncIterator[list[Signature]]:
    batch: list[Signature] = []
    async for sig in store.listed_signatures(_BATCH):
        batch.append(sig)
        if len(batch) >= _BATCH:
            yield batch
            progress(len(batch))
            batch = []
    if batch:
        yield batch
        progress(len(batch))


async def _linked(store: Store, batch: Sequence[Signature], with_ids: bool) -> Linked:
    """The accounts of the batch's linked signers, with one query per batch (ids only)."""
    persons = list({s.person for s in batch if is_linked_person(s.person)}) if with_ids else []
    linked: Linked = {}
    for person, account in await store.accounts_of(persons) if persons else ():
        linked.setdefault(person, []).append(account)
    return linked


async def _csv(
    store: Store, fields: Sequence[str], with_ids: bool, progress: Advance
) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    async for batch in _listed(store, progress):
        linked = await _linked(store, batch, with_ids)
        for sig in batch:
            writer.writerow([_safe_cell(v) for v in _record(sig, with_ids, linked).values()])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


async def _json(
    store: Store, letter: Letter, with_ids: bool, progress: Advance
) -> AsyncIterator[str]:
    approved, listed = await store.count(), await store.listed_count()
    versions = await version_counts(store, letter.version)
    head = {
        "letter": {"title": letter.title, "version": letter.version},
        "approved": approved,
        "anonymous": max(approved - listed, 0),
        # Approved signatures per text of the letter, the current one first (bot.reaffirm).
        "versions": [
            {
                "version": v.version,
                "approved": v.approved,
                "current": v.current,
                "first_seen": v.first_seen.isoformat() if v.first_seen else None,
            }
            for v in versions.versions
        ],
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "signatures": ['
    first = True
    async for batch in _listed(store, progress):
        linked = await _linked(store, batch, with_ids)
        rows = ",\n  ".join(
            json.dumps(_record(s, with_ids, linked), ensure_ascii=False) for s in batch
        )
        yield ("\n  " if first else ",\n  ") + rows
        first = False
    yield "\n]}\n"


def export_chunks(
    store: Store,
    letter: Letter,
    fmt: ExportFormat,
    *,
    with_ids: bool = False,
    progress: Advance = lambda _: None,
) -> AsyncIterator[str]:
    """Approved, listed signatures in approval order. Anonymous signatures are only counted.
    ``progress`` is told how many signatures each chunk held."""
    if fmt == "csv":
        return _csv(store, _FIELDS + (_ID_FIELDS if with_ids else ()), with_ids, progress)
    if fmt == "json":
        return _json(store, letter, with_ids, progress)
    raise InvalidInput("format", msg("The export format must be csv or json."))
