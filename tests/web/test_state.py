"""The page cache: a burst of readers costs no queries, a change shows once the count is read."""

from __future__ import annotations

from pathlib import Path

from adapters.web.links import SERVED
from adapters.web.render import Renderer
from adapters.web.state import PageState
from tests.web.conftest import serve_site


async def test_pages_are_kept_until_the_count_is_read_again(tmp_path: Path) -> None:
    async with serve_site(tmp_path) as site:
        public = site.service.public
        kept = PageState(public, Renderer(), SERVED, fresh_for=3600)
        first = await kept.current()
        await site.sign(1, "Alice")
        assert (await kept.current()) is first  # no query: the same rendered page
        assert b'<strong id="count">0</strong>' in first.index("en").data

        always = PageState(public, Renderer(), SERVED, fresh_for=0)
        now = await always.current()
        assert now.count.count == 1
        assert b'<strong id="count">1</strong>' in now.index("en").data
        assert b"Alice" in now.index("en").data
        again = await always.current()
        # The count did not change: the page is not rendered again, in any language.
        assert again.index("en") is now.index("en")
        assert again.index("es") is now.index("es")
        assert b'<html lang="es">' in now.index("es").data
