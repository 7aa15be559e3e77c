"""Fast constructors for the model values the parser builds in bulk.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, ~0.5 µs a
field; a 3,000-line flow creates ~10,000 spans, accesses and arguments, which made
construction a third of the parse time. The most numerous (``Span``, ``ArtifactAccess``,
``CallArg``, ``TargetRef``) are named tuples, built here with ``tuple.__new__`` (~0.13 µs
instead of ~0.25 µs through the slotted dataclass route, ~0.2 µs through the generated
``__new__``). The others (decorators, transitions) are slotted dataclasses whose slots are
set through the class's member descriptors. Either way the objects are indistinguishable
from normally built ones (same class, equality, hash, repr). Only the parser uses these,
with arguments it has already validated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from metaflow_expert.model import ArtifactAccess, CallArg, DecoratorUse, Span, TargetRef, Transition

T = TypeVar("T")

_MISSING = dataclasses.MISSING


def tuple_constructor(cls: type[T]) -> Callable[..., T]:
    """``make(*fields)`` for named tuple ``cls``: ``tuple.__new__`` without the generated
    ``__new__``'s keyword handling (~3x faster)."""
    params: list[str] = []
    env: dict[str, Any] = {"_new": tuple.__new__, "_cls": cls}
    defaults: dict[str, Any] = cls._field_defaults  # type: ignore[attr-defined]
    for name in cls._fields:  # type: ignore[attr-defined]
        if name in defaults:
            env[f"_d_{name}"] = defaults[name]
            params.append(f"{name}=_d_{name}")
        else:
            params.append(name)
    names = ", ".join(cls._fields)  # type: ignore[attr-defined]
    src = f"def make({', '.join(params)}):\n    return _new(_cls, ({names},))\n"
    exec(src, env)
    return env["make"]  # type: ignore[no-any-return]


def fast_constructor(cls: type[T]) -> Callable[..., T]:
    """``make(*fields)`` for dataclass ``cls`` (plain defaults only, no default factories)."""
    params: list[str] = []
    env: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.default_factory is not _MISSING:
            raise TypeError(f"{cls.__name__}.{f.name} has a default factory")
        if f.default is _MISSING:
            params.append(f.name)
        else:
            env[f"_d_{f.name}"] = f.default
            params.append(f"{f.name}=_d_{f.name}")
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    if "__slots__" in cls.__dict__:
        # A slotted class has no ``__dict__``: set each slot through its member descriptor.
        for n in names:
            env[f"_s_{n}"] = cls.__dict__[n].__set__
        body = "".join(f"    _s_{n}(o, {n})\n" for n in names)
        src = f"def make({', '.join(params)}):\n    o = _new(_cls)\n{body}    return o\n"
    else:
        body = "".join(f"    d[{n!r}] = {n}\n" for n in names)
        src = f"def make({', '.join(params)}):\n    o = _new(_cls)\n    d = o.__dict__\n{body}    return o\n"
    exec(src, env)  # the same technique dataclasses uses to build __init__
    return env["make"]  # type: ignore[no-any-return]


span = tuple_constructor(Span)
access = tuple_constructor(ArtifactAccess)
call_arg = tuple_constructor(CallArg)
target_ref = tuple_constructor(TargetRef)
decorator_use = tuple_constructor(DecoratorUse)
transition = tuple_constructor(Transition)
