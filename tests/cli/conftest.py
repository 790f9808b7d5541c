"""Running the real ``pledgebot`` command as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_LISTEN = 'listen = "127.0.0.1:8080"'
#: The example config, without its public page: the page's fixed port would make two test runs
#: (or a test and anything else on 8080) fail each other. Tests that serve it pick a free port.
EXAMPLE = (ROOT / "config.example.toml").read_text()
assert _LISTEN in EXAMPLE, "config.example.toml changed its web.listen: update tests/cli/conftest"
EXAMPLE = EXAMPLE.replace(_LISTEN, 'listen = ""')

Pledgebot = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The example config with a temp database and milestones low enough to cross in a test."""
    text = EXAMPLE.replace('url = "sqlite:///pledgebot.db"', f'url = "sqlite:///{tmp_path}/p.db"')
    text = text.replace("thresholds = [10, 50, 100, 250, 500, 1000]", "thresholds = [2, 3]")
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


@pytest.fixture
def pledgebot(tmp_path: Path) -> Pledgebot:
    def run(
        *args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        clean_env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**clean_env, "PYTHONPATH": str(ROOT), **(env or {})},
            timeout=timeout,
            check=False,
        )

    return run
