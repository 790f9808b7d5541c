"""The Discord adapter: slash commands, modals and persistent buttons on discord.py 2.7+."""

from adapters.discord.adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]
