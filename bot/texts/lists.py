"""The count and the list of signatories: the lines around a page of names."""

from __future__ import annotations

from bot.i18n import Msg, Strong, joined, msg, nmsg

__all__ = ["NO_ONE_LISTED", "count_line", "signatories_heading", "unlisted_line"]


def count_line(count: int, next_milestone: int | None) -> Msg:
    """ "12 signatures so far. Next milestone: 50." — the numbers are :class:`Strong` (bold
    where the platform can)."""
    line = nmsg(
        "{count} signature so far.", "{count} signatures so far.", count, count=Strong(count)
    )
    if next_milestone is None:
        return line
    return joined(
        [line, msg("Next milestone: {milestone}.", milestone=Strong(next_milestone))], " "
    )


NO_ONE_LISTED = msg("No one is listed yet.")
# A constant, not a call nested in another msg(): Babel's extractor misses nested calls.
_SIGNATORIES = msg("Signatories")


def signatories_heading(page: int, pages: int) -> Msg:
    """ "Signatories — page 2 of 5"; the word is :class:`Strong` (bold where it can be)."""
    return msg(
        "{signatories} — page {page} of {pages}",
        signatories=Strong(_SIGNATORIES),
        page=page,
        pages=pages,
    )


def unlisted_line(anonymous: int) -> Msg:
    """Under a page of names: how many signed without being listed."""
    return nmsg(
        "…and {count} more person who signed without being listed.",
        "…and {count} more people who signed without being listed.",
        anonymous,
    )
