"""Check a tool call's input against the tool's JSON schema before anything runs.

The model's arguments are untrusted text: Python's truthiness would read ``"false"`` as true
and a 100 KB path would come back inside the error message. So each argument must have the
schema's type (a boolean is ``true``/``false``, never a string; an integer is not a boolean),
required ones must be present, enums must match, unknown names are refused, and strings are
bounded. Every value echoed in an error is cut to :data:`MAX_ECHO_CHARS`.
"""

from __future__ import annotations

from typing import Any

MAX_ECHO_CHARS = 200
"""How much of an argument an error message repeats back."""

MAX_STRING_CHARS = 2_000
"""Longest string argument a tool accepts (queries, patterns, paths are all far shorter)."""

MAX_ERROR_CHARS = 1_000
"""Longest error text a tool call returns to the model, whatever the tool put in it."""

_TYPES: dict[str, str] = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true or false)",
    "object": "an object",
    "array": "an array",
}


def echo(value: Any, limit: int = MAX_ECHO_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters, saying how much was left out."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def cap_error(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def problems(schema: dict[str, Any], args: Any) -> list[str]:
    """What is wrong with ``args`` for ``schema`` (an ``input_schema`` of ``TOOL_SPECS``);
    empty when the call may run."""
    if not isinstance(args, dict):
        return [f"the input must be an object, got {_kind(args)}"]
    props: dict[str, Any] = schema.get("properties") or {}
    out: list[str] = []
    for name in schema.get("required") or ():
        if name not in args:
            out.append(f"{name} is required")
    for name, value in args.items():
        spec = props.get(name) if isinstance(name, str) else None
        if spec is None:
            allowed = ", ".join(props) or "none"
            out.append(f"unknown argument {echo(name)} (arguments: {allowed})")
            continue
        out.extend(_value_problems(name, spec, value))
    return out


def _value_problems(name: str, spec: dict[str, Any], value: Any) -> list[str]:
    expected = spec.get("type")
    if expected and not _has_type(value, expected):
        return [
            f"{name} must be {_TYPES.get(expected, expected)}, got {_kind(value)} {echo(value)}"
        ]
    if "enum" in spec and value not in spec["enum"]:
        options = ", ".join(repr(v) for v in spec["enum"])
        return [f"{name} must be one of {options}, got {echo(value)}"]
    if isinstance(value, str) and len(value) > MAX_STRING_CHARS:
        return [
            f"{name} is {len(value)} characters long (at most {MAX_STRING_CHARS}): {echo(value)}"
        ]
    return []


def _has_type(value: Any, expected: str) -> bool:
    if expected == "string":
        return isinstance(value, str)
    if expected == "boolean":
        return isinstance(value, bool)
    if expected == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if expected == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "null":
        return value is None
    return True


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
