"""Posts to announce and alert channels: milestones, surges of signatures from one place, and
a chat the bot was removed from. Each is written in its channel's language."""

from __future__ import annotations

from bot.i18n import Command, Msg, Percent, msg, nmsg
from bot.surge import Surge

__all__ = ["format_milestone", "removed_from", "surge_alert"]


def format_milestone(template: str | None, *, count: int, title: str) -> Msg:
    """The milestone announcement: the organiser's own template when the configuration gives
    one (said as written, in every language; unknown placeholders stay literal), else the
    catalogue's, in the channel's language. ``{letter}`` is the command that shows the letter
    as the channel's platform and language name it (``/carta`` in a Spanish Discord channel)."""
    letter = Command("letter")
    if template:
        values = {"count": count, "title": title, "milestone": count, "letter": letter}
        return Msg(template, values, verbatim=True)
    return nmsg(
        "{count} artist has signed “{title}”. Read it and add your name: {letter}",
        "{count} artists have signed “{title}”. Read it and add your name: {letter}",
        count,
        title=title,
        letter=letter,
    )


def surge_alert(surge: Surge) -> Msg:
    return msg(
        "Unusual activity: {count} of the last {total} signatures ({share}) in {minutes} "
        "minutes came from {community}, which usually brings {usual}. Check the pending "
        "signatures before approving them.",
        count=surge.count,
        total=surge.total,
        share=Percent(surge.share),
        minutes=int(surge.window.total_seconds() // 60),
        community=surge.community,
        usual=Percent(surge.usual_share),
    )


def removed_from(place: str, *, mod_chat: bool) -> Msg:
    """Moderators' alert: the bot was removed from ``place``, the moderators' chat (``mod_chat``)
    or an announcement channel, and posts nothing there until it is added back."""
    if mod_chat:
        return msg(
            "pledgebot was removed from {place}, the moderators' chat: new signatures are "
            "no longer posted there. Add it back, or approve them with {pending} elsewhere.",
            place=place,
            pending=Command("pending"),
        )
    return msg(
        "pledgebot was removed from {place}: milestones are no longer announced there "
        "until it is added back.",
        place=place,
    )
