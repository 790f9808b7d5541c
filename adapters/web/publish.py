"""The static site: the same pages and JSON as the served page, with relative links, written to a
new folder that then takes the old one's place in one step (a reader never sees half a site, nor
no site).

``DIR`` is a symbolic link to a versioned folder beside it (``.DIR.site-…``). Each publish writes
a new folder, then points a new link at it and renames that link onto ``DIR``: rename(2)
replaces a link atomically, so at every moment ``DIR`` is the old site or the new one. Renaming
folders cannot do that (a folder cannot replace a non-empty one: the old must move away first,
leaving a moment with no ``DIR``), which is why ``DIR`` is a link. The link's target is a bare
name, so the pair can be moved or mounted together. A folder an older pledgebot wrote is turned
into a link at its next publish (that once, by the two renames).

Works from any static host and from the disk (``file://``); the live count needs a host (the
script does not poll from the disk) but the page is complete without it. Every page is written
in every language: the default language at the root, the others in ``es/``, ``pt-BR/``, …
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from adapters.web.links import STATIC
from adapters.web.render import Renderer, json_bytes
from adapters.web.routes import static_assets
from adapters.web.state import PageState, SnapshotSource
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES
from bot.progress import SILENT, Progress
from bot.public import PublicLetter

__all__ = ["MARKER", "NotASite", "PublishedSite", "Publisher", "publish_site"]

_log = logging.getLogger(__name__)

#: In every folder pledgebot writes: a folder without it is never replaced.
MARKER = ".pledgebot-site"


class NotASite(Exception):
    """The target folder holds something else: publishing would delete it."""


@dataclass(frozen=True, slots=True)
class PublishedSite:
    path: Path
    pages: int
    files: int
    count: int
    listed: int


def _refuse_foreign(target: Path) -> None:
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).exists())
    ):
        raise NotASite(
            f"{target} exists and is not a site pledgebot wrote: publish to a new or empty folder"
        )


def _write(folder: Path, name: str, data: bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _ours(target: Path) -> bool:
    """Whether ``target`` is a link this module made (to a ``.NAME.site-…`` folder beside it)."""
    if not target.is_symlink():
        return False
    pointed = os.readlink(target)
    return "/" not in pointed and pointed.startswith(f".{target.name}.site-")


def _resolve(target: Path) -> Path:
    """The absolute target, its own link kept: ``DIR`` is the link publishing replaces. A link
    someone else made (``/var/www/letter`` -> ``/srv/letter``) is followed instead."""
    target = target.absolute()
    target = target.parent.resolve() / target.name
    if target.is_symlink() and not _ours(target):
        return _resolve(target.resolve())
    return target


def _prepare(target: Path) -> tuple[Path, Path]:
    """The target and a new, empty folder beside it (same file system: rename works)."""
    target = _resolve(target)
    _refuse_foreign(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    new = target.with_name(f".{target.name}.new-{os.getpid()}-{time.monotonic_ns()}")
    new.mkdir()
    return target, new


def _write_all(folder: Path, files: Sequence[tuple[str, bytes]]) -> None:
    for name, data in files:
        _write(folder, name, data)


def _copy_snapshots(source: Path, folder: Path) -> int:
    if not source.is_dir():
        return 0
    copied = 0
    for path in sorted(source.glob("*.json")):
        target = folder / "snapshots" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)  # snapshots never change once written: share the bytes
        except OSError:
            shutil.copyfile(path, target)
        copied += 1
    return copied


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    """One swap at a time per ``DIR`` (the bot's publisher and a ``pledgebot publish``), so
    neither deletes the folder the other just put in place."""
    with target.with_name(f".{target.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _swap(new: Path, target: Path) -> None:
    """Make ``new`` the site at ``target`` in one rename(2) of a link; then delete the folders of
    earlier publishes (and any a crash left behind)."""
    stamp = f"{time.time_ns()}-{os.getpid()}"
    with _locked(target):
        version = target.with_name(f".{target.name}.site-{stamp}")
        new.rename(version)
        link = target.with_name(f".{target.name}.link-{stamp}")
        link.symlink_to(version.name)
        if target.is_dir() and not target.is_symlink():
            # A folder an older pledgebot wrote: a link cannot replace it in one step. Once.
            old = target.with_name(f".{target.name}.old-{stamp}")
            target.rename(old)
            os.replace(link, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(link, target)
        for stale in target.parent.glob(f".{target.name}.site-*"):
            if stale.name != version.name:
                shutil.rmtree(stale, ignore_errors=True)


async def publish_site(
    public: PublicLetter,
    target: Path,
    *,
    sign_links: Sequence[tuple[str, str]] = (),
    snapshot_dir: Path | None = None,
    snapshots: SnapshotSource | None = None,
    progress: Progress = SILENT,
    default_language: str = DEFAULT_LANGUAGE,
) -> PublishedSite:
    """Every page in every language (the default one at the root, the others in a folder
    each, see :mod:`adapters.web.links`), and the JSON once."""
    target, new = await asyncio.to_thread(_prepare, target)
    try:
        renderer = Renderer()
        root = STATIC.with_default(default_language)
        sites = [root.in_language(language) for language in LANGUAGES]
        state = PageState(public, renderer, root, sign_links=sign_links, snapshots=snapshots)
        current = await state.current()
        files = 0
        for name, data in [
            (MARKER, b"written by pledgebot publish; replaced whole at each publish\n"),
            ("api/count.json", current.count_json.data),
            ("api/letter.json", state.letter_json.data),
            *((f"static/{n}", body.data) for n, (body, _) in static_assets().items()),
            *(
                (links.folder + name, data)
                for links in sites
                for name, data in (
                    ("index.html", current.index(links.language).data),
                    ("404.html", renderer.error("not_found", public.letter, links)),
                )
            ),
        ]:
            await asyncio.to_thread(_write, new, name, data)
            files += 1
        pages = 0
        advance = progress.stage("writing pages", public.pages(current.count.listed), unit="pages")
        async for page in public.every_page():
            needed = {renderer.list_language(page, links.language) for links in sites}
            names = {language: renderer.signatory_list(page, language) for language in needed}
            written = [
                (
                    f"{links.folder}signatories-{page.page}.html",
                    renderer.signatories(
                        page,
                        current.count,
                        public.letter,
                        links,
                        current.snapshot,
                        names[renderer.list_language(page, links.language)],
                    ),
                )
                for links in sites
            ]
            written.append((f"api/signatories-{page.page}.json", json_bytes(page.as_json())))
            await asyncio.to_thread(_write_all, new, written)
            pages += 1
            files += len(written)
            advance(1)
        if snapshot_dir is not None:
            files += await asyncio.to_thread(_copy_snapshots, snapshot_dir, new)
        await asyncio.to_thread(_swap, new, target)
    except BaseException:
        await asyncio.to_thread(shutil.rmtree, new, ignore_errors=True)
        raise
    count = current.count
    return PublishedSite(target, pages, files, count.count, count.listed)


class Publisher:
    """Republishes the static site after changes, at most once every ``interval`` seconds."""

    def __init__(
        self,
        public: PublicLetter,
        target: Path,
        interval: float,
        *,
        sign_links: Sequence[tuple[str, str]] = (),
        snapshot_dir: Path | None = None,
        snapshots: SnapshotSource | None = None,
        default_language: str = DEFAULT_LANGUAGE,
    ) -> None:
        self.public = public
        self.default_language = default_language
        self.target = target
        self.interval = interval
        self.sign_links = sign_links
        self.snapshot_dir = snapshot_dir
        self._snapshots = snapshots
        self._published: object = None

    async def _version(self) -> object:
        count = await self.public.count()
        latest = await self._snapshots() if self._snapshots is not None else None
        return (count.count, count.listed, latest.sha256 if latest else None)

    async def publish_if_changed(self) -> PublishedSite | None:
        version = await self._version()
        if version == self._published:
            return None
        site = await publish_site(
            self.public,
            self.target,
            sign_links=self.sign_links,
            snapshot_dir=self.snapshot_dir,
            snapshots=self._snapshots,
            default_language=self.default_language,
        )
        self._published = version
        _log.info("published the static site to %s (%d pages)", site.path, site.pages)
        return site

    async def run(self) -> None:
        while True:
            try:
                await self.publish_if_changed()
            except NotASite:
                raise
            except Exception:
                _log.exception("publishing the static site to %s failed; retrying", self.target)
            await asyncio.sleep(self.interval)
