"""A name that stands on an earlier text of the letter is marked on the page (front page and
list, in the reader's language), in ``/api/signatories`` and on the published site."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from adapters.web import publish_site
from bot.app import default_rules
from bot.domain import SignatureForm
from bot.milestones import MilestonePolicy
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.conftest import DESTINATIONS, LETTER, MOD, StepClock, artist
from tests.web.conftest import serve_site
from tests.web.test_routes import _text

NEW_LETTER = replace(LETTER, demands=(*LETTER.demands, "Publish the contracts."))


async def _signed_the_first_text(tmp_path: Path) -> None:
    """Ada signs and is approved under :data:`LETTER`, in the store the page then serves."""
    async with SQLiteStore(f"sqlite:///{tmp_path / 'web.db'}") as store:
        rules = default_rules(milestones=MilestonePolicy.of((10,), 0))
        service = PledgeService(store, LETTER, rules, DESTINATIONS, StepClock())
        await service.start()
        result = await service.sign(artist("ada"), SignatureForm("Ada Early"), community="console")
        await service.approve(MOD, [result.signature.id])


async def test_names_on_an_earlier_text_are_marked_on_the_page_and_in_the_api(
    tmp_path: Path,
) -> None:
    await _signed_the_first_text(tmp_path)
    async with serve_site(tmp_path, letter=NEW_LETTER) as site:
        await site.sign(2, "Bea Current")

        status, _, body = await site.get("/api/signatories")
        assert status == 200
        records = json.loads(body)["signatories"]
        assert [(r["name"], r["earlier_text"]) for r in records] == [
            ("Ada Early", True),
            ("Bea Current", False),
        ]

        for path in ("/signatories", "/"):
            _, _, body = await site.get(path)
            text = _text(body)
            assert "Ada Early (signed an earlier text)" in text, path
            assert "Bea Current (signed" not in text, path
            assert text.count("(signed an earlier text)") == 1, path
            _, _, body = await site.get(path + "?lang=es")
            text = _text(body)
            assert "Ada Early (firmó un texto anterior)" in text, path
            assert "(signed an earlier text)" not in text, path

        await site.service.reaffirm(artist("ada"))
        site.adapter.state.render_every = 0  # a reaffirmation shows at the next render
        _, _, body = await site.get("/signatories?lang=fr")
        assert "(a signé un texte antérieur)" not in _text(body)
        _, _, body = await site.get("/api/signatories")
        assert all(not r["earlier_text"] for r in json.loads(body)["signatories"])


async def test_the_published_site_marks_them_in_each_language(tmp_path: Path) -> None:
    await _signed_the_first_text(tmp_path)
    async with serve_site(tmp_path, letter=NEW_LETTER) as site:
        await site.sign(2, "Bea Current")
        target = tmp_path / "public"
        await publish_site(site.service.public, target)
    english = _text((target / "signatories-1.html").read_bytes())
    assert "Ada Early (signed an earlier text)" in english
    german = _text((target / "de" / "signatories-1.html").read_bytes())
    assert "Ada Early (hat einen früheren Text unterschrieben)" in german
    records = json.loads((target / "api" / "signatories-1.json").read_bytes())["signatories"]
    assert [r["earlier_text"] for r in records] == [True, False]
