"""Finding signatures and signers for moderators: what ``/remove``'s suggestions and Discord's
"Signature status" member menu show.

Reads only, over index searches, so a moderator typing into an autocomplete at a million
signatures costs a handful of small queries per keystroke. The service checks who asks
(:meth:`bot.service.PledgeService.find_signatures`, :meth:`~bot.service.PledgeService.signer`);
these functions trust their caller.
"""

from __future__ import annotations

from bot.confusables import name_keys
from bot.domain import Identity, PendingItem, Signature, Status
from bot.linking import is_linked_person
from bot.modqueue import ModQueue
from bot.ports import Store
from bot.values import frozen_value

__all__ = ["SUGGEST_FROM", "SignerReport", "find_signatures", "signer_report"]

#: How many of the oldest pending and of the newest listed signatures a search looks through
#: for what is typed (besides a number, and a whole name, which are found wherever they are).
SUGGEST_FROM = 100
#: A signature number longer than this is no signature number (nor a huge integer to parse).
_MAX_DIGITS = 18


@frozen_value
class SignerReport:
    """One account as a moderator looks it up: its person's signature now (with history,
    possible duplicates and linked accounts, as on a mod-queue card), or None if it never
    signed; and the accounts it is linked with either way."""

    identity: Identity
    item: PendingItem | None
    linked: tuple[Identity, ...] = ()


async def find_signatures(store: Store, typed: str, limit: int) -> list[Signature]:
    """Signatures a moderator may still take off the letter (any not already removed) that
    match ``typed``: its number ("12", "#12"); a name whose key or look-alike key equals what
    is typed (anywhere in the list); or, among the oldest pending and the newest listed
    signatures, a name or role containing it. Exact finds first, then newest first."""
    text = typed.strip().lstrip("#").strip()
    found: dict[int, Signature] = {}
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        sig = await store.get_signature(int(text))
        if sig is not None:
            found[sig.id] = sig
    keys = [k for k in name_keys(text) if k] if text else []
    for sig in await store.look_alikes(keys, limit) if keys else []:
        found.setdefault(sig.id, sig)
    listed = await store.listed_count()
    recent = await store.listed_page(max(listed - SUGGEST_FROM, 0), SUGGEST_FROM)
    pool = [*reversed(recent), *await store.pending(SUGGEST_FROM)]
    wanted = text.casefold()
    for sig in sorted(pool, key=lambda s: s.id, reverse=True):
        if _mentions(sig, wanted):
            found.setdefault(sig.id, sig)
    return [s for s in found.values() if s.status is not Status.REMOVED][:limit]


def _mentions(sig: Signature, wanted: str) -> bool:
    if not wanted:
        return True
    label = f"#{sig.id} {sig.public_name} {sig.role or ''}".casefold()
    return wanted in label


async def signer_report(store: Store, identity: Identity) -> SignerReport:
    """What a moderator's "Signature status" shows of one account."""
    person = await store.person_of(identity)
    linked: tuple[Identity, ...] = ()
    if is_linked_person(person):
        linked = tuple(a for _, a in await store.accounts_of([person]) if a != identity)
    sig = await store.latest_signature(identity)
    if sig is None:
        return SignerReport(identity, None, linked)
    queue = ModQueue(store)
    [item] = await queue.with_context([sig])
    return SignerReport(identity, await queue.with_texts(item), linked)
