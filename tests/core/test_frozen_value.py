"""``@frozen_value`` must be ``@dataclass(frozen=True, slots=True)`` to every user of a value:
the same repr, equality, hash, immutability, ``replace`` and pattern matching. Each property is
checked against a real dataclass with the same fields, on generated values."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import math
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bot.domain
from bot.values import frozen_value


@dataclass(frozen=True, slots=True)
class Plain:
    name: str
    count: int
    ratio: float
    tags: tuple[str, ...] = ()
    note: str = field(default="", compare=False)
    secret: str = field(default="", repr=False)
    cache: int = field(default=0, hash=False)


@frozen_value
class Fast:
    name: str
    count: int
    ratio: float
    tags: tuple[str, ...] = ()
    note: str = field(default="", compare=False)
    secret: str = field(default="", repr=False)
    cache: int = field(default=0, hash=False)


@frozen_value
class One:
    value: float


@dataclass(frozen=True, slots=True)
class PlainOne:
    value: float


Row = tuple[Any, ...]

values = st.tuples(
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=True),
    st.lists(st.text(max_size=3), max_size=3).map(tuple),
    st.text(max_size=3),
    st.text(max_size=3),
    st.integers(),
)


@given(values, values)
def test_repr_equality_and_hash_are_the_dataclass_ones(a: Row, b: Row) -> None:
    plain_a, plain_b, fast_a, fast_b = Plain(*a), Plain(*b), Fast(*a), Fast(*b)
    assert repr(fast_a) == repr(plain_a).replace("Plain(", "Fast(", 1)
    assert (fast_a == fast_b) == (plain_a == plain_b)
    assert (fast_a != fast_b) == (plain_a != plain_b)
    assert (fast_a == fast_a) == (plain_a == plain_a)  # a NaN field: the tuple rule, as dataclass
    assert hash(fast_a) == hash(plain_a)
    assert fast_a != plain_a  # another class is never equal, as between two dataclasses


@given(st.floats(allow_nan=True))
def test_a_value_of_one_field_compares_and_hashes_as_a_tuple(x: float) -> None:
    assert (One(x) == One(x)) == (PlainOne(x) == PlainOne(x))
    assert hash(One(x)) == hash(PlainOne(x))
    if math.isnan(x):
        assert One(x) != One(float("nan"))


def test_immutability_replace_slots_and_matching_are_the_dataclass_ones() -> None:
    value = Fast("a", 1, 0.5, ("x",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.name = "b"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del value.count
    assert dataclasses.replace(value, count=2) == Fast("a", 2, 0.5, ("x",))
    assert Fast.__match_args__ == Plain.__match_args__
    assert vars(Fast)["__slots__"] == vars(Plain)["__slots__"]
    match value:
        case Fast(name, count):
            assert (name, count) == ("a", 1)
        case _:
            pytest.fail("a frozen value did not match its positional pattern")
    assert dataclasses.is_dataclass(Fast)


def test_every_frozen_value_of_the_domain_is_a_frozen_slotted_dataclass() -> None:
    classes = [
        c
        for c in vars(bot.domain).values()
        if isinstance(c, type) and c.__module__ == "bot.domain" and dataclasses.is_dataclass(c)
    ]
    assert len(classes) >= 15
    for cls in classes:
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert params.frozen, cls
        assert "__slots__" in vars(cls), cls
        assert cls.__hash__ is not None, cls


@frozen_value
class Undocumented:
    value: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class PlainUndocumented:
    value: float
    label: str = ""


def test_pickle_copy_signature_and_docstring_are_the_dataclass_ones() -> None:
    value = Fast("a", 1, 0.5, ("x",), note="n", secret="s", cache=3)
    for copied in (pickle.loads(pickle.dumps(value)), copy.copy(value), copy.deepcopy(value)):
        assert copied == value
        assert dataclasses.astuple(copied) == dataclasses.astuple(value)  # compare=False too
    assert inspect.signature(Fast) == inspect.signature(Plain)
    assert Fast.__init__.__annotations__ == Plain.__init__.__annotations__
    assert Fast.__init__.__doc__ == Plain.__init__.__doc__
    assert Undocumented.__doc__ == PlainUndocumented.__doc__.replace("Plain", "", 1)
    with pytest.raises(TypeError):
        Fast("a", 1)  # type: ignore[call-arg]
    for cls in (Fast, Plain):
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert (params.init, params.frozen) == (True, True)


def test_a_class_it_cannot_fill_is_still_a_frozen_dataclass() -> None:
    @frozen_value
    class Listy:
        items: tuple[int, ...] = field(default_factory=tuple)

        def __post_init__(self) -> None:
            object.__setattr__(self, "items", tuple(sorted(self.items)))

    assert Listy((3, 1)).items == (1, 3)
    assert Listy() == Listy(())
    with pytest.raises(dataclasses.FrozenInstanceError):
        Listy().items = (1,)  # type: ignore[misc]
