"""Every command the chat platforms offer, as their help, menus and usage lines describe it.

One table for Discord's command descriptions, Telegram's menus and help, and the console's help;
:data:`USAGE` is what :class:`bot.errors.WrongUsage` says when what was typed does not fit.
A command named inside a sentence is a :class:`~bot.i18n.Command` value, written as the reader's
platform lists it.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import Command, Msg, Translator, msg
from bot.values import frozen_value

__all__ = ["BULK_USAGE", "COMMANDS", "SIGN_USAGE", "USAGE", "CommandHelp", "command", "sentence"]


def sentence(text: str) -> str:
    """A rendered summary as a sentence of its own: its first letter capitalised."""
    return text[:1].upper() + text[1:]


@frozen_value
class CommandHelp:
    """One command as every platform's help, menu or command list describes it."""

    name: str
    summary: Msg  # "the demands, or demand N": follows the command in a help line
    arguments: str = ""  # as typed on the console and Telegram: "[N]", "ID REASON"
    moderator: bool = False

    @property
    def usage(self) -> str:
        """The typed form Telegram's and the console's help list: ``/demands [N]`` (their
        command names are the same in every language, :mod:`bot.i18n.commands`)."""
        return f"/{self.name} {self.arguments}".rstrip()

    def description(self, tr: Translator) -> str:
        """The summary as a sentence of its own (Discord's and Telegram's command menus)."""
        return sentence(tr.render(self.summary))


#: Every command the chat platforms offer, in the order help lists them; moderators' last.
COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp("letter", msg("read the letter")),
    CommandHelp("demands", msg("the demands, or demand N"), "[N]"),
    CommandHelp("sign", msg("sign the letter (only the name is required)")),
    CommandHelp("status", msg("your signature and where it stands")),
    CommandHelp("withdraw", msg("take your signature back, optionally erasing your details")),
    CommandHelp("reaffirm", msg("keep your signature on the letter's changed text")),
    CommandHelp("count", msg("how many have signed")),
    CommandHelp("signatories", msg("who has signed"), "[PAGE]"),
    CommandHelp(
        "link",
        msg("link your accounts on several platforms: one signature between them"),
        "[CODE]",
    ),
    CommandHelp("unlink", msg("undo {link} for this account", link=Command("link"))),
    CommandHelp("pending", msg("signatures awaiting approval"), moderator=True),
    CommandHelp("approve", msg("approve one or more"), "ID…", moderator=True),
    CommandHelp("reject", msg("reject, telling the signer why"), "ID… REASON", moderator=True),
    CommandHelp(
        "remove", msg("take a signature off the letter for good"), "ID… REASON", moderator=True
    ),
    CommandHelp(
        "export", msg("the approved signatures as CSV or JSON"), "csv|json", moderator=True
    ),
    CommandHelp("audit", msg("the last N moderator actions"), "[N]", moderator=True),
    CommandHelp("snapshot", msg("record a verifiable snapshot of the list"), moderator=True),
    CommandHelp(
        "communities", msg("which servers and groups bring the signatures"), moderator=True
    ),
)


def command(name: str) -> CommandHelp:
    """The help entry of one command (a KeyError for a command the table lacks)."""
    return _COMMANDS_BY_NAME[name]


_COMMANDS_BY_NAME = {c.name: c for c in COMMANDS}


SIGN_USAGE = msg(
    "{sign} NAME | ROLE | LOCATION | LINK (only the name is required)", sign=Command("sign")
)
#: How each command that takes typed arguments is used, for :class:`bot.errors.WrongUsage`.
USAGE: Mapping[str, Msg] = {
    "sign": SIGN_USAGE,
    "demands": msg("{demands}, or {demands} N for demand number N.", demands=Command("demands")),
    # One id (commands.reject); Telegram and the console take several, as BULK_USAGE says.
    "reject": msg("{reject} ID REASON", reject=Command("reject")),
    "remove": msg("{remove} ID REASON", remove=Command("remove")),
    "export": msg("{export} csv or {export} json", export=Command("export")),
}


#: ``/reject`` and ``/remove`` with several ids, where a platform takes them (the console and
#: Telegram; Discord picks several under ``/pending``).
BULK_USAGE: Mapping[str, Msg] = {
    "reject": msg("{reject} ID… REASON", reject=Command("reject")),
    "remove": msg("{remove} ID… REASON", remove=Command("remove")),
}
