"""The whole signer and moderator flow through the core, on the real SQLite store."""

from __future__ import annotations

import pytest

from bot.domain import OutboxKind, SignatureForm, Status
from bot.errors import (
    AlreadyDecided,
    AlreadySigned,
    AnonymousNotAllowed,
    InvalidInput,
    NotModerator,
    NotSigned,
    SignatureNotFound,
    SignerRemoved,
)
from bot.service import PledgeService
from bot.texts import cards
from tests.conftest import LETTER, MOD, ServiceFactory, artist

FORM = SignatureForm("Alice Smith", "singer", "Berlin", "https://alice.example/music")


async def test_sign_waits_for_a_moderator_then_counts(service: PledgeService) -> None:
    result = await service.sign(artist(1), FORM, community="discord:42")
    sig = result.signature
    assert result.awaiting_approval
    assert "awaits a moderator" in str(result.message)
    assert (sig.id, sig.name, sig.role, sig.location, sig.link) == (
        1,
        "Alice Smith",
        "singer",
        "Berlin",
        "https://alice.example/music",
    )
    assert sig.community == "discord:42"
    assert sig.letter_version == LETTER.version
    assert await service.count() == 0

    status = await service.status(artist(1).identity)
    assert status.signature is not None and status.signature.status is Status.PENDING

    [decision] = await service.approve(MOD, [sig.id])
    assert decision.error is None and decision.signature is not None
    assert decision.signature.status is Status.APPROVED
    assert decision.signature.decided_by == "mod"
    assert await service.count() == 1
    page = await service.signatories(1)
    assert [s.name for s in page.signatures] == ["Alice Smith"]


async def test_new_pending_signature_goes_to_the_mod_queue(service: PledgeService) -> None:
    sig = (await service.sign(artist(1), FORM, community="console")).signature
    queue = [m for m in await service.store.outbox_messages() if m.kind is OutboxKind.MOD_QUEUE]
    assert [(m.platform, m.destination, m.signature_id) for m in queue] == [
        ("console", "mod-queue", sig.id)
    ]
    assert "Alice Smith" in queue[0].text


async def test_auto_approval_counts_at_once(make_service: ServiceFactory) -> None:
    service = make_service(approval="auto")
    result = await service.sign(artist(1), FORM, community="console")
    assert not result.awaiting_approval
    assert "is on the letter" in str(result.message)
    assert await service.count() == 1


async def test_signing_twice_says_so_and_shows_the_status(service: PledgeService) -> None:
    first = (await service.sign(artist(1), FORM, community="console")).signature
    with pytest.raises(AlreadySigned) as caught:
        await service.sign(artist(1), SignatureForm("Alice again"), community="console")
    assert caught.value.signature.id == first.id
    assert f"#{first.id}" in str(caught.value.message) and "awaiting approval" in str(
        caught.value.message
    )
    await service.approve(MOD, [first.id])
    with pytest.raises(AlreadySigned, match="is on the letter"):
        await service.sign(artist(1), FORM, community="console")


async def test_identity_is_the_account_not_the_name(service: PledgeService) -> None:
    await service.sign(artist(1, "discord"), FORM, community="d")
    # Same user id on another platform, same name: a different signer.
    await service.sign(artist(1, "telegram"), FORM, community="t")
    assert len(await service.pending(MOD)) == 2


async def test_rejected_signer_may_sign_again_and_moderator_sees_history(
    service: PledgeService,
) -> None:
    first = (await service.sign(artist(1), FORM, community="console")).signature
    rejected = await service.reject(MOD, first.id, "Please use your artist name")
    assert rejected.status is Status.REJECTED and rejected.reason == "Please use your artist name"
    notes = [m for m in await service.store.outbox_messages() if m.kind is OutboxKind.NOTIFICATION]
    assert [(n.platform, n.destination) for n in notes] == [("console", "1")]
    assert "Please use your artist name" in notes[0].text

    second = (await service.sign(artist(1), SignatureForm("Alice S."), community="c")).signature
    [item] = await service.pending(MOD)
    assert item.signature.id == second.id
    assert [(h.id, h.status) for h in item.history] == [(first.id, Status.REJECTED)]


async def test_withdrawn_signer_may_sign_again(service: PledgeService) -> None:
    await service.sign(artist(1), FORM, community="c")
    withdrawn = await service.withdraw(artist(1))
    assert withdrawn is not None and withdrawn.status is Status.WITHDRAWN
    again = await service.sign(artist(1), FORM, community="c")
    assert again.signature.id != withdrawn.id


async def test_removed_signer_cannot_sign_again(service: PledgeService) -> None:
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    await service.approve(MOD, [sig.id])
    removed = await service.remove(MOD, sig.id, "spam")
    assert removed.status is Status.REMOVED
    assert await service.count() == 0
    assert (await service.signatories(1)).signatures == ()
    with pytest.raises(SignerRemoved):
        await service.sign(artist(1), FORM, community="c")


async def test_possible_duplicates_are_flagged(service: PledgeService) -> None:
    first = (await service.sign(artist(1), SignatureForm("Alice Smith"), community="c")).signature
    await service.approve(MOD, [first.id])
    await service.sign(artist(2), SignatureForm("  alice   SMITH "), community="c")
    [item] = await service.pending(MOD)
    assert [d.id for d in item.possible_duplicates] == [first.id]


async def test_look_alikes_among_pending_are_flagged_both_ways(service: PledgeService) -> None:
    """A brigade signs in a burst, before anyone is approved: each pending look-alike is
    flagged on the other's card, and the wording says which is still pending."""
    a = (await service.sign(artist(1), SignatureForm("Alice Smith"), community="c")).signature
    b = (await service.sign(artist(2), SignatureForm("Аlice Smith"), community="c")).signature
    await service.sign(artist(3), SignatureForm("Bob Jones"), community="c")
    items = {i.signature.id: i for i in await service.pending(MOD)}
    assert [d.id for d in items[a.id].possible_duplicates] == [b.id]
    assert [d.id for d in items[b.id].possible_duplicates] == [a.id]
    assert "possible duplicate of pending #" in str(cards.mod_queue_summary(items[b.id]))
    await service.reject(MOD, b.id, "duplicate")  # a rejected look-alike is no longer flagged
    [first, _] = await service.pending(MOD)
    assert first.possible_duplicates == ()


async def test_moderator_actions_are_audited(service: PledgeService) -> None:
    a = (await service.sign(artist(1), FORM, community="c")).signature
    b = (await service.sign(artist(2), FORM, community="c")).signature
    await service.approve(MOD, [a.id])
    await service.reject(MOD, b.id, "duplicate")
    await service.remove(MOD, a.id, "impersonation")
    log = await service.audit(MOD)
    assert [(e.action, e.signature_id, e.reason) for e in log] == [
        ("remove", a.id, "impersonation"),
        ("reject", b.id, "duplicate"),
        ("approve", a.id, None),
    ]
    assert all(e.actor == "mod (console:mod)" for e in log)


async def test_non_moderators_are_refused_and_nothing_changes(service: PledgeService) -> None:
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    outbox_before = await service.store.outbox_messages()
    intruder = artist(2)
    with pytest.raises(NotModerator):
        await service.approve(intruder, [sig.id])
    with pytest.raises(NotModerator):
        await service.reject(intruder, sig.id, "no")
    with pytest.raises(NotModerator):
        await service.remove(intruder, sig.id, "no")
    with pytest.raises(NotModerator):
        await service.pending(intruder)
    with pytest.raises(NotModerator):
        await service.audit(intruder)
    with pytest.raises(NotModerator):
        service.export_for(intruder, "csv")
    assert (await service.store.get_signature(sig.id)).status is Status.PENDING  # type: ignore[union-attr]
    assert await service.store.outbox_messages() == outbox_before
    assert await service.audit(MOD) == []


async def test_stale_decisions_say_who_decided(service: PledgeService) -> None:
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    await service.approve(MOD, [sig.id])
    [again] = await service.approve(MOD, [sig.id])
    assert isinstance(again.error, AlreadyDecided)
    assert str(again.error.message) == f"Signature #{sig.id} is already approved by mod."
    with pytest.raises(AlreadyDecided):
        await service.reject(MOD, sig.id, "late")
    assert await service.count() == 1


async def test_batch_approval_reports_each_id(service: PledgeService) -> None:
    a = (await service.sign(artist(1), FORM, community="c")).signature
    b = (await service.sign(artist(2), FORM, community="c")).signature
    results = await service.approve(MOD, [a.id, 999, b.id, a.id])
    assert [r.signature_id for r in results] == [a.id, 999, b.id]
    assert isinstance(results[1].error, SignatureNotFound)
    assert await service.count() == 2


async def test_anonymous_signers_are_counted_not_listed(service: PledgeService) -> None:
    a = (await service.sign(artist(1), FORM, community="c", anonymous=True)).signature
    b = (await service.sign(artist(2), SignatureForm("Bob"), community="c")).signature
    await service.approve(MOD, [a.id, b.id])
    page = await service.signatories(1)
    assert [s.name for s in page.signatures] == ["Bob"]
    assert (page.listed, page.anonymous) == (1, 1)
    assert await service.count() == 2


async def test_anonymous_can_be_switched_off(make_service: ServiceFactory) -> None:
    service = make_service(allow_anonymous=False)
    with pytest.raises(AnonymousNotAllowed):
        await service.sign(artist(1), FORM, community="c", anonymous=True)


async def test_signatories_pages_in_approval_order(make_service: ServiceFactory) -> None:
    service = make_service(approval="manual")
    ids = [
        (await service.sign(artist(n), SignatureForm(f"Artist {n:02}"), community="c")).signature.id
        for n in range(45)
    ]
    await service.approve(MOD, list(reversed(ids))[:25])  # approval order: 44, 43, …
    await service.approve(MOD, ids[:20])
    pages = [await service.signatories(p) for p in (1, 2, 3)]
    names = [s.name for p in pages for s in p.signatures]
    assert names == [f"Artist {n:02}" for n in [*range(44, 19, -1), *range(20)]]
    assert [len(p.signatures) for p in pages] == [20, 20, 5]
    assert pages[0].pages == 3 and not pages[0].has_previous and pages[2].has_next is False
    with pytest.raises(InvalidInput, match="from 1 to 3"):
        await service.signatories(4)


async def test_letter_change_is_shown_to_earlier_signers(make_service: ServiceFactory) -> None:
    old = make_service()
    await old.start()
    await old.sign(artist(1), FORM, community="c")
    changed = LETTER.__class__(LETTER.title, LETTER.preamble, (*LETTER.demands, "A fifth."), "")
    new = make_service(letter=changed)
    await new.start()
    status = await new.status(artist(1).identity)
    assert status.letter_changed
    await new.sign(artist(2), FORM, community="c")
    assert not (await new.status(artist(2).identity)).letter_changed


async def test_demands_are_numbered_from_one(service: PledgeService) -> None:
    assert service.demand(1) == LETTER.demands[0]
    with pytest.raises(InvalidInput, match="1 to 4"):
        service.demand(5)


async def test_withdraw_without_signature(service: PledgeService) -> None:
    with pytest.raises(NotSigned):
        await service.withdraw(artist(1))


async def test_every_decision_updates_the_mod_queue_cards(service: PledgeService) -> None:
    """Cards are redrawn on every platform, whoever decided and wherever: one update per
    mod-queue destination, after the card itself (same destination, later id)."""
    a = (await service.sign(artist(1), FORM, community="c")).signature
    b = (await service.sign(artist(2), FORM, community="c")).signature
    c = (await service.sign(artist(3), FORM, community="c")).signature
    await service.approve(MOD, [a.id])
    await service.reject(MOD, b.id, "not an artist")
    await service.withdraw(artist(3))
    rows = await service.store.outbox_messages()
    updates = [(m.signature_id, m.destination, m.text) for m in rows
               if m.kind is OutboxKind.MOD_UPDATE]  # fmt: skip
    assert updates == [
        (a.id, "mod-queue", f"#{a.id} approved by mod."),
        (b.id, "mod-queue", f"#{b.id} rejected by mod: not an artist."),
        (c.id, "mod-queue", f"#{c.id} withdrawn by the signer."),
    ]
    card_of = {m.signature_id: m.id for m in rows if m.kind is OutboxKind.MOD_QUEUE}
    assert all(m.id > card_of[m.signature_id] for m in rows if m.kind is OutboxKind.MOD_UPDATE)


async def test_erasing_redraws_cards_without_details(service: PledgeService) -> None:
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    await service.withdraw(artist(1), erase=True)
    [update] = [m for m in await service.store.outbox_messages()
                if m.kind is OutboxKind.MOD_UPDATE]  # fmt: skip
    assert update.status == "pending" and update.signature_id == sig.id
    assert update.text == f"#{sig.id} withdrawn; the signer erased their details."


async def test_a_form_is_refused_before_it_is_filled_in(service: PledgeService) -> None:
    await service.check_can_sign(artist(1).identity)  # a new signer may go ahead
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    with pytest.raises(AlreadySigned):
        await service.check_can_sign(artist(1).identity)
    await service.remove(MOD, sig.id, "spam")
    with pytest.raises(SignerRemoved):
        await service.check_can_sign(artist(1).identity)


async def test_moderator_names_are_stored_inert(service: PledgeService) -> None:
    sig = (await service.sign(artist(1), FORM, community="c")).signature
    hostile = MOD.__class__(MOD.identity, "@everyone\u202e <@&1>", is_moderator=True)
    [decision] = await service.approve(hostile, [sig.id])
    assert decision.signature is not None
    assert decision.signature.decided_by == "＠everyone <＠&1>"
    [entry] = await service.audit(MOD)
    assert entry.actor == "＠everyone <＠&1> (console:mod)"
