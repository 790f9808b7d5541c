"""Every route of the public page over HTTP: what it shows, what it hides, how it refuses."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from bot.domain import SignatureForm
from tests.conftest import LETTER, MOD, artist
from tests.web.conftest import HOSTILE_NAMES, Site

SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class _Elements(HTMLParser):
    """Every start tag with its attributes, to check what a page would make a browser do."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: bytes) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html.decode())
    return parser.tags


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


async def _campaign(site: Site) -> None:
    """Listed, anonymous, pending, rejected, withdrawn-and-erased and removed signers."""
    await site.sign(
        1, "Alice Listed", role="singer", location="Berlin", link="https://alice.example"
    )
    await site.sign(2, "Bea Listed")
    await site.sign_anonymous(3, "Carla Anonymous")
    await site.sign(4, "Dora Pending", approve=False)
    rejected = await site.sign(5, "Eve Rejected", approve=False)
    await site.service.reject(MOD, rejected, "spam")
    await site.sign(6, "Fay Erased")
    await site.service.withdraw(artist(6), erase=True)
    removed = await site.sign(7, "Gus Removed")
    await site.service.remove(MOD, removed, "impersonation")


async def test_the_front_page_shows_the_letter_count_progress_ways_to_sign_and_names(
    site: Site,
) -> None:
    await _campaign(site)
    status, headers, body = await site.get("/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    text = _text(body)
    assert f"<h1>{LETTER.title}</h1>" in body.decode()
    for demand in LETTER.demands:
        assert f"<li>{demand}</li>" in body.decode()
    assert LETTER.preamble in text and LETTER.closing in text
    assert "3 signatures so far" in text  # Alice, Bea and the anonymous Carla
    assert "2 listed by name, 1 without being named." in text
    assert "Next milestone: 10" in text
    assert '<progress id="progress" max="10" value="3">' in body.decode()
    links = {a.get("href"): a for t, a in _tags(body) if t == "a"}
    assert "https://discord.gg/example" in links and "https://t.me/ExampleBot" in links
    assert "Sign on Discord" in text and "Sign on Telegram" in text
    assert "<svg" in body.decode() and "<polyline" in body.decode()
    assert text.index("Bea Listed") < text.index("Alice Listed")  # newest first
    assert "singer" in text and "Berlin" in text
    assert links["https://alice.example"]["rel"] == "nofollow ugc noopener"
    for hidden in ("Carla", "Dora", "Eve Rejected", "Fay", "Gus", "(erased)"):
        assert hidden not in text
    assert "No snapshot of this letter has been published yet." in text


async def test_an_empty_letter_still_reads_well(site: Site) -> None:
    status, _, body = await site.get("/")
    assert status == 200
    text = _text(body)
    assert "0 signatures so far" in text
    assert "No one is listed yet." in text
    assert "The chart appears once the first names are listed." in text
    status, _, body = await site.get("/signatories")
    assert status == 200
    assert "No one is listed yet." in _text(body)


async def test_hostile_fields_are_text_and_only_http_links_are_links(site: Site) -> None:
    for n, name in enumerate(HOSTILE_NAMES, 1):
        await site.sign(n, name, role='"><b>x</b>', location="<i>here</i>")
    await site.insert_raw("Mallory", "javascript:alert(1)")
    await site.insert_raw("Trudy", "data:text/html,<script>alert(1)</script>")
    for path in ("/", "/signatories"):
        _, _, body = await site.get(path)
        html = body.decode()
        tags = _tags(body)
        assert [t for t, _ in tags if t in ("img", "b", "i")] == []
        scripts = [a for t, a in tags if t == "script"]
        assert all(a.get("src") == "static/live.js" for a in scripts)
        assert not any(k.startswith("on") for _, a in tags for k in a)
        assert not any("javascript:" in (a.get("href") or "") for _, a in tags)
        assert not any((a.get("href") or "").startswith("data:") for _, a in tags)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "javascript:alert(1)" in _text(body)  # shown, as text


async def test_api_count(site: Site) -> None:
    await _campaign(site)
    status, headers, body = await site.get("/api/count")
    assert status == 200
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(body)
    assert set(data) == {"count", "listed", "anonymous", "next_milestone", "updated_at"}
    assert (data["count"], data["listed"], data["anonymous"]) == (3, 2, 1)
    assert data["next_milestone"] == 10
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00", data["updated_at"])


async def test_api_count_follows_approvals(site: Site) -> None:
    assert json.loads((await site.get("/api/count"))[2])["count"] == 0
    await site.sign(1, "Alice")
    assert json.loads((await site.get("/api/count"))[2])["count"] == 1


async def test_a_page_polling_an_unchanged_count_gets_304s_until_it_moves(site: Site) -> None:
    """The page asks for /api/count every few seconds: while no one signs, the answer (and its
    ``updated_at``, the moment these numbers were first read) stays the same, so the browser
    gets an empty 304, not the same JSON again."""
    _, headers, body = await site.get("/api/count")
    etag = headers["ETag"]
    status, again, _ = await site.get("/api/count")
    assert (status, again["ETag"]) == (200, etag)
    status, _, empty = await site.get("/api/count", headers={"If-None-Match": etag})
    assert (status, empty) == (304, b"")
    await site.sign(1, "Alice")
    status, moved, body = await site.get("/api/count", headers={"If-None-Match": etag})
    assert status == 200 and moved["ETag"] != etag
    assert json.loads(body)["count"] == 1


async def test_api_letter(site: Site) -> None:
    status, _, body = await site.get("/api/letter")
    assert status == 200
    assert json.loads(body) == {
        "title": LETTER.title,
        "preamble": LETTER.preamble,
        "demands": list(LETTER.demands),
        "closing": LETTER.closing,
        "version": LETTER.version,
    }


async def test_signatories_are_listed_100_a_page_in_approval_order(site: Site) -> None:
    await site.insert_raw("Early", n=150)
    await site.sign(1, "Late Alice")
    await site.sign_anonymous(2, "Hidden")
    await site.insert_raw("Later", n=54)
    status, _, body = await site.get("/signatories")
    assert status == 200
    names = re.findall(r'<span class="name">([^<]*)</span>', body.decode())
    assert names == [f"Early {i}" for i in range(1, 101)]
    assert "Signatories, page 1 of 3" in _text(body)
    _, _, body = await site.get("/signatories?page=2")
    names = re.findall(r'<span class="name">([^<]*)</span>', body.decode())
    assert names[:50] == [f"Early {i}" for i in range(101, 151)]
    assert names[50] == "Late Alice" and names[51:] == [f"Later {i}" for i in range(1, 50)]
    assert '<ol class="signatories" start="101">' in body.decode()
    status, _, data = await site.get("/api/signatories?page=3")
    assert status == 200
    page = json.loads(data)
    assert (page["page"], page["pages"], page["per_page"]) == (3, 3, 100)
    assert [s["name"] for s in page["signatories"]] == [f"Later {i}" for i in range(50, 55)]
    assert set(page["signatories"][0]) == {
        "name", "role", "location", "link", "approved_at", "letter_version", "earlier_text",
    }  # fmt: skip
    _, _, first = await site.get("/api/signatories")
    assert json.loads(first)["signatories"][0]["name"] == "Early 1"
    assert "Hidden" not in (await site.get("/signatories?page=2"))[2].decode()


@pytest.mark.parametrize("page", ["0", "3", "-1", "abc", "1e3", " 2", "２", "", "9999999999"])
async def test_an_unknown_or_out_of_range_page_is_a_404(site: Site, page: str) -> None:
    await site.insert_raw("Someone", n=150)
    status, headers, body = await site.get(f"/signatories?page={page}")
    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "There is no such page." in _text(body)
    status, headers, body = await site.get(f"/api/signatories?page={page}")
    assert status == 404
    assert json.loads(body) == {"error": "not_found"}


@pytest.mark.parametrize("path", ["/nope", "/signatories/2", "/static/../config.toml", "/api"])
async def test_unknown_paths_are_a_friendly_404(site: Site, path: str) -> None:
    status, headers, body = await site.get(path)
    assert status == 404
    assert "There is no such page." in _text(body)
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_only_get_and_head(site: Site, method: str) -> None:
    for path in ("/", "/api/count", "/signatories"):
        async with site.http.request(method, site.url + path.lstrip("/"), data=b"x") as response:
            assert response.status == 405
            assert response.headers["Allow"] == "GET, HEAD"
            body = await response.read()
        if path.startswith("/api/"):
            assert json.loads(body) == {"error": "method_not_allowed"}
        else:
            assert "This page can only be read, not sent to." in _text(body)
    await site.sign(1, "Alice")
    assert json.loads((await site.get("/api/count"))[2])["count"] == 1  # nothing changed


async def test_head_answers_without_a_body(site: Site) -> None:
    async with site.http.head(site.url) as response:
        assert response.status == 200
        assert await response.read() == b""


@pytest.mark.parametrize(
    "path",
    ["/", "/signatories", "/api/count", "/api/letter", "/api/signatories", "/healthz",
     "/static/live.js", "/static/style.css", "/nope", "/snapshots/latest.json"],
)  # fmt: skip
async def test_every_response_carries_the_security_headers(site: Site, path: str) -> None:
    _, headers, _ = await site.get(path)
    for name, value in SECURITY.items():
        assert headers[name] == value
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "http" not in csp and "*" not in csp
    if headers["Content-Type"].startswith("text/html"):
        assert "script-src 'self'" in csp
    else:  # nothing but a page may run or load anything
        assert csp == "default-src 'none'; frame-ancestors 'none'"


async def test_snapshots_errors_and_refusals_carry_the_security_headers_too(site: Site) -> None:
    """The answers not made from a page's cached headers: a snapshot file (open to other
    sites, as the API is), a refused method, a JSON 404 (not open data)."""
    site.snapshot_dir.mkdir()
    (site.snapshot_dir / "latest.json").write_text('{"x": 1}')
    answers = [await site.get("/snapshots/latest.json"), await site.get("/api/nope")]
    async with site.http.post(site.url + "api/count", data=b"x") as response:
        answers.append((response.status, response.headers.copy(), await response.read()))
    assert [status for status, _, _ in answers] == [200, 404, 405]
    for _, headers, _ in answers:
        for name, value in SECURITY.items():
            assert headers[name] == value
        assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert [h.get("Access-Control-Allow-Origin") for _, h, _ in answers] == ["*", None, None]


async def test_pages_load_nothing_from_elsewhere_and_have_no_inline_script_or_style(
    site: Site,
) -> None:
    await site.sign(1, "Alice", link="https://alice.example")
    for path in ("/", "/signatories", "/nope"):
        _, _, body = await site.get(path)
        for tag, attrs in _tags(body):
            for name in ("src", "href"):
                value = attrs.get(name) or ""
                if tag == "a":
                    continue  # a link the reader may follow, not a request the page makes
                assert not re.match(r"^[a-z]+:|^//", value), (tag, attrs)
            assert "style" not in attrs
            if tag == "script":
                assert attrs.get("src")
        assert "<style" not in body.decode()
        assert re.findall(r"<script[^>]*>([^<]*)</script>", body.decode()) in ([], [""])


async def test_static_assets(site: Site) -> None:
    status, headers, body = await site.get("/static/live.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"api" not in body or b"data-count-url" in body  # the URL comes from the page
    status, headers, _ = await site.get("/static/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")


async def test_an_unchanged_page_answers_304_to_its_etag(site: Site) -> None:
    _, headers, _ = await site.get("/api/letter")
    status, _, body = await site.get("/api/letter", headers={"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")


async def test_healthz(site: Site) -> None:
    status, _, body = await site.get("/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})


async def test_snapshots_are_served_from_the_snapshot_folder(site: Site) -> None:
    status, _, body = await site.get("/snapshots/latest.json")
    assert (status, json.loads(body)) == (404, {"error": "not_found"})
    sha = "ab" * 32
    site.snapshot_dir.mkdir()
    (site.snapshot_dir / f"{sha}.json").write_text('{"x": 1}')
    (site.snapshot_dir / "latest.json").write_text('{"x": 1}')
    (site.snapshot_dir / "notes.json").write_text("{}")
    status, headers, body = await site.get(f"/snapshots/{sha}.json")
    assert (status, body) == (200, b'{"x": 1}')
    assert headers["Content-Type"] == "application/json"
    assert (await site.get("/snapshots/latest.json"))[0] == 200
    for name in ("notes", sha.upper(), "..%2Fweb.db", sha[:-1]):
        assert (await site.get(f"/snapshots/{name}.json"))[0] == 404


async def test_the_front_page_weighs_little_even_with_long_names(site: Site) -> None:
    for n in range(30):
        await site.sign(
            n, f"{'N' * 70} {n}", role="r" * 60, location="l" * 60,
            link="https://example.org/" + "x" * 170,
        )  # fmt: skip
    _, _, body = await site.get("/")
    assert len(body) <= 60_000


async def test_pending_signers_do_not_change_the_page(site: Site) -> None:
    await site.service.sign(artist(1), SignatureForm("Pending Pat"), community="console")
    _, _, body = await site.get("/")
    assert "Pending Pat" not in body.decode()
    assert "0 signatures so far" in _text(body)


async def test_the_latest_snapshot_is_served_and_named_in_the_footer(site: Site) -> None:
    await site.sign(1, "Alice")
    taken = await site.service.take_snapshot(MOD)
    _, _, body = await site.get("/")
    text = _text(body)
    assert f"Latest snapshot: {taken.sha256}" in text
    assert "1 signature. Check it with pledgebot verify ." in text
    hrefs = [a.get("href") for t, a in _tags(body) if t == "a"]
    assert f"snapshots/{taken.sha256}.json" in hrefs and "snapshots/latest.json" in hrefs
    status, _, latest = await site.get("/snapshots/latest.json")
    assert status == 200
    assert json.loads(latest)["sha256"] == taken.sha256
    assert (await site.get(f"/snapshots/{taken.sha256}.json"))[2] == latest


async def test_other_sites_may_read_the_public_data(site: Site) -> None:
    for path in ("/api/count", "/api/letter", "/api/signatories"):
        _, headers, _ = await site.get(path, headers={"Origin": "https://band.example"})
        assert headers["Access-Control-Allow-Origin"] == "*"
    _, headers, _ = await site.get("/")
    assert "Access-Control-Allow-Origin" not in headers
