"""The public page in a real browser: Debian's Chromium, driven by Playwright.

One browser for the whole module (a few seconds in all). Without Chromium these tests skip with
how to install it, except in CI (``CI`` set), where they fail: the page's promises are only
kept if a browser checks them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import async_playwright, expect

from adapters.web import publish_site
from tests.conftest import MOD, artist
from tests.web.conftest import HOSTILE_NAMES, Site, serve_site

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHROMIUM = os.environ.get("PLEDGEBOT_TEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need_chromium() -> None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).is_file():
        return
    message = (
        f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install -y chromium) "
        "or set PLEDGEBOT_TEST_CHROMIUM"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def browser() -> AsyncIterator[Any]:
    _need_chromium()
    async with async_playwright() as playwright:
        # Playwright gives the browser a fresh profile (--user-data-dir) of its own.
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=FLAGS
        )
        yield chromium
        await chromium.close()


@pytest_asyncio.fixture(loop_scope="module")
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    async with serve_site(tmp_path, poll_seconds=0.2) as served:
        yield served


@dataclass
class Watched:
    """A page with everything it did recorded: dialogs, console errors, requests."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


async def _open(browser: Any, url: str, **context: Any) -> Watched:
    ctx = await browser.new_context(**context)
    page = await ctx.new_page()
    watched = Watched(page)

    async def dismiss(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", dismiss)
    page.on(
        "console",
        lambda m: watched.errors.append(m.text) if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda e: watched.errors.append(str(e)))
    page.on("request", lambda r: watched.requests.append(r.url))
    await page.goto(url)
    await page.wait_for_load_state("load")
    return watched


async def _count_on_page(watched: Watched) -> int:
    return int(await watched.page.inner_text("#count"))


async def test_the_page_count_equals_the_store_count(browser: Any, site: Site) -> None:
    for n in range(1, 4):
        await site.sign(n, f"Artist {n}")
    await site.sign_anonymous(4, "Quiet")
    watched = await _open(browser, site.url)
    assert await _count_on_page(watched) == await site.service.store.count() == 4
    assert await watched.page.inner_text("#listed") == str(await site.service.store.listed_count())
    assert watched.errors == [] and watched.dialogs == []
    await watched.page.context.close()


async def test_hostile_names_are_text_and_run_nothing(browser: Any, site: Site) -> None:
    for n, name in enumerate(HOSTILE_NAMES, 1):
        await site.sign(n, name)
    await site.insert_raw("Mallory", "javascript:alert(1)")
    for path in ("", "signatories"):
        watched = await _open(browser, site.url + path)
        names = await watched.page.locator(".name").all_inner_texts()
        assert set(HOSTILE_NAMES) | {"Mallory"} <= set(names)
        link = watched.page.locator(".link", has_text="javascript:alert(1)")
        assert await link.count() == 1
        assert await link.locator("a").count() == 0  # shown as text, not a link
        await link.click()
        for anchor in await watched.page.locator(".signatories a").all():
            assert (await anchor.get_attribute("href")).startswith(("http://", "https://"))
        assert await watched.page.locator(".signatories img").count() == 0
        assert watched.dialogs == []
        assert watched.errors == []
        await watched.page.context.close()


async def test_anonymous_and_erased_signers_are_absent(browser: Any, site: Site) -> None:
    await site.sign(1, "Visible Vera")
    await site.sign_anonymous(2, "Anonymous Ann")
    await site.sign(3, "Erased Ed")
    await site.service.withdraw(artist(3), erase=True)
    removed = await site.sign(4, "Removed Rob")
    await site.service.remove(MOD, removed, "spam")
    await site.sign(5, "Pending Pia", approve=False)
    for path in ("", "signatories"):
        watched = await _open(browser, site.url + path)
        text = await watched.page.inner_text("body")
        assert "Visible Vera" in text
        for absent in ("Anonymous Ann", "Erased Ed", "(erased)", "Removed Rob", "Pending Pia"):
            assert absent not in text
        await watched.page.context.close()


async def test_an_open_page_counts_new_approvals_without_a_reload(browser: Any, site: Site) -> None:
    await site.sign(1, "First")
    watched = await _open(browser, site.url)
    page = watched.page
    await page.evaluate("window.loadedOnce = true")
    assert await _count_on_page(watched) == 1
    assert await page.inner_text("#count-line") == "1 signature so far"
    for n in range(2, 5):
        await site.sign(n, f"Artist {n}")
    await expect(page.locator("#count")).to_have_text("4", timeout=30_000)
    assert await page.evaluate("window.loadedOnce") is True  # the same page, not a reload
    assert await page.inner_text("#count-line") == "4 signatures so far"
    assert await page.get_attribute("#progress", "value") == "4"
    assert watched.errors == []
    await page.context.close()


async def test_a_phone_screen_has_no_horizontal_scroll(browser: Any, site: Site) -> None:
    for n in range(12):
        await site.sign(
            n, f"{'W' * 70}{n}", role="R" * 60, location="L" * 60,
            link="https://example.org/" + "p" * 170,
        )  # fmt: skip
    for path in ("", "signatories", "nope"):
        watched = await _open(browser, site.url + path, viewport={"width": 390, "height": 844})
        widths = await watched.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1] == 390, (path, widths)
        await watched.page.context.close()


async def test_the_page_makes_no_request_elsewhere(browser: Any, site: Site) -> None:
    await site.sign(1, "Alice", link="https://alice.example")
    watched = await _open(browser, site.url)
    await watched.page.wait_for_timeout(500)  # let the live count poll at least once
    assert watched.requests
    assert all(url.startswith(site.url) for url in watched.requests), watched.requests
    assert any(url.endswith("/api/count") for url in watched.requests)
    assert watched.errors == []
    await watched.page.context.close()


async def test_the_static_site_opens_from_the_disk(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    await site.sign(1, "Alice <b>bold</b>")
    await site.insert_raw("Early", n=130)
    await publish_site(site.service.public, tmp_path / "public")
    watched = await _open(browser, (tmp_path / "public" / "index.html").as_uri())
    page = watched.page
    assert await _count_on_page(watched) == 131
    assert await page.locator("svg polyline").count() == 1
    await page.click("text=Every signatory, in the order they were approved")
    await page.wait_for_load_state("load")
    assert page.url.endswith("signatories-1.html")
    assert "Alice <b>bold</b>" in await page.inner_text("body")
    await page.click("text=Next page")
    await page.wait_for_load_state("load")
    assert "Early 130" in await page.inner_text("body")
    # The stylesheet applied (the CSP of the static page allows its own files).
    color = await page.evaluate(
        "getComputedStyle(document.querySelector('h1 a')).textDecorationLine"
    )
    assert color == "none"
    assert watched.errors == [] and watched.dialogs == []
    assert all(url.startswith("file://") for url in watched.requests)
    await page.context.close()


async def test_a_spanish_browser_reads_the_page_in_spanish_and_live(
    browser: Any, site: Site
) -> None:
    """Chromium set to Spanish sends ``Accept-Language: es-ES``: the page answers in Spanish,
    and the live count keeps the Spanish plural and number format ("1.001 firmas")."""
    await site.insert_raw("Early", n=999)
    watched = await _open(browser, site.url, locale="es-ES")
    page = watched.page
    await page.evaluate("window.loadedOnce = true")
    assert await page.get_attribute("html", "lang") == "es"
    assert await page.inner_text("#count-line") == "999 firmas hasta ahora"
    assert await page.inner_text("h2 >> nth=0") == "Añade tu nombre"
    assert await page.inner_text("text=Firma en Telegram") == "Firma en Telegram"
    await site.insert_raw("Later", n=2)
    await expect(page.locator("#count-line")).to_have_text(
        "1.001 firmas hasta ahora", timeout=30_000
    )
    await expect(page.locator("#listed")).to_have_text("1.001")
    assert await page.evaluate("window.loadedOnce") is True  # the same page, not a reload
    assert watched.errors == [] and watched.dialogs == []
    await page.context.close()


async def test_the_language_links_switch_the_page_without_a_script(
    browser: Any, site: Site
) -> None:
    await site.sign(1, "First")
    watched = await _open(browser, site.url, java_script_enabled=False)
    page = watched.page
    assert await page.inner_text("#count-line") == "1 signature so far"
    await page.click("text=Deutsch")
    await page.wait_for_load_state("load")
    assert await page.get_attribute("html", "lang") == "de"
    assert await page.inner_text("#count-line") == "1 Unterschrift bisher"
    await page.click("text=Alle Unterzeichnenden, in der Reihenfolge ihrer Bestätigung")
    await page.wait_for_load_state("load")
    assert "Unterzeichnende, Seite 1 von 1" in await page.inner_text("body")
    await page.click("text=Português (Brasil)")
    await page.wait_for_load_state("load")
    assert "Signatários, página 1 de 1" in await page.inner_text("body")
    assert watched.errors == [] and watched.dialogs == []
    await page.context.close()


async def test_a_language_folder_of_the_static_site_opens_from_the_disk(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    """``es/`` reaches the shared files one folder up: its style applies, its links work."""
    await site.insert_raw("Early", n=1000)
    await publish_site(site.service.public, tmp_path / "public")
    watched = await _open(browser, (tmp_path / "public" / "es" / "index.html").as_uri())
    page = watched.page
    assert await page.inner_text("#count-line") == "1.000 firmas hasta ahora"
    border = await page.evaluate(
        "getComputedStyle(document.querySelector('.tally')).borderTopWidth"
    )
    assert border == "2px"  # style.css, from ../static/, applied
    await page.click("text=Todos los firmantes, en el orden en que se aprobaron")
    await page.wait_for_load_state("load")
    assert page.url.endswith("/es/signatories-1.html")
    assert "Firmantes, página 1 de 10" in await page.inner_text("body")
    await page.click("text=English")
    await page.wait_for_load_state("load")
    assert page.url.endswith("/public/signatories-1.html")
    assert "Signatories, page 1 of 10" in await page.inner_text("body")
    assert watched.errors == [] and watched.dialogs == []
    await page.context.close()
