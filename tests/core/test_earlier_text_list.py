"""Signatures that stand on an earlier text still count (``[letter] require_reaffirm`` off) and
every public list says so: the core marks each listed name from the row it read, adapters
only render the mark."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import SignatureForm
from bot.i18n import translator
from bot.service import PledgeService
from bot.texts import cards, signatures
from tests.conftest import LETTER, MOD, ServiceFactory, artist

NEW_LETTER = replace(LETTER, demands=(*LETTER.demands, "Publish the contracts."))


async def _signed(service: PledgeService, *names: str) -> list[int]:
    ids = []
    for name in names:
        result = await service.sign(artist(name), SignatureForm(name), community="console")
        ids.append(result.signature.id)
    await service.approve(MOD, ids)
    return ids


async def test_names_on_an_earlier_text_are_marked_until_reaffirmed(
    make_service: ServiceFactory,
) -> None:
    old = make_service()
    await old.start()
    await _signed(old, "ada", "bob")
    page = await old.signatories()
    assert [page.earlier_text(s) for s in page.signatures] == [False, False]

    new = make_service(letter=NEW_LETTER)
    await new.start()
    await _signed(new, "cat")
    await new.reaffirm(artist("bob"))

    page = await new.signatories()
    marked = {s.name: page.earlier_text(s) for s in page.signatures}
    assert marked == {"ada": True, "bob": False, "cat": False}
    assert await new.count() == 3  # they still count

    [ada] = [s for s in page.signatures if s.name == "ada"]
    described = signatures.describe_signature(ada, earlier_text=page.earlier_text(ada))
    assert translator("en").render(described) == "ada (signed an earlier text)"
    assert translator("es").render(described) == "ada (firmó un texto anterior)"


async def test_public_pages_and_json_mark_names_on_an_earlier_text(
    make_service: ServiceFactory,
) -> None:
    old = make_service()
    await old.start()
    await _signed(old, "ada")
    new = make_service(letter=NEW_LETTER)
    await new.start()
    await _signed(new, "bob")

    public = new.public
    page = await public.page(1)
    assert page is not None and page.has_earlier_text
    records = page.as_json()["signatories"]
    assert isinstance(records, list)
    assert [(r["name"], r["earlier_text"]) for r in records] == [("ada", True), ("bob", False)]
    recent = await public.recent(2, 10)
    assert [(s.name, public.earlier_text(s)) for s in recent] == [("bob", False), ("ada", True)]
    [streamed] = [p async for p in public.every_page()]
    assert [streamed.earlier_text(s) for s in streamed.signatures] == [True, False]


async def test_a_list_with_one_text_marks_nothing(make_service: ServiceFactory) -> None:
    service = make_service()
    await service.start()
    await _signed(service, "ada")
    page = await service.public.page(1)
    assert page is not None and not page.has_earlier_text
    records = page.as_json()["signatories"]
    assert isinstance(records, list) and records[0]["earlier_text"] is False


async def test_a_moderators_card_shows_the_texts_a_signature_was_reaffirmed_on(
    make_service: ServiceFactory,
) -> None:
    old = make_service()
    await old.start()
    [ada, bob] = await _signed(old, "ada", "bob")
    new = make_service(letter=NEW_LETTER)
    await new.start()
    await new.reaffirm(artist("ada"))

    item = await new.mod_queue.item(ada)
    [r] = item.reaffirmations
    assert (r.version, r.previous) == (NEW_LETTER.version, LETTER.version)
    line = translator("en").render(cards.reaffirmation_line(r))
    assert line == (
        f"reaffirmed on text {NEW_LETTER.version} ({r.at.date().isoformat()}), "
        f"signed on text {LETTER.version} before"
    )
    assert (await new.mod_queue.item(bob)).reaffirmations == ()
