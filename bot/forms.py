"""Parsing what people type after a command, once for every adapter that takes typed text.

``/sign Name | role | location | link``, ``/approve 3 4 #5``, ``/reject 12 spam``,
``/demands 2``, ``/signatories 3`` and ``/audit 50`` read the same on the console and on
Telegram (and Discord's ``/approve`` takes the same list of numbers), so they are parsed here.
Each parser refuses with a friendly :class:`~bot.errors.InvalidInput` naming what was wrong.
A moderator command's arguments are parsed only after the moderator check, in
:mod:`bot.commands`, so a non-moderator never learns anything from an argument error.
"""

from __future__ import annotations

import re

from bot.domain import SignatureForm
from bot.errors import (
    InvalidInput,
    NotAnAuditLength,
    NotAPageNumber,
    NotASignatureNumber,
    WrongUsage,
)
from bot.export import EXPORT_FORMATS, ExportFormat
from bot.hygiene import inert
from bot.i18n import msg
from bot.limits import AUDIT_DEFAULT, AUDIT_MAX, MAX_NUMBER
from bot.texts import command_help

__all__ = [
    "SIGN_USAGE",
    "parse_demand",
    "parse_export_format",
    "parse_id_and_reason",
    "parse_ids_and_reason",
    "parse_limit",
    "parse_page",
    "parse_sign_line",
    "parse_signature_id",
    "parse_signature_ids",
]

SIGN_USAGE = command_help.SIGN_USAGE
_ID = re.compile(r"#?(\d{1,12})")
_DIGITS = len(str(MAX_NUMBER))  # a number longer than this is never a page, demand or count


def parse_sign_line(text: str) -> SignatureForm:
    """``Name | role | location | link``; missing trailing fields are empty."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) > 4:
        raise InvalidInput(
            "form",
            msg("Too many fields: use {usage}. A field cannot contain '|'.", usage=SIGN_USAGE),
        )
    if not parts[0]:
        raise InvalidInput("name", msg("Please give your public name: {usage}", usage=SIGN_USAGE))
    parts += [""] * (4 - len(parts))
    return SignatureForm(name=parts[0], role=parts[1], location=parts[2], link=parts[3])


def parse_signature_id(text: str) -> int:
    match = _ID.fullmatch(text.strip())
    if not match:
        raise NotASignatureNumber(inert(text, 20))
    return int(match.group(1))


def parse_signature_ids(text: str) -> list[int]:
    """``3 4 #5`` or ``3,4``: one or more signature numbers."""
    tokens = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    if not tokens:
        raise NotASignatureNumber()
    return [parse_signature_id(t) for t in tokens]


def parse_id_and_reason(text: str, command: str) -> tuple[int, str]:
    """``12 spam and abuse``: a signature number, then the reason (the rest, as typed, on one
    or more lines). ``command`` (``"reject"``, ``"remove"``) names the usage shown otherwise."""
    parts = text.strip().split(maxsplit=1)
    if len(parts) < 2:
        raise WrongUsage("reason", command_help.USAGE[command])
    return parse_signature_id(parts[0]), parts[1]


_LEADING_ID = re.compile(r"\s*(#?\d{1,12})(?:[\s,]+|$)")


def parse_ids_and_reason(text: str, command: str) -> tuple[list[int], str]:
    """``3 4 #5 spam and abuse`` (or ``3,4 spam``): one or more signature numbers, then the
    reason — everything from the first word that is not a signature number on, as typed. A
    reason cannot start with a bare number: ``/reject 3 4 year old account`` decides #3 and #4.
    ``command`` (``"reject"``, ``"remove"``) names the usage shown otherwise."""
    ids: list[int] = []
    at = 0
    while match := _LEADING_ID.match(text, at):
        ids.append(int(match.group(1).lstrip("#")))
        at = match.end()
    reason = text[at:].strip()
    if not ids:
        first = text.split(maxsplit=1)
        if first and reason:
            raise NotASignatureNumber(inert(first[0], 20))
        raise WrongUsage("reason", command_help.BULK_USAGE[command])
    if not reason:
        raise WrongUsage("reason", command_help.BULK_USAGE[command])
    return ids, reason


def _number(text: str) -> int | None:
    """A plain decimal number of at most nine digits, or None."""
    return int(text) if text.isdecimal() and len(text) <= _DIGITS else None


def parse_page(text: str) -> int:
    """``/signatories [PAGE]``: 1 when nothing is typed. The service says which pages exist."""
    text = text.strip()
    if not text:
        return 1
    number = _number(text)
    if number is None:
        raise NotAPageNumber()
    return number


def parse_demand(text: str) -> int | None:
    """``/demands [N]``: None for every demand, else N. The service says which demands exist
    (:meth:`bot.service.PledgeService.demand`)."""
    text = text.strip()
    if not text:
        return None
    number = _number(text)
    if number is None:
        raise WrongUsage("demand", command_help.USAGE["demands"])
    return number


def parse_limit(text: str) -> int:
    """``/audit [N]``: how many entries, :data:`~bot.limits.AUDIT_DEFAULT` when nothing is
    typed, at most :data:`~bot.limits.AUDIT_MAX`."""
    text = text.strip()
    if not text:
        return AUDIT_DEFAULT
    number = _number(text)
    if number is None or not 1 <= number <= AUDIT_MAX:
        raise NotAnAuditLength(AUDIT_MAX)
    return number


def parse_export_format(text: str) -> ExportFormat:
    """``/export csv|json``, in any letter case."""
    wanted = text.strip().lower()
    for fmt in EXPORT_FORMATS:
        if fmt == wanted:
            return fmt
    raise WrongUsage("format", command_help.USAGE["export"])
