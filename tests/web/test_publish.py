"""The static site: the same pages and JSON, relative links, replaced whole at each publish."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from adapters.web import NotASite, Publisher, publish_site
from adapters.web.publish import MARKER
from bot.public import PublicLetter
from tests.conftest import MOD, artist
from tests.web.conftest import Site
from tests.web.test_routes import _tags, _text


def _public(site: Site) -> PublicLetter:
    return site.service.public


def _local_links(folder: Path) -> list[tuple[Path, str]]:
    found = []
    for page in folder.rglob("*.html"):
        for tag, attrs in _tags(page.read_bytes()):
            for name in ("href", "src"):
                value = attrs.get(name)
                if value and not (tag == "a" and urlsplit(value).scheme in ("http", "https")):
                    found.append((page, value))
    return found


async def test_the_static_site_holds_every_page_and_json_with_relative_links(
    site: Site, tmp_path: Path
) -> None:
    await site.insert_raw("Early", n=120)
    await site.sign(1, "Alice <b>", link="https://alice.example")
    await site.sign_anonymous(2, "Hidden")
    target = tmp_path / "public"
    done = await publish_site(_public(site), target, sign_links=[("telegram", "https://t.me/B")])
    assert (done.pages, done.count, done.listed) == (2, 122, 121)
    names = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    pages = ["404.html", "index.html", "signatories-1.html", "signatories-2.html"]
    assert names == sorted([
        ".pledgebot-site", "api/count.json", "api/letter.json",
        "api/signatories-1.json", "api/signatories-2.json",
        "static/icon.svg", "static/live.js", "static/style.css",
        *pages,
        *(f"{folder}/{page}" for folder in ("de", "es", "fr", "pt-BR") for page in pages),
    ])  # fmt: skip
    index = (target / "index.html").read_bytes()
    assert "122 signatures so far" in _text(index)
    assert "Alice &lt;b&gt;" in index.decode() and "Hidden" not in index.decode()
    assert 'data-count-url="api/count.json"' in index.decode()
    count = json.loads((target / "api/count.json").read_bytes())
    assert (count["count"], count["listed"], count["anonymous"]) == (122, 121, 1)
    second = json.loads((target / "api/signatories-2.json").read_bytes())
    assert [s["name"] for s in second["signatories"]] == [
        *(f"Early {i}" for i in range(101, 121)),
        "Alice <b>",
    ]
    assert "signatories-2.html" in (target / "signatories-1.html").read_text()
    # Every link a page makes to the site resolves to a file of the site: it works from a
    # static host under any path and from the disk.
    links = _local_links(target)
    assert links
    for page, link in links:
        assert not link.startswith("/") and "://" not in link, link
        assert (page.parent / urlsplit(link).path).resolve().is_file(), (page.name, link)


async def test_the_static_pages_equal_the_served_ones_but_for_their_links(
    site: Site, tmp_path: Path
) -> None:
    await site.sign(1, "Alice")
    await publish_site(_public(site), tmp_path / "public")
    served = (await site.get("/signatories"))[2].decode()
    static = (tmp_path / "public" / "signatories-1.html").read_text()

    def normalise(html: str) -> str:
        return re.sub(r'href="[^"]*"', "href", html)

    assert normalise(served) == normalise(static)


async def test_republishing_replaces_the_whole_folder(site: Site, tmp_path: Path) -> None:
    await site.insert_raw("Early", n=120)
    target = tmp_path / "public"
    await publish_site(_public(site), target)
    assert (target / "signatories-2.html").exists()
    (target / "stray.txt").write_text("left over")
    for sig_id in range(1, 30):
        await site.service.remove(MOD, sig_id, "spam")
    await publish_site(_public(site), target)
    assert not (target / "signatories-2.html").exists()
    assert not (target / "stray.txt").exists()
    assert json.loads((target / "api/count.json").read_text())["count"] == 91
    # Beside it: the one folder the link points to, and the lock; no earlier version is kept.
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".public"))
    assert hidden == [".public.lock", os.readlink(target)], hidden


async def test_a_reader_finds_a_whole_site_at_every_step_of_a_republish(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each rename, link, unlink and rmdir a publish makes is followed by a look at ``DIR``, as
    a web server could look at any moment: the site is always there, old or new, never half."""
    target = tmp_path / "public"
    await site.sign(1, "Alice")
    await publish_site(_public(site), target)
    looks: list[tuple[str, int | None]] = []

    def look(step: str) -> None:
        try:
            count = json.loads((target / "api/count.json").read_bytes())["count"]
            assert (target / MARKER).is_file() and (target / "index.html").is_file()
        except (OSError, AssertionError):
            count = None
        looks.append((step, count))

    for name in ("rename", "replace", "symlink", "unlink", "rmdir"):
        real = getattr(os, name)

        def watched(*args: object, _real=real, _name=name, **kw: object) -> object:
            done = _real(*args, **kw)
            look(_name)
            return done

        monkeypatch.setattr(os, name, watched)
    await site.sign(2, "Bea")
    await publish_site(_public(site), target)
    await publish_site(_public(site), target)
    monkeypatch.undo()
    assert [step for step, count in looks if count is None] == [], looks
    assert {step for step, _ in looks} >= {"rename", "replace", "symlink"}
    assert {count for _, count in looks} == {1, 2}
    assert "Bea" in (target / "index.html").read_text()


async def test_a_folder_an_older_publish_wrote_becomes_a_link(site: Site, tmp_path: Path) -> None:
    target = tmp_path / "public"
    target.mkdir()
    (target / MARKER).write_text("written by an older pledgebot\n")
    (target / "index.html").write_text("old")
    await site.sign(1, "Alice")
    await publish_site(_public(site), target)
    assert target.is_symlink() and "Alice" in (target / "index.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".public")) == [
        ".public.lock",
        os.readlink(target),
    ]


async def test_a_link_someone_else_made_is_followed_not_replaced(
    site: Site, tmp_path: Path
) -> None:
    """``/var/www/letter -> /srv/letter``: the site goes where the link points."""
    (tmp_path / "srv").mkdir()
    link = tmp_path / "www"
    link.symlink_to(tmp_path / "srv" / "letter")
    await site.sign(1, "Alice")
    await publish_site(_public(site), link)
    assert os.readlink(link) == str(tmp_path / "srv" / "letter")
    assert "Alice" in (tmp_path / "srv" / "letter" / "index.html").read_text()
    assert (tmp_path / "srv" / "letter").is_symlink()


async def test_publishing_never_replaces_a_folder_it_did_not_write(
    site: Site, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.txt").write_text("years of work")
    with pytest.raises(NotASite, match="is not a site pledgebot wrote"):
        await publish_site(_public(site), home)
    assert [p.name for p in home.iterdir()] == ["thesis.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".home")] == []


async def test_the_publisher_republishes_only_after_a_change(site: Site, tmp_path: Path) -> None:
    publisher = Publisher(_public(site), tmp_path / "public", 60)
    assert await publisher.publish_if_changed() is not None
    assert await publisher.publish_if_changed() is None
    await site.sign(1, "Alice")
    again = await publisher.publish_if_changed()
    assert again is not None and again.count == 1
    assert "Alice" in (tmp_path / "public" / "index.html").read_text()
    await site.service.withdraw(artist(1))
    assert (await publisher.publish_if_changed()) is not None
    assert "Alice" not in (tmp_path / "public" / "index.html").read_text()


async def test_snapshots_are_published_with_the_site(site: Site, tmp_path: Path) -> None:
    site.snapshot_dir.mkdir()
    (site.snapshot_dir / "latest.json").write_text("{}")
    (site.snapshot_dir / f"{'ab' * 32}.json").write_text("{}")
    target = tmp_path / "public"
    await publish_site(_public(site), target, snapshot_dir=site.snapshot_dir)
    assert sorted(p.name for p in (target / "snapshots").iterdir()) == [
        f"{'ab' * 32}.json",
        "latest.json",
    ]
