"""The ``/communities`` answer: which servers and groups bring the signatures."""

from __future__ import annotations

from bot.communities import CommunityRow, CommunityTable
from bot.i18n import Msg, Percent, Strong, joined, msg, nmsg

__all__ = [
    "NO_COMMUNITIES",
    "communities_heading",
    "communities_text",
    "community_label",
    "community_line",
]


NO_COMMUNITIES = msg("No community has signed yet.")
_COMMUNITIES = msg("Communities")


def community_label(community: str, name: str | None) -> Msg | str:
    """A community as people read it: its name as the platform shows it, else what it is."""
    if name:
        return name
    platform, _, rest = community.partition(":")
    if community == "console":
        return msg("Console")
    if community == "discord:dm":
        return msg("Discord direct messages")
    if community == "telegram:private":
        return msg("Telegram private chats")
    if platform == "discord" and rest:
        return msg("Discord server {id}", id=rest)
    if platform == "telegram" and rest:
        return msg("Telegram chat {id}", id=rest)
    return community


def community_line(rank: int, row: CommunityRow) -> Msg:
    """ "1. Night Owls: 120 approved (40%), 3 pending, 12 in the last 24 hours"."""
    return msg(
        "{rank}. {community}: {approved} approved ({share}), {pending} pending, {recent} in the "
        "last 24 hours",
        rank=rank,
        community=community_label(row.community, row.name),
        approved=row.approved,
        share=Percent(row.share),
        pending=row.pending,
        recent=row.recent,
    )


def communities_heading(table: CommunityTable) -> Msg:
    return nmsg(
        "{communities}, most approved first — {count} approved signature in all",
        "{communities}, most approved first — {count} approved signatures in all",
        table.total,
        communities=Strong(_COMMUNITIES),
    )


def communities_text(table: CommunityTable) -> Msg:
    """The whole ``/communities`` answer as lines; the heading word is :class:`Strong`."""
    if not table.rows:
        return NO_COMMUNITIES
    lines = [communities_heading(table)]
    lines += [community_line(n, row) for n, row in enumerate(table.rows, 1)]
    return joined(lines)
