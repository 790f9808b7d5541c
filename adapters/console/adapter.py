"""The console adapter: a terminal chat to try every feature without a platform token.

Reads one command per line from stdin (a terminal or a pipe), prints replies, and prints what the
outbox owes the console: ``[announcement] …``, ``[to alice] …`` and ``[mod queue] …`` lines.
"""

from __future__ import annotations

import asyncio
import io
import logging
import mmap
import os
import queue
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from adapters.console.commands import ConsoleCommands, Session
from bot.domain import OutboxKind, OutboxMessage
from bot.errors import APOLOGY
from bot.service import PledgeService

__all__ = ["ConsoleAdapter", "ConsoleLogSender", "LineReader", "format_outbox"]

_log = logging.getLogger(__name__)


class LineReader:
    """Reads lines on a daemon thread, one per request, so a blocked ``readline`` never keeps
    the process alive at exit and a prompt is printed only when a line is wanted."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._requests: queue.SimpleQueue[tuple[asyncio.AbstractEventLoop, asyncio.Future[str]]]
        self._requests = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._work, name="console-stdin", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            loop, future = self._requests.get()
            try:
                line = self._stream.readline()
            except Exception as exc:  # a closed or broken stdin ends the session
                loop.call_soon_threadsafe(_settle, future, None, exc)
                continue
            loop.call_soon_threadsafe(_settle, future, line, None)

    async def readline(self) -> str:
        """The next line with its newline, or ``""`` at end of input."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str] = loop.create_future()
        self._requests.put((loop, future))
        return await future


def _settle(future: asyncio.Future[str], line: str | None, exc: BaseException | None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(line or "")


def _tolerant(stream: TextIO) -> TextIO:
    """The terminal's streams with undecodable input read as U+FFFD and unprintable output
    written as "?": one invalid byte must not end the session (nor take the lines before it in
    the same read with it)."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors="replace")
    return stream


class ConsoleAdapter:
    platform = "console"

    def __init__(
        self,
        service: PledgeService,
        *,
        moderators: list[str],
        user: str = "artist",
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        interactive: bool | None = None,
        after_command: Callable[[], Awaitable[Any]] | None = None,
        journal: Path | None = None,
        language: str | None = None,
    ) -> None:
        """``journal``: a file where the ids of printed outbox lines are noted right after each
        is printed (see :class:`PrintedJournal`). ``language``: what the console speaks (None:
        ``[i18n] default_language``)."""
        self.service = service
        self.journal = PrintedJournal(journal) if journal is not None else None
        self._in = stdin or _tolerant(sys.stdin)
        self._out = stdout or _tolerant(sys.stdout)
        self.interactive = self._in.isatty() if interactive is None else interactive
        self.session = Session(user, frozenset(moderators))
        self._after_command = after_command
        self._reader: LineReader | None = None
        self.commands = ConsoleCommands(
            service, ask=self._ask if self.interactive else None, language=language
        )
        self.tr = self.commands.tr

    def _print(self, text: str) -> None:
        if text:
            print(text, file=self._out, flush=True)

    async def _readline(self, prompt: str = "") -> str:
        if self._reader is None:
            self._reader = LineReader(self._in)
        if prompt and self.interactive:
            print(prompt, end="", file=self._out, flush=True)
        return await self._reader.readline()

    async def _ask(self, question: str) -> str | None:
        line = await self._readline(question)
        return None if line == "" else line.rstrip("\n")

    async def run(self) -> None:
        """Serve commands until end of input."""
        if self.interactive:
            self._print(
                self.tr.t(
                    "pledgebot console — you are {user}. Type /help for commands, "
                    "/letter to read the letter, Ctrl-D to quit.",
                    user=self.session.user,
                )
            )
        while True:
            line = await self._readline(f"{self.session.user}> ")
            if line == "":
                return
            try:
                reply = await self.commands.handle(self.session, line)
            except Exception:
                _log.exception("console: command failed: %r", line[:80])
                reply = self.tr.render(APOLOGY)
            self._print(reply)
            if self._after_command is not None:
                try:
                    await self._after_command()
                except Exception:  # e.g. the outbox's database is busy: the next command retries
                    _log.exception("console: delivering what is owed failed")

    # -- outbox Sender ----------------------------------------------------------------------
    async def deliver(self, message: OutboxMessage) -> str | None:
        line = format_outbox(message)  # made first: between the note and the print, nothing runs
        if self.journal is not None:
            self.journal.note(message.id)
        self._print(line)
        return None


class PrintedJournal:
    """The outbox lines this console printed whose delivery the store may not have recorded yet.

    The outbox records a console line as delivered after printing it, in a database commit
    (milliseconds); a crash in between would print the line again at the next start. So each
    line's id is noted here just before the line is printed, and the next start records the
    noted lines as delivered instead of printing them again. The file is emptied once the store
    has caught up (before each round of delivery).

    The note is a store into a shared memory map of the file, not a ``write`` system call: a
    system call lets the store's writer thread take the interpreter lock, and the bot could wait
    milliseconds for it between the note and the print, where a kill loses the line (noted, so
    recorded as printed, never printed: the crash test hit it once in four runs). A store into
    the map is in the kernel's page cache at once and survives a killed process; between it and
    the print's ``write`` only a few bytecodes run. A note cut short by a kill is followed by
    zeros and read as no note. A power cut can still lose the map's last page, and the line
    repeats.
    """

    #: Room for about 8,000 ids between two recordings; grown (a new map) when full.
    SIZE = 1 << 16

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._map: mmap.mmap | None = None
        self._at = 0

    def note(self, message_id: int) -> None:
        data = b"%d\n" % message_id
        try:
            if self._map is None or self._at + len(data) > len(self._map):
                self._open(self._at + len(data))
        except OSError as exc:  # the line may then repeat after a crash: no worse than before
            _log.warning("console: cannot note a printed line in %s: %s", self.path, exc)
            return
        assert self._map is not None
        end = self._at + len(data)
        self._map[self._at : end] = data
        self._at = end

    def _open(self, needed: int) -> None:
        """Map the file with room for ``needed`` bytes; the notes already there are kept."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        size = max(self.SIZE, os.fstat(self._fd).st_size)
        while size < needed:
            size *= 2
        os.ftruncate(self._fd, size)  # grows with zeros, never shrinks what is noted
        if self._map is not None:
            self._map.close()
        self._map = mmap.mmap(self._fd, size)
        if self._at == 0:  # a new map of an old file: note after what it holds
            used = self._map.find(b"\0")
            self._at = size if used < 0 else used

    def noted(self) -> list[int]:
        """The ids noted since the file was last emptied (by a run that may have crashed)."""
        try:
            text = self.path.read_bytes().decode("ascii", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as exc:
            _log.warning("console: cannot read %s: %s", self.path, exc)
            return []
        # A complete note ends with a newline; one a kill cut short ends in zeros.
        return [int(line) for line in text.split("\n") if line.isdecimal()]

    def clear(self) -> None:
        """The store has recorded every noted line: empty the file at once (a truncation),
        then give it its room back, all zeros."""
        try:
            if self._fd is None:
                self.path.unlink(missing_ok=True)
            else:
                os.ftruncate(self._fd, 0)
                if self._map is not None:
                    os.ftruncate(self._fd, len(self._map))
                self._at = 0
        except OSError as exc:
            _log.warning("console: cannot empty %s: %s", self.path, exc)

    def close(self) -> None:
        """Unmap and close; a journal with no note left is left empty (no room kept)."""
        if self._map is not None:
            self._map.close()
            self._map = None
        if self._fd is not None:
            try:
                if self._at == 0:
                    os.ftruncate(self._fd, 0)
            except OSError as exc:
                _log.warning("console: cannot empty %s: %s", self.path, exc)
            os.close(self._fd)
            self._fd = None


def format_outbox(message: OutboxMessage) -> str:
    match message.kind:
        case OutboxKind.ANNOUNCEMENT:
            return f"[announcement] {message.text}"
        case OutboxKind.MOD_QUEUE | OutboxKind.MOD_UPDATE:
            return f"[mod queue] {message.text}"
        case OutboxKind.ALERT:
            return f"[alert] {message.text}"
        case _:
            return f"[to {message.destination}] {message.text}"


class ConsoleLogSender:
    """Delivers the console's share of the outbox to the log when no terminal chat runs
    (``pledgebot run`` with a platform token), so those rows do not wait forever."""

    platform = "console"

    async def deliver(self, message: OutboxMessage) -> str | None:
        _log.info("%s", format_outbox(message))
        return None
