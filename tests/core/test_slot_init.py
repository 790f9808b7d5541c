"""bot.slots.slot_init: the same values as the dataclass's own __init__, and still frozen."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import Identity, NewSignature, Status
from bot.slots import slot_init

_NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@dataclasses.dataclass(frozen=True, slots=True)
class _Generated:
    a: int
    b: str = "b"
    c: tuple[int, ...] = ()
    d: bool = dataclasses.field(default=False, kw_only=True)


@slot_init
@dataclasses.dataclass(frozen=True, slots=True)
class _Filled:
    a: int
    b: str = "b"
    c: tuple[int, ...] = ()
    d: bool = dataclasses.field(default=False, kw_only=True)


@given(st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=3), st.booleans())
def test_the_same_fields_as_the_generated_init(a: int, b: str, c: list[int], d: bool) -> None:
    made, expected = _Filled(a, b, tuple(c), d=d), _Generated(a, b, tuple(c), d=d)
    assert dataclasses.astuple(made) == dataclasses.astuple(expected)
    assert dataclasses.astuple(_Filled(a)) == dataclasses.astuple(_Generated(a))  # defaults


def test_keyword_only_fields_stay_keyword_only() -> None:
    with pytest.raises(TypeError):
        _Filled(1, "b", (), True)  # type: ignore[call-arg]


def test_a_signature_is_built_and_stays_frozen() -> None:
    new = NewSignature(
        Identity("discord", "1"), "Ada", "ada", None, "Paris", None, False, "discord:1",
        Status.APPROVED, "v1", _NOW, _NOW, look_key="ada", language="fr",
    )  # fmt: skip
    sig = new.stored_as(7, "discord:1")
    assert (sig.id, sig.name, sig.location, sig.language, sig.person) == (
        7, "Ada", "Paris", "fr", "discord:1",
    )  # fmt: skip
    assert (sig.decided_by, sig.erased, sig.lapsed) == (None, False, False)  # the defaults
    assert sig.evolve(erased=True).erased and not sig.erased
    with pytest.raises(dataclasses.FrozenInstanceError):
        sig.name = "Eve"  # type: ignore[misc]


def test_classes_it_cannot_fill_are_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Listy:
        items: list[int] = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError):
        slot_init(Listy)
