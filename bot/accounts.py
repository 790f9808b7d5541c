"""One person, several accounts: ``/link`` joins them, ``/unlink`` parts them.

A person holds one active signature at most, whichever of their accounts made it, so joining two
accounts that both signed withdraws the later signature in the same unit of work that joins them
(its count change and card redraw included). The codes themselves — how they are made, typed and
hashed — are :mod:`bot.linking`'s; how often an account may ask,
:class:`bot.service.PledgeService` checks before it asks this module.
"""

from __future__ import annotations

from bot.domain import Actor, Identity, Status
from bot.errors import (
    AlreadyLinked,
    LinkRefused,
    LinkToSelf,
    NoSuchLinkCode,
    NotALinkCode,
    NotLinked,
    TooManyAccounts,
)
from bot.limits import MAX_LINKED_ACCOUNTS
from bot.linking import (
    CODE_LIFETIME,
    LinkCode,
    LinkResult,
    code_hash,
    is_linked_person,
    new_code,
    new_person,
    parse_code,
)
from bot.outgoing import Outgoing
from bot.ports import Clock, Store, WriteTx
from bot.units import CountChange, UnitRunner

__all__ = ["AccountLinks"]


class AccountLinks:
    """The units of work that join and part one person's accounts."""

    def __init__(
        self,
        store: Store,
        write: UnitRunner,
        clock: Clock,
        outgoing: Outgoing,
        *,
        count_changed: CountChange,
    ) -> None:
        self._store = store
        self._write = write
        self._clock = clock
        self._outgoing = outgoing
        self._count_changed = count_changed

    async def link_code(self, actor: Actor) -> LinkCode:
        """``/link``: a one-time code for the person's other account to type (``/link CODE``)
        within :data:`~bot.linking.CODE_LIFETIME`. A new code replaces the account's earlier
        one. Refused to an account a moderator removed a signature of."""
        identity = actor.identity
        code = new_code()

        async def unit(tx: WriteTx) -> LinkCode:
            now = self._clock.now()
            if any(s.status is Status.REMOVED for s in await tx.signatures_of(identity)):
                raise LinkRefused()
            expires = now + CODE_LIFETIME
            await tx.add_link_code(code_hash(parse_code(code)), identity, now, expires)
            return LinkCode(code, expires)

        return await self._write(unit)

    async def link(self, actor: Actor, typed_code: str) -> LinkResult:
        """``/link CODE``: join this account with the one that made the code, as one person
        holding one active signature at most. When both held one, the earlier stays and the
        later is withdrawn. Refused when either side had a signature removed by a moderator."""
        hashed = code_hash(parse_code(typed_code))  # a malformed code never reaches the store
        me = actor.identity

        async def unit(tx: WriteTx) -> LinkResult:
            now = self._clock.now()
            issuer = await tx.take_link_code(hashed, now)
            if issuer is None:
                raise NoSuchLinkCode()
            if issuer == me:
                raise LinkToSelf()
            # Both accounts' rows, in one order for every unit (no deadlock between two links).
            persons = {a: await tx.claim_account(a) for a in sorted((issuer, me), key=str)}
            theirs, mine = persons[issuer], persons[me]
            if theirs == mine:
                raise AlreadyLinked()
            accounts = {a for _, a in await tx.accounts_of([theirs, mine])} | {issuer, me}
            if len(accounts) > MAX_LINKED_ACCOUNTS:
                raise TooManyAccounts(MAX_LINKED_ACCOUNTS)
            history = [*await tx.signatures_of(issuer), *await tx.signatures_of(me)]
            if any(s.status is Status.REMOVED for s in history):
                raise LinkRefused()
            active = sorted((s for s in history if s.status.is_active), key=lambda s: s.id)
            kept = withdrawn = None
            if len(active) == 2:
                kept, later = active
                withdrawn = later.evolve(status=Status.WITHDRAWN, withdrawn_at=now)
                await tx.update_signature(withdrawn)
                await tx.add_outbox(self._outgoing.card_updates(withdrawn), now)
                if later.counted:
                    await self._count_changed(tx, -1, now)
            person = next((p for p in (theirs, mine) if is_linked_person(p)), None)
            person = person or new_person()
            await tx.move_people([p for p in (theirs, mine) if p != person], person, now)
            return LinkResult(tuple(sorted(accounts, key=str)), kept, withdrawn)

        return await self._write(unit)

    async def void_link_code(self, typed_code: str) -> None:
        """A code typed where others can read it (a Telegram group) no longer works, so no one
        who saw it can join their account to its maker's. Says nothing of whether it existed;
        text that is no code changes nothing."""
        try:
            hashed = code_hash(parse_code(typed_code))
        except NotALinkCode:
            return

        async def unit(tx: WriteTx) -> None:
            await tx.take_link_code(hashed, self._clock.now())

        await self._write(unit)

    async def unlink(self, actor: Actor) -> tuple[Identity, ...]:
        """``/unlink``: this account is a person of its own again, keeping the signatures it
        made itself (and so is the other, when only one was left). Returns the accounts it was
        linked with."""
        me = actor.identity

        async def unit(tx: WriteTx) -> tuple[Identity, ...]:
            person = await tx.claim_account(me)
            if not is_linked_person(person):
                raise NotLinked()
            if any(s.status is Status.REMOVED for s in await tx.signatures_of(me)):
                raise LinkRefused(unlinking=True)
            others = tuple(a for _, a in await tx.accounts_of([person]) if a != me)
            await tx.detach_account(me)
            if len(others) == 1:  # a person of one account is no longer linked at all
                await tx.detach_account(others[0])
            return others

        return await self._write(unit)

    async def linked_with(self, identity: Identity) -> tuple[Identity, ...]:
        """The other accounts of this account's person (none until it is linked)."""
        person = await self._store.person_of(identity)
        if not is_linked_person(person):
            return ()
        return tuple(a for _, a in await self._store.accounts_of([person]) if a != identity)
