"""Shared fixtures: a real SQLite store in a temp dir, a controllable clock, and actors."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from bot.app import default_rules
from bot.domain import Actor, Destinations, Identity, Letter
from bot.milestones import MilestonePolicy
from bot.ports import Store
from bot.service import PledgeService
from storage.sqlite import SQLiteStore
from tests.stores import STORES, open_test_store

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=150, deadline=None)
settings.register_profile("soak", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# Tests talk to 127.0.0.1 only; keep any configured proxy out of it.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"

LETTER = Letter(
    title="No Music For ICE",
    preamble="We the undersigned artists pledge:",
    demands=(
        "Terminate the contracts.",
        "Stop the cloud services.",
        "End the projects.",
        "Reject future engagements.",
    ),
    closing="Join us.",
)
DESTINATIONS = Destinations(
    announce=(("console", "announcements"), ("discord", "111"), ("telegram", "-100222")),
    mod_queue=(("console", "mod-queue"),),
)


@dataclass
class StepClock:
    """A clock that moves one millisecond per reading, so ordering by time is stable."""

    at: datetime = field(default_factory=lambda: datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    step: timedelta = timedelta(milliseconds=1)

    def now(self) -> datetime:
        self.at += self.step
        return self.at


def artist(n: int | str, platform: str = "console") -> Actor:
    return Actor(Identity(platform, str(n)), f"artist{n}")


MOD = Actor(Identity("console", "mod"), "mod", is_moderator=True)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pledge.db'}"


@pytest.fixture(params=STORES)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """Every store in turn: the core's tests hold for each."""
    async with open_test_store(request.param, tmp_path) as s:
        yield s


@pytest.fixture
async def sqlite_store(db_url: str) -> AsyncIterator[SQLiteStore]:
    """For tests of what only SQLite promises (the file on disk, a single process)."""
    async with SQLiteStore(db_url) as s:
        yield s


ServiceFactory = Callable[..., PledgeService]


@pytest.fixture
async def make_service(store: Store) -> ServiceFactory:
    def factory(
        *,
        approval: str = "manual",
        thresholds: tuple[int, ...] = (10, 50, 100),
        every: int = 0,
        allow_anonymous: bool = True,
        letter: Letter = LETTER,
        destinations: Destinations = DESTINATIONS,
        **more_rules: Any,
    ) -> PledgeService:
        # The configuration's defaults, but no cooldown, no surge alarms and no rate limits
        # unless a test asks: most tests sign, withdraw and sign again, sign many from one
        # community, or have one moderator decide many, faster than any person would.
        # A short announcement of the test's own (milestone_message="" asks for the catalogue's).
        quiet = {"cooldown": timedelta(0), "surge_min_signatures": 0, "rate_limits": None}
        announcement = {"milestone_message": "{count} artists have signed “{title}”."}
        rules = default_rules(
            approval=approval,
            allow_anonymous=allow_anonymous,
            milestones=MilestonePolicy.of(thresholds, every),
            **{**announcement, **quiet, **more_rules},
        )
        return PledgeService(store, letter, rules, destinations, StepClock())

    return factory


@pytest.fixture
async def service(make_service: ServiceFactory) -> PledgeService:
    svc = make_service()
    await svc.start()
    return svc
