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
from functools import lru_cache
from typing import Any, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain import PendingItem, SignatoriesPage, WithdrawChoice
from bot.i18n import Translator
from bot.texts import moderation, rejection, signing

__all__ = [
    "APPROVE",
    "BACK",
    "CONFIRM",
    "OTHER_REASON",
    "PAGE",
    "REASON",
    "REJECT",
    "SIGN",
    "WITHDRAW",
    "WITHDRAW_DATA",
    "View",
    "confirm",
    "decide",
    "open_private",
    "pages",
    "pending_list",
    "reaffirm_notice",
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
WITHDRAW_ASK = r"^pledge:withdraw:ask$"
REAFFIRM = r"^pledge:reaffirm$"
APPROVE = r"^pledge:approve:(\d{1,12}):([cl])$"
REJECT = r"^pledge:reject:(\d{1,12}):([cl])$"
REASON = r"^pledge:reason:(\d{1,12}):(\d):([cl])$"
BACK = r"^pledge:back:(\d{1,12}):([cl])$"

# The reasons' buttons carry the position of a core canned reason
# (bot.texts.rejection.REJECTION_REASONS, 1 is the first); this one asks for a typed reason with
# a ForceReply instead.
OTHER_REASON = 0
# The callback data's word for each withdraw choice (posted buttons carry them: never renamed).
# Both erasing choices are one button: erasing runs alike with or without an active signature.
WITHDRAW_DATA: dict[WithdrawChoice, str] = {
    WithdrawChoice.WITHDRAW: "yes",
    WithdrawChoice.WITHDRAW_AND_ERASE: "erase",
    WithdrawChoice.ERASE: "erase",
    WithdrawChoice.KEEP: "no",
}


def _markup(rows: Sequence[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


# The keyboards that depend on nothing but the reader's language are built once per language:
# PTB's objects are frozen, so one can be sent any number of times; building the buttons again
# for every /sign cost ~20 µs, a tenth of what pledgebot adds to a bare bot per summary. Bounded:
# a translator with a platform's command names is a new object each time one is made.
_PER_LANGUAGE = 64


class _SentOften(InlineKeyboardMarkup):
    """A keyboard sent under many messages, whose API form is worked out once.

    python-telegram-bot turns the reply markup into a dict for every call it makes (the three
    Sign/Cancel buttons took ~10 µs, as long as rendering the summary); the object is frozen, so
    that dict never changes. Each call gets a copy of the outer dict."""

    __slots__ = ("_as_dict",)
    _as_dict: dict[str, Any]

    def __init__(self, rows: Sequence[Sequence[InlineKeyboardButton]]) -> None:
        super().__init__(rows)
        object.__setattr__(self, "_as_dict", super().to_dict())  # frozen: PTB's setattr refuses

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        return dict(self._as_dict) if recursive else super().to_dict(recursive=False)


@lru_cache(maxsize=_PER_LANGUAGE)
def sign(tr: Translator) -> InlineKeyboardMarkup:
    """Under the letter in a private chat: start signing right here."""
    label = tr.render(signing.SIGN_LABEL)
    return _SentOften([[InlineKeyboardButton(f"✍️ {label}", callback_data="pledge:sign")]])


def reaffirm_notice(tr: Translator) -> InlineKeyboardMarkup:
    """Under the notice that the letter changed: reaffirm, or see the withdraw choices."""
    reaffirm = tr.p("button", "Reaffirm")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(f"✅ {reaffirm}", callback_data="pledge:reaffirm"),
                InlineKeyboardButton(
                    tr.p("button", "Withdraw…"), callback_data="pledge:withdraw:ask"
                ),
            ]
        ]
    )


def open_private(label: str, url: str) -> InlineKeyboardMarkup:
    """In a group: a deep link that opens the private chat, where personal details are safe."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])


@lru_cache(maxsize=_PER_LANGUAGE)
def confirm(tr: Translator, *, anonymous_allowed: bool) -> InlineKeyboardMarkup:
    """Under the summary: sign, sign without the name (where allowed), or cancel."""
    label = tr.t("Sign")
    first = [InlineKeyboardButton(f"✍️ {label}", callback_data="pledge:confirm:named")]
    if anonymous_allowed:
        first.append(
            InlineKeyboardButton(
                tr.render(signing.SIGN_ANONYMOUSLY_LABEL), callback_data="pledge:confirm:anon"
            )
        )
    cancel = [InlineKeyboardButton(tr.t("Cancel"), callback_data="pledge:confirm:cancel")]
    return _SentOften([first, cancel])


def pages(page: SignatoriesPage) -> InlineKeyboardMarkup | None:
    row = []
    if page.has_previous:
        row.append(InlineKeyboardButton("◀", callback_data=f"pledge:page:{page.page - 1}"))
    if page.has_next:
        row.append(InlineKeyboardButton("▶", callback_data=f"pledge:page:{page.page + 1}"))
    return _markup([row])


def withdraw(tr: Translator, choices: Sequence[WithdrawChoice]) -> InlineKeyboardMarkup:
    """The core's withdraw choices, one a row."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    tr.render(signing.WITHDRAW_LABELS[choice]),
                    callback_data=f"pledge:withdraw:{WITHDRAW_DATA[choice]}",
                )
            ]
            for choice in choices
        ]
    )


def decide(tr: Translator, signature_id: int, view: View = "c") -> InlineKeyboardMarkup:
    approve, reject = tr.render(moderation.APPROVE_LABEL), tr.render(moderation.REJECT_LABEL)
    return InlineKeyboardMarkup([_decision_row(signature_id, view, approve, reject)])


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


def reasons(tr: Translator, signature_id: int, view: View) -> InlineKeyboardMarkup:
    """Reject #id: pick a canned reason, type one, or go back."""
    prefix = f"pledge:reason:{signature_id}"
    other, back = tr.t("Other reason…"), tr.t("Back")
    canned = [
        InlineKeyboardButton(tr.render(reason.label), callback_data=f"{prefix}:{n}:{view}")
        for n, reason in enumerate(rejection.REJECTION_REASONS, 1)
    ]
    return InlineKeyboardMarkup(
        [
            canned[:2],
            canned[2:],
            [InlineKeyboardButton(other, callback_data=f"{prefix}:{OTHER_REASON}:{view}")],
            [InlineKeyboardButton(f"« {back}", callback_data=f"pledge:back:{signature_id}:{view}")],
        ]
    )
