"""Composition root — the ONE place that wires concrete classes together.

Settings → a store chosen by URL scheme → the core service → the adapters whose tokens are set →
the outbox dispatcher with each adapter as the sender for its platform. Nothing here holds a rule;
import-linter allows only this package (and the CLI through it) to import adapters and stores.

:mod:`~bot.app.configured` reads the core's parts from the settings, :mod:`~bot.app.stores`
opens a store and the core on it, :mod:`~bot.app.running` runs the bot, and
:mod:`~bot.app.one_shot` holds the operator's one-shot commands.
"""

from typing import TYPE_CHECKING, Any

from bot.app.configured import build_letter, build_rules, config_warnings, default_rules, rules_of
from bot.app.running import run_bot, run_console, until_stopped
from bot.app.stores import check_store, core, open_store, opened

if TYPE_CHECKING:
    from bot.app.one_shot import backup_to, copy_store, export_to, publish_to, snapshot_to

#: The one-shot commands are imported when first asked for: the bot and the console never are.
_ONE_SHOT = frozenset({"backup_to", "copy_store", "export_to", "publish_to", "snapshot_to"})


def __getattr__(name: str) -> Any:
    if name in _ONE_SHOT:
        from bot.app import one_shot

        return getattr(one_shot, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "backup_to",
    "build_letter",
    "build_rules",
    "check_store",
    "config_warnings",
    "copy_store",
    "core",
    "default_rules",
    "export_to",
    "open_store",
    "opened",
    "publish_to",
    "rules_of",
    "run_bot",
    "run_console",
    "snapshot_to",
    "until_stopped",
]
