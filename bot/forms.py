"""Parsing the text forms of commands that more than one adapter accepts.

``/sign Name | role | location | link`` and ``/approve 3 4 #5`` read the same on the console and
on Telegram, so they are parsed here once.
"""

from __future__ import annotations

import re

from bot.domain import SignatureForm
from bot.errors import InvalidInput
from bot.hygiene import inert

__all__ = [
    "SIGN_USAGE",
    "parse_page",
    "parse_sign_line",
    "parse_signature_id",
    "parse_signature_ids",
]

SIGN_USAGE = "/sign NAME | ROLE | LOCATION | LINK (only the name is required)"
_ID = re.compile(r"#?(\d{1,12})")


def parse_sign_line(text: str) -> SignatureForm:
    """``Name | role | location | link``; missing trailing fields are empty."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) > 4:
        raise InvalidInput(
            "form", f"Too many fields: use {SIGN_USAGE}. A field cannot contain '|'."
        )
    if not parts[0]:
        raise InvalidInput("name", f"Please give your public name: {SIGN_USAGE}")
    parts += [""] * (4 - len(parts))
    return SignatureForm(name=parts[0], role=parts[1], location=parts[2], link=parts[3])


def parse_signature_id(text: str) -> int:
    match = _ID.fullmatch(text.strip())
    if not match:
        raise InvalidInput("signature", f"“{inert(text, 20)}” is not a signature number like 12.")
    return int(match.group(1))


def parse_signature_ids(text: str) -> list[int]:
    """``3 4 #5`` or ``3,4``: one or more signature numbers."""
    tokens = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    if not tokens:
        raise InvalidInput("signature", "Give at least one signature number, like 12.")
    return [parse_signature_id(t) for t in tokens]


def parse_page(text: str) -> int:
    text = text.strip()
    if not text:
        return 1
    if not text.isdecimal() or len(text) > 9:
        raise InvalidInput("page", "The page must be a number, like 2.")
    return int(text)
