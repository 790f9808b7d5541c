"""Exports: approved, listed signatures only; platform ids only when asked; spreadsheet-safe."""

from __future__ import annotations

import asyncio
import csv
import io
import json

from bot.domain import SignatureForm
from bot.service import PledgeService
from tests.conftest import LETTER, MOD, artist


async def _export(service: PledgeService, fmt: str, with_ids: bool = False) -> str:
    return "".join([c async for c in service.export(fmt, with_ids=with_ids)])  # type: ignore[arg-type]


async def _seed(service: PledgeService) -> None:
    forms = [
        SignatureForm("Alice", "singer", "Berlin", "https://alice.example"),
        SignatureForm('=HYPERLINK("http://evil")', "-1+2"),
        SignatureForm("Carol"),
        SignatureForm("Dave"),
    ]
    ids = []
    for n, form in enumerate(forms):
        anonymous = n == 2
        result = await service.sign(artist(n), form, community=f"discord:{n}", anonymous=anonymous)
        ids.append(result.signature.id)
    await service.approve(MOD, ids[:3])  # Dave stays pending


async def test_csv_export(service: PledgeService) -> None:
    await _seed(service)
    rows = list(csv.DictReader(io.StringIO(await _export(service, "csv"))))
    assert [r["name"] for r in rows] == ["Alice", '\'=HYPERLINK("http://evil")']
    assert rows[0]["role"] == "singer" and rows[0]["link"] == "https://alice.example"
    assert rows[1]["role"] == "'-1+2"
    assert rows[0]["letter_version"] == LETTER.version and rows[0]["approved_at"]
    assert "user_id" not in rows[0] and "platform" not in rows[0]


async def test_json_export_counts_anonymous_and_hides_ids(service: PledgeService) -> None:
    await _seed(service)
    data = json.loads(await _export(service, "json"))
    assert data["approved"] == 3 and data["anonymous"] == 1
    assert data["letter"] == {"title": LETTER.title, "version": LETTER.version}
    assert [s["name"] for s in data["signatures"]] == ["Alice", '=HYPERLINK("http://evil")']
    assert all("user_id" not in s for s in data["signatures"])


async def test_ids_only_when_asked(service: PledgeService) -> None:
    await _seed(service)
    data = json.loads(await _export(service, "json", with_ids=True))
    assert data["signatures"][0]["user_id"] == "0"
    assert data["signatures"][0]["platform"] == "console"


async def test_export_of_many_rows_streams_in_chunks(service: PledgeService) -> None:
    async def sign(n: int) -> int:
        return (await service.sign(artist(n), SignatureForm(f"N{n}"), community="c")).signature.id

    # A hundred at a time, so the store commits them in groups: one by one, 2,500 commits
    # (each an fsync, or a round trip) took most of this test's time on a busy machine.
    ids: list[int] = []
    for start in range(0, 2500, 100):
        ids += await asyncio.gather(*(sign(n) for n in range(start, start + 100)))
    for i in range(0, len(ids), 50):
        await service.approve(MOD, ids[i : i + 50])
    chunks = [c async for c in service.export("csv")]
    assert len(chunks) >= 3  # one per store batch, not one string
    assert len(list(csv.DictReader(io.StringIO("".join(chunks))))) == 2500
    data = json.loads(await _export(service, "json"))
    assert len(data["signatures"]) == 2500
