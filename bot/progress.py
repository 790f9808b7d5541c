"""Progress of long command-line work: export, copy-store, backup, publish.

The work reports through :class:`Progress` (a stage with a total, then how far it got); the
command line hands it bars drawn by rich on stderr when stderr is a terminal, and silence
otherwise, so a log file or a pipe never receives control characters. rich is imported only
when bars are drawn: every other command starts without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress

__all__ = ["SILENT", "Advance", "Progress", "on_terminal"]

#: Moves a stage on by this many units (rows, pages, bytes).
Advance = Callable[[int], None]


class Progress(Protocol):
    def stage(self, what: str, total: int | None = None, *, unit: str = "") -> Advance:
        """Begin a stage of ``total`` units (None: not known beforehand); returns how to
        move it on."""
        ...


def _ignore(_: int) -> None:
    pass


class _Silent:
    def stage(self, what: str, total: int | None = None, *, unit: str = "") -> Advance:
        return _ignore


#: Reports nothing: the default of every function that can report progress.
SILENT: Progress = _Silent()


class _Bars:
    def __init__(self, bars: RichProgress) -> None:
        self._bars = bars

    def stage(self, what: str, total: int | None = None, *, unit: str = "") -> Advance:
        task = self._bars.add_task(what, total=total, unit=unit)

        def advance(n: int) -> None:
            self._bars.advance(task, n)

        return advance


@contextmanager
def on_terminal(stream: TextIO) -> Iterator[Progress]:
    """Bars on ``stream`` while the block runs, if it is a terminal; :data:`SILENT` if not."""
    if not stream.isatty():
        yield SILENT
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    bars = RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(file=stream),
        # What the command prints on stdout (copy-store's summary) stays on stdout.
        redirect_stdout=False,
        redirect_stderr=False,
    )
    with bars:
        yield _Bars(bars)
