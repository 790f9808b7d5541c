"""``@frozen_value``: ``@dataclass(frozen=True, slots=True)`` at a smaller price per start.

For every class, ``dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` and compiles each with ``exec``: about 0.5 ms
per class, and pledgebot's console builds about fifty such values before its first line.
:func:`frozen_value` compiles one function per class, the ``__init__`` (the fast one of
:func:`bot.slots.slot_init`, which hands each field to its slot), and gives the class the rest
made from the fields' names, with nothing to compile: a ``__repr__``, ``__eq__`` and
``__hash__`` that behave exactly as the generated ones (same text, same tuple comparison, same
hash, the same ``...`` on a recursive repr), the frozen ``__setattr__`` and ``__delattr__``
(the same test, the same :class:`~dataclasses.FrozenInstanceError`), and the
``__getstate__``/``__setstate__`` that pickle and copy a frozen slotted dataclass. A class this
cannot fill that way (a ``default_factory``, an ``init=False`` field, a ``__post_init__``, a
dataclass base) is left to ``dataclass`` for those methods.
"""

from __future__ import annotations

import inspect
import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

from bot.slots import slot_init

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


def _fillable(cls: type) -> bool:
    """Whether :func:`slot_init` can give ``cls`` its ``__init__`` and this module the frozen
    methods (else ``dataclass`` writes them, and refuses what it refuses)."""
    body = cls.__dict__
    if "__setattr__" in body or "__delattr__" in body or hasattr(cls, "__post_init__"):
        return False
    if any(hasattr(base, "__dataclass_fields__") for base in cls.__mro__[1:]):
        return False
    return not any(
        isinstance(v, Field) and (v.default_factory is not MISSING or not v.init)
        for v in body.values()
    )


class _SignatureDoc:
    """The docstring dataclass gives a class without one, ``Name(field: type, ...)``, worked
    out when it is read: ``inspect.signature`` costs ~0.1 ms a class, and most values have no
    docstring of their own. Python reads a class's ``__doc__`` through a descriptor in it."""

    __slots__ = ()

    def __get__(self, instance: object, owner: type) -> str:
        try:
            text_sig = str(inspect.signature(owner)).replace(" -> None", "")
        except (TypeError, ValueError):  # as dataclass: no signature, no text for it
            text_sig = ""
        return owner.__name__ + text_sig


_SIGNATURE_DOC: Any = _SignatureDoc()


def _frozen_methods(cls: type[Any], names: frozenset[str]) -> dict[str, Callable[..., Any]]:
    """What ``dataclass(frozen=True, slots=True)`` adds to refuse changes and still pickle.
    ``cls`` is the class as written, before ``dataclass`` remade it with slots: the generated
    methods test and call ``super()`` with that one too."""

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, f.name) for f in fields(self)]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for f, value in zip(fields(self), state, strict=False):
            object.__setattr__(self, f.name, value)

    return {
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
        "__getstate__": __getstate__,
        "__setstate__": __setstate__,
    }


@dataclass_transform(frozen_default=True)
def frozen_value(cls: C) -> C:
    """``@dataclass(frozen=True, slots=True)``, the same class to its users."""
    body = dict(cls.__dict__)  # what the class writes itself, dataclass keeps (as here)
    fill = _fillable(cls)
    if fill:
        documented = bool(body.get("__doc__"))
        if not documented:  # dataclass would read a signature the class does not have yet
            cls.__doc__ = cls.__name__
        made: Any = dataclass(init=False, repr=False, eq=False, slots=True)(cls)
        params = made.__dataclass_params__
        params.init = params.frozen = True  # as dataclass(frozen=True) records them
        slot_init(made)
        own = fields(made)
        made.__init__.__doc__ = None
        made.__init__.__annotations__ = {f.name: f.type for f in own} | {"return": None}
        if not documented:
            made.__doc__ = _SIGNATURE_DOC
        methods = _frozen_methods(cls, frozenset(f.name for f in own))
        for name, method in methods.items():
            if name not in body:
                setattr(made, name, method)
    else:
        made = dataclass(frozen=True, slots=True, eq=False, repr=False)(cls)
        own = fields(made)
        methods = {}
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

    made_here: list[Any] = [__repr__, __eq__, __hash__, *methods.values()]
    for method in made_here:
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
