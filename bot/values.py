"""``@frozen_value``: ``@dataclass(frozen=True, slots=True)`` at a smaller price per start.

For every class, ``dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` and compiles each with ``exec``: about 0.5 ms
per class, so about 10 ms of every start for :mod:`bot.domain`'s twenty values alone, most of
it compiling. :func:`frozen_value` lets ``dataclass`` generate only what needs a class's own
code (``__init__`` and the frozen ``__setattr__``/``__delattr__``) and gives it a ``__repr__``,
``__eq__`` and ``__hash__`` that behave exactly as the generated ones (same text, same tuple
comparison, same hash, the same ``...`` on a recursive repr) but are made from the fields'
names, with nothing to compile.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

__all__ = ["frozen_value"]

C = TypeVar("C", bound=type)


def _tuple_of(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The named attributes of a value as a tuple, even for one or no name (the generated
    methods compare and hash tuples: ``(nan,) == (nan,)`` holds where ``nan == nan`` fails)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda value: (one(value),)
    return lambda value: ()


@dataclass_transform(frozen_default=True)
def frozen_value(cls: C) -> C:
    """``@dataclass(frozen=True, slots=True)``, the same class to its users."""
    body = dict(cls.__dict__)  # what the class writes itself, dataclass keeps (as here)
    made: Any = dataclass(frozen=True, slots=True, eq=False, repr=False)(cls)
    own = fields(made)
    shown = tuple(f.name for f in own if f.repr)
    compared = _tuple_of(tuple(f.name for f in own if f.compare))
    hashed = _tuple_of(tuple(f.name for f in own if (f.compare if f.hash is None else f.hash)))

    def __repr__(self: Any) -> str:
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({parts})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    for method in (__repr__, __eq__, __hash__):
        method.__qualname__ = f"{made.__qualname__}.{method.__name__}"
        method.__module__ = made.__module__
    if "__repr__" not in body:
        made.__repr__ = reprlib.recursive_repr()(__repr__)
    if "__eq__" not in body:
        made.__eq__ = __eq__
    # Like dataclass: a __hash__ of the class's own stays; the None Python sets beside an
    # __eq__ of its own does not.
    own_hash = body.get("__hash__", MISSING)
    if own_hash is MISSING or (own_hash is None and "__eq__" in body):
        made.__hash__ = __hash__
    return made
