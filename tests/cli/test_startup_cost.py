"""``pledgebot --help`` and ``--version`` answer before anything heavy is imported.

Start-up time itself is measured outside the test suite (``farm-bench``); what the suite holds
is the cause: parsing the arguments imports neither pydantic nor asyncio nor a platform library.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cli.conftest import ROOT

HEAVY = ("pydantic", "asyncio", "discord", "telegram", "aiosqlite", "rich", "bot.config", "bot.app")

PROBE = """
import sys
from bot.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = [m for m in {heavy!r} if m in sys.modules]
print("loaded:", ",".join(heavy))
"""


@pytest.mark.parametrize(
    "argv", [["--version"], ["--help"], ["run", "--help"], ["copy-store", "--help"]]
)
def test_help_and_version_import_nothing_heavy(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout.rstrip().endswith("loaded:"), result.stdout
    assert "pledgebot" in result.stdout


def test_version_is_the_installed_package_version() -> None:
    from importlib.metadata import version

    result = subprocess.run(
        [sys.executable, "-m", "bot", "--version"],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout == f"pledgebot {version('pledgebot')}\n"


#: What a console session on SQLite never needs: the platforms, the public page's server, the
#: other store's driver, Babel's locale data (whole numbers are written without it), and package
#: metadata (pydantic would read it to find plugins, which bot.config turns off).
NOT_FOR_THE_CONSOLE = (
    "importlib.metadata",
    "discord",
    "telegram",
    "aiohttp",
    "asyncpg",
    "babel",
    "adapters.discord",
    "adapters.telegram",
    "adapters.web",
    "storage.postgres",
)

CONSOLE_PROBE = """
import sys
from bot.cli import main
code = main(sys.argv[1:])
loaded = [m for m in {modules!r} if m in sys.modules]
print("loaded:", ",".join(loaded), "exit", code)
"""


def test_a_console_session_imports_no_platform_web_or_postgres_library(config) -> None:
    """Start-up time and idle memory are mostly imports: a console session that reads the
    letter and the count loads nothing of what only another adapter or store needs."""
    result = subprocess.run(
        [sys.executable, "-c", CONSOLE_PROBE.format(modules=NOT_FOR_THE_CONSOLE),
         "console", "--config", str(config)],
        input="/letter\n/count\n/help\n", capture_output=True, text=True, cwd=ROOT, timeout=60,
        check=True,
    )  # fmt: skip
    assert "signatures so far" in result.stdout or "signature so far" in result.stdout
    assert result.stdout.rstrip().endswith("loaded:  exit 0"), result.stdout[-300:]


LOADER_PROBE = """
import bot.config
from pydantic.plugin._loader import PYDANTIC_ENTRY_POINT_GROUP, get_plugins
print(PYDANTIC_ENTRY_POINT_GROUP, tuple(get_plugins()))
"""


def test_pydantic_gets_every_other_name_of_its_plugin_loader_from_the_real_one() -> None:
    """bot.config stands in for pydantic's plugin loader with plugins disabled; a name a later
    pydantic imports from that loader still comes from the real module, so starting never
    breaks on a new release (at worst the metadata is read again)."""
    result = subprocess.run(
        [sys.executable, "-c", LOADER_PROBE],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=True,
    )  # fmt: skip
    assert result.stdout == "pydantic ()\n"
