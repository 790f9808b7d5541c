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
import subprocess
import sys
import sysconfig
from pathlib import Path

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


def test_the_image_runs_the_console_bot(tmp_path: Path) -> None:
    image = {"/app": tmp_path / "app", "/data": tmp_path / "data"}
    for directory in image.values():
        directory.mkdir()
    [workdir] = _instructions("WORKDIR")
    assert workdir == ["/app"]
    for *sources, target in _instructions("COPY"):
        destination = _mapped(target if target.startswith("/") else f"/app/{target}", image)
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
         image["/app"]],
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
                value = value.replace("////data", f"///{image['/data']}")
                env[name] = str(_mapped(value, image)) if value.startswith("/") else value
    # The installed copy and the dependencies, without site's .pth files: those include this
    # checkout's editable install, which would quietly supply whatever the image lacks.
    env["PYTHONPATH"] = os.pathsep.join([str(site), sysconfig.get_paths()["purelib"]])
    env["PLEDGEBOT_WEB__LISTEN"] = "127.0.0.1:0"  # the page is served too; any free port here
    python = [sys.executable, "-S", "-P"]  # -P: not the working directory (/app) either
    [entrypoint] = _instructions("ENTRYPOINT")
    [cmd] = _instructions("CMD")
    assert (entrypoint, cmd) == (['["pledgebot"]'], ['["run"]'])

    where = subprocess.run(
        [*python, "-c", "import bot, storage.sqlite as s; print(bot.__file__, s.__file__)"],
        env=env, cwd=image["/app"], capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert all(p.startswith(str(site)) for p in where.stdout.split()), where.stdout
    bot = subprocess.run(
        [*python, "-c", "import sys; from bot.cli import main; sys.exit(main())", "run"],
        input="/letter\n/sign Ada Lovelace | composer\n/count\n",
        env=env, cwd=image["/app"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert bot.returncode == 0, bot.stderr[-2000:]
    assert "NO MUSIC FOR ICE" in bot.stdout  # the example letter, copied to /app/config.toml
    assert "#1 awaits approval: Ada Lovelace, composer" in bot.stdout  # stored: migrations ran
    assert "0 signatures so far. Next milestone: 10." in bot.stdout
    assert (image["/data"] / "pledgebot.db").exists()  # the volume holds the SQLite file
