"""The console adapter driven end to end: the real CLI, a real SQLite file, piped stdin."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.conftest import Pledgebot

SESSION = """\
/letter
/sign Alice Smith | singer | Berlin | https://alice.example
/sign Alice again
/status
/as bob
/sign-anonymous Bob | drummer
/approve 1
/pending
/as mod
/pending
/approve 1 2
/signatories
/count
/as carol
/sign @everyone <@&123> **Carol** | <b>role</b>
/as mod
/reject 3 Please use your artist name
/audit
/as alice
/status
/withdraw erase
/status
"""


def test_a_whole_campaign_on_the_console(pledgebot: Pledgebot, config: Path) -> None:
    result = pledgebot("console", "--config", str(config), "--as", "alice", stdin=SESSION)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # reading
    assert "NO MUSIC FOR ICE" in out and "  1. Terminate existing contracts" in out
    assert "0 signatures so far. Next milestone: 2." in out
    # signing and the mod queue
    assert "Signature #1 is recorded and awaits a moderator's approval" in out
    assert "[mod queue] #1 awaits approval: Alice Smith, singer, Berlin" in out
    assert "You have already signed: signature #1 is awaiting approval" in out
    # a non-moderator is refused
    refusals = re.findall(r"^Only moderators can do that\.$", out, re.M)
    assert len(refusals) == 2
    # moderation, milestone and notifications
    assert "#1 approved: Alice Smith." in out and "#2 approved: Bob." in out
    assert out.count("[announcement] 2 artists have signed “No Music For ICE”.") == 1
    assert "[to alice] Your signature #1 on “No Music For ICE” has been approved." in out
    assert "[to bob] Your signature #2" in out
    assert "  #1 Alice Smith, singer, Berlin — https://alice.example" in out
    assert "…and 1 more person who signed without being listed." in out
    assert "2 signatures so far. Next milestone: 3." in out
    # hostile input is stored inert
    assert "＠everyone <＠&123> **Carol**" in out
    assert "@everyone" not in out
    assert (
        "[to carol] Your signature #3 on “No Music For ICE” was not approved. Reason: "
        "Please use your artist name." in out
    )
    assert re.search(r"mod \(console:mod\): reject #3 — Please use your artist name", out)
    # withdraw and erase
    assert "Signature #1 is withdrawn. Your details have been erased." in out
    assert "Signature #1: (erased)" in out
    assert "Status: withdrawn. You can sign again in 10 minutes." in out  # the cooldown holds


def test_milestone_is_announced_once_across_runs(pledgebot: Pledgebot, config: Path) -> None:
    first = pledgebot(
        "console",
        "--config",
        str(config),
        "--as",
        "mod",
        stdin="/sign-anonymous A\n/as b\n/sign B\n/as mod\n/approve 1 2\n",
    )
    assert first.stdout.count("[announcement] 2 artists") == 1, first.stdout + first.stderr
    second = pledgebot(
        "console",
        "--config",
        str(config),
        "--as",
        "c",
        stdin="/withdraw\n/sign C\n/as mod\n/approve 3\n/as b\n/withdraw\n/as d\n/sign D\n"
        "/as mod\n/approve 4\n/count\n",
    )
    assert "[announcement] 2 artists" not in second.stdout
    assert second.stdout.count("[announcement] 3 artists") == 1, second.stdout


def test_export_command(pledgebot: Pledgebot, config: Path, tmp_path: Path) -> None:
    pledgebot(
        "console",
        "--config",
        str(config),
        "--as",
        "mod",
        stdin="/sign Mod Person | organiser\n/approve 1\n",
    )
    out_file = tmp_path / "signatures.json"
    result = pledgebot(
        "export", "--config", str(config), "--format", "json", "--output", str(out_file)
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out_file.read_text())
    assert [s["name"] for s in data["signatures"]] == ["Mod Person"]
    csv_out = pledgebot("export", "--config", str(config), "--format", "csv")
    assert csv_out.stdout.splitlines()[1].startswith("1,Mod Person,organiser,")


def test_run_without_tokens_or_terminal_says_why(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    """``docker run -d`` with a forgotten token: not a quiet exit 0 (on a terminal, ``run``
    falls back to the console: tests/cli/test_console_tty.py)."""
    result = pledgebot("run", "--config", str(config), stdin="/count\n")
    assert result.returncode == 2
    assert "no platform token is set, and there is no terminal" in result.stderr
    assert "PLEDGEBOT_DISCORD__TOKEN" in result.stderr
    assert result.stdout == "" and not (tmp_path / "p.db").exists()


def test_garbage_input_never_crashes(pledgebot: Pledgebot, config: Path) -> None:
    garbage = "\n".join(
        [
            "/",
            "//",
            "/sign",
            "/sign |||||",
            "/approve",
            "/as",
            "/as a b",
            "/signatories x",
            "/signatories 99999999999",
            "/demands 0",
            "/demands 9",
            "/withdraw maybe",
            "/reject",
            "/export xml",
            "/audit -1",
            "hello",
            "\x00\x1b[31m",
            "/sign " + "x" * 5000,
            "/sign ok | | | javascript:alert(1)",
            "/\u202e",
        ]
    )
    result = pledgebot("console", "--config", str(config), "--as", "mod", stdin=garbage + "\n")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Sorry, something went wrong" not in result.stdout
    assert "The link must be a web address" in result.stdout


def test_run_only_console(pledgebot: Pledgebot, config: Path) -> None:
    result = pledgebot("run", "--only", "console", "--config", str(config), stdin="/count\n")
    assert result.returncode == 0 and "0 signatures so far." in result.stdout


def test_run_only_a_platform_needs_its_token(pledgebot: Pledgebot, config: Path) -> None:
    result = pledgebot("run", "--only", "telegram", "--config", str(config))
    assert result.returncode == 2
    assert "--only telegram needs the telegram token" in result.stderr


def test_status_after_withdrawing_says_when_signing_is_possible_again(
    pledgebot: Pledgebot, config: Path
) -> None:
    result = pledgebot(
        "console", "--config", str(config), stdin="/sign Ada\n/withdraw\n/status\n/sign Ada\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Status: withdrawn. You can sign again in 10 minutes." in result.stdout
    assert "You may sign again" not in result.stdout
    assert "you can sign again in 10 minutes" in result.stdout
