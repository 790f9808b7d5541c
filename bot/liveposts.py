"""Live letter posts: the letter posted where members talk, its count kept current.

A moderator posts the letter as a message in a channel or group: the adapter asks
:meth:`LivePosts.prepare` (which decides who may), sends the message as its platform draws it,
and registers it with :meth:`LivePosts.post`. From then on every unit of work that changes the
approved count owes each live post one edit, written by the count listener in the same
transaction as the change (an outbox ``live_edit`` row to destination ``live:<id>``, a queue of
its own, so a waiting edit holds back no other message).

Edits are merged. A post has at most one edit waiting, and each is due no sooner than
``live_edit_interval`` (or the platform's floor, :data:`~bot.limits.LIVE_EDIT_FLOOR`) after the
one before it, so a burst of a thousand approvals costs a handful of edits. An edit draws the
count the store holds when it is *sent* (:meth:`LivePosts.view`), not when it was owed; a change
committed after an edit has read the count finds no edit waiting and owes a new one. So after
a burst every post ends showing the exact count, and a restart loses nothing: the owed edit is
an outbox row and the post a stored row.

A post whose message was deleted, or whose chat the bot lost its rights in, is ended as lost
(:meth:`LivePosts.lost`, called by the adapter's sender), logged, and the moderators are told
once: only the unit that ends a live post can say so. When the platform itself says the bot left
a chat or a server, or the chat was deleted, the adapter calls :meth:`LivePosts.chat_gone` or
:meth:`LivePosts.community_gone`, which end its posts there the same way at once, without
waiting for an edit to fail.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.domain import (
    Actor,
    Destinations,
    Letter,
    LetterText,
    LivePost,
    LivePostStatus,
    NewLivePost,
    OutboxKind,
    OutboxMessage,
)
from bot.errors import InvalidInput, NoSuchLivePost, NotModerator, TooManyLivePosts
from bot.i18n import Msg, msg, nmsg, translator_for
from bot.limits import LIVE_DEMAND_SHORT, LIVE_EDIT_FLOOR, LIVE_POSTS_MAX
from bot.milestones import MilestonePolicy
from bot.ports import Clock, LiveEditOwed, Store, WriteTx
from bot.ratelimit import Family, RateLimiter
from bot.values import frozen_value

__all__ = [
    "CHAT_GONE",
    "COMMUNITY_GONE",
    "EDIT_PREFIX",
    "LIVE_COMMANDS",
    "LIVE_HEADING",
    "NONE_LIVE",
    "LiveCommand",
    "LivePosts",
    "LiveView",
    "edit_destination",
    "listing_line",
    "lost_alert",
    "post_of",
    "posted",
    "stopped",
]

_log = logging.getLogger(__name__)

Write = Callable[[Callable[[WriteTx], Awaitable[Any]]], Awaitable[Any]]

#: Why a post ended, as ``live_posts.end_reason`` records it for the operator, when the platform
#: said the bot is gone from its chat (or the chat was deleted), or from its whole community.
#: (A post found lost by a failed edit records the platform's own error.)
CHAT_GONE = "chat-gone"
COMMUNITY_GONE = "community-gone"
#: ... and when a newer post in its chat replaced it, or a moderator stopped it (then followed by
#: who did: ``stopped-by:discord:123``).
REPLACED = "replaced"
STOPPED_BY = "stopped-by:"

#: The outbox destination of a post's edits: ``live:<post id>``.
EDIT_PREFIX = "live:"


def edit_destination(post_id: int) -> str:
    return f"{EDIT_PREFIX}{post_id}"


def post_of(destination: str) -> int | None:
    """The post a ``live_edit`` row redraws, from its destination (None: not one of ours)."""
    number = destination.removeprefix(EDIT_PREFIX)
    if number == destination or not number.isdecimal() or len(number) > 18:
        return None
    return int(number)


@frozen_value
class LiveView:
    """What a live post shows: the letter in the post's language, the count and the next
    milestone. ``post`` is None before the post is sent (the first drawing)."""

    letter: LetterText
    count: int
    next_milestone: int | None
    language: str
    post: LivePost | None = None

    @property
    def demands(self) -> tuple[str, ...]:
        """The demands in short: each cut to :data:`~bot.limits.LIVE_DEMAND_SHORT` characters."""
        return tuple(_short(d, LIVE_DEMAND_SHORT) for d in self.letter.demands)

    @property
    def count_line(self) -> Msg:
        return nmsg(
            "{count} artist has signed so far.", "{count} artists have signed so far.", self.count
        )

    @property
    def milestone_line(self) -> Msg | None:
        if self.next_milestone is None:
            return None
        return msg("Next milestone: {milestone} signatures.", milestone=self.next_milestone)

    @property
    def footer(self) -> Msg:
        return msg("This post keeps itself current as signatures are approved.")


def _short(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def listing_line(post: LivePost, where: str) -> Msg:
    """One line of ``/live-posts``; ``where`` is the chat as the adapter names it."""
    return msg(
        "#{id} on {platform}, in {where}, since {date}",
        id=str(post.id),
        platform=post.platform.capitalize(),
        where=where,
        date=post.posted_at.date().isoformat(),
    )


def lost_alert(post: LivePost) -> Msg:
    """The moderators' one notice that a live post can no longer be kept current."""
    return msg(
        "Live letter post #{id} ({platform}, {where}) can no longer be updated: its message was "
        "deleted, or the bot lost its rights there. It is no longer kept current; post the "
        "letter again to replace it.",
        id=str(post.id),
        platform=post.platform.capitalize(),
        where=post.community_name or post.chat,
    )


def posted(post: LivePost, replaced: Sequence[LivePost] = ()) -> Msg:
    """The moderator's answer once the post is sent and registered."""
    if not replaced:
        return msg(
            "The letter is posted, and its count will keep itself current (live post #{id}).",
            id=str(post.id),
        )
    return msg(
        "The letter is posted, and its count will keep itself current (live post #{id}). It "
        "replaces live post {old} in this chat, whose message stays as it is.",
        id=str(post.id),
        old=", ".join(f"#{ended.id}" for ended in replaced),
    )


def stopped(post: LivePost) -> Msg:
    return msg(
        "Live post #{id} is stopped: its message stays as it is and is no longer updated.",
        id=str(post.id),
    )


NONE_LIVE = msg("No letter post is live.")
LIVE_HEADING = msg("Live letter posts:")


@frozen_value
class LiveCommand:
    """A live-post command as help and command menus describe it. ``name`` is Discord's;
    Telegram's drops the hyphen (``/postletter``), the console lists posts with ``/posts``."""

    name: str
    summary: Msg
    arguments: str = ""

    @property
    def telegram_name(self) -> str:
        return self.name.replace("-", "")


LIVE_COMMANDS = (
    LiveCommand(
        "post-letter",
        msg("post the letter as a live message whose count keeps itself current"),
        "[CHAT_ID]",
    ),
    LiveCommand("live-posts", msg("the live letter posts")),
    LiveCommand("unpost", msg("stop keeping a live post current"), "ID"),
)


def parse_post_id(text: str) -> int:
    """``/unpost 3`` or ``/unpost #3``: the post's number."""
    typed = text.strip().lstrip("#")
    if not typed.isdecimal() or len(typed) > 18:
        raise InvalidInput("post", msg("Give the number of a live post, like 3."))
    return int(typed)


class LivePosts:
    """The live posts' use cases (for moderators) and plumbing (for the outbox senders)."""

    def __init__(
        self,
        store: Store,
        write: Write,
        clock: Clock,
        *,
        letter: Letter,
        milestones: MilestonePolicy,
        interval: timedelta,
        destinations: Destinations,
        limits: RateLimiter,
    ) -> None:
        self._store = store
        self._write = write
        self._clock = clock
        self._letter = letter
        self._milestones = milestones
        self._interval = interval
        self._destinations = destinations
        self._limits = limits

    def interval(self, platform: str) -> timedelta:
        """The shortest time between two edits of one post on ``platform``."""
        return max(self._interval, LIVE_EDIT_FLOOR.get(platform, timedelta(0)))

    def language(self, platform: str, chat: str) -> str:
        """The language a post in ``chat`` speaks: like every post to a channel (milestones,
        mod-queue cards), the chat's own under ``[i18n] channel_languages``, else
        ``[i18n] default_language`` — never the language of the moderator who posted it."""
        return self._destinations.language_of(platform, chat)

    # -- moderators ----------------------------------------------------------------------------
    async def may_post(self, actor: Actor) -> None:
        """May this actor post one more live post: checked before an adapter looks up the chat
        a moderator named (Telegram's ``/postletter CHAT_ID``)."""
        self._moderator(actor)
        if len(await self._store.live_posts()) >= LIVE_POSTS_MAX:
            raise TooManyLivePosts(LIVE_POSTS_MAX)

    async def prepare(self, actor: Actor, platform: str, chat: str) -> LiveView:
        """Before an adapter sends a post in ``chat``: may this actor post one, and what it
        shows, in the chat's language."""
        await self.may_post(actor)
        return await self._view(self.language(platform, chat))

    async def post(
        self,
        actor: Actor,
        *,
        platform: str,
        chat: str,
        message: str,
        community: str,
        shown: LiveView,
    ) -> tuple[LivePost, list[LivePost]]:
        """Register a sent post as live: the new post, and the posts of the same chat it
        replaces (one live post per chat, so edits never multiply in one chat)."""
        self._moderator(actor)
        now = self._clock.now()
        new = NewLivePost(
            platform, chat, message, community, shown.language, str(actor.identity), now
        )

        async def unit(tx: WriteTx) -> tuple[LivePost, list[LivePost]]:
            replaced = await tx.end_live_posts_in(platform, chat, now, REPLACED)
            return await tx.add_live_post(new), replaced

        post, replaced = await self._write(unit)
        _log.info("live post #%d on %s:%s posted by %s", post.id, platform, chat, new.posted_by)
        if await self._store.count() != shown.count:  # approvals meanwhile: catch up once
            await self._write(lambda tx: self._refresh(tx, self._clock.now(), only=post.id))
        return post, replaced

    async def listing(self, actor: Actor) -> list[LivePost]:
        """``/live-posts``: every live post, oldest first."""
        self._moderator(actor)
        return await self._store.live_posts()

    async def stop_typed(self, actor: Actor, text: str) -> LivePost:
        """``/unpost ID`` as typed: who may is checked before what was typed is read."""
        self._moderator(actor)
        return await self._stop(actor, parse_post_id(text))

    async def stop(self, actor: Actor, post_id: int) -> LivePost:
        """``/unpost ID``: the post's message stays, and is no longer updated."""
        self._moderator(actor)
        return await self._stop(actor, post_id)

    async def _stop(self, actor: Actor, post_id: int) -> LivePost:
        now = self._clock.now()
        reason = f"{STOPPED_BY}{actor.identity}"

        async def unit(tx: WriteTx) -> LivePost | None:
            return await tx.end_live_post(post_id, LivePostStatus.STOPPED, now, reason)

        ended = await self._write(unit)
        if ended is None:
            raise NoSuchLivePost(post_id)
        _log.info("live post #%d stopped by %s", post_id, actor.identity)
        return ended

    # -- the outbox's plumbing (acts for no one) -------------------------------------------------
    async def view(self, post_id: int) -> LiveView | None:
        """A live post as it should read now (None: it is no longer live, nothing to draw), in
        its chat's language as the configuration gives it now (so a post follows a changed
        ``channel_languages``, as the chat's mod-queue cards do)."""
        post = await self._store.live_post(post_id)
        if post is None or post.status is not LivePostStatus.LIVE:
            return None
        view = await self._view(self.language(post.platform, post.chat))
        return LiveView(view.letter, view.count, view.next_milestone, view.language, post)

    async def lost(self, post_id: int, reason: str) -> None:
        """The platform says the post cannot be edited any more (deleted, or no rights): end
        it, and tell the moderators — once, by whichever unit ends it."""
        known = await self._store.live_post(post_id)  # with its community's name
        if known is not None and known.status is LivePostStatus.LIVE:
            await self._drop([known], reason)

    async def chat_gone(self, platform: str, chat: str) -> list[LivePost]:
        """The bot was removed from a chat, or the chat was deleted: its live posts there are
        dropped at once (not at their next failed edit), logged, and the moderators told once
        — in the other moderators' places, not the chat that is gone. Adapters call it from the
        platform's own event; a repeated event finds nothing live and says nothing."""
        posts = await self._store.live_posts()
        gone = [p for p in posts if p.platform == platform and p.chat == chat]
        return await self._drop(gone, CHAT_GONE, skip=(platform, chat))

    async def community_gone(self, community: str) -> list[LivePost]:
        """The bot was removed from a whole community (a Discord server): every live post in
        its channels is dropped, as :meth:`chat_gone` drops one chat's."""
        gone = [p for p in await self._store.live_posts() if p.community == community]
        return await self._drop(gone, COMMUNITY_GONE)

    async def _drop(
        self, posts: Sequence[LivePost], reason: str, skip: tuple[str, str] | None = None
    ) -> list[LivePost]:
        """End ``posts`` as lost in one unit, with one alert per post that this unit ended."""
        if not posts:
            return []
        now = self._clock.now()
        places = [d for d in self._destinations.mod_queue if d != skip]

        async def unit(tx: WriteTx) -> list[LivePost]:
            ended = []
            for post in posts:
                if await tx.end_live_post(post.id, LivePostStatus.LOST, now, reason[:500]):
                    ended.append(post)
            alerts = [
                OutboxMessage(
                    OutboxKind.ALERT, platform, dest, self._say(lost_alert(post), platform, dest)
                )
                for post in ended
                for platform, dest in places
            ]
            await tx.add_outbox(alerts, now)
            return ended

        ended: list[LivePost] = await self._write(unit)
        for post in ended:
            _log.warning(
                "live post #%d on %s:%s can no longer be updated, dropped: %s",
                post.id,
                post.platform,
                post.chat,
                reason,
            )
        return ended

    def refresh(self, tx: WriteTx, now: datetime) -> Coroutine[Any, Any, None]:
        """The count changed in this unit: owe every live post with no edit waiting one edit,
        due an interval after its last (called by the count listener, inside the unit, for
        every signature: hence :meth:`_refresh`'s own coroutine, not one around it)."""
        return self._refresh(tx, now)

    async def _refresh(self, tx: WriteTx, now: datetime, only: int | None = None) -> None:
        owed = await tx.live_edits_owed()
        if not owed:  # no live post, or each has an edit waiting: every signature of a burst
            return
        edits: Sequence[LiveEditOwed] = [
            (post_id, platform, max(now, last + self.interval(platform)))
            for post_id, platform, last in owed
            if only is None or post_id == only
        ]
        await tx.schedule_live_edits(edits, now)

    # -- internals -------------------------------------------------------------------------------
    def _say(self, text: Msg, platform: str, destination: str) -> str:
        """An alert in the language of the moderators' place it goes to (plain: the sender
        escapes it), as the core's other alerts are."""
        return translator_for(platform, self.language(platform, destination)).render(text)

    def _moderator(self, actor: Actor) -> None:
        """Live posts are for moderators, on every platform: one rule, here."""
        self._limits.take(actor.identity, Family.MODERATING)
        if not actor.is_moderator:
            raise NotModerator()

    async def _view(self, language: str) -> LiveView:
        count = await self._store.count()
        letter = self._letter.in_language(language)
        return LiveView(letter, count, self._milestones.next_after(count), language)
