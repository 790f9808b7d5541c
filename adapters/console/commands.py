"""The console's commands: parse a line, call the core, render the result as text.

The console is the living spec of the command set the chat platforms offer too; it holds no rule
of its own beyond "this user name is a moderator here", which is its platform fact.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from adapters.console import render
from bot import commands
from bot.domain import Actor, Identity, SignatureForm, WithdrawChoice
from bot.errors import InvalidInput, PledgeError, WrongUsage
from bot.forms import parse_demand, parse_page, parse_sign_line
from bot.i18n import Translator, msg, translator
from bot.liveposts import LIVE_COMMANDS, LIVE_HEADING, NONE_LIVE, listing_line, stopped
from bot.reaffirm import reaffirmed, version_lines
from bot.service import PledgeService
from bot.texts import command_help, community_table, linking, moderation, signing

__all__ = ["ConsoleCommands", "Session", "help_text"]

PLATFORM = "console"
COMMUNITY = "console"
Ask = Callable[[str], Awaitable[str | None]]

#: The console's typed forms where they go beyond the chat platforms' (there a conversation or
#: a button asks for the rest).
_ARGUMENTS = {
    "sign": "NAME | ROLE | LOCATION | LINK",
    "withdraw": "[erase]",
    "reject": "ID… REASON",
    "remove": "ID… REASON",
}
#: Commands only the console has, after the command they follow in the list.
_CONSOLE_ONLY = {"sign": ("/sign-anonymous NAME | …", msg("be counted without being listed"))}
_COLUMN = 29
#: The live-post commands the console offers: it has no chat to post in, only posts to list
#: and stop.
LIVE_COMMANDS_BY_NAME = {c.name: c for c in LIVE_COMMANDS}
_AS_USAGE = msg("/as NAME (one word, up to 32 characters)")


def _help_line(usage: str, summary: str) -> str:
    if len(usage) < _COLUMN:
        return f"  {usage:<{_COLUMN}}{summary}"
    return f"  {usage}\n  {'':<{_COLUMN}}{summary}"


def help_text(tr: Translator) -> str:
    """The core's command list with the console's typed forms, and the console's own."""
    sections: dict[bool, list[str]] = {False: [tr.t("Commands:")], True: [tr.t("Moderators:")]}
    for c in command_help.COMMANDS:
        usage = f"/{c.name} {_ARGUMENTS.get(c.name, c.arguments)}".rstrip()
        lines = sections[c.moderator]
        lines.append(_help_line(usage, tr.render(c.summary)))
        if c.name in _CONSOLE_ONLY:
            typed, summary = _CONSOLE_ONLY[c.name]
            lines.append(_help_line(typed, tr.render(summary)))
    sections[True] += [
        _help_line("/posts", tr.render(LIVE_COMMANDS_BY_NAME["live-posts"].summary)),
        _help_line("/unpost ID", tr.render(LIVE_COMMANDS_BY_NAME["unpost"].summary)),
    ]
    console = [
        tr.t("Console:"),
        _help_line("/as USER", tr.t("act as another user")),
        _help_line("/help", tr.t("this list")),
    ]
    return "\n".join([*sections[False], *sections[True], *console])


#: ``/withdraw [erase]``: the console's typed form of the choices the chat platforms offer as
#: buttons. Withdrawing and erasing runs the same whether the signature is still active or not.
_WITHDRAW_TYPED = {"": WithdrawChoice.WITHDRAW, "erase": WithdrawChoice.WITHDRAW_AND_ERASE}


@dataclass
class Session:
    user: str
    moderators: frozenset[str]

    @property
    def actor(self) -> Actor:
        return Actor(Identity(PLATFORM, self.user), self.user, self.user in self.moderators)


class ConsoleCommands:
    def __init__(
        self, service: PledgeService, ask: Ask | None = None, language: str | None = None
    ) -> None:
        """``language``: what the console speaks; None: ``[i18n] default_language``."""
        self.service = service
        self.ask = ask
        self.tr = translator(language or service.default_language)
        self._table: dict[str, Callable[[Session, str], Awaitable[str]]] = {
            "/help": self._help,
            "/start": self._help,
            "/letter": self._letter,
            "/demands": self._demands,
            "/sign": self._sign,
            "/sign-anonymous": self._sign_anonymous,
            "/status": self._status,
            "/withdraw": self._withdraw,
            "/reaffirm": self._reaffirm,
            "/count": self._count,
            "/signatories": self._signatories,
            "/pending": self._pending,
            "/approve": self._approve,
            "/reject": self._reject,
            "/remove": self._remove,
            "/export": self._export,
            "/audit": self._audit,
            "/snapshot": self._snapshot,
            "/communities": self._communities,
            "/posts": self._posts,
            "/live-posts": self._posts,
            "/unpost": self._unpost,
            "/link": self._link,
            "/unlink": self._unlink,
            "/as": self._as,
        }

    async def handle(self, session: Session, line: str) -> str:
        """One input line in, the reply text out. Never raises for anything a user types."""
        line = line.strip()
        if not line:
            return ""
        if not line.startswith("/"):
            return self.tr.t("Commands start with a slash. Try /help.")
        name, _, args = line.partition(" ")
        handler = self._table.get(name.lower())
        if handler is None:
            return self.tr.t("Unknown command {name}. Try /help.", name=name[:30])
        try:
            return await handler(session, args.strip())
        except PledgeError as exc:
            return self.tr.render(exc.message)

    async def _help(self, session: Session, args: str) -> str:
        return help_text(self.tr)

    async def _letter(self, session: Session, args: str) -> str:
        return render.letter(self.tr, await self.service.overview(actor=session.actor))

    async def _demands(self, session: Session, args: str) -> str:
        demands = self.service.demands(parse_demand(args), actor=session.actor)
        return "\n".join(f"{n}. {d}" for n, d in demands)

    async def _sign(self, session: Session, args: str, anonymous: bool = False) -> str:
        form = parse_sign_line(args) if args else await self._ask_form()
        result = await self.service.sign(
            session.actor,
            form,
            community=COMMUNITY,
            anonymous=anonymous,
            language=self.tr.language,
        )
        return self.tr.render(result.message)

    async def _sign_anonymous(self, session: Session, args: str) -> str:
        return await self._sign(session, args, anonymous=True)

    async def _ask_form(self) -> SignatureForm:
        if self.ask is None:
            raise WrongUsage("form", command_help.SIGN_USAGE)
        answers = []
        for field in ("name", "role", "location", "link"):
            answer = await self.ask(f"{self.tr.render(signing.field_question(field))}: ")
            if answer is None:
                raise InvalidInput("form", signing.SIGNING_CANCELLED)
            answers.append(answer)
        return SignatureForm(*answers)

    async def _status(self, session: Session, args: str) -> str:
        return self.tr.render(
            signing.status_text(await self.service.status(session.actor.identity))
        )

    async def _withdraw(self, session: Session, args: str) -> str:
        """``/withdraw`` or ``/withdraw erase``: the choice typed instead of pressed."""
        choice = _WITHDRAW_TYPED.get(args.lower())
        if choice is None:
            raise InvalidInput(
                "withdraw", msg("Use /withdraw, or /withdraw erase to also delete your details.")
            )
        return self.tr.render(
            (await self.service.withdraw_as_chosen(session.actor, choice)).message
        )

    async def _reaffirm(self, session: Session, args: str) -> str:
        return str(reaffirmed(await self.service.reaffirm(session.actor)))

    async def _count(self, session: Session, args: str) -> str:
        shown = await self.service.count_view(session.actor)
        view = shown.overview
        lines = [render.count_line(self.tr, view.count, view.next_milestone)]
        if shown.versions is not None:
            required = self.service.rules.require_reaffirm
            lines += [self.tr.render(m) for m in version_lines(shown.versions, required=required)]
        return "\n".join(lines)

    async def _signatories(self, session: Session, args: str) -> str:
        page = await self.service.signatories(parse_page(args), actor=session.actor)
        return render.signatories(self.tr, page)

    async def _pending(self, session: Session, args: str) -> str:
        return render.pending(self.tr, await self.service.pending(session.actor))

    async def _approve(self, session: Session, args: str) -> str:
        return render.decisions(self.tr, await commands.approve(self.service, session.actor, args))

    async def _reject(self, session: Session, args: str) -> str:
        return render.decisions(
            self.tr, await commands.reject_many(self.service, session.actor, args)
        )

    async def _remove(self, session: Session, args: str) -> str:
        return render.decisions(
            self.tr, await commands.remove_many(self.service, session.actor, args)
        )

    async def _export(self, session: Session, args: str) -> str:
        fmt = commands.export_format(self.service, session.actor, args)
        chunks = [chunk async for chunk in self.service.export_for(session.actor, fmt)]
        return "".join(chunks).rstrip("\n")

    async def _audit(self, session: Session, args: str) -> str:
        return render.audit(self.tr, await commands.audit(self.service, session.actor, args))

    async def _snapshot(self, session: Session, args: str) -> str:
        taken = await commands.snapshot(self.service, session.actor, args)
        return self.tr.render(moderation.snapshot_recorded(taken, self.service.snapshot_url(taken)))

    async def _communities(self, session: Session, args: str) -> str:
        table = await self.service.communities(actor=session.actor)
        return self.tr.render(community_table.communities_text(table))

    async def _posts(self, session: Session, args: str) -> str:
        """The live letter posts on every platform (the console posts none itself)."""
        posts = await self.service.live.listing(session.actor)
        tr = self.tr
        if not posts:
            return tr.render(NONE_LIVE)
        lines = [tr.render(LIVE_HEADING)]
        for post in posts:
            where = post.community_name or post.chat
            lines.append("  " + tr.render(listing_line(post, where)))
        return "\n".join(lines)

    async def _unpost(self, session: Session, args: str) -> str:
        return self.tr.render(stopped(await self.service.live.stop_typed(session.actor, args)))

    async def _link(self, session: Session, args: str) -> str:
        """``/link`` makes a code; ``/link CODE`` redeems one made on another account."""
        if not args:
            return self.tr.render(
                linking.link_code_text(await self.service.link_code(session.actor))
            )
        result = await self.service.link(session.actor, args)
        return self.tr.render(linking.linked_text(result, session.actor.identity))

    async def _unlink(self, session: Session, args: str) -> str:
        return self.tr.render(linking.unlinked_text(await self.service.unlink(session.actor)))

    async def _as(self, session: Session, args: str) -> str:
        user = args.strip()
        if not user or " " in user or len(user) > 32 or not user.isprintable():
            raise InvalidInput("user", msg("Usage: {usage}", usage=_AS_USAGE))
        session.user = user
        if session.actor.is_moderator:
            return self.tr.t("You are now {user} (moderator).", user=user)
        return self.tr.t("You are now {user}.", user=user)
