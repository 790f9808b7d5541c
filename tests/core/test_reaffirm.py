"""Reaffirming a changed letter: earlier signers told once (across restarts), reaffirmations
recorded with their history, and approved signatures counted per text."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from bot.domain import OutboxKind, SignatureForm, Status
from bot.errors import NotModerator, NotSigned, OnCurrentText
from bot.ports import Store
from bot.reaffirm import version_lines
from bot.service import PledgeService
from tests.conftest import DESTINATIONS, LETTER, MOD, ServiceFactory, StepClock, artist

NEW_LETTER = replace(LETTER, demands=(*LETTER.demands, "Publish the contracts."))


async def _signed(service: PledgeService, *names: str, approve: bool = True) -> list[int]:
    ids = []
    for name in names:
        result = await service.sign(artist(name), SignatureForm(name), community="console")
        ids.append(result.signature.id)
    if approve:
        await service.approve(MOD, ids)
    return ids


async def _on_a_new_text(
    make_service: ServiceFactory, *names: str, reaffirmed: str
) -> PledgeService:
    """``names`` signed (and approved) the first text; the organisers then changed it, and
    ``reaffirmed`` reaffirmed: the service on the new text."""
    old = make_service()
    await old.start()
    await _signed(old, *names)
    new = make_service(letter=NEW_LETTER)
    await new.start()
    await new.reaffirm(artist(reaffirmed))
    return new


async def _notices(store: Store) -> list[tuple[str, str, int | None]]:
    return [
        (m.platform, m.destination, m.signature_id)
        for m in await store.outbox_messages()
        if m.kind is OutboxKind.REAFFIRM
    ]


async def test_every_earlier_active_signer_is_told_once(
    make_service: ServiceFactory, store: Store
) -> None:
    old = make_service()
    await old.start()
    ada, bob, cat = await _signed(old, "ada", "bob", "cat")
    await _signed(old, "dan", approve=False)  # pending: active, told too
    await old.withdraw(artist("cat"))  # withdrawn: not told

    new = make_service(letter=NEW_LETTER)
    await new.start()
    assert await new.reaffirm_notices.tick() == 3
    assert await new.reaffirm_notices.tick() == 0
    told = await _notices(store)
    assert told == [("console", "ada", ada), ("console", "bob", bob), ("console", "dan", 4)]
    [first] = [
        m
        for m in await store.outbox_messages()
        if m.signature_id == ada and m.kind is OutboxKind.REAFFIRM
    ]
    assert first.text == (
        f"The text of “{LETTER.title}” has changed since you signed it (signature #{ada}). "
        "Read it with /letter, then keep your name on it with /reaffirm, or take it back with "
        "/withdraw. Until then it still counts, shown as signed on an earlier text."
    )

    restarted = make_service(letter=NEW_LETTER)  # a restart: nobody is told twice
    await restarted.start()
    assert await restarted.reaffirm_notices.tick() == 0
    await restarted.reaffirm_notices.tell_everyone()
    assert await _notices(store) == told
    assert cat not in [sid for *_, sid in told]


async def test_nobody_is_told_while_the_text_is_unchanged(make_service: ServiceFactory) -> None:
    service = make_service()
    await service.start()
    await _signed(service, "ada")
    assert await service.reaffirm_notices.tick() == 0


async def test_notices_are_paced_in_batches(make_service: ServiceFactory, store: Store) -> None:
    old = make_service()
    await _signed(old, *(f"s{n}" for n in range(7)))
    new = make_service(letter=NEW_LETTER, reaffirm_notices_per_minute=3)
    notices = new.reaffirm_notices
    assert notices.interval == 60.0  # 3 a minute: a batch of 3 each minute
    assert [await notices.tick() for _ in range(4)] == [3, 3, 1, 0]


async def test_a_required_reaffirmation_says_the_signature_no_longer_counts(
    make_service: ServiceFactory, store: Store
) -> None:
    await _signed(make_service(), "ada")
    new = make_service(letter=NEW_LETTER, require_reaffirm=True)
    await new.reaffirm_notices.tick()
    [notice] = [m for m in await store.outbox_messages() if m.kind is OutboxKind.REAFFIRM]
    assert "Your signature no longer counts until you reaffirm it with /reaffirm" in notice.text


async def test_reaffirming_moves_the_signature_onto_the_new_text(
    make_service: ServiceFactory, store: Store
) -> None:
    [ada] = await _signed(make_service(), "ada")
    new = make_service(letter=NEW_LETTER)
    await new.start()

    before = await new.status(artist("ada").identity)
    assert before.letter_changed
    done = await new.reaffirm(artist("ada"))

    assert done.id == ada and done.letter_version == NEW_LETTER.version
    after = await new.status(artist("ada").identity)
    assert not after.letter_changed
    assert after.signature is not None and after.signature.status is Status.APPROVED
    assert await new.count() == 1
    [kept] = await store.reaffirmations(ada)
    assert (kept.version, kept.previous) == (NEW_LETTER.version, LETTER.version)
    with pytest.raises(OnCurrentText, match=f"#{ada} already stands on the letter's current"):
        await new.reaffirm(artist("ada"))
    assert await new.reaffirm_notices.tick() == 0  # reaffirmed before being told: not told


async def test_only_an_active_signature_can_be_reaffirmed(make_service: ServiceFactory) -> None:
    old = make_service()
    await _signed(old, "ada")
    await old.withdraw(artist("ada"))
    new = make_service(letter=NEW_LETTER)
    with pytest.raises(NotSigned):
        await new.reaffirm(artist("ada"))
    with pytest.raises(NotSigned):
        await new.reaffirm(artist("nobody"))


async def test_a_linked_account_reaffirms_the_persons_signature(
    make_service: ServiceFactory,
) -> None:
    old = make_service()
    [ada] = await _signed(old, "ada")
    code = await old.link_code(artist("ada"))
    other = artist("ada-elsewhere", platform="telegram")
    await old.link(other, code.code)
    new = make_service(letter=NEW_LETTER)
    assert (await new.reaffirm(other)).id == ada


async def test_moderators_see_approved_signatures_per_text(make_service: ServiceFactory) -> None:
    new = await _on_a_new_text(make_service, "ada", "bob", "cat", reaffirmed="ada")
    await _signed(new, "dan")

    report = await new.versions(MOD)

    assert [(v.version, v.approved, v.current) for v in report.versions] == [
        (NEW_LETTER.version, 2, True),
        (LETTER.version, 2, False),
    ]
    assert report.earlier == 2
    assert report.versions[1].first_seen is not None
    with pytest.raises(NotModerator):
        await new.versions(artist("ada"))


async def test_count_shows_moderators_the_texts(make_service: ServiceFactory) -> None:
    new = await _on_a_new_text(make_service, "ada", "bob", reaffirmed="ada")

    assert (await new.count_view(artist("cat"))).versions is None
    shown = await new.count_view(MOD)
    assert shown.overview.count == 2 and shown.versions is not None
    lines = [str(m) for m in version_lines(shown.versions, required=False)]
    day = StepClock().now().date().isoformat()  # when the earlier text was first recorded
    assert lines == [
        "Approved signatures by text of the letter:",
        f"current text ({NEW_LETTER.version}): 1",
        f"earlier text {LETTER.version} (from {day}): 1",
    ]
    required = [str(m) for m in version_lines(shown.versions, required=True)]
    assert required[-1].endswith(": 1, not counted until reaffirmed")
    await new.reaffirm(artist("bob"))
    assert version_lines(await new.versions(MOD), required=False) == []  # all on the current text


async def test_the_json_export_counts_signatures_per_text(make_service: ServiceFactory) -> None:
    new = await _on_a_new_text(make_service, "ada", "bob", reaffirmed="ada")

    text = "".join([chunk async for chunk in new.export("json")])
    head = json.loads(text)
    assert [(v["version"], v["approved"], v["current"]) for v in head["versions"]] == [
        (NEW_LETTER.version, 1, True),
        (LETTER.version, 1, False),
    ]
    assert {s["letter_version"] for s in head["signatures"]} == {LETTER.version, NEW_LETTER.version}


# -- [letter] require_reaffirm ------------------------------------------------------------------
async def test_required_earlier_signatures_stop_counting_until_reaffirmed(
    make_service: ServiceFactory, store: Store
) -> None:
    old = make_service()
    await old.start()
    await _signed(old, "ada", "bob", "cat")
    assert (await old.count(), await store.listed_count()) == (3, 3)

    new = make_service(letter=NEW_LETTER, require_reaffirm=True)
    await new.start()
    await new.follow_the_text(forever=False)

    assert (await new.count(), await store.listed_count()) == (0, 0)
    assert len(await _notices(store)) == 3
    status = await new.status(artist("ada").identity)
    assert status.signature is not None and status.signature.lapsed
    assert status.reaffirm_required and status.letter_changed

    await new.reaffirm(artist("ada"))
    assert (await new.count(), await store.listed_count()) == (1, 1)
    page = await new.signatories()
    assert [s.name for s in page.signatures] == ["ada"]

    await new.withdraw(artist("bob"))  # not counted: the count does not drop again
    await new.remove(MOD, 3, "spam")
    assert await new.count() == 1

    again = make_service(letter=NEW_LETTER, require_reaffirm=True)  # a restart: nothing moves
    await again.follow_the_text(forever=False)
    assert await again.count() == 1


async def test_a_pending_signature_on_an_earlier_text_is_approved_uncounted(
    make_service: ServiceFactory,
) -> None:
    old = make_service()
    await _signed(old, "ada", approve=False)
    new = make_service(letter=NEW_LETTER, require_reaffirm=True)
    [decision] = await new.approve(MOD, [1])
    assert decision.signature is not None and decision.signature.lapsed
    assert await new.count() == 0
    await new.reaffirm(artist("ada"))
    assert await new.count() == 1


async def test_turning_the_option_off_counts_them_again(
    make_service: ServiceFactory, store: Store
) -> None:
    old = make_service()
    await old.start()  # the earlier text was recorded when the bot ran with it
    await _signed(old, "ada", "bob")
    required = make_service(letter=NEW_LETTER, require_reaffirm=True)
    await required.follow_the_text(forever=False)
    assert await required.count() == 0

    relaxed = make_service(letter=NEW_LETTER)
    await relaxed.follow_the_text(forever=False)
    assert (await relaxed.count(), await store.listed_count()) == (2, 2)
    status = await relaxed.status(artist("ada").identity)
    assert status.signature is not None and not status.signature.lapsed


async def test_the_notice_speaks_the_default_language(
    make_service: ServiceFactory, store: Store
) -> None:
    [ada] = await _signed(make_service(), "ada")
    spanish = replace(DESTINATIONS, default_language="es")
    new = make_service(letter=NEW_LETTER, destinations=spanish)
    await new.reaffirm_notices.tick()
    [notice] = [m for m in await store.outbox_messages() if m.kind is OutboxKind.REAFFIRM]
    assert notice.text.startswith(
        f"El texto de «{LETTER.title}» ha cambiado desde que lo firmaste (firma n.º {ada})."
    )


async def test_one_text_ever_needs_no_reading_of_the_signatures(
    make_service: ServiceFactory, store: Store
) -> None:
    """With only one text ever recorded, nobody is owed a notice and the counts per text are
    the counter itself."""
    service = make_service()
    await service.start()
    await _signed(service, "ada", "bob")
    report = await service.versions(MOD)
    assert [(v.version, v.approved, v.current) for v in report.versions] == [
        (LETTER.version, 2, True)
    ]
    await service.follow_the_text(forever=False)
    assert await _notices(store) == []
