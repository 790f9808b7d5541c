"""``pledgebot snapshot`` and a moderator's ``/snapshot``, checked with ``pledgebot verify``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Pledgebot


def test_snapshots_from_the_shell_and_the_chat_form_a_chain(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    session = "/sign Alice Smith | singer\n/as bob\n/sign Bob\n/as mod\n/approve 1 2\n"
    assert pledgebot("console", "--config", str(config), stdin=session).returncode == 0

    first = pledgebot("snapshot", "--output", "first.json", "--config", str(config))
    assert first.returncode == 0, first.stderr
    sha, path = first.stdout.split()
    assert path == "first.json" and len(sha) == 64
    assert "snapshot of 2 signatures (2 listed), previous none" in first.stderr
    assert json.loads((tmp_path / "first.json").read_text())["sha256"] == sha
    assert (tmp_path / "snapshots" / f"{sha}.json").read_bytes() == (
        tmp_path / "first.json"
    ).read_bytes()

    chat = "/as alice\n/snapshot\n/as bob\n/withdraw\n/as mod\n/snapshot\n"
    done = pledgebot("console", "--config", str(config), "--as", "mod", stdin=chat)
    assert done.returncode == 0, done.stderr
    assert "Only moderators can do that." in done.stdout
    assert "Snapshot recorded: 1 signature, 1 listed by name. SHA-256 " in done.stdout

    checked = pledgebot("verify", "snapshots/latest.json", "--previous", "first.json")
    assert checked.returncode == 0, checked.stderr
    assert "OK: the chain holds: first.json" in checked.stdout
    assert "  - Bob (approved " in checked.stdout


def test_a_tampered_snapshot_fails_verify(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    session = "/sign Alice Smith\n/as mod\n/approve 1\n"
    assert pledgebot("console", "--config", str(config), stdin=session).returncode == 0
    assert pledgebot("snapshot", "--output", "s.json", "--config", str(config)).returncode == 0
    snap = tmp_path / "s.json"
    snap.write_text(snap.read_text().replace("Alice Smith", "Alice Smyth"))
    done = pledgebot("verify", "s.json")
    assert done.returncode == 1
    assert "the snapshot was changed after it was written" in done.stderr
