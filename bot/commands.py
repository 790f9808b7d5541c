"""Moderator commands as people type them: first who may, then what was typed.

Someone who is not a moderator and types ``/reject x`` must hear "Only moderators can do that.",
never how ``/reject`` is used: an argument error would tell them what the moderators' commands
take, and whether a signature exists. So each entry point here checks the actor before it parses
a single argument — once, for every adapter that passes typed text (the console and Telegram,
and Discord's ``/approve``, whose option is a list of numbers). Options a platform has already
typed (Discord's integer ids and format choices) go straight to :class:`~bot.service.PledgeService`,
which checks the actor first as well.
"""

from __future__ import annotations

from bot.domain import Actor, AuditEntry, Signature, SnapshotInfo
from bot.export import ExportFormat
from bot.forms import (
    parse_export_format,
    parse_id_and_reason,
    parse_ids_and_reason,
    parse_limit,
    parse_signature_ids,
)
from bot.moderation import Decision
from bot.service import PledgeService

__all__ = [
    "approve",
    "audit",
    "export_format",
    "reject",
    "reject_many",
    "remove",
    "remove_many",
    "snapshot",
]


async def approve(service: PledgeService, actor: Actor, text: str) -> list[Decision]:
    """``/approve 3 4 #5``."""
    service.require_moderator(actor)
    return await service.approve(actor, parse_signature_ids(text))


async def reject(service: PledgeService, actor: Actor, text: str) -> Signature:
    """``/reject ID REASON``: the signer is told the reason."""
    service.require_moderator(actor)
    signature_id, reason = parse_id_and_reason(text, "reject")
    return await service.reject(actor, signature_id, reason)


async def remove(service: PledgeService, actor: Actor, text: str) -> Signature:
    """``/remove ID REASON``: off the letter for good."""
    service.require_moderator(actor)
    signature_id, reason = parse_id_and_reason(text, "remove")
    return await service.remove(actor, signature_id, reason)


async def reject_many(service: PledgeService, actor: Actor, text: str) -> list[Decision]:
    """``/reject ID… REASON``: several signatures for one reason, each signer told it; one
    outcome per id, as ``/approve`` gives."""
    service.require_moderator(actor)
    ids, reason = parse_ids_and_reason(text, "reject")
    return await service.reject_all(actor, ids, reason)


async def remove_many(service: PledgeService, actor: Actor, text: str) -> list[Decision]:
    """``/remove ID… REASON``: several signatures off the letter for good, one outcome per id."""
    service.require_moderator(actor)
    ids, reason = parse_ids_and_reason(text, "remove")
    return await service.remove_all(actor, ids, reason)


async def audit(service: PledgeService, actor: Actor, text: str) -> list[AuditEntry]:
    """``/audit [N]``."""
    service.require_moderator(actor)
    return await service.audit(actor, parse_limit(text))


def export_format(service: PledgeService, actor: Actor, text: str) -> ExportFormat:
    """``/export csv|json``: the format, for :meth:`PledgeService.export_for` (an adapter needs
    it first, to name the file)."""
    service.require_moderator(actor)
    return parse_export_format(text)


async def snapshot(service: PledgeService, actor: Actor, text: str) -> SnapshotInfo:
    """``/snapshot``: takes no argument (anything typed after it is ignored)."""
    return await service.take_snapshot(actor)
