"""A cheaper ``__init__`` for the frozen, slotted dataclasses made on every signature.

A frozen dataclass's generated ``__init__`` stores each field with ``object.__setattr__(self,
name, value)``, which finds the slot by name every time: for :class:`~bot.domain.Signature`'s
21 fields that was most of a signature's construction, and a signing burst builds two such
values per signature. :func:`slot_init` gives the class an ``__init__`` with the same
parameters and defaults that hands each value to its slot's own descriptor instead. The class
keeps the ``__setattr__`` that refuses changes, so its instances are as frozen as before.
:func:`bot.values.frozen_value` gives every value it makes this ``__init__``.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from types import CodeType, FunctionType
from typing import Any, TypeVar

__all__ = ["slot_init"]

C = TypeVar("C", bound=type)

#: The code of an ``__init__`` that hands each argument to a setter, by shape (how many
#: positional and keyword-only fields): compiled once per shape, and given to each class under
#: its own field names with its own setters and defaults, instead of compiling a source per
#: class (about 50 µs each, and some fifty classes are made before the console's first line).
_SHAPES: dict[tuple[int, int], CodeType] = {}


def _shape(positional: int, keyword: int) -> CodeType:
    code = _SHAPES.get((positional, keyword))
    if code is None:
        names = [f"a{i}" for i in range(positional + keyword)]
        params = ["self", *names[:positional], *(["*", *names[positional:]] if keyword else [])]
        body = "".join(f"    s{i}(self, {name})\n" for i, name in enumerate(names)) or "    pass\n"
        namespace: dict[str, Any] = {}
        exec(f"def __init__({', '.join(params)}):\n" + body, namespace)
        code = _SHAPES[positional, keyword] = namespace["__init__"].__code__
    return code


def slot_init(cls: C) -> C:
    """Replace the ``__init__`` of ``cls``, a ``@dataclass(frozen=True, slots=True)`` whose
    fields all take plain defaults (no ``default_factory``, no ``__post_init__``)."""
    if not is_dataclass(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: slot_init wants a slotted dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: slot_init does not run __post_init__")
    own = fields(cls)
    for f in own:
        if not f.init or f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: slot_init wants plain fields")
    # As dataclass orders the parameters: the keyword-only fields after the others.
    positional = [f for f in own if not f.kw_only]
    keyword = [f for f in own if f.kw_only]
    ordered = positional + keyword
    code = _shape(len(positional), len(keyword)).replace(
        co_varnames=("self", *(f.name for f in ordered)),
        co_qualname=f"{cls.__qualname__}.__init__",
    )
    setters = {f"s{i}": cls.__dict__[f.name].__set__ for i, f in enumerate(ordered)}
    init = FunctionType(code, setters, "__init__")
    init.__defaults__ = tuple(f.default for f in positional if f.default is not MISSING) or None
    init.__kwdefaults__ = {f.name: f.default for f in keyword if f.default is not MISSING} or None
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
