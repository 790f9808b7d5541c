"""What every handler gets: the core service, the moderator directory and the reader's language,
on the context.

python-telegram-bot builds a new context per update; a custom context class (PTB's
``contexttypesbot`` pattern) gives handlers typed ``context.service`` and ``context.moderators``
instead of string keys. The two objects are wiring, set once when the application is built — not
data: signatures live in the database, and ``user_data`` only holds a signing conversation's
answers until it ends.

The context is also where a handler finds its words: ``context.tr`` speaks the language of the
person who sent the update, ``context.place_tr`` that of the chat it came from (the default
language in groups, see :mod:`adapters.telegram.language`). Both are chosen once per update, in
:meth:`PledgeContext.from_update`, so no handler picks a language by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import CallbackQuery, Message, Update, User
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from adapters.telegram.language import place_language, reader_language
from adapters.telegram.moderators import PLATFORM, ModeratorDirectory
from bot.i18n import DEFAULT_LANGUAGE, Translator, translator
from bot.service import PledgeService

__all__ = [
    "CONTEXT_TYPES",
    "Deps",
    "PledgeApp",
    "PledgeContext",
    "arguments_of",
    "message_of",
    "query_of",
    "user_of",
]

_DEPS = "pledgebot"


@dataclass(frozen=True, slots=True)
class Deps:
    service: PledgeService
    moderators: ModeratorDirectory
    language: str = DEFAULT_LANGUAGE  # ``[i18n] default_language``: groups, channels, strangers
    #: ``telegram.greet_groups``: say hello in a group the bot is added to.
    greet_groups: bool = False
    #: Chats the bot was removed from since it started: nothing is delivered there (see
    #: :mod:`adapters.telegram.membership`) until it is added back.
    lost_chats: set[int] = field(default_factory=set)

    @property
    def tr(self) -> Translator:
        """The default language's translator (a reader whose language is unknown)."""
        return translator(self.language)

    def chat_language(self, chat_id: int) -> str:
        """The language of posts to a group or channel: its own (``[i18n]
        channel_languages``), else the default — the core's rule, as for every platform."""
        return self.service.destinations.language_of(PLATFORM, str(chat_id))

    def chat_tr(self, chat_id: int) -> Translator:
        """The translator for posts to a group or channel (:meth:`chat_language`)."""
        return translator(self.chat_language(chat_id))

    def install(self, application: PledgeApp) -> None:
        application.bot_data[_DEPS] = self


class PledgeContext(CallbackContext[ExtBot[Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of every pledgebot handler."""

    __slots__ = ("_place_tr", "_tr")

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self._tr: Translator | None = None
        self._place_tr: Translator | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> PledgeContext:
        """PTB's context for an update, with the languages of its sender and of its chat."""
        context = super().from_update(update, application)
        if isinstance(update, Update):
            default = context.deps.language
            user, chat = update.effective_user, update.effective_chat
            context._tr = translator(reader_language(user, default))
            place = place_language(chat, user, default, context.deps.chat_language)
            context._place_tr = translator(place)
        return context

    @property
    def tr(self) -> Translator:
        """The sender's language: replies, alerts and prompts meant for them."""
        return self._tr or self.deps.tr

    @property
    def place_tr(self) -> Translator:
        """The chat's language: what others read and redraw too (cards, ``/pending``)."""
        return self._place_tr or self.deps.tr

    @property
    def deps(self) -> Deps:
        deps: Deps = self.bot_data[_DEPS]
        return deps

    @property
    def service(self) -> PledgeService:
        return self.deps.service

    @property
    def moderators(self) -> ModeratorDirectory:
        return self.deps.moderators


CONTEXT_TYPES = ContextTypes(context=PledgeContext)
PledgeApp = Application[
    ExtBot[Any],
    PledgeContext,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    Any,  # no JobQueue: nothing is scheduled, and the job-queue extra is not installed
]


# Handlers are registered for one kind of update each, so these are there by construction; the
# helpers say so once instead of every handler asserting it.
def message_of(update: Update) -> Message:
    if update.effective_message is None:
        raise TypeError(f"update {update.update_id} carries no message")
    return update.effective_message


def arguments_of(update: Update) -> str:
    """What follows the command word (``/sign Ada | singer`` → ``Ada | singer``)."""
    parts = (message_of(update).text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def user_of(update: Update) -> User:
    if update.effective_user is None:
        raise TypeError(f"update {update.update_id} has no user")
    return update.effective_user


def query_of(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise TypeError(f"update {update.update_id} is not a button press")
    return update.callback_query
