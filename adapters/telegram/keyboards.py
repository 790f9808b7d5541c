"""Inline keyboards and the callback data their buttons carry.

Every ``callback_data`` reads ``pledge:<action>[:<argument>…]``: namespaced, at most 64 bytes
(Telegram's limit) and self-contained — the signature id, the page or the choice travels in the
data, so a button still works after a restart, and a forged press can do no more than the matching
typed command, whose checks it goes through.

Decision buttons exist on two kinds of message, told apart by the last field: ``c`` for a
mod-queue card (one signature) and ``l`` for the ``/pending`` list, which is redrawn after each
decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import PendingItem, SignatoriesPage

__all__ = [
    "APPROVE",
    "BACK",
    "CANNED_REASONS",
    "CONFIRM",
    "OTHER_REASON",
    "PAGE",
    "REASON",
    "REJECT",
    "SIGN",
    "WITHDRAW",
    "View",
    "confirm",
    "decide",
    "open_private",
    "pages",
    "pending_list",
    "reasons",
    "sign",
    "withdraw",
]

View = Literal["c", "l"]

# Patterns for CallbackQueryHandler; the groups are what the handlers read back.
SIGN = r"^pledge:sign$"
CONFIRM = r"^pledge:confirm:(named|anon|cancel)$"
PAGE = r"^pledge:page:(\d{1,9})$"
WITHDRAW = r"^pledge:withdraw:(yes|erase|no)$"
APPROVE = r"^pledge:approve:(\d{1,12}):([cl])$"
REJECT = r"^pledge:reject:(\d{1,12}):([cl])$"
REASON = r"^pledge:reason:(\d{1,12}):(\d):([cl])$"
BACK = r"^pledge:back:(\d{1,12}):([cl])$"

# Rejection reasons a moderator can pick with one press: (button label, reason the signer reads
# in "… was not approved. Reason: …"). Their position is in the callback data: append only.
CANNED_REASONS: tuple[tuple[str, str], ...] = (
    ("Not a real name", "the name does not look like a real person's or artist's name"),
    ("Duplicate", "it repeats a signature that is already on the letter"),
    ("Cannot verify", "we could not verify who signed"),
    ("Spam", "spam or abuse"),
)
OTHER_REASON = 0  # "Other reason…": ask for one with a ForceReply


def _markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def sign() -> InlineKeyboardMarkup:
    """Under the letter in a private chat: start signing right here."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("✍️ Sign the letter", callback_data="pledge:sign")]]
    )


def open_private(label: str, url: str) -> InlineKeyboardMarkup:
    """In a group: a deep link that opens the private chat, where personal details are safe."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])


def confirm(*, anonymous_allowed: bool) -> InlineKeyboardMarkup:
    first = [InlineKeyboardButton("✍️ Sign", callback_data="pledge:confirm:named")]
    if anonymous_allowed:
        first.append(
            InlineKeyboardButton("Sign without my name", callback_data="pledge:confirm:anon")
        )
    cancel = [InlineKeyboardButton("Cancel", callback_data="pledge:confirm:cancel")]
    return InlineKeyboardMarkup([first, cancel])


def pages(page: SignatoriesPage) -> InlineKeyboardMarkup | None:
    row = []
    if page.has_previous:
        row.append(InlineKeyboardButton("◀", callback_data=f"pledge:page:{page.page - 1}"))
    if page.has_next:
        row.append(InlineKeyboardButton("▶", callback_data=f"pledge:page:{page.page + 1}"))
    return _markup([row])


def withdraw(*, active: bool) -> InlineKeyboardMarkup:
    rows = []
    if active:
        rows.append([InlineKeyboardButton("Withdraw", callback_data="pledge:withdraw:yes")])
    label = "Withdraw and erase my details" if active else "Erase my details"
    rows.append([InlineKeyboardButton(label, callback_data="pledge:withdraw:erase")])
    rows.append([InlineKeyboardButton("Keep it", callback_data="pledge:withdraw:no")])
    return InlineKeyboardMarkup(rows)


def decide(signature_id: int, view: View = "c") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([_decision_row(signature_id, view, "Approve", "Reject")])


def _decision_row(
    signature_id: int, view: View, approve: str, reject: str
) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            f"✅ {approve}", callback_data=f"pledge:approve:{signature_id}:{view}"
        ),
        InlineKeyboardButton(f"❌ {reject}", callback_data=f"pledge:reject:{signature_id}:{view}"),
    ]


def pending_list(items: Sequence[PendingItem]) -> InlineKeyboardMarkup | None:
    return _markup(
        [
            _decision_row(i.signature.id, "l", f"#{i.signature.id}", f"#{i.signature.id}")
            for i in items
        ]
    )


def reasons(signature_id: int, view: View) -> InlineKeyboardMarkup:
    """Reject #id: pick a canned reason, type one, or go back."""
    prefix = f"pledge:reason:{signature_id}"
    canned = [
        InlineKeyboardButton(label, callback_data=f"{prefix}:{n}:{view}")
        for n, (label, _) in enumerate(CANNED_REASONS, 1)
    ]
    return InlineKeyboardMarkup(
        [
            canned[:2],
            canned[2:],
            [
                InlineKeyboardButton(
                    "Other reason…", callback_data=f"{prefix}:{OTHER_REASON}:{view}"
                )
            ],
            [InlineKeyboardButton("« Back", callback_data=f"pledge:back:{signature_id}:{view}")],
        ]
    )
