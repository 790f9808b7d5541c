"""What the page serves, rendered once per change of the count instead of once per request.

A burst of readers (a link shared widely) must not become a burst of queries: the count is read
at most once per ``fresh_for`` seconds, and the page and JSON are rendered again only when the
count or the listing changed (or after ``render_every`` seconds, for the footer's snapshot, the
chart's time axis and a reaffirmed name's mark). One refresh runs at a time; readers who come
while it runs are answered from the page there is.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from multidict import CIMultiDict

from adapters.web.chart import Chart, chart
from adapters.web.links import Links
from adapters.web.render import IndexData, Renderer, json_bytes
from bot.communities import CommunityTable
from bot.public import PublicCount, PublicLetter, letter_record
from bot.snapshot import SnapshotInfo

__all__ = ["Body", "Current", "Page", "PageState", "SnapshotSource"]

_log = logging.getLogger(__name__)

SnapshotSource = Callable[[], Awaitable[SnapshotInfo | None]]
RECENT = 20
#: How many ``fresh_for`` periods a page may age while a background refresh runs.
_GRACE = 10
_PAGES_KEPT = 256


@dataclass(slots=True)
class Body:
    """Bytes ready to send, with an ETag for conditional requests, and the response headers
    built once (by the routes) instead of once per request."""

    data: bytes
    etag: str
    headers: dict[tuple[str, str], CIMultiDict[str]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def of(cls, data: bytes) -> Body:
        return cls(data, '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"')


class _PerLanguage:
    """A page rendered in a language when a reader of it first asks, then kept: a burst of
    readers in five languages renders it five times, not once per reader."""

    __slots__ = ("_bodies", "_render")

    def __init__(self, render: Callable[[str], bytes]) -> None:
        self._render = render
        self._bodies: dict[str, Body] = {}

    def __call__(self, language: str) -> Body:
        body = self._bodies.get(language)
        if body is None:
            body = self._bodies[language] = Body.of(self._render(language))
        return body


@dataclass(frozen=True, slots=True)
class Current:
    count: PublicCount
    count_json: Body
    #: ``index(language)``: the front page in that language.
    index: _PerLanguage
    snapshot: SnapshotInfo | None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of signatories: ``html(language)`` and the (language-free) JSON."""

    key: tuple[int, int]
    html: _PerLanguage
    json: Body
    #: When it was read (monotonic): a reaffirmation changes a name's mark, not the count.
    read_at: float = float("-inf")


class PageState:
    def __init__(
        self,
        public: PublicLetter,
        renderer: Renderer,
        links: Links,
        *,
        sign_links: Sequence[tuple[str, str]] = (),
        snapshots: SnapshotSource | None = None,
        fresh_for: float = 1.0,
        render_every: float = 30.0,
        chart_every: float = 60.0,
        communities_every: float = 60.0,
        poll_seconds: float = 10.0,
    ) -> None:
        self.public = public
        self.renderer = renderer
        self.links = links
        self.sign_links = tuple(sign_links)
        self._snapshots = snapshots
        self.fresh_for = fresh_for
        self.render_every = render_every
        self.chart_every = chart_every
        self.communities_every = communities_every
        self.poll_seconds = poll_seconds
        self.letter_json = Body.of(json_bytes(letter_record(public.letter)))
        self._current: Current | None = None
        #: What :meth:`current` would answer without waiting, or None when it must read the
        #: count again. A timer clears it ``fresh_for`` seconds after the count was read, so
        #: the readers of a burst look at one attribute, not at the clock, and need no
        #: ``await`` of their own.
        self.fresh: Current | None = None
        self._stale_timer: asyncio.TimerHandle | None = None
        self._key: tuple[int, int] | None = None
        self._checked = self._rendered = self._charted = float("-inf")
        self._chart: Chart | None = None
        self._chart_listed = -1
        self._communities: CommunityTable | None = None
        self._counted_communities = float("-inf")
        self._pages: OrderedDict[int, Page] = OrderedDict()
        self._refreshing: asyncio.Future[None] | None = None

    async def current(self) -> Current:
        """The count, the count JSON and the front page (rendered per language on demand), at
        most ``fresh_for`` seconds old.

        Past that, one reader reads the count again and the readers who come meanwhile are
        answered from the page there is (if it is less than ``_GRACE`` periods old): a burst
        never queues behind the database, and the first reader after a quiet spell still gets
        the count as it is now."""
        current = self._current
        if current is not None:
            age = time.monotonic() - self._checked
            if age < self.fresh_for:
                return current
            if self._refreshing is not None and age < self.fresh_for * _GRACE:
                return current
        if self._refreshing is None:
            self._refreshing = asyncio.ensure_future(self._refresh_once())
        await asyncio.shield(self._refreshing)
        assert self._current is not None
        return self._current

    async def _refresh_once(self) -> None:
        try:
            await self._refresh()
        finally:
            self._refreshing = None

    async def close(self) -> None:
        """Wait for a refresh in flight (the store it reads is about to close)."""
        if self._refreshing is not None:
            await asyncio.gather(self._refreshing, return_exceptions=True)
        self._went_stale()

    async def _refresh(self) -> None:
        now = time.monotonic()
        count = await self.public.count()
        key = (count.count, count.listed)
        current = self._current
        if current is not None and key == self._key:
            # The same numbers: the same answer, ``updated_at`` and ETag included, so a page
            # polling /api/count gets 304s until the count moves.
            count, count_json = current.count, current.count_json
        else:
            count_json = Body.of(json_bytes(count.as_json()))
        if current is None or key != self._key or now - self._rendered >= self.render_every:
            snapshot = await self._snapshots() if self._snapshots is not None else None
            data = await self._index_data(count, snapshot)
            renderer, links = self.renderer, self.links
            index = _PerLanguage(lambda language: renderer.index(data, links.in_language(language)))
            self._key, self._rendered = key, now
        else:
            index, snapshot = current.index, current.snapshot
        self._current = Current(count, count_json, index, snapshot)
        self._checked = now
        self._keep_fresh(now)

    def _keep_fresh(self, checked: float) -> None:
        """:attr:`fresh` is the new Current until ``fresh_for`` seconds after ``checked``, the
        :func:`time.monotonic` the count was read at (as :meth:`current` ages it)."""
        self._went_stale()
        if self.fresh_for > 0:
            self.fresh = self._current
            left = checked + self.fresh_for - time.monotonic()
            self._stale_timer = asyncio.get_running_loop().call_later(left, self._went_stale)

    def _went_stale(self) -> None:
        self.fresh = None
        if self._stale_timer is not None:
            self._stale_timer.cancel()
            self._stale_timer = None

    async def _index_data(self, count: PublicCount, snapshot: SnapshotInfo | None) -> IndexData:
        now = time.monotonic()
        if self._chart_listed != count.listed and (
            now - self._charted >= self.chart_every or self._chart is None
        ):
            timeline = await self.public.timeline(count.listed)
            self._chart = chart(timeline, count.updated_at)
            self._charted, self._chart_listed = now, count.listed
        if now - self._counted_communities >= self.communities_every:
            # A count per community reads index ranges of every signature: once a minute at
            # most, however fast the count changes.
            self._communities = await self.public.communities()
            self._counted_communities = now
        recent = await self.public.recent(count.listed, RECENT)
        return IndexData(
            self.public.letter,
            count,
            recent,
            self._chart,
            self.sign_links,
            snapshot,
            self.poll_seconds,
            communities=self._communities,
            earlier_text=self.public.earlier_text,
        )

    async def page(self, number: int) -> Page | None:
        """Page ``number`` of every signatory (HTML per language, and JSON); None when there is
        none."""
        current = await self.current()
        key = (current.count.count, current.count.listed)
        kept = self._pages.get(number)
        fresh = kept is not None and time.monotonic() - kept.read_at < self.render_every
        if kept is not None and kept.key == key and fresh:
            self._pages.move_to_end(number)
            return kept
        page = await self.public.page(number, current.count.listed)
        if page is None:
            return None
        renderer, links, letter = self.renderer, self.links, self.public.letter
        names = functools.cache(lambda language: renderer.signatory_list(page, language))

        def html(language: str) -> bytes:
            return renderer.signatories(
                page, current.count, letter, links.in_language(language), current.snapshot,
                names(renderer.list_language(page, language)),
            )  # fmt: skip

        api = Body.of(json_bytes(page.as_json()))
        made = Page(key, _PerLanguage(html), api, time.monotonic())
        self._pages[number] = made
        self._pages.move_to_end(number)
        while len(self._pages) > _PAGES_KEPT:
            self._pages.popitem(last=False)
        return made
