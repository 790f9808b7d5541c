"""A served public page over a real SQLite store, and helpers to fill the store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from multidict import CIMultiDict

from adapters.web import WebAdapter
from bot.app import default_rules
from bot.archive import SnapshotArchive
from bot.config import SignLinks, WebSettings
from bot.domain import Identity, Letter, NewSignature, SignatureForm, Status
from bot.milestones import MilestonePolicy
from bot.ports import WriteTx
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.conftest import DESTINATIONS, LETTER, MOD, StepClock, artist

HOSTILE_NAMES = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


@dataclass
class Site:
    service: PledgeService
    adapter: WebAdapter
    http: aiohttp.ClientSession
    snapshot_dir: Path

    @property
    def url(self) -> str:
        return self.adapter.url

    async def get(self, path: str, **kw: object) -> tuple[int, CIMultiDict[str], bytes]:
        async with self.http.get(self.url + path.lstrip("/"), **kw) as response:  # type: ignore[arg-type]
            return response.status, response.headers.copy(), await response.read()

    async def sign(self, n: int, name: str, *, approve: bool = True, **form: str) -> int:
        result = await self.service.sign(
            artist(n), SignatureForm(name, **form), community="console"
        )
        if approve:
            await self.service.approve(MOD, [result.signature.id])
        return result.signature.id

    async def sign_anonymous(self, n: int, name: str) -> int:
        result = await self.service.sign(
            artist(n), SignatureForm(name), community="console", anonymous=True
        )
        await self.service.approve(MOD, [result.signature.id])
        return result.signature.id

    async def insert_raw(self, name: str, link: str | None = None, *, n: int = 1) -> None:
        """``n`` approved, listed rows as the store would hold them, past the core's hygiene:
        the page must be safe even with what the core refuses (an old or altered database),
        and a few hundred rows go in with one commit."""
        service = self.service

        async def unit(tx: WriteTx) -> None:
            for i in range(n):
                now = service.clock.now()
                await tx.insert_signature(
                    NewSignature(
                        identity=Identity("raw", f"{name}-{i}-{now.timestamp()}"),
                        name=f"{name} {i + 1}" if n > 1 else name,
                        name_key=name.lower(),
                        role=None,
                        location=None,
                        link=link,
                        anonymous=False,
                        community="console",
                        status=Status.APPROVED,
                        letter_version=service.version,
                        created_at=now,
                        decided_at=now,
                    )
                )
            await tx.add_to_count(n)

        await service.store.write(unit)


@asynccontextmanager
async def serve_site(
    tmp_path: Path,
    *,
    poll_seconds: float = 0.2,
    public_communities: bool = False,
    letter: Letter = LETTER,
    default_language: str = "en",
    fresh_for: float = 0.0,
) -> AsyncIterator[Site]:
    """A store, a core and the page on a free port; the count is read on every request
    (``fresh_for=0``, unless told) so a test sees each change at once."""
    async with SQLiteStore(f"sqlite:///{tmp_path / 'web.db'}") as store:
        rules = default_rules(
            milestones=MilestonePolicy.of((10, 50, 100), 0),
            cooldown=timedelta(0),
            public_communities=public_communities,
        )
        service = PledgeService(store, letter, rules, DESTINATIONS, StepClock())
        await service.start()
        settings = WebSettings(
            listen="127.0.0.1:0",
            snapshot_dir=str(tmp_path / "snapshots"),
            sign_links=SignLinks(
                discord="https://discord.gg/example", telegram="https://t.me/ExampleBot"
            ),
        )
        archive = SnapshotArchive(store, letter, tmp_path / "snapshots", service.clock)
        service.snapshots = archive
        adapter = WebAdapter(
            service.public,
            settings,
            snapshots=archive.latest,
            fresh_for=fresh_for,
            poll_seconds=poll_seconds,
            default_language=default_language,
        )
        await adapter.start()
        try:
            async with aiohttp.ClientSession() as http:
                yield Site(service, adapter, http, tmp_path / "snapshots")
        finally:
            await adapter.stop()


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async with serve_site(tmp_path) as served:
        yield served
