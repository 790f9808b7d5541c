"""One person, several accounts: the wording of ``/link`` and ``/unlink``
(:mod:`bot.linking`), and of the linked accounts under a status or on a card."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.domain import Identity
from bot.i18n import Command, Msg, joined, msg
from bot.linking import CODE_LIFETIME, LinkCode, LinkResult
from bot.texts.signatures import id_text

__all__ = [
    "LINK_CODE_VOIDED",
    "LINK_IN_PRIVATE",
    "LINK_LABEL",
    "UNLINK_IN_PRIVATE",
    "account",
    "accounts",
    "link_code_text",
    "linked_line",
    "linked_text",
    "unlinked_text",
]


def account(identity: Identity) -> str:
    """An account as signers and moderators read it: "telegram:12345"."""
    return str(identity)


def accounts(identities: Iterable[Identity]) -> str:
    return ", ".join(account(i) for i in identities)


def link_code_text(code: LinkCode) -> Msg:
    """The answer to ``/link``: the code, and what to do with it."""
    return msg(
        "Your linking code is {code}. Within {minutes} minutes, send {link} {code} from your "
        "other account, on any platform, to link the two: you then hold one signature between "
        "them, and either can check or withdraw it. Keep the code to yourself.",
        code=code.code,
        link=Command("link"),
        minutes=int(CODE_LIFETIME.total_seconds() // 60),
    )


def linked_text(result: LinkResult, me: Identity) -> Msg:
    """The answer to ``/link CODE``."""
    others = [a for a in result.accounts if a != me]
    said = [
        msg(
            "Linked: this account now goes with {accounts}. You hold one signature between "
            "them; {status} and {withdraw} work from any of them, and {unlink} undoes the link.",
            accounts=accounts(others),
            status=Command("status"),
            withdraw=Command("withdraw"),
            unlink=Command("unlink"),
        )
    ]
    if result.kept is not None and result.withdrawn is not None:
        said.append(
            msg(
                "You had signed from both: signature #{kept} stays, and the later one, "
                "#{withdrawn}, is withdrawn.",
                kept=id_text(result.kept.id),
                withdrawn=id_text(result.withdrawn.id),
            )
        )
    return joined(said, " ")


def unlinked_text(others: Sequence[Identity]) -> Msg:
    """The answer to ``/unlink``."""
    return msg(
        "Unlinked: this account no longer goes with {accounts}. A signature made from this "
        "account stays with it.",
        accounts=accounts(others),
    )


LINK_LABEL = msg("Link my accounts")
LINK_IN_PRIVATE = msg("Linking accounts happens in a private chat with me.")
LINK_CODE_VOIDED = msg(
    "Everyone here can read that code, so it no longer works. Make a new one with {link} on "
    "your other account, and send it to me in a private chat.",
    link=Command("link"),
)
UNLINK_IN_PRIVATE = msg("Unlinking happens in a private chat with me.")


def linked_line(linked: Sequence[Identity]) -> Msg:
    """Under a signer's status, or on a moderator's card: the signer's other accounts."""
    return msg("Linked accounts: {accounts}.", accounts=accounts(linked))
