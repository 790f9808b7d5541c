"""Deep links into the private chat with the bot (``t.me/<bot>?start=<payload>``).

Personal details are never asked for in a group: a group gets a link that opens the private chat
with a payload saying what to do there. ``sign-<n>`` also says which group the signer came from
(group ids are negative, ``n`` is the id without its sign), so the signature is attributed to
that community; it is attribution only, and a hand-made payload can do no more than ``/sign``.
"""

from __future__ import annotations

import re

from telegram.helpers import create_deep_linked_url

from adapters.telegram.moderators import PLATFORM

__all__ = [
    "LETTER",
    "LINK",
    "PRIVATE_COMMUNITY",
    "SIGN",
    "START_SIGN",
    "STATUS",
    "WITHDRAW",
    "chat_community",
    "community",
    "deep_link",
    "sign_payload",
]

SIGN = "sign"
LETTER = "letter"
STATUS = "status"
WITHDRAW = "withdraw"
LINK = "link"
PRIVATE_COMMUNITY = f"{PLATFORM}:private"

_SIGN_PAYLOAD = re.compile(r"sign(?:-(\d{1,20}))?")
# ``/start sign`` or ``/start sign-4001234567`` as Telegram sends a followed deep link.
START_SIGN = r"^/start(?:@\w+)?\s+sign(?:-\d{1,20})?\s*$"


def deep_link(bot_username: str, payload: str) -> str:
    return create_deep_linked_url(bot_username, payload)


def sign_payload(chat_id: int | None) -> str:
    """``sign`` from a private chat; ``sign-<n>`` from group ``-n``."""
    if chat_id is None or chat_id > 0:
        return SIGN
    return f"{SIGN}-{-chat_id}"


def community(payload: str) -> str:
    """The community a signature is attributed to, from a deep link's payload."""
    match = _SIGN_PAYLOAD.fullmatch(payload)
    if match is None or match.group(1) is None:
        return PRIVATE_COMMUNITY
    return f"{PLATFORM}:-{match.group(1)}"


def chat_community(chat_id: int) -> str:
    """The community of a group or channel, as its signatures record it."""
    return f"{PLATFORM}:{chat_id}"
