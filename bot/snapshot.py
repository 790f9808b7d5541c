"""Verifiable snapshots of the letter: a canonical JSON document, its SHA-256, and a chain.

A snapshot holds the letter (text and version), when it was generated, every listed signatory in
approval order with their public fields, the totals, and ``previous``: the SHA-256 of the
snapshot before it. Its own ``sha256`` is taken over the *canonical form*: the document without
``sha256``, as JSON with sorted keys, no whitespace, UTF-8. The file is exactly that form with
``"sha256"`` added as the last member and a newline, so anyone can check it with a few lines of
any language, and any edit of the file (even of whitespace) is noticed.

Documents are written as a stream (a million signatories never sit in memory at once); the
streamed bytes equal ``json.dumps(doc, sort_keys=True, separators=(",", ":"))``, which the tests
hold it to.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from bot.domain import Letter, Signature, SnapshotInfo
from bot.public import iso, letter_record, public_record

__all__ = [
    "FORMAT",
    "SnapshotInfo",
    "Verification",
    "canonical",
    "file_bytes",
    "report",
    "verify",
    "write_snapshot",
]

FORMAT = "pledgebot-snapshot/1"
_REQUIRED = ("format", "generated_at", "letter", "previous", "signatories", "totals", "sha256")


def _dumps(value: object) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def canonical(doc: Mapping[str, Any]) -> bytes:
    """The bytes the hash is taken over: everything but ``sha256``, sorted and compact."""
    return _dumps({k: v for k, v in doc.items() if k != "sha256"}).encode("utf-8")


def file_bytes(doc: Mapping[str, Any]) -> bytes:
    """A document as its file: the canonical form with its ``sha256`` as the last member."""
    body = canonical(doc)
    digest = hashlib.sha256(body).hexdigest()
    return _with_hash(body, digest)


def _with_hash(body: bytes, digest: str) -> bytes:
    return body[:-1] + f',"sha256":"{digest}"}}\n'.encode()


async def write_snapshot(
    out: IO[bytes],
    letter: Letter,
    signatories: AsyncIterable[Signature],
    *,
    approved: int,
    generated_at: datetime,
    previous: str | None,
) -> SnapshotInfo:
    """Stream a snapshot into ``out`` (a file opened for binary writing); returns its hash.

    ``signatories`` are the listed signatures in approval order; anything not listed that slips
    in (a listing that changed while it was read) is left out. ``approved`` is the count read
    before the listing, so the anonymous total is what the count holds beyond the names."""
    head = {
        "format": FORMAT,
        "generated_at": iso(generated_at),
        "letter": letter_record(letter),
        "previous": previous,
    }
    digest = hashlib.sha256()
    pending: list[bytes] = []

    def emit(chunk: str) -> None:
        data = chunk.encode("utf-8")
        digest.update(data)
        pending.append(data)
        if len(pending) >= 512:
            flush()

    def flush() -> None:
        out.write(b"".join(pending))
        pending.clear()

    emit(_dumps(head)[:-1] + ',"signatories":[')
    listed = 0
    async for sig in signatories:
        if not sig.listed:
            continue
        emit(("," if listed else "") + _dumps(public_record(sig)))
        listed += 1
    totals = {"approved": max(approved, listed), "listed": listed}
    totals["anonymous"] = totals["approved"] - listed
    emit("]," + '"totals":' + _dumps(totals))
    flush()
    # The canonical form ends with "}"; the file puts the sha256 member before that brace.
    digest.update(b"}")
    sha = digest.hexdigest()
    out.write(f',"sha256":"{sha}"}}\n'.encode())
    return SnapshotInfo(sha, generated_at, totals["approved"], listed, previous)


@dataclass(slots=True)
class Verification:
    """The outcome of :func:`verify`: ``ok`` only when the hash and the chain hold."""

    sha256: str | None = None
    generated_at: str | None = None
    listed: int = 0
    previous: str | None = None
    problems: list[str] = field(default_factory=list)
    #: Signatories in the previous snapshot and not in this one (withdrawn or removed since).
    missing: list[dict[str, Any]] = field(default_factory=list)
    chain_checked: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _load(data: bytes, what: str) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, [_not_json(what, str(exc))]
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return None, [_not_a_snapshot(what)]
    absent = [k for k in _REQUIRED if k not in doc]
    if absent:
        return None, [_missing_fields(what, absent)]
    if not isinstance(doc["signatories"], list) or not isinstance(doc["totals"], dict):
        return None, [_not_a_snapshot(what)]
    return doc, []


def _check(data: bytes, what: str) -> tuple[dict[str, Any] | None, list[str]]:
    doc, problems = _load(data, what)
    if doc is None:
        return None, problems
    claimed = doc["sha256"]
    actual = hashlib.sha256(canonical(doc)).hexdigest()
    if claimed != actual:
        problems.append(_hash_mismatch(what, str(claimed), actual))
    elif data != _with_hash(canonical(doc), actual):
        problems.append(_not_canonical(what))
    if doc["totals"].get("listed") != len(doc["signatories"]):
        problems.append(_totals_disagree(what))
    return doc, problems


def _key(record: Any) -> str:
    return _dumps(record)


def verify(data: bytes, previous: bytes | None = None) -> Verification:
    """Check a snapshot file's bytes, and with ``previous`` the chain between the two.

    Every problem is a sentence for the person running ``pledgebot verify``."""
    result = Verification()
    doc, problems = _check(data, _THIS)
    result.problems += problems
    if doc is None:
        return result
    result.sha256 = doc["sha256"]
    result.generated_at = doc["generated_at"]
    result.listed = len(doc["signatories"])
    result.previous = doc["previous"]
    if previous is None:
        return result
    result.chain_checked = True
    before, problems = _check(previous, _PREVIOUS)
    result.problems += problems
    if before is None:
        return result
    if doc["previous"] != before["sha256"]:
        result.problems.append(_chain_broken(doc["previous"], before["sha256"]))
    if str(before["generated_at"]) > str(doc["generated_at"]):
        result.problems.append(_out_of_order())
    present: dict[str, int] = {}
    for record in doc["signatories"]:
        present[_key(record)] = present.get(_key(record), 0) + 1
    for record in before["signatories"]:
        key = _key(record)
        if present.get(key, 0) > 0:
            present[key] -= 1
        else:
            result.missing.append(record)
    return result


def report(result: Verification, file: str, previous_file: str | None) -> tuple[list[str], int]:
    """What ``pledgebot verify`` prints, and its exit code (0 only when everything holds)."""
    if not result.ok:
        return [_failed(file, p) for p in result.problems], 1
    lines = [_verified(file, str(result.sha256), result.listed, str(result.generated_at))]
    if result.chain_checked and previous_file is not None:
        lines.append(_chain_holds(previous_file, str(result.previous)))
        lines.append(_missing(len(result.missing)))
        lines += [f"  - {_describe(r)}" for r in result.missing]
    return lines, 0


def _describe(record: Mapping[str, Any]) -> str:
    parts = [str(record.get(k)) for k in ("name", "role", "location") if record.get(k)]
    text = ", ".join(parts) or "?"
    if record.get("link"):
        text += f" — {record['link']}"
    if record.get("approved_at"):
        text += f" (approved {record['approved_at']})"
    return text


# -- what ``pledgebot verify`` says: the operator's command line, which speaks English ----------
_THIS = "the snapshot"
_PREVIOUS = "the previous snapshot"


def _not_json(what: str, detail: str) -> str:
    return f"{what} is not readable JSON ({detail}): it was damaged or is not a snapshot."


def _not_a_snapshot(what: str) -> str:
    return f"{what} is not a pledgebot snapshot."


def _missing_fields(what: str, fields: list[str]) -> str:
    return f"{what} lacks {', '.join(fields)}: it was edited or is not a complete snapshot."


def _hash_mismatch(what: str, claimed: str, actual: str) -> str:
    return (
        f"{what} was changed after it was written: its contents hash to {actual}, "
        f"not to the sha256 it states ({claimed[:80]})."
    )


def _not_canonical(what: str) -> str:
    return (
        f"{what} was edited or reformatted after it was written: its contents hash correctly, "
        "but the file is not byte for byte the form pledgebot writes."
    )


def _totals_disagree(what: str) -> str:
    return f"{what} states a number of listed signatories that differs from its list."


def _chain_broken(previous: object, actual: str) -> str:
    named = "no previous snapshot" if previous is None else f"the previous snapshot {previous}"
    return f"the chain is broken: this snapshot names {named}, but the file given has {actual}."


def _out_of_order() -> str:
    return "the previous snapshot was generated after this one."


def _verified(file: str, sha256: str, listed: int, generated_at: str) -> str:
    return (
        f"OK: {file} holds: sha256 {sha256}, {listed} listed signatories, generated {generated_at}."
    )


def _chain_holds(file: str, sha256: str) -> str:
    return f"OK: the chain holds: {file} (sha256 {sha256}) is its previous snapshot."


def _missing(count: int) -> str:
    if count == 0:
        return "No signatory of the previous snapshot is missing from this one."
    who = "signatory" if count == 1 else "signatories"
    return f"{count} {who} of the previous snapshot missing from this one (withdrawn or removed):"


def _failed(file: str, problem: str) -> str:
    return f"FAILED: {file}: {problem}"
