"""Answering interactions: on time, without pings, and never silently failing.

Discord drops an interaction that gets no answer within 3 seconds. Most work here takes a few
milliseconds, so each handler starts its work and answers directly when it is done in time; only
work still running after the client's response budget (:mod:`adapters.discord.deferrals`) is
acknowledged with a deferral first and answered with a follow-up. A user-caused error
(:class:`bot.errors.PledgeError`) is shown with the core's own wording; anything else is logged
with its traceback and the user gets an apology. Callbacks go out through
:mod:`adapters.discord.callbacks`, which does not ask Discord for the message sent.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord import callbacks
from adapters.discord.language import reader
from adapters.discord.render import CONTENT_LIMIT, clip, say
from bot.errors import APOLOGY, PledgeError
from bot.values import frozen_value

if TYPE_CHECKING:
    from adapters.discord.interaction import Interaction

__all__ = ["NO_PINGS", "Reply", "fail", "open_modal", "respond", "tell", "update"]

_log = logging.getLogger(__name__)

#: Passed on every send as well as set on the client: nothing pledgebot posts may ping anyone.
NO_PINGS = discord.AllowedMentions.none()


@frozen_value
class Reply:
    """One message to send, or the whole new state of a message to edit: a
    :func:`~bot.values.frozen_value`, whose ``__init__`` hands each field to its slot, where
    ``dataclass(frozen=True)``'s calls ``object.__setattr__`` for each (one per answer)."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    file: discord.File | None = None

    def to_send(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
        if self.content is not None:
            kwargs["content"] = clip(self.content, CONTENT_LIMIT)
        if self.embed is not None:
            kwargs["embed"] = self.embed
        if self.view is not None:
            kwargs["view"] = self.view
        if self.file is not None:
            kwargs["file"] = self.file
        return kwargs

    def to_edit(self) -> dict[str, Any]:
        """Every part is set, so the edited message shows exactly this reply (``view=None``
        removes the buttons)."""
        content = None if self.content is None else clip(self.content, CONTENT_LIMIT)
        return {
            "content": content,
            "embed": self.embed,
            "view": self.view,
            "allowed_mentions": NO_PINGS,
        }


async def respond(
    interaction: Interaction, work: Awaitable[Reply], *, ephemeral: bool = True
) -> None:
    """Answer with a new message once ``work`` is done (ephemeral unless said otherwise)."""

    async def defer() -> None:
        await callbacks.defer(interaction, ephemeral=ephemeral, thinking=True)

    # The budget watch and the send are awaited here, not through helper coroutines: this runs
    # for every reply, and each frame is passed through on every resume of the work.
    watch = interaction.client.deferrals.watch(defer)
    try:
        try:
            reply = await work
        finally:
            deferral = watch.done()
            if deferral is not None:  # the budget ran out first: acknowledged before answering
                await deferral  # raises if the deferral failed
    except Exception as exc:
        await fail(interaction, exc)
        return
    try:
        await _send(interaction, reply, ephemeral=ephemeral)
    except discord.HTTPException:
        _log.exception("could not answer %s", _describe(interaction))


async def update(interaction: Interaction, work: Awaitable[Reply]) -> None:
    """Replace the message whose button was pressed (or whose modal was submitted) with
    ``work``'s reply; an error is told privately and leaves the message as it was."""
    watch = interaction.client.deferrals.watch(partial(callbacks.defer, interaction))
    try:
        try:
            reply = await work
        finally:
            deferral = watch.done()
            if deferral is not None:  # the budget ran out first: acknowledged before answering
                await deferral  # raises if the deferral failed
    except Exception as exc:
        await fail(interaction, exc)
        return
    await _guarded(interaction, _edit(interaction, reply))


async def open_modal(
    interaction: Interaction,
    build: Callable[[], discord.ui.Modal],
    *,
    check: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Open a modal, which must be the interaction's first answer; ``check`` (a quick core
    question) and ``build`` may refuse by raising, e.g. :class:`bot.errors.AlreadySigned`."""
    try:
        if check is not None:
            await check()
        modal = build()
    except Exception as exc:
        await fail(interaction, exc)
        return
    await _guarded(interaction, callbacks.send_modal(interaction, modal))


async def fail(interaction: Interaction, error: BaseException) -> None:
    """Tell the user, privately, why nothing happened: the core's words for what they caused,
    an apology (and a logged traceback) for anything else."""
    if isinstance(error, PledgeError):
        await tell(interaction, say(error.message, reader(interaction)))
        return
    _log.error("%s by user %s failed", _describe(interaction), interaction.user.id, exc_info=error)
    await tell(interaction, say(APOLOGY, reader(interaction)))


async def tell(interaction: Interaction, text: str) -> None:
    """A private note to the user, whether or not the interaction was answered yet."""
    await _guarded(interaction, _send(interaction, Reply(text), ephemeral=True))


# -- internals -----------------------------------------------------------------------------------
def _send(interaction: Interaction, reply: Reply, *, ephemeral: bool) -> Awaitable[Any]:
    """The library call that sends ``reply``: the response, or a follow-up once the interaction
    is answered. Returned, not awaited here: one coroutine frame less to pass through on every
    resume of every answer."""
    if interaction.response.is_done():
        return interaction.followup.send(**reply.to_send(), ephemeral=ephemeral)
    return callbacks.send_message(interaction, **reply.to_send(), ephemeral=ephemeral)


def _edit(interaction: Interaction, reply: Reply) -> Awaitable[Any]:
    if interaction.response.is_done():
        return interaction.edit_original_response(**reply.to_edit())
    return callbacks.edit_message(interaction, **reply.to_edit())


async def _guarded(interaction: Interaction, answer: Awaitable[Any]) -> None:
    """Send an answer; if Discord refuses it there is no one left to tell, so log it."""
    try:
        await answer
    except discord.HTTPException:
        _log.exception("could not answer %s", _describe(interaction))


def _describe(interaction: Interaction) -> str:
    if interaction.command is not None:
        return f"/{interaction.command.qualified_name}"
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = data.get("custom_id")
    return f"{interaction.type.name} {custom_id}" if custom_id else interaction.type.name
