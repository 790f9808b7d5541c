"""The page cache: a burst of readers costs no queries, a change shows once the count is read."""

from __future__ import annotations

import asyncio
import json
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


async def test_a_burst_is_answered_from_one_read_until_the_period_ends(tmp_path: Path) -> None:
    """Served with the count read at most once an hour: a signature within the hour changes
    nothing a reader of /api/count or / sees, not even the ETag."""
    async with serve_site(tmp_path, fresh_for=3600) as site:
        _, headers, body = await site.get("/api/count")
        await site.get("/")
        await site.sign(1, "Alice")
        for _ in range(3):
            _, again, same = await site.get("/api/count")
            assert (again["ETag"], same) == (headers["ETag"], body)
            assert json.loads(same)["count"] == 0
        assert b'<strong id="count">0</strong>' in (await site.get("/"))[2]


async def test_once_the_period_is_over_the_next_reader_gets_the_count_as_it_is(
    tmp_path: Path,
) -> None:
    """A signature that lands while the answer is fresh shows to the first reader after the
    period (``fresh_for``) ends, on /api/count and on the page, in every later answer."""
    async with serve_site(tmp_path, fresh_for=0.05) as site:
        _, headers, _ = await site.get("/api/count")
        await site.sign(1, "Alice")
        await asyncio.sleep(0.1)
        for _ in range(3):
            status, moved, body = await site.get(
                "/api/count", headers={"If-None-Match": headers["ETag"]}
            )
            assert status == 200 and moved["ETag"] != headers["ETag"]
            assert json.loads(body)["count"] == 1
        assert b'<strong id="count">1</strong>' in (await site.get("/"))[2]
