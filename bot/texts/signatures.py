"""A signature as every text names it: its number after "#", and the line that describes it."""

from __future__ import annotations

from bot.domain import Signature
from bot.i18n import Msg, joined, msg

__all__ = ["EARLIER_TEXT", "describe_signature", "id_text"]


def id_text(number: int) -> str:
    """A signature's number as typed after "#": never grouped like a count ("#1234")."""
    return str(number)


#: After a listed name that stands on an earlier text of the letter (it still counts).
EARLIER_TEXT = msg("(signed an earlier text)")


def describe_signature(sig: Signature, *, earlier_text: bool = False) -> Msg:
    """A signature as the list shows it: "Mira, DJ, Lisbon — https://…", then
    :data:`EARLIER_TEXT` when the core says it stands on an earlier text (``earlier_text``)."""
    name = sig.public_name
    parts: list[Msg | str] = [msg("{name} (anonymous)", name=name) if sig.anonymous else name]
    parts += [p for p in (sig.role, sig.location) if p]
    text = joined(parts, ", ")
    described = joined([text, sig.link], " — ") if sig.link else text
    return joined([described, EARLIER_TEXT], " ") if earlier_text else described
