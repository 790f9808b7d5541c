"""Taking snapshots: written, verifiable, chained through the store, moderators only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.archive import SnapshotArchive
from bot.domain import SignatureForm
from bot.errors import NotModerator, SnapshotsUnavailable
from bot.service import PledgeService
from bot.snapshot import verify
from tests.conftest import MOD, artist


@pytest.fixture
def archive(service: PledgeService, tmp_path: Path) -> SnapshotArchive:
    service.snapshots = SnapshotArchive(
        service.store, service.letter, tmp_path / "snaps", service.clock, "https://l.example/"
    )
    return service.snapshots


async def _approved(service: PledgeService, n: int, name: str) -> int:
    sig = (await service.sign(artist(n), SignatureForm(name), community="console")).signature
    await service.approve(MOD, [sig.id])
    return sig.id


async def test_snapshots_chain_and_verify(service: PledgeService, archive: SnapshotArchive) -> None:
    await _approved(service, 1, "Alice")
    await _approved(service, 2, "Bob")
    first = await service.take_snapshot(MOD)
    assert (first.approved, first.listed, first.previous) == (2, 2, None)
    assert await service.store.latest_snapshot() == first
    first_file = archive.path_of(first.sha256).read_bytes()
    assert verify(first_file).ok
    assert json.loads(first_file)["sha256"] == first.sha256

    await service.withdraw(artist(1))
    await _approved(service, 3, "Carol")
    second = await service.take_snapshot(MOD)
    assert second.previous == first.sha256
    assert await service.store.latest_snapshot() == second
    second_file = archive.path_of(second.sha256).read_bytes()
    assert (archive.folder / "latest.json").read_bytes() == second_file
    result = verify(second_file, first_file)
    assert result.ok, result.problems
    assert [r["name"] for r in result.missing] == ["Alice"]
    assert service.snapshot_url(second) == f"https://l.example/snapshots/{second.sha256}.json"


async def test_only_moderators_take_snapshots(
    service: PledgeService, archive: SnapshotArchive
) -> None:
    with pytest.raises(NotModerator):
        await service.take_snapshot(artist(1))
    assert await service.store.latest_snapshot() is None
    assert not archive.folder.exists()


async def test_an_unwritable_folder_is_a_friendly_error(
    service: PledgeService, tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("not a folder")
    service.snapshots = SnapshotArchive(
        service.store, service.letter, tmp_path / "file" / "snaps", service.clock
    )
    with pytest.raises(SnapshotsUnavailable, match="could not be written right now"):
        await service.take_snapshot(MOD)
    assert await service.store.latest_snapshot() is None


async def test_no_archive_configured(service: PledgeService) -> None:
    with pytest.raises(SnapshotsUnavailable):
        await service.take_snapshot(MOD)
