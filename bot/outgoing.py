"""What the use cases owe the outbox, worded for each reader: mod-queue cards, signers'
notifications, milestone announcements and moderators' alerts.

Nothing here touches the store: the rows are made here, in the language of the channel (or of
the signer) they go to, and a use case adds them inside its unit of work, so they commit with
the change they tell of. A post to a channel speaks the channel's language (``[i18n]
channel_languages``), a notification the language its signer signed in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.domain import Destinations, Letter, OutboxKind, OutboxMessage, PendingItem, Signature
from bot.i18n import Msg, translator_for
from bot.texts import announcements, cards

__all__ = ["Outgoing"]


class Outgoing:
    """The outbox rows of one letter's destinations (``[discord]``/``[telegram]`` channels)."""

    def __init__(self, letter: Letter, destinations: Destinations, milestone_message: str) -> None:
        self._letter = letter
        self._destinations = destinations
        #: The organiser's own announcement; empty: the catalogue's.
        self._milestone_message = milestone_message

    def mod_queue_cards(self, item: PendingItem) -> list[OutboxMessage]:
        """A pending signature's card, posted in every mod-queue destination."""
        return self._to_mod_queue(
            OutboxKind.MOD_QUEUE, cards.mod_queue_summary(item), item.signature.id
        )

    def card_updates(self, sig: Signature) -> list[OutboxMessage]:
        """Every mod-queue card of a signature shows its current state: whichever platform,
        process or console decided it, each card's platform redraws it once."""
        return self._to_mod_queue(OutboxKind.MOD_UPDATE, cards.card_update(sig), sig.id)

    def _to_mod_queue(self, kind: OutboxKind, text: Msg, signature_id: int) -> list[OutboxMessage]:
        """One message for every mod-queue destination, each in its own language."""
        return [
            OutboxMessage(
                kind, platform, dest, self.say(text, platform, dest), signature_id=signature_id
            )
            for platform, dest in self._destinations.mod_queue
        ]

    def notification(
        self, sig: Signature, wording: Callable[[Signature, str], Msg]
    ) -> OutboxMessage:
        """A signer's notification, in the language they signed in (else the default one), with
        the letter's title as that language has it."""
        language = sig.language or self._destinations.default_language
        title = self._letter.in_language(language).title
        return OutboxMessage(
            OutboxKind.NOTIFICATION,
            sig.identity.platform,
            sig.identity.user_id,
            translator_for(sig.identity.platform, language).render(wording(sig, title)),
            signature_id=sig.id,
        )

    def milestone_announcements(self, count: int) -> list[OutboxMessage]:
        """``count`` signatures reached, announced in every announcement destination."""
        messages = []
        for platform, dest in self._destinations.announce:
            language = self._destinations.language_of(platform, dest)
            text = announcements.format_milestone(
                self._milestone_message,
                count=count,
                title=self._letter.in_language(language).title,
            )
            said = translator_for(platform, language).render(text)
            messages.append(
                OutboxMessage(OutboxKind.ANNOUNCEMENT, platform, dest, said, milestone=count)
            )
        return messages

    def alerts(
        self,
        text: Msg,
        *,
        skip: tuple[str, str] | None = None,
        also: Sequence[tuple[str, str]] = (),
    ) -> list[OutboxMessage]:
        """Something moderators should look at (a surge), in every mod-queue destination but
        ``skip``, and in ``also`` (a moderator's private chat), each in its language."""
        where = [d for d in self._destinations.mod_queue if d != skip] + list(also)
        return [
            OutboxMessage(OutboxKind.ALERT, platform, dest, self.say(text, platform, dest))
            for platform, dest in where
        ]

    def say(self, text: Msg, platform: str, destination: str) -> str:
        """A post to a channel, in the channel's language (plain: the sender escapes it)."""
        language = self._destinations.language_of(platform, destination)
        return translator_for(platform, language).render(text)
