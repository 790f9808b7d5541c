"""Rendering pages and JSON: the served page and the static site use these same functions.

Jinja2 with autoescape on: every value a signer typed is escaped by the template engine, and
links pass :func:`http_link` first, so only ``http(s)`` addresses ever become an ``href``. All
the page's wording is in the templates, through the catalogue (:mod:`adapters.web.words`); a
page is rendered in the language of the :class:`Links` it is given, with the letter in that
language when it has a complete translation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from adapters.web.chart import Chart
from adapters.web.links import Links
from adapters.web.words import words
from bot.communities import CommunityTable
from bot.domain import Letter, Signature
from bot.i18n import Msg, Translator, translator, translator_for
from bot.public import PublicCount, PublicPage
from bot.snapshot import SnapshotInfo
from bot.texts import community_table, signatures

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


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def _on_the_current_text(sig: Signature) -> bool:
    return False


def earlier_marker(language: str) -> Markup:
    """What follows a name that stands on an earlier text
    (:data:`bot.texts.signatures.EARLIER_TEXT`), escaped for the page."""
    return Markup(escape(translator(language).render(signatures.EARLIER_TEXT)))


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
    #: The core's word on whether a name of ``recent`` stands on an earlier text
    #: (:meth:`bot.public.PublicLetter.earlier_text`).
    earlier_text: Callable[[Signature], bool] = _on_the_current_text


def _with_sign_command(
    sign_links: Sequence[tuple[str, str]], language: str
) -> list[tuple[str, str, str]]:
    """Each way to sign with the command to use there, as that platform lists it to a reader of
    the page's language: ``/firmar`` beside a Spanish page's Discord link, ``/sign`` beside its
    Telegram one (:mod:`bot.i18n.commands`)."""
    return [
        (platform, url, translator_for(platform, language).command("sign"))
        for platform, url in sign_links
    ]


def _plain(tr: Translator, text: Msg | str) -> str:
    return tr.render(text) if isinstance(text, Msg) else text


def _community_rows(table: CommunityTable | None, language: str) -> list[dict[str, object]] | None:
    """The table's rows with each community's name as people read it (the template escapes)."""
    if table is None:
        return None
    tr = translator(language)
    return [
        {
            "label": _plain(tr, community_table.community_label(row.community, row.name)),
            "approved": row.approved,
            "pending": row.pending,
            "share": row.share,
            "recent": row.recent,
        }
        for row in table.rows
    ]


class Renderer:
    """Renders each page in the language of the :class:`Links` it is given."""

    def __init__(self) -> None:
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("adapters.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["http_link"] = http_link
        self.env.filters["paragraphs"] = _paragraphs
        self.env.globals["csp"] = CSP_META

    def _render(
        self,
        name: str,
        links: Links,
        letter: Letter,
        *,
        page_number: int | None = None,
        language_links: bool = True,
        **context: object,
    ) -> bytes:
        """``page_number``: the page of signatories the language links lead to (None: the
        front page); an error page has no language links."""
        page_words = words(links.language)
        switch = None
        if language_links:
            switch = [
                (code, tag, own_name, links.switch(code, page_number))
                for code, tag, own_name in page_words.languages()
            ]
        text = letter.in_language(links.language)
        return (
            self.env.get_template(name)
            .render(
                **page_words.functions(),
                letter=text,
                original=letter.original if text.is_translation else None,
                links=links,
                switch=switch,
                **context,
            )
            .encode("utf-8")
        )

    def index(self, data: IndexData, links: Links) -> bytes:
        return self._render(
            "index.html",
            links,
            data.letter,
            count=data.count,
            recent=data.recent,
            earlier_text=data.earlier_text,
            earlier=earlier_marker(links.language),
            chart=data.chart,
            sign_links=_with_sign_command(data.sign_links, links.language),
            snapshot=data.snapshot,
            poll_ms=int(data.poll_seconds * 1000),
            communities=_community_rows(data.communities, links.language),
        )

    def signatory_list(self, page: PublicPage, language: str | None = None) -> Markup:
        """The page's names as HTML. ``language``: the one its marks of a name on an earlier
        text speak; None for a page with no such name (:meth:`list_language`), whose list is
        the same in every language, so five languages render its hundred names once (they are
        most of its cost)."""
        earlier = earlier_marker(language) if language is not None else Markup("")
        template = self.env.get_template("_signatory_list.html")
        return Markup(template.render(page=page, earlier=earlier))

    @staticmethod
    def list_language(page: PublicPage, language: str) -> str | None:
        """The language :meth:`signatory_list` needs for ``page`` read in ``language``: None
        (every language alike) unless a name on it is marked as on an earlier text."""
        return language if page.has_earlier_text else None

    def signatories(
        self, page: PublicPage, count: PublicCount, letter: Letter, links: Links,
        snapshot: SnapshotInfo | None, names: Markup | None = None,
    ) -> bytes:  # fmt: skip
        """``names``: :meth:`signatory_list` of ``page``, when the caller has it already."""
        return self._render(
            "signatories.html",
            links,
            letter,
            page_number=page.page,
            page=page,
            count=count,
            snapshot=snapshot,
            names=(
                names
                if names is not None
                else self.signatory_list(page, self.list_language(page, links.language))
            ),
        )

    def error(self, kind: ErrorKind, letter: Letter, links: Links) -> bytes:
        return self._render(
            "error.html", links, letter, language_links=False, kind=kind, snapshot=None
        )
