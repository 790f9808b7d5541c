"""One source of the rules' defaults: the configuration's, through the composition root."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import build_rules, default_rules
from bot.config import load_settings
from bot.milestones import MilestonePolicy
from bot.rules import Rules
from bot.texts import announcements


def test_the_core_rules_have_no_defaults_of_their_own() -> None:
    """A Rules() built without the configuration had another cooldown (0 instead of 10) and
    no surge alarms (instead of 20 signatures): the benchmarks ran with it."""
    with pytest.raises(TypeError):
        Rules()  # type: ignore[call-arg]


def test_a_configuration_that_sets_no_rule_gets_the_documented_defaults(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[letter]\ntitle = "T"\ndemands = ["D"]\n')
    settings, _ = load_settings(config)
    rules = build_rules(settings)
    assert rules == default_rules()
    assert rules.cooldown == timedelta(minutes=10)  # config.example.toml's signing section
    assert rules.surge_min_signatures == 20 and rules.approval == "manual"
    assert rules.milestones == MilestonePolicy.of([10, 50, 100, 250, 500, 1000], 1000)
    assert rules.milestone_message == ""  # the catalogue's announcement, in each language
    announced = announcements.format_milestone(rules.milestone_message, count=10, title="T")
    assert str(announced) == "10 artists have signed “T”. Read it and add your name: /letter"
