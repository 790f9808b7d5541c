"""What the configuration makes of the core: the letter, its rules, where posts go, and what an
enabled platform is missing. The one place the core's defaults are read from the settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.config import (
    MilestoneSettings,
    RateLimitSettings,
    ReaffirmSettings,
    Settings,
    SigningSettings,
)
from bot.domain import Destinations, Letter, LetterText
from bot.milestones import MilestonePolicy
from bot.ratelimit import Limit, RateLimits
from bot.rules import Rules

CONSOLE_ANNOUNCE = ("console", "announcements")
CONSOLE_MOD_QUEUE = ("console", "mod-queue")


def build_letter(settings: Settings) -> Letter:
    s = settings.letter
    translations = tuple(
        LetterText(t.title.strip(), t.preamble.strip(), tuple(t.demands), t.closing.strip(), lang)
        for lang, t in s.translations.items()
    )
    return Letter(
        s.title.strip(), s.preamble.strip(), tuple(s.demands), s.closing.strip(), translations
    )


def rate_limits_of(r: RateLimitSettings) -> RateLimits:
    """The per-account command rates of the configuration's ``[rate_limits]``."""
    return RateLimits(
        reading=Limit(r.reading_burst, r.reading_per_minute),
        signing=Limit(r.signing_burst, r.signing_per_minute),
        moderating=Limit(r.moderating_burst, r.moderating_per_minute),
        tracked_accounts=r.tracked_accounts,
    )


def build_rules(settings: Settings) -> Rules:
    return rules_of(settings.signing, settings.milestones, settings.rate_limits, settings.letter)


def rules_of(
    signing: SigningSettings,
    milestones: MilestoneSettings,
    rate_limits: RateLimitSettings,
    reaffirm: ReaffirmSettings,
) -> Rules:
    """The core's rules from the configuration's sections: the one place their defaults live."""
    return Rules(
        approval=signing.approval,
        allow_anonymous=signing.allow_anonymous,
        milestones=MilestonePolicy.of(milestones.thresholds, milestones.every),
        milestone_message=milestones.message,
        cooldown=timedelta(minutes=signing.cooldown_minutes),
        min_account_age=timedelta(days=signing.min_account_age_days),
        surge_window=timedelta(minutes=signing.surge_window_minutes),
        surge_share=signing.surge_share,
        surge_min_signatures=signing.surge_min_signatures,
        rate_limits=rate_limits_of(rate_limits),
        public_communities=signing.public_communities,
        live_edit_interval=timedelta(seconds=signing.live_edit_interval_seconds),
        require_reaffirm=reaffirm.require_reaffirm,
        reaffirm_notices_per_minute=reaffirm.reaffirm_notices_per_minute,
    )


def default_rules(**changes: Any) -> Rules:
    """The rules of a configuration that sets none, with ``changes`` (tests, benchmarks)."""
    defaults = rules_of(
        SigningSettings(), MilestoneSettings(), RateLimitSettings(), ReaffirmSettings()
    )
    return replace(defaults, **changes)


def build_destinations(settings: Settings) -> Destinations:
    """Every announce channel of every enabled platform, and the console (or its log)."""
    announce = [CONSOLE_ANNOUNCE]
    mod_queue = [CONSOLE_MOD_QUEUE]
    if settings.discord.enabled:
        announce += [("discord", str(c)) for c in settings.discord.announce_channel_ids]
        if settings.discord.mod_channel_id:
            mod_queue.append(("discord", str(settings.discord.mod_channel_id)))
    if settings.telegram.enabled:
        announce += [("telegram", str(c)) for c in settings.telegram.announce_chat_ids]
        if settings.telegram.mod_chat_id:
            mod_queue.append(("telegram", str(settings.telegram.mod_chat_id)))
    languages: dict[tuple[str, str], str] = {}
    for channel, language in settings.i18n.channel_languages.items():
        platform, _, where = channel.partition(":")
        if channel == "console":
            languages |= {CONSOLE_ANNOUNCE: language, CONSOLE_MOD_QUEUE: language}
        else:
            languages[(platform, where)] = language
    return Destinations(
        tuple(announce), tuple(mod_queue), settings.i18n.default_language, languages
    )


def config_warnings(settings: Settings) -> list[str]:
    """What an enabled platform is missing for the campaign to work there as expected."""
    found = []
    d, t = settings.discord, settings.telegram
    if d.enabled and not d.announce_channel_ids:
        found.append("discord.announce_channel_ids is empty: milestones are not posted on Discord")
    if d.enabled and not d.mod_channel_id:
        found.append(
            "discord.mod_channel_id is not set: no mod-queue cards or surge alerts on Discord"
        )
    if t.enabled and not t.announce_chat_ids:
        found.append("telegram.announce_chat_ids is empty: milestones are not posted on Telegram")
    if t.enabled and not t.mod_chat_id:
        found.append(
            "telegram.mod_chat_id is not set: no mod-queue cards or surge alerts on Telegram"
        )
    if t.enabled and not t.mod_chat_id and not t.moderator_user_ids:
        found.append(
            "telegram.moderator_user_ids is empty and there is no mod chat: "
            "nobody can moderate on Telegram"
        )
    return found
