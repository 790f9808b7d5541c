"""The campaign's rules as the core applies them: approval, anonymity, milestones, cooling
down, rate limits, live posts and reaffirming a changed text — one frozen value per bot."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from bot.milestones import MilestonePolicy
from bot.ratelimit import RateLimits
from bot.values import frozen_value

__all__ = ["Rules"]


@frozen_value
class Rules:
    """The campaign's rules. No defaults here: they come from the configuration's (bot.config),
    through the composition root (``bot.app.rules_of`` / ``default_rules``), so the bot, the
    tests and the benchmarks cannot drift apart."""

    approval: Literal["manual", "auto"]
    allow_anonymous: bool
    milestones: MilestonePolicy
    #: The organiser's own announcement; empty: the catalogue's, in each channel's language.
    milestone_message: str
    #: After withdrawing, how long before the same account may sign again.
    cooldown: timedelta
    #: Accounts younger than this wait for a moderator even when approval is "auto".
    min_account_age: timedelta
    surge_window: timedelta
    surge_share: float
    surge_min_signatures: int  # 0: no surge alarms
    #: Per-account command rates (bot.ratelimit); None: unlimited.
    rate_limits: RateLimits | None
    #: Whether everyone may read ``/communities`` (and the public page shows it).
    public_communities: bool
    #: The shortest time between two edits of one live letter post (bot.liveposts).
    live_edit_interval: timedelta
    #: Whether signatures on an earlier text of the letter still count (bot.reaffirm).
    require_reaffirm: bool
    #: How many earlier signers are told of a new text each minute, at most.
    reaffirm_notices_per_minute: float
