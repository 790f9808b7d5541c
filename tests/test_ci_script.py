"""``.ci/run`` runs the tests and the linters, both, and fails when either fails."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/usr/bin/env bash\n{body}\n")
    path.chmod(0o755)


def _ci(tmp_path: Path, make_body: str) -> tuple[int, list[str]]:
    """Run .ci/run with ``make`` (and ``chromium``, which it would install) stubbed."""
    calls = tmp_path / "make.log"
    _stub(tmp_path, "make", f'echo "$*" >> {calls}\n{make_body}')
    _stub(tmp_path, "chromium", "exit 0")
    result = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run")],
        env={**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return result.returncode, calls.read_text().splitlines() if calls.exists() else []


def test_ci_runs_the_linters_even_when_the_tests_fail(tmp_path: Path) -> None:
    code, calls = _ci(tmp_path, '[ "$1" = test ] && exit 3; exit 0')
    assert calls == ["test", "lint"]
    assert code != 0


def test_ci_fails_when_only_the_linters_fail(tmp_path: Path) -> None:
    code, calls = _ci(tmp_path, '[ "$1" = lint ] && exit 1; exit 0')
    assert calls == ["test", "lint"]
    assert code != 0


def test_ci_passes_when_both_pass(tmp_path: Path) -> None:
    assert _ci(tmp_path, "exit 0") == (0, ["test", "lint"])
