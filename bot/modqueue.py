"""What mod-queue cards are drawn from: a signature with its moderator context, and where its
cards were posted.

The outbox posts and redraws the cards (a signature made; decided on another platform, process or
the console; withdrawn or erased), and the outbox acts for no one, so these reads check no actor.
That makes them plumbing beside :class:`~bot.service.PledgeService`'s use cases, reached as
``service.mod_queue``, not use cases themselves: a moderator asks for the queue with
:meth:`PledgeService.pending <bot.service.PledgeService.pending>`, which checks who asks. What
they return is shown only where cards go, the moderators' channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from bot.domain import Identity, OutboxKind, PendingItem, Signature
from bot.errors import SignatureNotFound
from bot.limits import LOOK_ALIKES_READ
from bot.ports import Store

__all__ = ["ModQueue", "PostedCard"]


class PostedCard(NamedTuple):
    """A delivered mod-queue card: the channel or chat, and the platform's message id."""

    destination: str
    ref: str


class ModQueue:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def item(self, signature_id: int) -> PendingItem:
        """A signature as its card shows it now, with its history and possible duplicates."""
        sig = await self._store.get_signature(signature_id)
        if sig is None:
            raise SignatureNotFound(signature_id)
        return await self.with_texts((await self.with_context([sig]))[0])

    async def with_texts(self, item: PendingItem) -> PendingItem:
        """``item`` with the texts its signature was reaffirmed on (one indexed read, for one
        card: a list like ``/pending`` does without, to stay three queries)."""
        found = await self._store.reaffirmations(item.signature.id)
        return replace(item, reaffirmations=tuple(found))

    async def posted_cards(self, signature_id: int, platform: str) -> list[PostedCard]:
        """The cards of a signature delivered to ``platform``, to redraw once it is decided."""
        refs = await self._store.outbox_refs(signature_id, OutboxKind.MOD_QUEUE)
        return [PostedCard(dest, ref) for where, dest, ref in refs if where == platform]

    async def with_context(self, sigs: Sequence[Signature]) -> list[PendingItem]:
        """Attach history (every earlier signature of the signer, from any of their linked
        accounts), possible duplicates and the signer's linked accounts, with three queries for
        the whole list.

        A possible duplicate is any other active signature, approved or still pending, with the
        same name or a look-alike one: a brigade signs in a burst, before anyone is approved."""
        if not sigs:
            return []
        persons = list({s.person for s in sigs})
        history = await self._store.histories_of(persons)
        keys = list({k for s in sigs for k in (s.name_key, s.look_key) if k})
        alike = await self._store.look_alikes(keys, LOOK_ALIKES_READ)
        by_person: dict[str, list[Signature]] = {}
        for h in history:
            by_person.setdefault(h.person, []).append(h)
        accounts: dict[str, list[Identity]] = {}
        for person, account in await self._store.accounts_of(persons):
            accounts.setdefault(person, []).append(account)
        items = []
        for sig in sigs:
            earlier = tuple(h for h in by_person.get(sig.person, ()) if h.id < sig.id)
            linked = tuple(a for a in accounts.get(sig.person, ()) if a != sig.identity)
            dups = tuple(
                a
                for a in alike
                if a.id != sig.id
                and a.person != sig.person
                and (
                    (sig.name_key and a.name_key == sig.name_key)
                    or (sig.look_key and a.look_key == sig.look_key)
                )
            )
            items.append(PendingItem(sig, earlier, dups, linked))
        return items
