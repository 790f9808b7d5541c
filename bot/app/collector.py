"""The garbage collector, tuned for a process that serves bursts.

CPython's cyclic collector runs a young-generation pass every 700 net allocations of container
objects. A burst keeps hundreds of callers in flight, each holding its coroutines, futures and
rows: thousands of live containers, allocated and freed again group after group. With the default
threshold every group commit crossed it, and each pass walked objects that were all still alive,
promoting them to the older generations for the next passes to walk again — 6 to 9 µs of CPU per
durable signature in ``benchmarks/sign_burst.py`` (measured with ``gc.callbacks``), nearly all of
it finding nothing to free. Reference counting frees almost everything a signature allocates; the
collector is only needed for the odd cycle (an exception and its traceback), which a larger young
generation still collects, a few milliseconds later.

The objects made at start-up (modules, settings, catalogues, the store) live as long as the
process: they are frozen out of the collector's walks (:func:`gc.freeze`), so a full collection
walks what the bot made since, not the whole interpreter.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["YOUNG_THRESHOLD", "freeze_startup", "tuned_for_serving"]

#: Net container allocations between two young-generation passes: above the ~2,000–5,000 that
#: 200 callers in flight keep alive (2,000 still ran a pass per group: 48 passes per 10,000
#: signatures, 3–5 µs each; 10,000 runs 2).
YOUNG_THRESHOLD = 10_000


@contextmanager
def tuned_for_serving() -> Iterator[None]:
    """While the core serves: start-up's objects frozen, a young generation of
    :data:`YOUNG_THRESHOLD`; as it was afterwards."""
    before, enabled = gc.get_threshold(), gc.isenabled()
    # No gc.collect() first: start-up leaves almost no cyclic garbage behind (it freed 5 of
    # ~37,000 objects after importing the console bot), and that full collection cost 16-20 ms
    # of CPU (busy machine) before the first console line.
    gc.freeze()
    gc.set_threshold(max(before[0], YOUNG_THRESHOLD), *before[1:])
    gc.enable()  # the command line pauses the collector while it starts (bot.cli.main)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
        if not enabled:
            gc.disable()


def freeze_startup() -> None:
    """Freeze what start-up made since the core began serving (the adapters, their libraries'
    classes and caches: ~70,000 objects for discord.py), so full collections stop walking it.
    In a Discord burst, collections took 80–100 µs of CPU per signature with the default
    collector, 12–15 µs with this (benchmarks/discord_burst.py). Undone, with the rest, when
    :func:`tuned_for_serving` ends."""
    gc.collect()  # start-up's own garbage is collected, not frozen
    gc.freeze()
