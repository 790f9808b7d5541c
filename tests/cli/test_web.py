"""The page from the real command line: ``console`` serves it, ``run --only web`` serves it
beside the bot on the same SQLite file, ``publish`` writes the static site."""

from __future__ import annotations

import json
import os
import pty
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import ROOT, Pledgebot
from tests.cli.test_console_tty import _read_until


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def with_listen(config: Path, listen: str) -> Path:
    text = config.read_text().replace('listen = ""', f'listen = "{listen}"')
    path = config.with_name(f"web-{listen.replace(':', '-')}.toml")
    path.write_text(text)
    return path


def fetch_json(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            data: dict[str, object] = json.loads(response.read())
            return data
    except (urllib.error.URLError, ConnectionError):
        return None


def wait_for(url: str, want: object, key: str = "count", within: float = 30.0) -> None:
    """Poll until the page says ``want`` (a process starting, a cache refreshing)."""
    deadline = time.monotonic() + within
    seen = None
    while time.monotonic() < deadline:
        data = fetch_json(url)
        seen = data.get(key) if data else None
        if seen == want:
            return
        time.sleep(0.1)
    raise AssertionError(f"{url} never said {key}={want!r} (last: {seen!r})")


def _popen(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
        if proc.stdin is not None and not proc.stdin.closed:
            proc.stdin.close()
        proc.stdin = None
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def _say(proc: subprocess.Popen[str], *lines: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write("".join(f"{line}\n" for line in lines))
    proc.stdin.flush()


def test_the_console_serves_the_page_while_it_runs(
    config: Path, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    port = free_port()
    console = _popen(
        "console", "--config", str(with_listen(config, f"127.0.0.1:{port}")), cwd=tmp_path
    )
    processes.append(console)
    url = f"http://127.0.0.1:{port}/api/count"
    wait_for(url, 0)
    _say(console, "/sign Alice Smith | singer", "/as mod", "/approve 1")
    wait_for(url, 1)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
        assert "Alice Smith" in response.read().decode()
    assert console.stdin is not None
    console.stdin.close()
    assert console.wait(timeout=30) == 0


def test_run_only_web_serves_beside_the_bot_on_the_same_sqlite_file(
    config: Path, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    bot = _popen("console", "--config", str(config), cwd=tmp_path)
    processes.append(bot)
    _say(bot, "/sign Alice Smith", "/as bob", "/sign Bob", "/as mod", "/approve 1")
    port = free_port()
    web_config = with_listen(config, f"127.0.0.1:{port}")
    wait_for_file = time.monotonic() + 30
    while not (tmp_path / "p.db").exists() and time.monotonic() < wait_for_file:
        time.sleep(0.05)
    web = _popen("run", "--only", "web", "--config", str(web_config), cwd=tmp_path)
    processes.append(web)
    url = f"http://127.0.0.1:{port}/api/count"
    wait_for(url, 1)
    _say(bot, "/approve 2")
    wait_for(url, 2)
    assert bot.stdin is not None
    bot.stdin.close()
    assert bot.wait(timeout=30) == 0
    web.terminate()
    _, err = web.communicate(timeout=30)
    assert web.returncode == 0, err
    assert "Traceback" not in err


def test_run_only_web_needs_an_address(pledgebot: Pledgebot, config: Path) -> None:
    done = pledgebot("run", "--only", "web", "--config", str(config))
    assert done.returncode == 2
    assert "web.listen: --only web needs web.listen (HOST:PORT) to be set" in done.stderr


def test_a_taken_port_is_one_clear_line(pledgebot: Pledgebot, config: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = pledgebot(
            "console", "--config", str(with_listen(config, f"127.0.0.1:{port}")), stdin="/count\n"
        )
    assert done.returncode == 1
    assert f"cannot serve the web page on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_listen_address_is_a_config_error(pledgebot: Pledgebot, config: Path) -> None:
    done = pledgebot("check-config", "--config", str(with_listen(config, "localhost")))
    assert done.returncode == 2
    assert "web.listen: listen must be HOST:PORT" in done.stderr


def test_publish_writes_the_static_site(pledgebot: Pledgebot, config: Path, tmp_path: Path) -> None:
    session = "/sign Alice Smith | singer\n/as mod\n/approve 1\n"
    assert pledgebot("console", "--config", str(config), stdin=session).returncode == 0
    done = pledgebot("publish", str(tmp_path / "site"), "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("published 1 page(s), ")
    assert "Alice Smith" in (tmp_path / "site" / "index.html").read_text()
    count = json.loads((tmp_path / "site" / "api" / "count.json").read_text())
    assert count["count"] == 1
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    refused = pledgebot("publish", str(tmp_path / "mine"), "--config", str(config))
    assert refused.returncode == 1
    assert "is not a site pledgebot wrote" in refused.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def _published_count(site: Path) -> int | None:
    try:
        count: int = json.loads((site / "api" / "count.json").read_bytes())["count"]
    except (OSError, ValueError):
        return None
    return count


def test_a_running_bot_republishes_the_static_site_after_an_approval(
    config: Path, tmp_path: Path
) -> None:
    """``pledgebot run`` (the console, on a terminal) with ``web.publish_dir``: the site is
    published at start, and again once a moderator approves a name."""
    site = tmp_path / "site"
    text = config.read_text()
    text = text.replace('publish_dir = ""', f'publish_dir = "{site}"')
    text = text.replace("publish_interval_seconds = 60", "publish_interval_seconds = 1")
    publishing = tmp_path / "publishing.toml"
    publishing.write_text(text)
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(publishing)],
        stdin=slave, stdout=slave, stderr=subprocess.PIPE, cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    os.close(slave)
    seen = bytearray()
    try:
        _read_until(master, b"artist> ", seen)
        _wait_until(lambda: _published_count(site) == 0, "the first publish")
        os.write(master, b"/sign Alice Smith | singer\n")
        _read_until(master, b"awaits a moderator", seen)
        os.write(master, b"/as mod\n/approve 1\n")
        _read_until(master, b"#1 approved", seen)
        _wait_until(lambda: _published_count(site) == 1, "the republish after the approval")
        assert "Alice Smith" in (site / "index.html").read_text()
        assert "Alice Smith" in (site / "signatories-1.html").read_text()
        os.write(master, b"\x04")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
        assert proc.stderr is not None
        err = proc.stderr.read().decode()
        proc.stderr.close()
    assert "Traceback" not in err


def _wait_until(condition: Callable[[], bool], what: str, within: float = 30.0) -> None:
    """Poll for something another process does (its publisher runs every second here)."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.1)


async def test_run_only_web_on_postgresql_never_migrates_an_older_schema(
    pledgebot: Pledgebot, config: Path, processes: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    """The page only reads: started on a schema an older pledgebot left, it says to start the
    bot once and exits, the schema untouched; once the bot has upgraded it, it serves."""
    from bot.ports import OpenMode
    from storage.postgres import PostgresStore
    from tests.postgres import fresh_schema, older_schema, schema_version

    async with fresh_schema() as url:
        older = await older_schema(url)
        port = free_port()
        text = with_listen(config, f"127.0.0.1:{port}").read_text()
        text = text.replace(f'url = "sqlite:///{tmp_path}/p.db"', f'url = "{url}"')
        on_postgres = tmp_path / "postgres.toml"
        on_postgres.write_text(text)
        refused = pledgebot("run", "--only", "web", "--config", str(on_postgres))
        assert refused.returncode != 0
        assert f"is at schema version {older} and this pledgebot needs {older + 1}" in (
            refused.stderr
        )
        assert "start the bot once (pledgebot run) to upgrade it" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert await schema_version(url) == older  # nothing applied
        async with PostgresStore(url, mode=OpenMode.CREATE):  # what `pledgebot run` does first
            pass
        assert await schema_version(url) == older + 1
        web = _popen("run", "--only", "web", "--config", str(on_postgres), cwd=tmp_path)
        processes.append(web)
        wait_for(f"http://127.0.0.1:{port}/api/count", 0)
