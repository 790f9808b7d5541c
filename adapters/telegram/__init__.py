"""The Telegram adapter: commands, the private signing conversation, inline-button moderation
and the outbox sender, on python-telegram-bot. It translates; every rule is in :mod:`bot`."""

from adapters.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
