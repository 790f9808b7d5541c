"""Every moderator command on the console, typed by a user who is not a moderator, is refused and
leaves the database file exactly as it was (every table, every row; see :mod:`tests.dbdump`):
through the console's command handler, and through the real ``pledgebot console`` process.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from adapters.console.commands import ConsoleCommands, Session
from bot.domain import Actor, Identity, SignatureForm
from bot.service import PledgeService
from tests.cli.conftest import Pledgebot
from tests.conftest import ServiceFactory
from tests.dbdump import assert_same, dump, dump_url

REFUSED = "Only moderators can do that."
MODERATOR_LINES = [
    "/pending",
    "/approve 1",
    "/approve 1 2 3",
    "/APPROVE #1",
    "/reject 1 spam",
    "/reject 2 spam",
    "/remove 1 spam",
    "/remove 2 spam",
    "/export csv",
    "/export json",
    "/export xml",
    "/export",
    "/audit",
    "/audit 5",
    "/audit x",
    "/approve x",
    "/reject x",
    "/remove",
    "/posts",
    "/unpost 1",
    "/unpost x",
]
MOD = Actor(Identity("console", "mod"), "mod", is_moderator=True)


@pytest.fixture
async def service(make_service: ServiceFactory) -> PledgeService:
    """#1 pending, #2 approved, #3 rejected: every kind of row is in the database."""
    svc = make_service(thresholds=(1, 5))
    await svc.start()
    for n in (1, 2, 3):
        signer = Actor(Identity("console", f"signer{n}"), f"signer{n}")
        await svc.sign(signer, SignatureForm(f"Signer {n}"), community="console")
    await svc.approve(MOD, [2])
    await svc.reject(MOD, 3, "not an artist")
    return svc


@pytest.mark.parametrize("line", MODERATOR_LINES)
async def test_a_non_moderator_changes_nothing(
    service: PledgeService, db_url: str, line: str
) -> None:
    commands = ConsoleCommands(service)
    carol = Session("carol", frozenset({"mod"}))
    before = dump_url(db_url)

    reply = await commands.handle(carol, line)

    assert_same(before, dump_url(db_url), line)
    assert reply == REFUSED


def test_the_console_process_refuses_a_non_moderator(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    """``pledgebot console --as carol``: every moderator command, nothing changed on disk."""
    seeded = pledgebot(
        "console",
        "--config",
        str(config),
        "--as",
        "mod",
        stdin="/sign Mod One\n/as ann\n/sign Ann\n/as bo\n/sign Bo\n/as mod\n/approve 1\n"
        "/reject 2 spam\n",
    )
    assert seeded.returncode == 0, seeded.stderr
    database = tmp_path / "p.db"
    before = dump(database)
    assert before.rows("signatures") and before.rows("audit_log") and before.rows("outbox")

    result = pledgebot(
        "console", "--config", str(config), "--as", "carol", stdin="\n".join(MODERATOR_LINES)
    )

    assert result.returncode == 0, result.stderr
    assert_same(before, dump(database), "pledgebot console --as carol")
    refusals = re.findall(rf"^{re.escape(REFUSED)}$", result.stdout, re.M)
    assert len(refusals) == len(MODERATOR_LINES), result.stdout
