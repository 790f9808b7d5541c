"""Reaffirming a changed letter: telling earlier signers, once, at a pace the platforms accept.

A signature records the version of the text its signer read (:attr:`bot.domain.Letter.version`).
When the organisers change the text, every earlier *active* signer is owed one message: the
letter changed; reaffirm (``/reaffirm``, or the message's button) or withdraw. There may be a
million of them, and chat platforms punish a bot that sends a million private messages at
once, so :class:`ReaffirmNotices` hands the outbox a batch at a time: each unit of work takes
the next signers not yet told (the store marks them told in the same transaction as their
outbox rows, so a crash or a restart never tells anyone twice, and two processes never tell
the same signer), then waits long enough to keep to ``reaffirm_notices_per_minute``. It runs
with the bot and stops once everyone is told; the next start with a new text begins again.

The outbox delivers each notice like any other: by direct message on Discord, in the private
chat on Telegram, printed at the next command on the console.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.domain import Letter, OutboxKind, OutboxMessage, Signature, VersionCount
from bot.errors import PledgeError
from bot.i18n import DEFAULT_LANGUAGE, Command, Msg, msg, translator_for
from bot.ports import Clock, Store, WriteTx
from bot.values import frozen_value

__all__ = [
    "ReaffirmNotices",
    "VersionReport",
    "earlier_text_note",
    "notice",
    "only_text_ever",
    "reaffirmed",
    "version_counts",
    "version_lines",
]

_log = logging.getLogger(__name__)

T = TypeVar("T")
Write = Callable[[Callable[[WriteTx], Awaitable[T]]], Awaitable[T]]

#: Signers one unit of work tells at most.
BATCH = 50


def notice(sig: Signature, title: str, *, required: bool) -> Msg:
    """What an earlier signer reads once the text changed: what happened, what each choice
    does, and whether their signature counts meanwhile (``[letter] require_reaffirm``)."""
    if required:
        return msg(
            "The text of “{title}” has changed since you signed it (signature #{id}). Read it "
            "with {letter}. Your signature no longer counts until you reaffirm it with "
            "{reaffirm}; {withdraw} takes it back.",
            title=title,
            id=str(sig.id),
            letter=Command("letter"),
            reaffirm=Command("reaffirm"),
            withdraw=Command("withdraw"),
        )
    return msg(
        "The text of “{title}” has changed since you signed it (signature #{id}). Read it with "
        "{letter}, then keep your name on it with {reaffirm}, or take it back with {withdraw}. "
        "Until then it still counts, shown as signed on an earlier text.",
        title=title,
        id=str(sig.id),
        letter=Command("letter"),
        reaffirm=Command("reaffirm"),
        withdraw=Command("withdraw"),
    )


def earlier_text_note(*, required: bool) -> Msg:
    """Under ``/status`` when the signer's active signature stands on an earlier text."""
    if required:
        return msg(
            "Note: you signed an earlier text of the letter, and your signature no longer counts "
            "until you reaffirm it with {reaffirm}. Read the new text with {letter}; {withdraw} "
            "takes your signature back.",
            letter=Command("letter"),
            reaffirm=Command("reaffirm"),
            withdraw=Command("withdraw"),
        )
    return msg(
        "Note: you signed an earlier text of the letter. Read the new one with {letter}, then "
        "keep your name on it with {reaffirm}, or use {withdraw} if you no longer agree.",
        letter=Command("letter"),
        reaffirm=Command("reaffirm"),
        withdraw=Command("withdraw"),
    )


def reaffirmed(sig: Signature) -> Msg:
    """What ``/reaffirm`` (or its button) answers once done."""
    return msg(
        "Thank you: signature #{id} now stands on the letter's current text.", id=str(sig.id)
    )


class ReaffirmNotices:
    """Tells every earlier active signer of the current text, once, ``per_minute`` at most."""

    def __init__(
        self,
        store: Store,
        write: Write[list[Signature]],
        clock: Clock,
        letter: Letter,
        *,
        per_minute: float,
        required: bool,
        language: str = DEFAULT_LANGUAGE,
        batch: int = BATCH,
    ) -> None:
        """``language``: what a signer whose own language is not known reads the notice in
        (``[i18n] default_language``); the others read it in the language they signed in."""
        self._language = language
        self._store = store
        self._write = write
        self._clock = clock
        self._letter = letter
        self._version = letter.version
        self._required = required
        self._batch = max(1, min(batch, int(per_minute) or 1))
        #: Seconds between two batches, so that ``per_minute`` holds on average.
        self.interval = 60.0 * self._batch / per_minute
        self._after = 0  # the last signature id looked at: each pass walks the ids once

    async def language_of(self, signature_id: int | None) -> str:
        """The language a notice's buttons speak: its signer's, like its text (senders ask)."""
        sig = await self._store.get_signature(signature_id) if signature_id is not None else None
        return (sig.language if sig is not None else None) or self._language

    async def tick(self) -> int:
        """Tell the next batch of signers; how many were told (0: everyone has been). Each
        batch is read first, holding up no writer; one unit then marks and tells those still
        owed it. A batch another process told meanwhile is passed over for the next."""
        while True:
            found = await self._store.stale_signers(self._version, self._after, self._batch)
            if not found:
                return 0
            self._after = found[-1].id
            told = await self._write(self._telling(found))
            if told:
                return len(told)

    def _telling(self, found: list[Signature]) -> Callable[[WriteTx], Awaitable[list[Signature]]]:
        version, required, letter = self._version, self._required, self._letter

        def said(sig: Signature) -> str:
            language = sig.language or self._language
            title = letter.in_language(language).title
            tr = translator_for(sig.identity.platform, language)
            return tr.render(notice(sig, title, required=required))

        async def unit(tx: WriteTx) -> list[Signature]:
            marked = set(await tx.mark_told(version, [s.id for s in found]))
            told = [s for s in found if s.id in marked]
            await tx.add_outbox(
                [
                    OutboxMessage(
                        OutboxKind.REAFFIRM,
                        sig.identity.platform,
                        sig.identity.user_id,
                        said(sig),
                        signature_id=sig.id,
                    )
                    for sig in told
                ],
                self._clock.now(),
            )
            return told

        return unit

    async def run(self) -> None:
        """Beside the bot: tell everyone owed a notice, then wait until cancelled (the text
        changes only with a restart)."""
        await self.tell_everyone()
        await asyncio.Event().wait()

    async def tell_everyone(self, *, paced: bool = True) -> None:
        """Tell everyone owed a notice, one batch each ``interval``, then return. A store that
        cannot take the batch now is tried again at the next interval. ``paced=False``: no
        wait between batches (the console, which no platform limits)."""
        try:
            if await only_text_ever(self._store, self._version):
                return
        except PledgeError:  # the store cannot be read now: walk the signatures anyway
            pass
        total, failing = 0, False
        while True:
            try:
                told = await self.tick()
            except PledgeError as exc:  # a database that takes no changes now: later
                if not failing:
                    _log.warning("reaffirm notices: cannot queue the next batch now: %s", exc)
                if not paced:
                    return  # the next start tries again
                failing = True
                await asyncio.sleep(self.interval)
                continue
            failing = False
            if not told:
                break
            total += told
            if paced:
                await asyncio.sleep(self.interval)
        if total:
            _log.info(
                "reaffirm notices: %d earlier signers told of letter version %s",
                total,
                self._version,
            )


@frozen_value
class VersionReport:
    """Approved signatures per letter version, the current one first, then newest first."""

    versions: tuple[VersionCount, ...]

    @property
    def earlier(self) -> int:
        """Approved signatures standing on an earlier text."""
        return sum(v.approved for v in self.versions if not v.current)


async def only_text_ever(store: Store, current: str) -> bool:
    """Whether ``current`` is the only text this campaign ever ran with: then no signature
    stands on another (every start records its text before anyone signs), and there is no one
    to tell, nothing to lapse and one count to show — known from the small versions table,
    without reading the signatures."""
    return {v for v, _ in await store.letter_versions()} <= {current}


async def version_counts(store: Store, current: str) -> VersionReport:
    """How many approved signatures stand on each version (moderators' ``/count``,
    ``check-config``, the export): the counter itself while there was only ever one text,
    else an index scan grouped by version."""
    seen = dict(await store.letter_versions())
    if set(seen) <= {current}:
        return VersionReport((VersionCount(current, await store.count(), seen.get(current), True),))
    counts = dict(await store.approved_by_version())
    counts.setdefault(current, 0)
    versions = [VersionCount(v, n, seen.get(v), v == current) for v, n in counts.items()]
    versions.sort(key=lambda c: (not c.current, -(c.first_seen.timestamp() if c.first_seen else 0)))
    return VersionReport(tuple(versions))


def version_lines(report: VersionReport, *, required: bool) -> list[Msg]:
    """Under a moderator's ``/count``: approved signatures on each text, the current one first.
    Nothing while every signature stands on the current text (there is nothing to tell)."""
    if not report.earlier:
        return []
    lines = [msg("Approved signatures by text of the letter:")]
    for v in report.versions:
        if v.current:
            lines.append(
                msg("current text ({version}): {count}", version=v.version, count=v.approved)
            )
            continue
        first = v.first_seen.date().isoformat() if v.first_seen else "?"
        if required:
            lines.append(
                msg(
                    "earlier text {version} (from {date}): {count}, not counted until reaffirmed",
                    version=v.version,
                    date=first,
                    count=v.approved,
                )
            )
        else:
            lines.append(
                msg(
                    "earlier text {version} (from {date}): {count}",
                    version=v.version,
                    date=first,
                    count=v.approved,
                )
            )
    return lines
