"""Live letter posts on Discord: ``/post-letter``, ``/live-posts``, ``/unpost``, and the edits.

A moderator posts the letter in the current channel (or the ``channel`` option's) as an embed
with the persistent Sign buttons of ``/letter``, so a click opens the same sign form, whatever
restarts happened since. The core decides who may post (:mod:`bot.liveposts`) and owes the post
an edit whenever the count changes; :func:`redraw` is the outbox's side of that edit: it draws
the post as the core sees it at that moment. A post Discord no longer knows ("Unknown Message",
a deleted channel) or may no longer edit (403) is reported to the core, which drops it and
tells the moderators once. discord.py waits out a 429 itself and retries the same edit.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.app_commands import locale_str

from adapters.discord import render, views
from adapters.discord.command_language import localized
from adapters.discord.language import reader
from adapters.discord.permissions import PLATFORM, guild_community
from adapters.discord.replies import NO_PINGS, Reply, respond
from bot.domain import LivePost, OutboxMessage
from bot.errors import PledgeError
from bot.i18n import DEFAULT_LANGUAGE, Raw, Translator, msg, pmsg, translator
from bot.liveposts import (
    LIVE_COMMANDS,
    LIVE_HEADING,
    NONE_LIVE,
    LiveCommand,
    LiveView,
    listing_line,
    post_of,
    posted,
    stopped,
)
from bot.ports import DeliveryError

if TYPE_CHECKING:
    from adapters.discord.interaction import HandlerClient, Interaction

__all__ = ["COMMANDS", "live_embed", "redraw"]

_log = logging.getLogger(__name__)

_BY_NAME = {c.name: c for c in LIVE_COMMANDS}
_COLOUR = discord.Colour.blurple()
_MAX_CHOICES = 25  # Discord's limits on autocomplete
_CHOICE_NAME = 100


def _described(command: LiveCommand) -> locale_str:
    """The core's summary of a live-post command as a sentence, in every language."""

    def render_in(tr: Translator) -> str:
        text = tr.render(command.summary)
        return text[:1].upper() + text[1:]

    return locale_str(render_in(translator(DEFAULT_LANGUAGE)), render=render_in)


def live_embed(view: LiveView, tr: Translator) -> discord.Embed:
    """The post: the title, the demands in short, the count and the next milestone. The
    letter is the organisers' own text and keeps its markdown."""
    text = view.letter
    numbered = "\n".join(f"**{n}.** {d}" for n, d in enumerate(view.demands, 1))
    embed = discord.Embed(
        title=render.clip(text.title, render.TITLE_LIMIT),
        description=render.clip(numbered, render.DESCRIPTION_LIMIT),
        colour=_COLOUR,
    )
    lines = [f"**{tr.render(view.count_line)}**"]
    if view.milestone_line is not None:
        lines.append(tr.render(view.milestone_line))
    embed.add_field(name=tr.t("Signatures"), value="\n".join(lines))
    footer = [tr.render(view.footer)]
    if text.is_translation:
        footer.insert(0, tr.t("This is a translation of the letter."))
    embed.set_footer(text="\n".join(footer))
    return embed


@app_commands.command(
    name=localized(pmsg("command name", "post-letter")),
    description=_described(_BY_NAME["post-letter"]),
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.rename(channel=localized(pmsg("option name", "channel")))
@app_commands.describe(channel=localized(msg("Where to post it (this channel if left out)")))
async def post_letter(interaction: Interaction, channel: discord.TextChannel | None = None) -> None:
    client = interaction.client
    tr = reader(interaction)

    async def post() -> Reply:
        actor = client.actor(interaction)
        where = channel.id if channel is not None else interaction.channel_id
        assert where is not None and interaction.guild_id is not None  # a server command
        # Read by the whole channel: in its language (the core's rule), not the moderator's.
        view = await client.service.live.prepare(actor, PLATFORM, str(where))
        language = view.language
        target = client.get_partial_messageable(where)
        try:
            sent = await target.send(
                embed=live_embed(view, translator(language)),
                view=views.letter_view(
                    translator(language), allow_anonymous=client.service.rules.allow_anonymous
                ),
                allowed_mentions=NO_PINGS,
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            _log.info("live post: cannot post in channel %s: %s", where, exc)
            return Reply(
                tr.t(
                    "I cannot post in that channel: let me send messages and embeds there, or "
                    "choose another channel."
                )
            )
        done, replaced = await client.service.live.post(
            actor,
            platform=PLATFORM,
            chat=str(where),
            message=str(sent.id),
            community=guild_community(interaction.guild_id),
            shown=view,
        )
        return Reply(tr.render(posted(done, replaced)))

    await respond(interaction, post())


@app_commands.command(
    name=localized(pmsg("command name", "live-posts")),
    description=_described(_BY_NAME["live-posts"]),
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def live_posts(interaction: Interaction) -> None:
    client = interaction.client
    tr = reader(interaction)

    async def show() -> Reply:
        posts = await client.service.live.listing(client.actor(interaction))
        if not posts:
            return Reply(tr.render(NONE_LIVE))
        lines = [f"**{tr.render(LIVE_HEADING)}**"]
        for post in posts:
            if post.platform == PLATFORM:
                where = f"<#{post.chat}>"  # Discord shows the channel's name; it pings no one
                if post.community_name:
                    where += f" ({render.safe(post.community_name)})"
            else:
                where = render.safe(post.community_name or post.chat)
            lines.append(tr.render(listing_line(post, Raw(where)), escape=render.safe))
        return Reply(render.clip("\n".join(lines), render.CONTENT_LIMIT))

    await respond(interaction, show())


@app_commands.command(
    name=localized(pmsg("command name", "unpost")), description=_described(_BY_NAME["unpost"])
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.rename(post=localized(pmsg("option name", "post")))
@app_commands.describe(post=localized(msg("The live post's number, as the list shows it")))
async def unpost(interaction: Interaction, post: app_commands.Range[int, 1, None]) -> None:
    client = interaction.client
    tr = reader(interaction)

    async def stop() -> Reply:
        ended = await client.service.live.stop(client.actor(interaction), post)
        return Reply(tr.render(stopped(ended)))

    await respond(interaction, stop())


@unpost.autocomplete("post")
async def _unpost_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
    """The live posts, as ``/live-posts`` lists them but with the channel's name (a choice is
    plain text, where ``<#id>`` would not become a name), matching what is typed: a number by
    the post's, a word by the label. Nothing for a non-moderator: the core refuses them."""
    client = interaction.client
    try:
        posts = await client.service.live.listing(client.actor(interaction))
    except PledgeError:
        return []
    tr = reader(interaction)
    typed = current.strip().lstrip("#").casefold()
    choices = []
    for post in posts:
        label = render.clip(tr.render(listing_line(post, _chat_name(client, post))), _CHOICE_NAME)
        # A number is a post's (the labels' dates hold digits too); anything else, the label's.
        if str(post.id).startswith(typed) if typed.isdecimal() else typed in label.casefold():
            choices.append(app_commands.Choice(name=label, value=post.id))
    return choices[:_MAX_CHOICES]


def _chat_name(client: HandlerClient, post: LivePost) -> str:
    """A post's chat as plain text: ``#channel (server)`` for a channel Discord still shows the
    bot, else the community's recorded name, else the chat's id."""
    community = post.community_name
    if post.platform == PLATFORM and post.chat.isdecimal():
        channel = client.get_channel(int(post.chat))
        name = getattr(channel, "name", None)
        if name:
            return f"#{name} ({community})" if community else f"#{name}"
    return community or post.chat


async def redraw(client: HandlerClient, message: OutboxMessage) -> None:
    """The outbox's live edit: the post as the core sees it now, or nothing if it ended."""
    post_id = post_of(message.destination)
    if post_id is None:
        raise DeliveryError(f"not a live post: {message.destination!r}", permanent=True)
    view = await client.service.live.view(post_id)
    if view is None or view.post is None:
        return  # stopped or dropped since the edit was owed
    post = view.post
    if not (post.chat.isdecimal() and post.message.isdecimal()):
        raise DeliveryError(f"live post #{post_id} has no Discord message", permanent=True)
    target = client.get_partial_messageable(int(post.chat)).get_partial_message(int(post.message))
    edit: dict[str, Any] = {
        "embed": live_embed(view, translator(view.language)),
        "view": views.letter_view(
            translator(view.language), allow_anonymous=client.service.rules.allow_anonymous
        ),
        "allowed_mentions": NO_PINGS,
    }
    try:
        await target.edit(**edit)
    except (discord.NotFound, discord.Forbidden) as exc:
        # Deleted, or the bot may no longer see or edit it: editing again cannot help.
        reason = f"{exc.status} ({exc.code}) {exc.text}".strip()
        await client.service.live.lost(post_id, reason)
        raise DeliveryError(f"live post #{post_id}: {reason}", permanent=True) from exc
    except discord.HTTPException as exc:
        raise DeliveryError(f"live post #{post_id}: {exc.status} {exc.text}") from exc


COMMANDS: tuple[app_commands.Command[Any, ..., None], ...] = (post_letter, live_posts, unpost)
