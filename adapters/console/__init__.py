"""The console adapter: stdin/stdout, the simplest adapter and a living spec of the commands."""

from adapters.console.adapter import ConsoleAdapter, ConsoleLogSender, format_outbox

__all__ = ["ConsoleAdapter", "ConsoleLogSender", "format_outbox"]
