"""Opening the store from the command line: a command that needs a database never creates one, a
file that is not a pledgebot database is refused at once (exit 2, never a hang), copy-store
checks its source before it touches the target, and one bot process per SQLite file."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import ROOT, Pledgebot
from tests.dbdump import assert_same, dump

# Starting the bot takes a few seconds on a busy machine; a start-up that hangs never ends.
QUICKLY = 45

RUN_CONSOLE_EXPORT = [
    # `run` without a token and without a terminal stops before the store: --only console
    # takes the same start-up path as a bot with tokens, without reaching for a platform.
    pytest.param(["run", "--only", "console"], id="run"),
    pytest.param(["console"], id="console"),
    pytest.param(["export", "--format", "csv"], id="export"),
]


def _signed(pledgebot: Pledgebot, config: Path, url: str, *names: str) -> None:
    """A campaign at ``url``: each name signs, and the moderator approves them."""
    lines = "".join(f"/as a{n}\n/sign {name}\n" for n, name in enumerate(names))
    approvals = "".join(f"/approve {n}\n" for n in range(1, len(names) + 1))
    result = pledgebot(
        "console", "--config", str(config), "--storage-url", url, "--as", "mod",
        stdin=lines + "/as mod\n" + approvals,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def _sidecars(db: Path) -> list[Path]:
    return [p for p in db.parent.iterdir() if p.name.startswith(db.name)]


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["export", "--format", "csv"], id="export"),
        pytest.param(
            ["export", "--format", "json", "--output", "{tmp}/out.json"], id="export-file"
        ),
        pytest.param(["backup", "{tmp}/backup.db"], id="backup"),
    ],
)
def test_a_missing_database_is_an_error_and_nothing_is_created(
    pledgebot: Pledgebot, config: Path, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "pledgbot.db"  # a typo
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = pledgebot(*args, "--config", str(config), "--storage-url", f"sqlite:///{missing}")
    assert result.returncode == 2, result.stderr
    assert f"there is no pledgebot database at {missing}" in result.stderr
    assert result.stdout == ""
    assert _sidecars(missing) == []
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "backup.db").exists()


@pytest.mark.parametrize("force", [[], ["--force"]], ids=["plain", "force"])
def test_copy_store_from_a_misspelt_source_leaves_the_target_alone(
    pledgebot: Pledgebot, config: Path, tmp_path: Path, force: list[str]
) -> None:
    target = tmp_path / "copy.db"
    _signed(pledgebot, config, f"sqlite:///{target}", "Ada", "Grace")
    before = dump(target)
    source = tmp_path / "pledgbot.db"
    result = pledgebot(
        "copy-store", "--from", f"sqlite:///{source}", "--to", f"sqlite:///{target}", *force
    )
    assert result.returncode == 2, result.stderr
    assert f"there is no pledgebot database at {source}" in result.stderr
    assert "verified" not in result.stdout and "emptying" not in result.stdout
    assert_same(before, dump(target), "copy-store from a missing source")
    assert _sidecars(source) == []


def test_copy_store_from_an_empty_campaign_is_refused(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    """A database the bot was started on once by mistake holds a letter version and nothing
    else: it is no campaign, and copying it with --force would empty the target."""
    empty = tmp_path / "empty.db"
    started = pledgebot("console", "--config", str(config), "--storage-url", f"sqlite:///{empty}")
    assert started.returncode == 0 and empty.exists()
    target = tmp_path / "copy.db"
    _signed(pledgebot, config, f"sqlite:///{target}", "Ada")
    before = dump(target)

    forced = pledgebot(
        "copy-store", "--from", f"sqlite:///{empty}", "--to", f"sqlite:///{target}", "--force"
    )
    assert forced.returncode == 1
    assert "the source store holds no campaign" in forced.stderr
    assert "emptying" not in forced.stdout
    assert_same(before, dump(target), "copy-store --force from an empty source")

    fresh = tmp_path / "fresh.db"
    plain = pledgebot("copy-store", "--from", f"sqlite:///{empty}", "--to", f"sqlite:///{fresh}")
    assert plain.returncode == 1 and "holds no campaign" in plain.stderr
    assert _sidecars(fresh) == []  # the target was never opened


NOT_A_DATABASE = [
    pytest.param(b"shopping list\n" * 200, id="text"),
    # SQLite's header, then garbage: SQLite itself finds out, after the connection is open.
    pytest.param(b"SQLite format 3\x00" + bytes(range(256)) * 40, id="damaged"),
]


@pytest.mark.parametrize("content", NOT_A_DATABASE)
@pytest.mark.parametrize("command", RUN_CONSOLE_EXPORT)
def test_a_file_that_is_not_a_database_is_refused_at_once(
    pledgebot: Pledgebot, config: Path, tmp_path: Path, command: list[str], content: bytes
) -> None:
    junk = tmp_path / "notes.db"
    junk.write_bytes(content)
    result = pledgebot(
        *command, "--config", str(config), "--storage-url", f"sqlite:///{junk}", timeout=QUICKLY
    )
    assert result.returncode == 2, result.stderr
    assert f"{junk} is not a pledgebot database (it is not an SQLite database)" in result.stderr
    assert junk.read_bytes() == content
    assert {p.name for p in _sidecars(junk)} <= {junk.name, f"{junk.name}.lock"}


@pytest.mark.parametrize("command", RUN_CONSOLE_EXPORT)
def test_another_programs_database_is_refused_at_once(
    pledgebot: Pledgebot, config: Path, tmp_path: Path, command: list[str]
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.close()
    result = pledgebot(
        *command, "--config", str(config), "--storage-url", f"sqlite:///{other}", timeout=QUICKLY
    )
    assert result.returncode == 2, result.stderr
    assert f"{other} is not a pledgebot database (it holds other tables: recipes)" in result.stderr
    with sqlite3.connect(other) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    conn.close()
    assert tables == [("recipes",)]


def _read_only(argv: list[str], path: Path) -> list[str]:
    """``argv`` run with ``path`` (a file or a folder) read-only. Root may write anything, so as
    root ``path`` becomes a read-only mount in the command's own mount namespace; otherwise its
    permissions say so (restored by :func:`_writable`)."""
    if os.geteuid() != 0:
        path.chmod(0o555 if path.is_dir() else 0o444)
        return argv
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: no way to make a path read-only")
    mount = f'mount --bind "{path}" "{path}" && mount -o remount,bind,ro "{path}"'
    return ["unshare", "-m", "sh", "-c", f'{mount} && exec "$@"', "sh", *argv]


@pytest.mark.parametrize("what", ["folder", "file"])
@pytest.mark.parametrize("command", RUN_CONSOLE_EXPORT)
def test_a_read_only_database_fails_at_once_or_is_read(
    pledgebot: Pledgebot, config: Path, tmp_path: Path, command: list[str], what: str
) -> None:
    """The bot cannot write there: it says so at once. An export only reads: it works, except
    from a read-only folder, where SQLite cannot create the file it needs to read (-shm)."""
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "pledgebot.db"
    _signed(pledgebot, config, f"sqlite:///{db}", "Ada")
    (folder / "pledgebot.db.lock").unlink(missing_ok=True)  # left by the bot above
    argv = [sys.executable, "-m", "bot", *command, "--config", str(config)]
    argv += ["--storage-url", f"sqlite:///{db}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    try:
        result = subprocess.run(
            _read_only(argv, folder if what == "folder" else db),
            capture_output=True, text=True, timeout=QUICKLY, check=False, stdin=subprocess.DEVNULL,
            env={**env, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    if command[0] != "export":
        assert result.returncode == 2, result.stderr
        assert f"cannot write to {db} (its {what} is read-only)" in result.stderr
    elif what == "folder":
        assert result.returncode == 2, result.stderr
        assert f"cannot open {db}" in result.stderr and "read-only folder" in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        assert "Ada" in result.stdout


def test_a_second_bot_on_one_sqlite_file_is_refused(
    pledgebot: Pledgebot, config: Path, tmp_path: Path
) -> None:
    """Two bots would each deliver the outbox: the second is refused, a reader is not, and a bot
    killed with -9 leaves no lock behind."""
    first = subprocess.Popen(
        [sys.executable, "-m", "bot", "console", "--config", str(config)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert first.stdin is not None and first.stdout is not None
    try:
        first.stdin.write("/sign Ada\n")
        first.stdin.flush()
        assert "Ada" in first.stdout.readline()  # the first bot has its store open

        second = pledgebot("console", "--config", str(config), stdin="/sign Grace\n")
        assert second.returncode == 2
        assert f"is in use by another pledgebot process (pid {first.pid})" in second.stderr
        assert second.stdout == ""

        export = pledgebot("export", "--format", "csv", "--config", str(config))
        assert export.returncode == 0, export.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()

    again = pledgebot("console", "--config", str(config), "--as", "mod", stdin="/pending\n")
    assert again.returncode == 0, again.stderr
    assert "Ada" in again.stdout and "Grace" not in again.stdout
