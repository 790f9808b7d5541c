"""The web adapter: serves the public page on ``web.listen`` beside the chat adapters.

It only reads (through :class:`bot.public.PublicLetter`), so ``pledgebot run --only web`` can
serve the page from a read-only database beside the bot process.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiohttp import web

from adapters.web.links import SERVED
from adapters.web.render import Renderer
from adapters.web.routes import build_app
from adapters.web.state import PageState, SnapshotSource
from bot.config import WebSettings
from bot.i18n import DEFAULT_LANGUAGE
from bot.public import PublicLetter

__all__ = ["WebAdapter", "sign_links"]

_log = logging.getLogger(__name__)


def sign_links(settings: WebSettings) -> list[tuple[str, str]]:
    """The configured ways to sign, in a fixed order."""
    links = settings.sign_links
    return [
        (name, url)
        for name, url in (("discord", links.discord), ("telegram", links.telegram))
        if url
    ]


class WebAdapter:
    """``await adapter.start()`` binds and returns the address; ``run()`` serves until cancelled."""

    platform = "web"

    def __init__(
        self,
        public: PublicLetter,
        settings: WebSettings,
        *,
        snapshots: SnapshotSource | None = None,
        fresh_for: float = 1.0,
        poll_seconds: float = 10.0,
        default_language: str = DEFAULT_LANGUAGE,
    ) -> None:
        address = settings.address
        if address is None:
            raise ValueError("web.listen is empty: there is no address to serve the page on")
        self.host, self.port = address
        self.renderer = Renderer()
        self.state = PageState(
            public,
            self.renderer,
            SERVED.with_default(default_language),
            sign_links=sign_links(settings),
            snapshots=snapshots,
            fresh_for=fresh_for,
            poll_seconds=poll_seconds,
        )
        self.app = build_app(
            self.state, self.renderer, Path(settings.snapshot_dir), default_language
        )
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> str:
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            raise RuntimeError(
                f"cannot serve the web page on {self.host}:{self.port} ({exc.strerror}): "
                'set web.listen to a free HOST:PORT, or "" for no page'
            ) from exc
        self._runner = runner
        host, port = runner.addresses[0][:2]
        self.port = port
        self.url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
        _log.info("serving the public page at %s", self.url)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.state.close()

    async def run(self) -> None:
        if self._runner is None:
            await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()
