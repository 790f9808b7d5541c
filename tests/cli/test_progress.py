"""Long command-line work shows progress bars on stderr when it is a terminal, and nothing
extra when it is a pipe or a file (a log gets no control characters)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.cli.conftest import ROOT, Pledgebot

SIGNERS = 30


def _on_terminal(*args: str, cwd: Path) -> tuple[int, str, str]:
    """Run ``pledgebot ARGS`` with stderr on a terminal (a pty); its exit code, stdout, and
    what the terminal showed."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    env.update(PYTHONPATH=str(ROOT), COLUMNS="120", TERM="xterm")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=slave, cwd=cwd, env=env,
    )  # fmt: skip
    os.close(slave)
    shown = bytearray()

    def read() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other side closed
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=120)
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return proc.returncode, out.decode(), shown.decode(errors="replace")


@pytest.fixture
def campaign(pledgebot: Pledgebot, config: Path) -> Path:
    """The example letter with SIGNERS approved signatures."""
    lines = "".join(f"/as a{n}\n/sign Artist {n} | singer\n" for n in range(SIGNERS))
    result = pledgebot(
        "console", "--config", str(config), stdin=lines,
        env={"PLEDGEBOT_SIGNING__APPROVAL": "auto"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return config


def test_export_shows_its_progress_on_a_terminal(campaign: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "all.csv"
    code, _, shown = _on_terminal(
        "export", "--config", str(campaign), "--format", "csv", "--output", str(out_file),
        cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, shown
    assert "exporting" in shown and f"{SIGNERS}/{SIGNERS}" in shown and "signatures" in shown
    assert len(out_file.read_text().splitlines()) == SIGNERS + 1


def test_export_into_a_pipe_shows_no_progress(
    pledgebot: Pledgebot, campaign: Path, tmp_path: Path
) -> None:
    out_file = tmp_path / "all.csv"
    result = pledgebot(
        "export", "--config", str(campaign), "--format", "csv", "--output", str(out_file)
    )
    assert result.returncode == 0
    assert result.stderr == f"wrote {out_file.stat().st_size} bytes to {out_file}\n"


def test_backup_publish_and_copy_store_show_their_progress(campaign: Path, tmp_path: Path) -> None:
    code, _, shown = _on_terminal(
        "backup", "--config", str(campaign), str(tmp_path / "b.db"), cwd=tmp_path
    )
    assert code == 0, shown
    assert "backing up" in shown and "KiB" in shown

    code, _, shown = _on_terminal(
        "publish", "--config", str(campaign), str(tmp_path / "site"), cwd=tmp_path
    )
    assert code == 0, shown
    assert "writing pages" in shown and "1/1" in shown

    code, out, shown = _on_terminal(
        "copy-store", "--from", f"sqlite:///{tmp_path}/b.db", "--to",
        f"sqlite:///{tmp_path}/copy.db", cwd=tmp_path,
    )  # fmt: skip
    assert code == 0, shown
    assert "verified: every table matches the source" in out  # the summary stays on stdout
    assert "copying signatures" in shown and "comparing signatures" in shown
    assert f"{SIGNERS}/{SIGNERS}" in shown


def test_copy_store_into_a_pipe_shows_no_progress(
    pledgebot: Pledgebot, campaign: Path, tmp_path: Path
) -> None:
    result = pledgebot("backup", "--config", str(campaign), str(tmp_path / "b.db"))
    assert result.returncode == 0 and "backing up" not in result.stderr
    copy = pledgebot(
        "copy-store", "--from", f"sqlite:///{tmp_path}/b.db", "--to",
        f"sqlite:///{tmp_path}/copy.db",
    )  # fmt: skip
    assert copy.returncode == 0, copy.stderr
    assert copy.stderr == ""
