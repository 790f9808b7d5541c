"""``pledgebot verify``: exit 0 only when a snapshot's hash and chain hold."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Pledgebot
from tests.core.test_snapshot import T0, _sig, _write


async def _files(tmp_path: Path) -> tuple[Path, Path]:
    first = await _write([_sig(1, "Alice"), _sig(2, "Bob")])
    second = await _write(
        [_sig(1, "Alice")], previous=json.loads(first)["sha256"], at=T0.replace(hour=13)
    )
    (tmp_path / "first.json").write_bytes(first)
    (tmp_path / "second.json").write_bytes(second)
    return tmp_path / "first.json", tmp_path / "second.json"


async def test_verify_accepts_a_chain_and_names_who_is_missing(
    pledgebot: Pledgebot, tmp_path: Path
) -> None:
    first, second = await _files(tmp_path)
    done = pledgebot("verify", str(second), "--previous", str(first))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"OK: {second} holds: sha256 ")
    assert "OK: the chain holds" in done.stdout
    assert "  - Bob (approved " in done.stdout
    assert "Alice" not in done.stdout


async def test_verify_fails_on_any_edit_of_the_file(pledgebot: Pledgebot, tmp_path: Path) -> None:
    first, _ = await _files(tmp_path)
    first.write_bytes(first.read_bytes().replace(b'"Bob"', b'"Rob"'))
    done = pledgebot("verify", str(first))
    assert done.returncode == 1
    assert f"FAILED: {first}: the snapshot was changed after it was written" in done.stderr
    assert done.stdout == ""


async def test_verify_fails_on_a_broken_chain(pledgebot: Pledgebot, tmp_path: Path) -> None:
    first, second = await _files(tmp_path)
    done = pledgebot("verify", str(first), "--previous", str(second))
    assert done.returncode == 1
    assert "the chain is broken" in done.stderr


def test_verify_of_a_missing_file_is_one_line(pledgebot: Pledgebot, tmp_path: Path) -> None:
    done = pledgebot("verify", str(tmp_path / "nope.json"))
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == f"pledgebot: cannot read {tmp_path / 'nope.json'}: No such file or directory"
    )
