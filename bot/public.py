"""What the public may see of a campaign: the use cases behind the web page and the snapshots.

Everything here only reads. The public sees approved, listed signatures (never anonymous,
erased, pending, rejected, withdrawn or removed ones) with their public fields, and numbers:
the count, how many are listed, how many signed anonymously, the next milestone. The web adapter
and the static site render these; a snapshot (:mod:`bot.snapshot`) records the same fields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from bot.communities import Communities, CommunityTable
from bot.domain import Letter, Signature, on_earlier_text
from bot.milestones import MilestonePolicy
from bot.ports import Clock, Store
from bot.values import frozen_value

__all__ = [
    "PUBLIC_PAGE_SIZE",
    "PublicCount",
    "PublicLetter",
    "PublicPage",
    "TimelinePoint",
    "iso",
    "letter_record",
    "public_record",
]

#: Signatories per page on the web page and in its JSON.
PUBLIC_PAGE_SIZE = 100


def iso(at: datetime | None) -> str | None:
    """Times as ISO-8601 in UTC with a fixed precision, so equal times read equal everywhere."""
    return at.isoformat(timespec="microseconds") if at is not None else None


def public_record(sig: Signature) -> dict[str, str | None]:
    """The fields of a listed signature anyone may read (no ids, no platform, no community)."""
    return {
        "name": sig.name,
        "role": sig.role,
        "location": sig.location,
        "link": sig.link,
        "approved_at": iso(sig.decided_at),
        "letter_version": sig.letter_version,
    }


def letter_record(letter: Letter) -> dict[str, object]:
    return {
        "title": letter.title,
        "preamble": letter.preamble,
        "demands": list(letter.demands),
        "closing": letter.closing,
        "version": letter.version,
    }


@frozen_value
class PublicCount:
    """The numbers of ``/api/count``, as read at ``updated_at``."""

    count: int
    listed: int
    next_milestone: int | None
    updated_at: datetime

    @property
    def anonymous(self) -> int:
        return max(self.count - self.listed, 0)

    @property
    def progress(self) -> float:
        """How far the count is from the previous milestone (or 0) to the next, 0..1."""
        if self.next_milestone is None:
            return 1.0
        return min(max(self.count / self.next_milestone, 0.0), 1.0)

    def as_json(self) -> dict[str, object]:
        return {
            "count": self.count,
            "listed": self.listed,
            "anonymous": self.anonymous,
            "next_milestone": self.next_milestone,
            "updated_at": iso(self.updated_at),
        }


@frozen_value
class PublicPage:
    """One page of the public list. ``start`` is the 0-based rank of its first signatory."""

    page: int
    pages: int
    start: int
    signatures: tuple[Signature, ...]
    #: The letter's current version: a signature on another stood on an earlier text.
    version: str = ""

    def earlier_text(self, sig: Signature) -> bool:
        """Whether ``sig`` is shown as signed on an earlier text (see :func:`on_earlier_text`)."""
        return on_earlier_text(sig, self.version)

    @property
    def has_earlier_text(self) -> bool:
        """Whether any name on the page is marked: the page's list then reads per language."""
        return any(self.earlier_text(s) for s in self.signatures)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def as_json(self) -> dict[str, object]:
        return {
            "page": self.page,
            "pages": self.pages,
            "per_page": PUBLIC_PAGE_SIZE,
            "signatories": [
                {**public_record(s), "earlier_text": self.earlier_text(s)} for s in self.signatures
            ],
        }


@frozen_value
class TimelinePoint:
    """``listed`` names were on the letter once the one approved at ``at`` was."""

    at: datetime
    listed: int


class PublicLetter:
    """Read-only use cases for the public face. Holds no state but what it is given."""

    def __init__(
        self,
        store: Store,
        letter: Letter,
        milestones: MilestonePolicy,
        clock: Clock,
        communities: Communities | None = None,
    ) -> None:
        """``communities``: the register whose table the page shows, only when the campaign
        made it public (``signing.public_communities``)."""
        self.store = store
        self.letter = letter
        self.milestones = milestones
        self.clock = clock
        self._communities = communities

    async def communities(self) -> CommunityTable | None:
        """The table of ``/communities``, or None when it is for moderators only."""
        if self._communities is None:
            return None
        return await self._communities.table()

    async def count(self) -> PublicCount:
        count = await self.store.count()
        listed = await self.store.listed_count()
        return PublicCount(count, listed, self.milestones.next_after(count), self.clock.now())

    def pages(self, listed: int) -> int:
        """Pages of the public list; one (empty) page when no one is listed yet."""
        return max(1, -(-listed // PUBLIC_PAGE_SIZE))

    async def page(self, number: int, listed: int | None = None) -> PublicPage | None:
        """Page ``number`` (1-based) in approval order; None when there is no such page."""
        if listed is None:
            listed = await self.store.listed_count()
        pages = self.pages(listed)
        if not 1 <= number <= pages:
            return None
        start = (number - 1) * PUBLIC_PAGE_SIZE
        rows = await self.store.listed_page(start, PUBLIC_PAGE_SIZE)
        listed_rows = tuple(r for r in rows if r.listed)
        return PublicPage(number, pages, start, listed_rows, self.letter.version)

    async def every_page(self) -> AsyncIterator[PublicPage]:
        """Every page of the public list in order, read in one pass (for the static site):
        a million names are a few hundred batched reads, not ten thousand page look-ups."""
        listed = await self.store.listed_count()
        pages = self.pages(listed)
        batch: list[Signature] = []
        number = 1
        async for sig in self.store.listed_signatures(10 * PUBLIC_PAGE_SIZE):
            if not sig.listed:
                continue
            batch.append(sig)
            if len(batch) == PUBLIC_PAGE_SIZE:
                start = (number - 1) * PUBLIC_PAGE_SIZE
                yield PublicPage(
                    number, max(pages, number), start, tuple(batch), self.letter.version
                )
                number, batch = number + 1, []
        if batch or number == 1:
            start = (number - 1) * PUBLIC_PAGE_SIZE
            yield PublicPage(number, number, start, tuple(batch), self.letter.version)

    async def recent(self, listed: int, limit: int) -> list[Signature]:
        """The most recently approved listed signatories, newest first."""
        if listed <= 0 or limit <= 0:
            return []
        start = max(listed - limit, 0)
        rows = await self.store.listed_page(start, listed - start)
        return [r for r in reversed(rows) if r.listed]

    def earlier_text(self, sig: Signature) -> bool:
        """Whether a listed ``sig`` (of :meth:`recent`, say) stands on an earlier text."""
        return on_earlier_text(sig, self.letter.version)

    async def timeline(self, listed: int, points: int = 48) -> list[TimelinePoint]:
        """Listed names over time, sampled at up to ``points`` ranks of the approval order.

        Each sample is one indexed read of the listing, so the chart costs the same at ten
        names and at a million."""
        if listed <= 0:
            return []
        ranks = sorted({round(i * (listed - 1) / max(points - 1, 1)) for i in range(points)})
        found: list[TimelinePoint] = []
        for rank in ranks:
            rows = await self.store.listed_page(rank, 1)
            if rows and rows[0].decided_at is not None:
                found.append(TimelinePoint(rows[0].decided_at, rank + 1))
        return _monotonic(found)


def _monotonic(points: Sequence[TimelinePoint]) -> list[TimelinePoint]:
    """Drop samples that went back in time (a listing that changed while it was sampled)."""
    kept: list[TimelinePoint] = []
    for p in points:
        if not kept or (p.at >= kept[-1].at and p.listed > kept[-1].listed):
            kept.append(p)
    return kept
