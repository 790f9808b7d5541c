"""A cheaper ``__init__`` for the frozen, slotted dataclasses made on every signature.

A frozen dataclass's generated ``__init__`` stores each field with ``object.__setattr__(self,
name, value)``, which finds the slot by name every time: for :class:`~bot.domain.Signature`'s
21 fields that was most of a signature's construction, and a signing burst builds two such
values per signature. :func:`slot_init` gives the class an ``__init__`` with the same
parameters and defaults that hands each value to its slot's own descriptor instead. The class
keeps the ``__setattr__`` that refuses changes, so its instances are as frozen as before.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from typing import Any, TypeVar

__all__ = ["slot_init"]

C = TypeVar("C", bound=type)


def slot_init(cls: C) -> C:
    """Replace the ``__init__`` of ``cls``, a ``@dataclass(frozen=True, slots=True)`` whose
    fields all take plain defaults (no ``default_factory``, no ``__post_init__``)."""
    if not is_dataclass(cls) or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: slot_init wants a slotted dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: slot_init does not run __post_init__")
    namespace: dict[str, Any] = {}
    params, body = [], []
    keyword_only = False
    for f in fields(cls):
        if not f.init or f.default_factory is not MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: slot_init wants plain fields")
        if f.kw_only and not keyword_only:
            params.append("*")
            keyword_only = True
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        body.append(f"    _set_{f.name}(self, {f.name})\n")
    source = f"def __init__(self, {', '.join(params)}):\n" + "".join(body or ["    pass\n"])
    exec(source, namespace)  # the source holds nothing but the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
