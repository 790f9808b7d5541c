"""Rendering pages and JSON: the served page and the static site use these same functions.

Jinja2 with autoescape on: every value a signer typed is escaped by the template engine, and
links pass :func:`http_link` first, so only ``http(s)`` addresses ever become an ``href``. All
the page's wording lives in the templates (one place for the coming translations).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import jinja2

from adapters.web.chart import Chart
from adapters.web.links import Links
from bot import texts
from bot.communities import CommunityTable
from bot.domain import Letter, Signature
from bot.public import PublicCount, PublicPage
from bot.snapshot import SnapshotInfo

__all__ = [
    "CSP",
    "ErrorKind",
    "IndexData",
    "Renderer",
    "http_link",
    "json_bytes",
]

#: No inline script, no third-party origin, nothing may frame the page.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
#: The same in a <meta> tag, for static hosts that send no headers (frame-ancestors is a
#: header-only directive: a browser warns about it in a <meta>).
CSP_META = CSP.removesuffix("; frame-ancestors 'none'")

ErrorKind = str  # "not_found", "method_not_allowed", "unavailable", "error"


def http_link(value: object) -> str | None:
    """The link itself when it is an ``http(s)`` address with a host, else None (shown as
    text). The core accepts nothing else, but a page must not trust the database with that."""
    if not isinstance(value, str) or not value.isprintable() or any(c in value for c in "<>\"'`"):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


def _day(at: datetime | None) -> str:
    return at.date().isoformat() if at is not None else ""


def _stamp(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at is not None else ""


def json_bytes(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class IndexData:
    letter: Letter
    count: PublicCount
    recent: Sequence[Signature]
    chart: Chart | None
    sign_links: Sequence[tuple[str, str]]
    snapshot: SnapshotInfo | None
    poll_seconds: float = 10.0
    extra: dict[str, object] = field(default_factory=dict)
    #: The communities table, when the campaign made it public.
    communities: CommunityTable | None = None


def _community_rows(table: CommunityTable | None) -> list[dict[str, object]] | None:
    """The table's rows with each community's name as people read it (the template escapes)."""
    if table is None:
        return None
    return [
        {
            "label": texts.community_label(row.community, row.name),
            "approved": row.approved,
            "pending": row.pending,
            "share": f"{row.share:.0%}",
            "recent": row.recent,
        }
        for row in table.rows
    ]


class Renderer:
    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("adapters.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["http_link"] = http_link
        self.env.filters["day"] = _day
        self.env.filters["stamp"] = _stamp
        self.env.globals["csp"] = CSP_META

    def _render(self, name: str, **context: object) -> bytes:
        return self.env.get_template(name).render(**context).encode("utf-8")

    def index(self, data: IndexData, links: Links) -> bytes:
        paragraphs = [p.strip() for p in data.letter.preamble.split("\n\n") if p.strip()]
        return self._render(
            "index.html",
            letter=data.letter,
            preamble=paragraphs,
            count=data.count,
            recent=data.recent,
            chart=data.chart,
            sign_links=data.sign_links,
            snapshot=data.snapshot,
            poll_ms=int(data.poll_seconds * 1000),
            links=links,
            communities=_community_rows(data.communities),
        )

    def signatories(
        self, page: PublicPage, count: PublicCount, letter: Letter, links: Links,
        snapshot: SnapshotInfo | None,
    ) -> bytes:  # fmt: skip
        return self._render(
            "signatories.html",
            page=page,
            count=count,
            letter=letter,
            links=links,
            snapshot=snapshot,
        )

    def error(self, kind: ErrorKind, letter: Letter, links: Links) -> bytes:
        return self._render("error.html", kind=kind, letter=letter, links=links, snapshot=None)
