"""Snapshots: the canonical form, its hash, verification and the chain."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.domain import Identity, Letter, Signature, Status
from bot.snapshot import canonical, file_bytes, report, verify, write_snapshot
from tests.conftest import LETTER

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_optional = st.one_of(st.none(), _text)


def _sig(
    n: int, name: str, role: str | None = None, link: str | None = None, **kw: Any
) -> Signature:
    fields: dict[str, Any] = {
        "location": None,
        "anonymous": False,
        "status": Status.APPROVED,
        "erased": False,
    } | kw
    return Signature(
        id=n,
        identity=Identity("console", str(n)),
        name=name,
        name_key=name.lower(),
        role=role,
        link=link,
        community="console",
        letter_version=LETTER.version,
        created_at=T0,
        decided_at=T0 + timedelta(seconds=n),
        **fields,
    )


_sigs = st.lists(
    st.builds(
        lambda name, role, location, link: (name, role, location, link),
        _text.filter(bool),
        _optional,
        _optional,
        _optional,
    ),
    max_size=6,
).map(lambda rows: [_sig(i + 1, n, r, ln, location=loc) for i, (n, r, loc, ln) in enumerate(rows)])


async def _stream(sigs: Iterable[Signature]) -> AsyncIterator[Signature]:
    for sig in sigs:
        yield sig


async def _write(
    sigs: list[Signature],
    *,
    letter: Letter = LETTER,
    approved: int | None = None,
    previous: str | None = None,
    at: datetime = T0,
) -> bytes:
    out = io.BytesIO()
    info = await write_snapshot(
        out,
        letter,
        _stream(sigs),
        approved=len(sigs) if approved is None else approved,
        generated_at=at,
        previous=previous,
    )
    data = out.getvalue()
    assert json.loads(data)["sha256"] == info.sha256
    return data


async def test_a_snapshot_holds_the_letter_the_listed_signatories_and_the_totals() -> None:
    sigs = [
        _sig(1, "Alice", "singer", "https://alice.example"),
        _sig(2, "Hidden", anonymous=True),
        _sig(3, "Gone", status=Status.WITHDRAWN),
        _sig(4, "Bob"),
    ]
    doc = json.loads(await _write(sigs, approved=3, previous="ab" * 32))
    assert doc["format"] == "pledgebot-snapshot/1"
    assert doc["letter"]["title"] == LETTER.title
    assert doc["letter"]["demands"] == list(LETTER.demands)
    assert doc["letter"]["version"] == LETTER.version
    assert doc["generated_at"] == "2026-11-28T12:00:00.000000+00:00"
    assert doc["previous"] == "ab" * 32
    assert [s["name"] for s in doc["signatories"]] == ["Alice", "Bob"]
    assert doc["signatories"][0] == {
        "name": "Alice",
        "role": "singer",
        "location": None,
        "link": "https://alice.example",
        "approved_at": "2026-11-28T12:00:01.000000+00:00",
        "letter_version": LETTER.version,
    }
    assert doc["totals"] == {"approved": 3, "listed": 2, "anonymous": 1}
    assert doc["sha256"] == hashlib.sha256(canonical(doc)).hexdigest()


@given(_sigs, _text, st.one_of(st.none(), st.text("0123456789abcdef", min_size=64, max_size=64)))
async def test_the_streamed_file_is_the_canonical_form_and_verifies(
    sigs: list[Signature], title: str, previous: str | None
) -> None:
    letter = Letter(title or "t", "p", ("d",), "c")
    data = await _write(sigs, letter=letter, previous=previous)
    doc = json.loads(data)
    assert data == file_bytes(doc)
    result = verify(data)
    assert result.ok, result.problems
    assert result.sha256 == doc["sha256"]


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterable[tuple[Any, ...]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k != "sha256":
                yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def _changed(old: Any, new: Any) -> Any:
    if new != old:
        return new
    return "x" if old is None or not isinstance(old, str) else old + "x"


@given(_sigs.filter(bool), st.data())
async def test_any_change_of_any_field_changes_the_hash_and_fails_verify(
    sigs: list[Signature], data: st.DataObject
) -> None:
    original = await _write(sigs, previous="cd" * 32)
    doc = json.loads(original)
    path = data.draw(st.sampled_from(list(_leaves(doc))), label="field")
    old = doc
    for key in path:
        old = old[key]
    new = data.draw(st.one_of(st.none(), _text, st.integers()), label="value")
    _set(doc, path, _changed(old, new))
    assert hashlib.sha256(canonical(doc)).hexdigest() != json.loads(original)["sha256"]
    tampered = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    result = verify(tampered)
    assert not result.ok
    expected = "not a pledgebot snapshot" if path == ("format",) else "changed after it was written"
    assert any(expected in p for p in result.problems), result.problems


async def test_reformatting_a_snapshot_fails_verify_with_a_message_saying_so() -> None:
    data = await _write([_sig(1, "Alice")])
    pretty = json.dumps(json.loads(data), indent=2).encode()
    result = verify(pretty)
    assert not result.ok
    assert "edited or reformatted" in result.problems[0]


async def test_a_removed_signatory_fails_verify() -> None:
    data = await _write([_sig(1, "Alice"), _sig(2, "Bob")])
    doc = json.loads(data)
    del doc["signatories"][1]
    result = verify(json.dumps(doc).encode())
    assert not result.ok
    assert any("changed after it was written" in p for p in result.problems)


def test_garbage_is_not_a_snapshot() -> None:
    assert "not readable JSON" in verify(b"\xff{").problems[0]
    assert "not a pledgebot snapshot" in verify(b"[1, 2]").problems[0]
    assert "lacks" in verify(b'{"format": "pledgebot-snapshot/1"}').problems[0]


async def test_the_chain_holds_and_lists_who_is_missing_since_the_previous() -> None:
    first = await _write([_sig(1, "Alice"), _sig(2, "Bob"), _sig(3, "Carol")])
    sha = json.loads(first)["sha256"]
    second = await _write(
        [_sig(1, "Alice"), _sig(3, "Carol"), _sig(4, "Dan")],
        previous=sha,
        at=T0 + timedelta(hours=1),
    )
    result = verify(second, first)
    assert result.ok, result.problems
    assert [r["name"] for r in result.missing] == ["Bob"]
    lines, code = report(result, "second.json", "first.json")
    assert code == 0
    assert lines[1] == f"OK: the chain holds: first.json (sha256 {sha}) is its previous snapshot."
    assert lines[-1].startswith("  - Bob (approved 2026-11-28T12:00:02")


async def test_a_broken_chain_fails() -> None:
    first = await _write([_sig(1, "Alice")])
    unrelated = await _write([_sig(1, "Alice")], previous="ef" * 32, at=T0 + timedelta(hours=1))
    result = verify(unrelated, first)
    assert not result.ok
    assert "the chain is broken" in result.problems[0]
    lines, code = report(result, "b.json", "a.json")
    assert code == 1
    assert lines[0].startswith("FAILED: b.json: the chain is broken")


async def test_a_tampered_previous_fails_the_chain() -> None:
    first = await _write([_sig(1, "Alice")])
    sha = json.loads(first)["sha256"]
    second = await _write([_sig(1, "Alice")], previous=sha, at=T0 + timedelta(hours=1))
    tampered = first.replace(b"Alice", b"Alicf")
    result = verify(second, tampered)
    assert not result.ok
    assert "the previous snapshot was changed after it was written" in result.problems[0]
