"""One person, several accounts: /link, one active signature whichever account signs, /unlink."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.domain import Actor, Identity, OutboxKind, SignatureForm, Status
from bot.errors import (
    AlreadyLinked,
    AlreadySigned,
    LinkRefused,
    LinkToSelf,
    NoSuchLinkCode,
    NotALinkCode,
    NotLinked,
    TooManyAccounts,
)
from bot.export import export_chunks
from bot.limits import MAX_LINKED_ACCOUNTS
from bot.linking import parse_code
from bot.service import PledgeService
from tests.conftest import MOD, ServiceFactory, StepClock, artist

ANN_DISCORD = Actor(Identity("discord", "111"), "Ann")
ANN_TELEGRAM = Actor(Identity("telegram", "222"), "Ann T")
ANN_CONSOLE = Actor(Identity("console", "ann"), "ann")


async def link(service: PledgeService, issuer: Actor, redeemer: Actor) -> None:
    code = await service.link_code(issuer)
    await service.link(redeemer, code.code)


async def sign(service: PledgeService, actor: Actor, name: str = "Ann Artist") -> int:
    return (await service.sign(actor, SignatureForm(name), community="c")).signature.id


async def test_codes_are_unguessable_forgiving_and_expire_after_ten_minutes(
    service: PledgeService,
) -> None:
    codes = {(await service.link_code(artist(n))).code for n in range(50)}
    assert len(codes) == 50
    code = (await service.link_code(ANN_DISCORD)).code
    assert len(code) == 11 and code[5] == "-"
    # Case, spaces and dashes do not matter; O, I and L read as 0, 1, 1.
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert parse_code(sloppy) == code.replace("-", "")
    for typed in ("", "12345", "ABCDE-FGHIJ-K", "ÄBCDE-FGHJK", "<b>ABCD</b>"):
        with pytest.raises(NotALinkCode):
            await service.link(ANN_TELEGRAM, typed)
    assert isinstance(service.clock, StepClock)
    service.clock.at += timedelta(minutes=10)
    with pytest.raises(NoSuchLinkCode):
        await service.link(ANN_TELEGRAM, code)


async def test_a_code_works_once_and_not_on_its_own_account(service: PledgeService) -> None:
    code = (await service.link_code(ANN_DISCORD)).code
    with pytest.raises(LinkToSelf):
        await service.link(ANN_DISCORD, code)
    result = await service.link(ANN_TELEGRAM, code)  # refusing the owner did not use it up
    assert result.accounts == (ANN_DISCORD.identity, ANN_TELEGRAM.identity)
    assert (result.kept, result.withdrawn) == (None, None)
    with pytest.raises(NoSuchLinkCode):
        await service.link(ANN_CONSOLE, code)
    with pytest.raises(AlreadyLinked):
        await link(service, ANN_TELEGRAM, ANN_DISCORD)
    # A new code replaces the earlier one.
    first = (await service.link_code(ANN_DISCORD)).code
    await service.link_code(ANN_DISCORD)
    with pytest.raises(NoSuchLinkCode):
        await service.link(ANN_CONSOLE, first)


async def test_a_linked_person_holds_one_signature_whichever_account_signs(
    service: PledgeService,
) -> None:
    await link(service, ANN_DISCORD, ANN_TELEGRAM)
    await link(service, ANN_CONSOLE, ANN_TELEGRAM)  # a third account joins the same person
    first = await sign(service, ANN_TELEGRAM)
    for other in (ANN_DISCORD, ANN_CONSOLE, ANN_TELEGRAM):
        with pytest.raises(AlreadySigned):
            await service.check_can_sign(other.identity)
        with pytest.raises(AlreadySigned):
            await sign(service, other)
    # /status from any account shows the signature and the other accounts.
    status = await service.status(ANN_CONSOLE.identity)
    assert status.signature is not None and status.signature.id == first
    assert status.linked == (ANN_DISCORD.identity, ANN_TELEGRAM.identity)
    # /withdraw from another account takes it back.
    withdrawn = await service.withdraw(ANN_DISCORD)
    assert withdrawn is not None and withdrawn.id == first
    again = await sign(service, ANN_CONSOLE)
    assert (await service.status(ANN_DISCORD.identity)).signature.id == again  # type: ignore[union-attr]


async def test_moderators_see_the_linked_accounts_and_the_whole_history(
    service: PledgeService,
) -> None:
    rejected = await sign(service, ANN_DISCORD)
    await service.reject(MOD, rejected, "use your artist name")
    await link(service, ANN_DISCORD, ANN_TELEGRAM)
    await sign(service, ANN_TELEGRAM, "Ann Artiste")
    [item] = await service.pending(MOD)
    assert item.linked == (ANN_DISCORD.identity,)
    assert [h.id for h in item.history] == [rejected]  # made from the other account
    assert item.possible_duplicates == ()  # the person's own earlier name is history, not a dup


async def test_linking_two_signed_accounts_keeps_the_earlier_and_withdraws_the_later(
    make_service: ServiceFactory,
) -> None:
    service = make_service(approval="auto")
    await service.start()
    earlier = await sign(service, ANN_DISCORD)
    later = await sign(service, ANN_TELEGRAM, "Ann again")
    assert await service.count() == 2
    code = await service.link_code(ANN_DISCORD)
    result = await service.link(ANN_TELEGRAM, code.code)
    assert result.kept is not None and result.kept.id == earlier
    assert result.withdrawn is not None and result.withdrawn.id == later
    assert await service.count() == 1
    status = await service.status(ANN_TELEGRAM.identity)
    assert status.signature is not None and status.signature.id == earlier
    assert status.signature.status is Status.APPROVED


async def test_a_removed_account_cannot_be_linked_or_unlinked(service: PledgeService) -> None:
    spam = await sign(service, ANN_DISCORD)
    await service.remove(MOD, spam, "spam")
    with pytest.raises(LinkRefused):
        await service.link_code(ANN_DISCORD)  # the removed account asks for a code
    code = await service.link_code(ANN_TELEGRAM)
    with pytest.raises(LinkRefused):
        await service.link(ANN_DISCORD, code.code)  # or types one
    await service.link(ANN_CONSOLE, code.code)  # the code was not used up by the refusal
    # Removed after linking: unlinking would let that person sign again elsewhere.
    other = await sign(service, ANN_CONSOLE)
    await service.remove(MOD, other, "impersonation")
    with pytest.raises(LinkRefused):
        await service.unlink(ANN_CONSOLE)
    with pytest.raises(LinkRefused):
        await service.unlink(ANN_TELEGRAM)
    with pytest.raises(Exception, match="removed by a moderator"):
        await sign(service, ANN_TELEGRAM)


async def test_unlink_gives_the_account_back_its_own_signatures(service: PledgeService) -> None:
    with pytest.raises(NotLinked):
        await service.unlink(ANN_TELEGRAM)
    await link(service, ANN_DISCORD, ANN_TELEGRAM)
    mine = await sign(service, ANN_TELEGRAM)
    assert await service.unlink(ANN_DISCORD) == (ANN_TELEGRAM.identity,)
    assert (await service.status(ANN_DISCORD.identity)).signature is None
    assert (await service.status(ANN_DISCORD.identity)).linked == ()
    assert (await service.status(ANN_TELEGRAM.identity)).signature.id == mine  # type: ignore[union-attr]
    await sign(service, ANN_DISCORD)  # two persons again: each may sign
    with pytest.raises(NotLinked):
        await service.unlink(ANN_TELEGRAM)


async def test_a_person_links_a_bounded_number_of_accounts(service: PledgeService) -> None:
    first = artist("p0")
    for n in range(1, MAX_LINKED_ACCOUNTS):
        await link(service, first, artist(f"p{n}"))
    with pytest.raises(TooManyAccounts):
        await link(service, first, artist("one-too-many"))


async def test_two_accounts_of_one_person_signing_at_once_end_with_one_signature(
    service: PledgeService,
) -> None:
    """The store's one-active-signature-per-person rule, not only the check before it: on
    PostgreSQL the two units run in different transactions at the same moment."""
    accounts = [Actor(Identity(p, "9"), "Nine") for p in ("discord", "telegram", "console")]
    await link(service, accounts[0], accounts[1])
    await link(service, accounts[0], accounts[2])
    for _ in range(5):
        attempts = [sign(service, a, f"Nine {a.identity.platform}") for a in accounts * 3]
        results = await asyncio.gather(*attempts, return_exceptions=True)
        won = [r for r in results if isinstance(r, int)]
        assert len(won) == 1, results
        assert all(isinstance(r, AlreadySigned) for r in results if not isinstance(r, int))
        await service.withdraw(accounts[0])
        assert isinstance(service.clock, StepClock)
    person = await service.store.person_of(accounts[0].identity)
    history = await service.store.histories_of([person])
    assert sum(s.status.is_active for s in history) == 0 and len(history) == 5


async def test_a_link_and_a_signature_at_once_leave_one_active_signature(
    make_service: ServiceFactory,
) -> None:
    """A link and a signature of the same account never pass each other (the account's row is
    held by both units), so the person never ends with two active signatures."""
    service = make_service(approval="auto")
    await service.start()
    for n in range(6):
        a, b = Actor(Identity("discord", f"a{n}"), "A"), Actor(Identity("telegram", f"b{n}"), "B")
        await sign(service, a, f"Artist {n}")
        code = await service.link_code(a)
        await asyncio.gather(
            service.link(b, code.code), sign(service, b, f"Artist {n} too"), return_exceptions=True
        )
        person = await service.store.person_of(b.identity)
        history = await service.store.histories_of(
            list({person, await service.store.person_of(a.identity)})
        )
        assert sum(s.status.is_active for s in history) == 1, history
    assert await service.count() == 6


async def test_exports_with_ids_list_every_linked_account(make_service: ServiceFactory) -> None:
    service = make_service(approval="auto")
    await service.start()
    await sign(service, ANN_TELEGRAM)
    await sign(service, artist("solo"), "Solo Artist")
    await link(service, ANN_TELEGRAM, ANN_DISCORD)
    await link(service, ANN_TELEGRAM, ANN_CONSOLE)
    text = "".join([c async for c in export_chunks(service.store, service.letter, "csv",
                                                   with_ids=True)])  # fmt: skip
    header, ann, solo = text.splitlines()
    assert header.endswith(",platform,user_id,community,linked_ids")
    assert ann.endswith(",telegram,222,c,console:ann discord:111")
    assert solo.endswith(",console,solo,c,")
    plain = "".join([c async for c in service.export("csv")])
    assert "linked_ids" not in plain and "discord:111" not in plain


async def test_a_withdrawal_by_linking_redraws_the_cards(service: PledgeService) -> None:
    await sign(service, ANN_DISCORD)
    later = await sign(service, ANN_TELEGRAM, "Ann T")
    await link(service, ANN_DISCORD, ANN_TELEGRAM)
    updates = [
        m.text
        for m in await service.store.outbox_messages()
        if m.kind is OutboxKind.MOD_UPDATE and m.signature_id == later
    ]
    assert updates == [f"#{later} withdrawn by the signer."]


async def test_a_code_made_void_no_longer_links(service: PledgeService) -> None:
    """Typed where others can read it (a group), a code is made void for everyone."""
    code = (await service.link_code(ANN_DISCORD)).code
    await service.void_link_code(ANN_TELEGRAM, code)
    with pytest.raises(NoSuchLinkCode):
        await service.link(ANN_CONSOLE, code)
    await service.void_link_code(ANN_TELEGRAM, "not a code at all")  # nothing to void: quiet
    assert (await service.status(ANN_DISCORD.identity)).linked == ()
