"""How whoever acted is named where others read it: on a signature a moderator decided, and in
the audit log. A display name is user text like any other, so it is cleaned as a signer's name
is; one that cleaning refuses is replaced by the account itself."""

from __future__ import annotations

from bot.domain import Actor
from bot.errors import InvalidInput
from bot.hygiene import LIMITS, clean_text

__all__ = ["audit_label", "shown_name"]


def shown_name(actor: Actor) -> str:
    """A moderator's name as stored and shown to others: display names are user text too."""
    try:
        name = clean_text(actor.display_name[: LIMITS["name"]], field="name")
    except InvalidInput:
        name = None
    return name or str(actor.identity)


def audit_label(actor: Actor) -> str:
    """Who acted, as the audit log names them: their shown name and their account."""
    return f"{shown_name(actor)} ({actor.identity})"
