"""Fast constructors for the model's frozen dataclasses.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, ~0.5 µs a
field; a 3,000-line flow creates ~10,000 spans, accesses and arguments, which made
construction a third of the parse time. These constructors fill ``__dict__`` directly and give
objects indistinguishable from normal ones (same class, equality, hash, repr). Only the parser
uses them, with arguments it has already validated.

The classes built in bulk (spans, accesses, arguments, decorators, targets, transitions)
are slotted: no per-object ``__dict__`` to build, and ~3,000 fewer dicts per 3,000 lines
for the cyclic collector to scan after an analysis. Their slots are set through the
class's member descriptors.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from metaflow_expert.model import ArtifactAccess, CallArg, DecoratorUse, Span, TargetRef, Transition

T = TypeVar("T")

_MISSING = dataclasses.MISSING


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


span = fast_constructor(Span)
access = fast_constructor(ArtifactAccess)
call_arg = fast_constructor(CallArg)
target_ref = fast_constructor(TargetRef)
decorator_use = fast_constructor(DecoratorUse)
transition = fast_constructor(Transition)
