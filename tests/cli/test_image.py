"""What the Dockerfile puts in the image is enough to run the bot.

No container engine runs here, so the test does the image's steps itself, read from the
Dockerfile: it copies exactly the files the ``COPY`` lines name, builds and installs the package
from them (offline, into a directory of its own), and starts the entrypoint with the image's
``ENV`` (``/app`` and ``/data`` mapped to temp directories). A file the package needs but the
Dockerfile forgets to copy — a migration, the example letter — fails this test.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _instructions(keyword: str) -> list[list[str]]:
    """The Dockerfile's instructions of one kind, continuation lines joined, split in words."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.split()[1:] for line in text.splitlines() if line.split()[:1] == [keyword]]


def _mapped(path: str, image: dict[str, Path]) -> Path:
    for prefix, local in image.items():
        if path == prefix or path.startswith(prefix + "/"):
            return local / path.removeprefix(prefix).lstrip("/")
    raise AssertionError(f"the test does not map {path} (Dockerfile changed?)")


@dataclass(frozen=True)
class Image:
    """The image's files, installed, and how to start its entrypoint with its ``ENV``."""

    paths: dict[str, Path]  # /app, /data and /tmp of the image, as local folders
    env: dict[str, str]
    python: list[str]

    def pledgebot(self, *args: str, **options: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.python, "-c", "import sys; from bot.cli import main; sys.exit(main())", *args],
            env=self.env, cwd=self.paths["/app"], capture_output=True, text=True, timeout=120,
            **options,
        )  # fmt: skip


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    tmp_path = tmp_path_factory.mktemp("image")
    paths = {name: tmp_path / name.strip("/") for name in ("/app", "/data", "/tmp")}
    for directory in paths.values():
        directory.mkdir()
    [workdir] = _instructions("WORKDIR")
    assert workdir == ["/app"]
    for *sources, target in _instructions("COPY"):
        destination = _mapped(target if target.startswith("/") else f"/app/{target}", paths)
        for source in sources:
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(origin, destination, ignore=shutil.ignore_patterns("__pycache__"))
            elif target.endswith("/"):
                destination.mkdir(parents=True, exist_ok=True)
                shutil.copy(origin, destination / origin.name)
            else:
                shutil.copy(origin, destination)

    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    wheels = tmp_path / "wheels"
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheels,
         paths["/app"]],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [wheel] = wheels.glob("pledgebot-*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", site, wheel],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip

    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEBOT_")}
    for words in _instructions("ENV"):
        for pair in words:
            name, _, value = pair.partition("=")
            if name.startswith("PLEDGEBOT_"):
                value = value.replace("////data", f"///{paths['/data']}")
                env[name] = str(_mapped(value, paths)) if value.startswith("/") else value
    # The installed copy and the dependencies, without site's .pth files: those include this
    # checkout's editable install, which would quietly supply whatever the image lacks.
    env["PYTHONPATH"] = os.pathsep.join([str(site), sysconfig.get_paths()["purelib"]])
    env["PLEDGEBOT_WEB__LISTEN"] = "127.0.0.1:0"  # the page is served too; any free port here
    python = [sys.executable, "-S", "-P"]  # -P: not the working directory (/app) either
    where = subprocess.run(
        [*python, "-c", "import bot, storage.sqlite as s; print(bot.__file__, s.__file__)"],
        env=env, cwd=paths["/app"], capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert all(p.startswith(str(site)) for p in where.stdout.split()), where.stdout
    return Image(paths, env, python)


def test_the_image_runs_the_console_bot(image: Image) -> None:
    [entrypoint] = _instructions("ENTRYPOINT")
    [cmd] = _instructions("CMD")
    assert (entrypoint, cmd) == (['["pledgebot"]'], ['["run"]'])
    bot = image.pledgebot("console", input="/letter\n/sign Ada Lovelace | composer\n/count\n")
    assert bot.returncode == 0, bot.stderr[-2000:]
    assert "NO MUSIC FOR ICE" in bot.stdout  # the example letter, copied to /app/config.toml
    assert "#1 awaits approval: Ada Lovelace, composer" in bot.stdout  # stored: migrations ran
    assert "0 signatures so far. Next milestone: 10." in bot.stdout
    assert (image.paths["/data"] / "pledgebot.db").exists()  # the volume holds the SQLite file


def test_the_default_command_without_a_token_says_why(image: Image) -> None:
    """``docker run -d pledgebot`` with the token forgotten: a non-zero exit and the reason."""
    bot = image.pledgebot("run", stdin=subprocess.DEVNULL)
    assert bot.returncode == 2
    assert "no platform token is set" in bot.stderr and "PLEDGEBOT_TELEGRAM__TOKEN" in bot.stderr


def test_the_healthcheck_reads_the_running_bot(image: Image) -> None:
    [healthcheck] = _instructions("HEALTHCHECK")
    assert healthcheck[-3:] == ["CMD", '["pledgebot",', '"health"]'], healthcheck
    assert image.pledgebot("console", input="/count\n").returncode == 0  # the database exists
    assert image.pledgebot("health").returncode == 1  # nothing running yet
    heartbeat = Path(image.env["PLEDGEBOT_RUN__HEARTBEAT_FILE"])
    assert heartbeat.parent == image.paths["/tmp"]
    # The page alone: a bot that needs no platform, with the image's heartbeat file.
    web = subprocess.Popen(
        [*image.python, "-c", "import sys; from bot.cli import main; sys.exit(main())",
         "run", "--only", "web"],
        env=image.env, cwd=image.paths["/app"], stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not heartbeat.exists():
            assert web.poll() is None, web.communicate()[1]
            assert time.monotonic() < deadline, "no heartbeat"
            time.sleep(0.05)
        healthy = image.pledgebot("health")
        assert healthy.returncode == 0, healthy.stderr
        assert healthy.stdout.startswith("healthy: no platform connected, the database answers")
        web.send_signal(signal.SIGSTOP)  # a bot that no longer runs: its heartbeat ages
        time.sleep(1.2)
        stuck = image.pledgebot("health", "--max-age", "1")
        assert stuck.returncode == 1 and "the last heartbeat is" in stuck.stderr
        web.send_signal(signal.SIGCONT)
        web.terminate()
        assert web.wait(timeout=30) == 0
    finally:
        if web.poll() is None:
            web.kill()
        web.communicate()
    assert not heartbeat.exists()  # a stopped bot leaves no heartbeat behind
    gone = image.pledgebot("health")
    assert gone.returncode == 1 and "no heartbeat" in gone.stderr
