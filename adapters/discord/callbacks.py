"""Interaction callbacks sent without asking Discord for the message they create.

discord.py 2.7's ``InteractionResponse`` methods (``send_message``, ``edit_message``,
``defer``, ``send_modal``) post the callback with ``?with_response=1`` and turn Discord's answer
into an ``InteractionCallbackResponse``: a full ``InteractionMessage`` parse (author, flags,
embeds, components) of the message pledgebot has just sent. pledgebot reads none of it, and that
parse is a good part of the adapter's CPU for each answered interaction. Without the parameter
Discord answers ``204 No Content``.

The callbacks here are the library's own, built and sent by its own machinery: the payload by
``interaction_message_response_params`` (the client's ``allowed_mentions`` merged in, the view's
components, files as multipart), the request by the webhook adapter of ``async_context`` (its
rate-limit waits, retries, and ``HTTPException``/``NotFound``/``Forbidden`` errors), after which
the response type is set as discord.py sets it, so ``interaction.response.is_done()`` and
``followup`` work as before. Only ``with_response`` and the parse of the answer are left out.

The message id in that answer is what discord.py needs to keep a view for its message
(``store_view(view, message_id)``) when the view holds items it dispatches itself. pledgebot's
buttons are all :class:`discord.ui.DynamicItem`\\ s, registered with the client at start-up
(``add_dynamic_items``) and routed from their ``custom_id`` alone, so for them the store would
keep nothing a press looks up; a reply whose view holds any other dispatchable item goes through
discord.py's own method, answer and all.

This uses discord.py internals (``Interaction._state``/``_session``, ``InteractionResponse.
_response_type``, ``discord.webhook.async_``), so the dependency is pinned to the 2.7 series and
``tests/adapters/discord/test_callbacks.py`` checks them against the installed release.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import discord
from discord.enums import InteractionResponseType, InteractionType
from discord.http import MultipartParameters, Route
from discord.utils import MISSING
from discord.webhook.async_ import (
    async_context,
    interaction_message_response_params,
    interaction_response_params,
)

__all__ = [
    "defer",
    "edit_message",
    "handles_its_submit",
    "needs_message_id",
    "send_message",
    "send_modal",
]

#: Discord's callback endpoint, as discord.py's ``create_interaction_response`` routes it.
CALLBACK_PATH = "/interactions/{webhook_id}/{webhook_token}/callback"
_EPHEMERAL = 64  # MessageFlags.ephemeral, as discord.py's defer sends it
#: An ephemeral message's flags, built once (~0.5 µs each time otherwise, on every private
#: reply). discord.py changes the flags it is given only to add components v2 for a view that has
#: them, so only a send without a view shares this object.
_EPHEMERAL_FLAGS = discord.MessageFlags(ephemeral=True)
#: Any client's: nothing here needs pledgebot's.
Interaction: TypeAlias = discord.Interaction[Any]


def needs_message_id(view: discord.ui.View | None) -> bool:
    """Whether discord.py must keep ``view`` under its message's id for a press to reach it: it
    holds a dispatchable item that is not a :class:`discord.ui.DynamicItem`."""
    if view is None:
        return False
    return any(
        item.is_dispatchable() and not isinstance(item, discord.ui.DynamicItem)
        for item in view.walk_children()
    )


# The client's allowed mentions are passed to discord.py to merge a send's own into, as it
# does, except when the send passes the very object the client holds (pledgebot's client and
# its replies share one): merged with itself it is itself, and discord.py's merge builds a copy
# (~4 k instructions of every answer). Written inline: a helper's call costs about as much.
async def send_message(
    interaction: Interaction,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    ephemeral: bool = False,
    allowed_mentions: discord.AllowedMentions | None = None,
) -> None:
    """``interaction.response.send_message``, without the answer (see the module)."""
    response = interaction.response
    if needs_message_id(view):
        await response.send_message(
            content,
            embed=embed or MISSING,
            view=view or MISSING,
            file=file or MISSING,
            ephemeral=ephemeral,
            allowed_mentions=allowed_mentions or MISSING,
        )
        return
    if response.is_done():
        raise discord.InteractionResponded(interaction)
    previous = interaction._state.allowed_mentions
    params = interaction_message_response_params(
        type=InteractionResponseType.channel_message.value,
        content=content,
        embed=embed or MISSING,
        file=file or MISSING,
        view=view or MISSING,
        flags=(
            (_EPHEMERAL_FLAGS if view is None else discord.MessageFlags(ephemeral=True))
            if ephemeral
            else MISSING
        ),
        previous_allowed_mentions=None if allowed_mentions is previous else previous,
        allowed_mentions=allowed_mentions or MISSING,
    )
    await _post(interaction, params)
    response._response_type = InteractionResponseType.channel_message


async def edit_message(
    interaction: Interaction,
    *,
    content: str | None,
    embed: discord.Embed | None,
    view: discord.ui.View | None,
    allowed_mentions: discord.AllowedMentions | None = None,
) -> None:
    """``interaction.response.edit_message`` with every part set, without the answer.

    As in discord.py, only a component or modal interaction has a message to edit: any other
    is left unanswered. The view is kept for the message the button was on (which the
    interaction names), as discord.py keeps it; when it names none, discord.py keeps the view
    under the id in Discord's answer, so its own method sends it."""
    response = interaction.response
    message = interaction.message
    message_id = None if message is None else message.id
    if message_id is None and view is not None and view.is_dispatchable():
        await response.edit_message(
            content=content, embed=embed, view=view, allowed_mentions=allowed_mentions
        )
        return
    if response.is_done():
        raise discord.InteractionResponded(interaction)
    if interaction.type not in (InteractionType.component, InteractionType.modal_submit):
        return
    state = interaction._state
    if message_id is not None:
        state.prevent_view_updates_for(message_id)
    params = interaction_message_response_params(
        type=InteractionResponseType.message_update.value,
        content=content,
        embed=embed,
        view=view,
        previous_allowed_mentions=(
            None if allowed_mentions is state.allowed_mentions else state.allowed_mentions
        ),
        allowed_mentions=allowed_mentions,
    )
    await _post(interaction, params)
    response._response_type = InteractionResponseType.message_update
    if view is not None and not view.is_finished() and view.is_dispatchable():
        state.store_view(view, message_id)


async def defer(
    interaction: Interaction, *, ephemeral: bool = False, thinking: bool = False
) -> None:
    """``interaction.response.defer``, without the answer: a component or modal interaction is
    deferred as an update of its message unless ``thinking``; a command always thinks."""
    response = interaction.response
    if response.is_done():
        raise discord.InteractionResponded(interaction)
    kind = interaction.type
    data: dict[str, Any] | None = None
    if kind is InteractionType.component or kind is InteractionType.modal_submit:
        if thinking:
            deferral = InteractionResponseType.deferred_channel_message
            if ephemeral:
                data = {"flags": _EPHEMERAL}
        else:
            deferral = InteractionResponseType.deferred_message_update
    elif kind is InteractionType.application_command:
        deferral = InteractionResponseType.deferred_channel_message
        if ephemeral:
            data = {"flags": _EPHEMERAL}
    else:
        return
    await _post(interaction, interaction_response_params(deferral.value, data))
    response._response_type = deferral


async def send_modal(interaction: Interaction, modal: discord.ui.Modal) -> None:
    """``interaction.response.send_modal``, without the answer.

    discord.py keeps the modal (by ``custom_id``, with a timer task for its timeout) to run
    its ``on_submit`` when it is submitted. A modal that does not override ``on_submit``,
    ``interaction_check`` or ``on_timeout`` would run only discord.py's no-ops, so it is not
    kept: pledgebot's forms are answered from the submit itself
    (:class:`adapters.discord.modals.Form`), and keeping each one a timeout long cost a task
    when it opened and another when it was submitted."""
    response = interaction.response
    if response.is_done():
        raise discord.InteractionResponded(interaction)
    params = interaction_response_params(InteractionResponseType.modal.value, modal.to_dict())
    await _post(interaction, params)
    if not modal.is_finished() and handles_its_submit(modal):
        interaction._state.store_view(modal)
    response._response_type = InteractionResponseType.modal


def handles_its_submit(modal: discord.ui.Modal) -> bool:
    """Whether discord.py must keep ``modal`` for its submit: it overrides what discord.py
    calls on the modal's behalf."""
    kind, base = type(modal), discord.ui.Modal
    return (
        kind.on_submit is not base.on_submit
        or kind.interaction_check is not base.interaction_check
        or kind.on_timeout is not base.on_timeout
    )


async def _post(interaction: Interaction, params: MultipartParameters) -> None:
    """POST the callback as ``create_interaction_response`` does, minus ``with_response``."""
    route = Route("POST", CALLBACK_PATH, webhook_id=interaction.id, webhook_token=interaction.token)
    http = interaction._state.http
    adapter = async_context.get()
    body: dict[str, Any] = (
        {"files": params.files, "multipart": params.multipart}
        if params.files
        else {"payload": params.payload}
    )
    await adapter.request(
        route,
        session=interaction._session,
        proxy=http.proxy,
        proxy_auth=http.proxy_auth,
        **body,
    )
