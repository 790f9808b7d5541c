"""Moderator slash commands: the queue, decisions, removal, export and the audit log.

Each is hidden from members without Manage Server (``default_permissions``) and offered only in
servers. Because a server admin can unhide them, each also passes the member's moderator status,
decided at run time by :class:`~adapters.discord.permissions.ModeratorPolicy`, to the core, which
refuses anyone else. Every answer is private: the queue carries signers' personal details.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from adapters.discord import bulk, render
from adapters.discord.command_language import described, localized
from adapters.discord.language import reader
from adapters.discord.modqueue import refresh_cards, settle
from adapters.discord.replies import Reply, respond
from bot import commands
from bot.domain import Signature
from bot.errors import AlreadyDecided, PledgeError
from bot.export import ExportFormat
from bot.hygiene import LIMITS
from bot.i18n import msg, pmsg
from bot.limits import AUDIT_DEFAULT, AUDIT_MAX
from bot.texts import moderation, rejection

if TYPE_CHECKING:
    from adapters.discord.interaction import Interaction

__all__ = ["COMMANDS", "communities_command"]

Reason = app_commands.Range[str, 1, LIMITS["reason"]]

#: Autocomplete looks through this many of the oldest pending signatures.
_SUGGEST_FROM = 100
_MAX_CHOICES = 25  # Discord's limit
_CHOICE_NAME = 100  # Discord's limit


@app_commands.command(
    name=localized(pmsg("command name", "pending")), description=described("pending")
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def pending(interaction: Interaction) -> None:
    await respond(interaction, bulk.pending_reply(interaction))


@app_commands.command(
    name=localized(pmsg("command name", "approve")), description=described("approve")
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.rename(signature=localized(pmsg("option name", "signature")))
@app_commands.describe(signature=localized(msg("Signature number, or several: 12 13 14")))
async def approve(interaction: Interaction, signature: app_commands.Range[str, 1, 500]) -> None:
    client = interaction.client

    async def decide() -> Reply:
        decisions = await commands.approve(client.service, client.actor(interaction), signature)
        for d in decisions:
            if isinstance(d.error, AlreadyDecided) and d.signature is not None:
                await refresh_cards(client, d.signature)  # a stale card; approvals: the outbox
        return Reply(render.decisions(decisions, reader(interaction)))

    await respond(interaction, decide())


@app_commands.command(
    name=localized(pmsg("command name", "reject")), description=described("reject")
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.rename(
    signature=localized(pmsg("option name", "signature")),
    reason=localized(pmsg("option name", "reason")),
)
@app_commands.describe(
    signature=localized(msg("Signature number")),
    reason=localized(msg("Why: sent to the signer")),
)
async def reject(
    interaction: Interaction, signature: app_commands.Range[int, 1, None], reason: Reason
) -> None:
    client = interaction.client

    async def decide() -> Reply:
        actor = client.actor(interaction)
        sig = await settle(client, client.service.reject(actor, signature, reason))
        return Reply(render.say(moderation.rejected(sig), reader(interaction)))

    await respond(interaction, decide())


@app_commands.command(
    name=localized(pmsg("command name", "remove")), description=described("remove")
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.rename(
    signature=localized(pmsg("option name", "signature")),
    reason=localized(pmsg("option name", "reason")),
)
@app_commands.describe(
    signature=localized(msg("Signature number")),
    reason=localized(msg("Why: kept in the audit log")),
)
async def remove(
    interaction: Interaction, signature: app_commands.Range[int, 1, None], reason: Reason
) -> None:
    client = interaction.client

    async def decide() -> Reply:
        actor = client.actor(interaction)
        sig = await settle(client, client.service.remove(actor, signature, reason))
        return Reply(render.say(moderation.removed(sig), reader(interaction)))

    await respond(interaction, decide())


@approve.autocomplete("signature")
async def _approve_choices(
    interaction: Interaction, current: str
) -> list[app_commands.Choice[str]]:
    found = await _pending_matching(interaction, current)
    return [app_commands.Choice(name=label, value=str(sig_id)) for label, sig_id in found]


@reject.autocomplete("signature")
async def _reject_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
    found = await _pending_matching(interaction, current)
    return [app_commands.Choice(name=label, value=sig_id) for label, sig_id in found]


@remove.autocomplete("signature")
async def _remove_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
    """Any signature not yet removed, pending or approved: by number, by name, or among the
    newest listed and oldest pending (the core's search). Nothing for a non-moderator."""
    client = interaction.client
    try:
        found = await client.service.find_signatures(
            client.actor(interaction), current, _MAX_CHOICES
        )
    except PledgeError:
        return []
    return [app_commands.Choice(name=_choice_label(sig), value=sig.id) for sig in found]


@reject.autocomplete("reason")
async def _reason_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The canned rejection reasons Telegram's buttons offer
    (:data:`bot.texts.rejection.REJECTION_REASONS`), those matching what is typed; anything else
    typed is sent as it is."""
    typed = current.strip().casefold()
    tr = reader(interaction)
    choices = []
    for canned in rejection.REJECTION_REASONS:
        label, reason = tr.render(canned.label), tr.render(canned.reason)
        if typed in label.casefold() or typed in reason.casefold():
            name = render.clip(f"{label}: {reason}", _CHOICE_NAME)
            # The value is the reason's catalogue key: the signer reads it in their language.
            choices.append(app_commands.Choice(name=name, value=canned.key))
    return choices[:_MAX_CHOICES]


def _choice_label(sig: Signature) -> str:
    """A suggestion as a moderator picks it: number, name, role. Plain text on Discord."""
    label = f"#{sig.id} {sig.public_name}" + (f" — {sig.role}" if sig.role else "")
    return render.clip(label, _CHOICE_NAME)


async def _pending_matching(interaction: Interaction, current: str) -> list[tuple[str, int]]:
    """``(label, id)`` of pending signatures whose label contains what is typed. Nothing for a
    non-moderator: the labels carry signers' names. (Choice labels are plain text on Discord.)"""
    client = interaction.client
    try:
        items = await client.service.pending(client.actor(interaction), limit=_SUGGEST_FROM)
    except PledgeError:
        return []
    typed = current.strip().lstrip("#").casefold()
    found = []
    for item in items:
        sig = item.signature
        label = _choice_label(sig)
        if typed in label.casefold():
            found.append((label, sig.id))
    return found[:_MAX_CHOICES]


@app_commands.command(
    name=localized(pmsg("command name", "export")), description=described("export")
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.rename(fmt=localized(pmsg("option name", "format")))
@app_commands.describe(fmt=localized(msg("csv for spreadsheets, json for programs")))
async def export(interaction: Interaction, fmt: ExportFormat) -> None:
    client = interaction.client

    async def collect() -> Reply:
        chunks = client.service.export_for(client.actor(interaction), fmt)
        limit = interaction.filesize_limit
        data = io.BytesIO()
        async for chunk in chunks:
            data.write(chunk.encode())
            if data.tell() > limit:
                command = f"`pledgebot export --format {fmt}`"
                too_large = moderation.export_too_large("Discord", limit // 1_000_000, command)
                return Reply(render.say(too_large, reader(interaction)))
        data.seek(0)
        name = f"signatures-{datetime.now(UTC):%Y-%m-%d}.{fmt}"
        said = reader(interaction).t("The approved signatures, as listed.")
        return Reply(said, file=discord.File(data, name))

    await respond(interaction, collect())


@app_commands.command(name=localized(pmsg("command name", "audit")), description=described("audit"))
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
@app_commands.rename(entries=localized(pmsg("option name", "entries")))
@app_commands.describe(entries=localized(msg("How many entries to show, newest first")))
async def audit(
    interaction: Interaction, entries: app_commands.Range[int, 1, AUDIT_MAX] = AUDIT_DEFAULT
) -> None:
    client = interaction.client

    async def show() -> Reply:
        found = await client.service.audit(client.actor(interaction), entries)
        return Reply(embed=render.audit(found, reader(interaction)))

    await respond(interaction, show())


@app_commands.command(
    name=localized(pmsg("command name", "snapshot")), description=described("snapshot")
)
@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
async def snapshot(interaction: Interaction) -> None:
    client = interaction.client

    async def take() -> Reply:
        taken = await client.service.take_snapshot(client.actor(interaction))
        return Reply(
            render.say(
                moderation.snapshot_recorded(taken, client.service.snapshot_url(taken)),
                reader(interaction),
            )
        )

    await respond(interaction, take())


async def _communities(interaction: Interaction) -> None:
    client = interaction.client

    async def show() -> Reply:
        table = await client.service.communities(actor=client.actor(interaction))
        return Reply(embed=render.communities(table, reader(interaction)))

    await respond(interaction, show())


def communities_command(*, public: bool) -> app_commands.Command[Any, ..., None]:
    """``/communities``: a moderator command, hidden and server-only like the others, unless
    ``signing.public_communities`` opens it to everyone (then it is offered everywhere). The
    core decides who may read it either way."""
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=localized(pmsg("command name", "communities")),
        description=described("communities"),
        callback=_communities,
    )
    if public:
        return command
    return app_commands.guild_only()(app_commands.default_permissions(manage_guild=True)(command))


COMMANDS: tuple[app_commands.Command[Any, ..., None], ...] = (
    pending,
    approve,
    reject,
    remove,
    export,
    audit,
    snapshot,
)
