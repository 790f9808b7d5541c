"""Where a page's links point: the served site and the static site differ only here.

Every link is relative, so the served page works behind a reverse proxy under any path and the
static site works from any host or straight from the disk (``file://``).

Languages: the served page's links carry ``?lang=`` so a reader who picked a language keeps it
from page to page, whatever their browser asks for. The static site keeps the default language
at its root and every other one in a folder named for it (``es/``, ``pt-BR/``): a static host
serves ``/es/`` as ``/es/index.html`` with no configuration, and the shared files (``static/``,
``api/``, ``snapshots/``) stay at the root, one ``../`` away.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from adapters.web.words import html_language
from bot.i18n import DEFAULT_LANGUAGE

__all__ = ["SERVED", "STATIC", "Links"]


@dataclass(frozen=True, slots=True)
class Links:
    static_site: bool
    #: The language of the page these links are on (a catalogue code: ``pt_BR``).
    language: str = DEFAULT_LANGUAGE
    #: The static site's root language (its pages are not in a folder).
    default_language: str = DEFAULT_LANGUAGE

    def in_language(self, language: str) -> Links:
        """The links of the same site's pages in ``language``."""
        return replace(self, language=language)

    def with_default(self, language: str) -> Links:
        return replace(self, default_language=language, language=language)

    @property
    def _root(self) -> str:
        """From this page to the site's root: the static site's language folders are one down."""
        if self.static_site and self.language != self.default_language:
            return "../"
        return ""

    @property
    def _lang(self) -> str:
        return f"lang={html_language(self.language)}"

    @property
    def home(self) -> str:
        return "index.html" if self.static_site else f"./?{self._lang}"

    def signatories(self, page: int = 1) -> str:
        if self.static_site:
            return f"signatories-{page}.html"
        if page == 1:
            return f"signatories?{self._lang}"
        return f"signatories?page={page}&{self._lang}"

    def switch(self, language: str, page: int | None = None) -> str:
        """This page (the front page, or page ``page`` of the signatories) in ``language``."""
        there = self.in_language(language)
        where = there.home if page is None else there.signatories(page)
        if not self.static_site:
            return where
        folder = "" if language == self.default_language else f"{html_language(language)}/"
        return self._root + folder + where

    def asset(self, name: str) -> str:
        return f"{self._root}static/{name}"

    @property
    def api_count(self) -> str:
        return self._root + ("api/count.json" if self.static_site else "api/count")

    @property
    def api_letter(self) -> str:
        return self._root + ("api/letter.json" if self.static_site else "api/letter")

    def api_signatories(self, page: int = 1) -> str:
        if self.static_site:
            return f"{self._root}api/signatories-{page}.json"
        return f"api/signatories?page={page}"

    @property
    def snapshot_latest(self) -> str:
        return f"{self._root}snapshots/latest.json"

    def snapshot(self, sha256: str) -> str:
        return f"{self._root}snapshots/{sha256}.json"

    @property
    def folder(self) -> str:
        """Where this language's pages sit in the static site ("" for the root)."""
        if self.language == self.default_language:
            return ""
        return f"{html_language(self.language)}/"


SERVED = Links(static_site=False)
STATIC = Links(static_site=True)
