"""One-time codes that join a person's accounts (``/link``), and the ids of linked persons.

A code is shown once, to the account that asked, and typed on the person's other account within
:data:`CODE_LIFETIME`. It must not be guessable by someone who wants to act for another person's
signature (a linked account may withdraw it): ten characters drawn by :mod:`secrets` from
Crockford's base-32 alphabet are 50 bits, against a handful of guesses a minute per account (the
signing rate limit). Only a hash is stored, so a copy of the database redeems no live code, and
typing is forgiving: case, spaces and dashes do not matter, and O, I and L read as 0, 1 and 1.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from bot.domain import Identity, Signature
from bot.errors import NotALinkCode
from bot.values import frozen_value

__all__ = [
    "CODE_LIFETIME",
    "LinkCode",
    "LinkResult",
    "code_hash",
    "is_linked_person",
    "new_code",
    "new_person",
    "parse_code",
]

#: How long a code may be redeemed after it was made.
CODE_LIFETIME = timedelta(minutes=10)
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
_LENGTH = 10  # 50 bits
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: Linked persons are named "~" and random hex; an account's own person is "platform:user_id",
#: and no platform name starts with "~".
_LINKED = "~"


@frozen_value
class LinkCode:
    """A code to type on another account, and until when it works."""

    code: str
    expires_at: datetime


@frozen_value
class LinkResult:
    """After ``/link CODE``: every account of the person now (this one included), and, when
    both sides held an active signature, the one kept and the one withdrawn."""

    accounts: tuple[Identity, ...]
    kept: Signature | None = None
    withdrawn: Signature | None = None


def new_code() -> str:
    """A fresh code, as shown: ``7KQ2M-9XD4T``."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def parse_code(typed: str) -> str:
    """The code as stored (upper case, no separators), or :class:`NotALinkCode`."""
    raw = "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)
    if len(raw) != _LENGTH or any(c not in _ALPHABET for c in raw):
        raise NotALinkCode()
    return raw


def code_hash(code: str) -> str:
    """What the store keeps of a (parsed) code."""
    return hashlib.sha256(f"pledgebot link {code}".encode()).hexdigest()


def new_person() -> str:
    """An id for a person whose accounts are linked."""
    return _LINKED + secrets.token_hex(8)


def is_linked_person(person: str) -> bool:
    return person.startswith(_LINKED)
