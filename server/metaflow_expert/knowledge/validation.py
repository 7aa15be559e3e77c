"""What a decorator's own code validates, read from its syntax tree.

Why: Metaflow's decorators check their arguments in ``step_init``/``flow_init`` with plain
``if …: raise`` statements and ``int(self.attributes["x"])`` conversions. Reading those (rather
than typing the rules into the linter) keeps the MF3xx rules in step with the Metaflow version in
use, and gives each finding the exact line that raises.
"""

from __future__ import annotations

import ast


def trailing_comment(lines: list[str], line: int) -> str:
    """``"rank": None,  # Can be one of …`` → ``Can be one of …`` (a naive ``#`` split that
    ignores ``#`` inside quotes)."""
    if not 0 < line <= len(lines):
        return ""
    text, quote = lines[line - 1], ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#":
            return text[i + 1 :].strip()
    return ""


def _attr_key(node: ast.AST) -> str | None:
    """``self.attributes["memory"]`` → ``"memory"``."""
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "attributes"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return node.slice.value
    return None


def conversions(cls: ast.ClassDef) -> dict[str, list[tuple[str, int]]]:
    """How the decorator's own code converts each argument: ``int(self.attributes["x"])``
    → ("int", line); ``float(self.attributes["x"]).is_integer()`` → ("integer", line).
    Rules use this to flag literals Metaflow's code cannot convert."""
    out: dict[str, list[tuple[str, int]]] = {}
    loops: dict[str, list[str]] = {}  # ``for attr in ["cpu", "disk"]:`` → attr: [cpu, disk]
    for node in ast.walk(cls):
        if (
            isinstance(node, ast.For)
            and isinstance(node.target, ast.Name)
            and isinstance(node.iter, (ast.List, ast.Tuple))
        ):
            keys = [e.value for e in node.iter.elts if isinstance(e, ast.Constant)]
            if keys and all(isinstance(k, str) for k in keys):
                loops[node.target.id] = keys  # type: ignore[assignment]

    def keys_of(arg: ast.AST) -> list[str]:
        key = _attr_key(arg)
        if key:
            return [key]
        if (
            isinstance(arg, ast.Subscript)
            and isinstance(arg.value, ast.Attribute)
            and arg.value.attr == "attributes"
            and isinstance(arg.slice, ast.Name)
        ):
            return loops.get(arg.slice.id, [])
        return []

    for node in ast.walk(cls):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and len(node.args) == 1
            and node.func.id in ("int", "float")
        ):
            for key in keys_of(node.args[0]):
                out.setdefault(key, []).append((node.func.id, node.lineno))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "is_integer"
            and isinstance(node.func.value, ast.Call)
            and len(node.func.value.args) == 1
        ):
            for key in keys_of(node.func.value.args[0]):
                out.setdefault(key, []).append(("integer", node.lineno))
    for v in out.values():
        v.sort(key=lambda c: c[1])
    return out


def conflicts(cls: ast.ClassDef) -> list[tuple[list[str], int]]:
    """Decorator combinations the class refuses: an ``if`` whose test compares
    ``deco.name == "x"`` (inside ``any(...)``) and whose body raises →
    (the other decorator names, line of the raise)."""
    out: list[tuple[list[str], int]] = []
    for node in ast.walk(cls):
        if not isinstance(node, ast.If):
            continue
        raises = [b for b in node.body if isinstance(b, ast.Raise)]
        if not raises:
            continue
        names = []
        for sub in ast.walk(node.test):
            if (
                isinstance(sub, ast.Compare)
                and isinstance(sub.left, ast.Attribute)
                and sub.left.attr == "name"
                and len(sub.ops) == 1
                and isinstance(sub.ops[0], ast.Eq)
                and isinstance(sub.comparators[0], ast.Constant)
                and isinstance(sub.comparators[0].value, str)
            ):
                names.append(sub.comparators[0].value)
        if names:
            out.append((names, raises[0].lineno))
    return out


def _raising_ifs(cls: ast.ClassDef) -> list[tuple[ast.If, int]]:
    """Every ``if`` in the class whose body raises directly, with the raise line."""
    out = []
    for node in ast.walk(cls):
        if isinstance(node, ast.If):
            raises = [b for b in node.body if isinstance(b, ast.Raise)]
            if raises:
                out.append((node, raises[0].lineno))
    return out


def checks(cls: ast.ClassDef) -> dict[str, list[tuple[list[str], int]]]:
    """Validation a decorator's own code performs, read from its ``if …: raise`` statements:

    - ``forbidden_types``: ``graph[step].type == "foreach"`` → node types it refuses;
    - ``exclusive``: ``sum(map(bool, (self.attributes["a"], self.attributes["b"]))) > 1`` →
      arguments that may not be combined;
    - ``required_any``: ``not a and not b`` over arguments (directly or through a local
      assigned from ``self.attributes[...]``) → at least one must be given;
    - ``requires_result``: ``not self.<x>`` → the decorator refuses to end up with nothing
      (``@trigger`` without any event)."""
    out: dict[str, list[tuple[list[str], int]]] = {
        "forbidden_types": [],
        "exclusive": [],
        "required_any": [],
        "requires_result": [],
    }
    local_attr: dict[str, str] = {}
    for node in ast.walk(cls):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            key = _attr_key(node.value)
            if key:
                local_attr[node.targets[0].id] = key
    for node, line in _raising_ifs(cls):
        test = node.test
        types = [
            c.comparators[0].value
            for c in ast.walk(test)
            if isinstance(c, ast.Compare)
            and isinstance(c.left, ast.Attribute)
            and c.left.attr == "type"
            and len(c.ops) == 1
            and isinstance(c.ops[0], ast.Eq)
            and isinstance(c.comparators[0], ast.Constant)
        ]
        if types:
            out["forbidden_types"].append(([str(t) for t in types], line))
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Call)
            and isinstance(test.left.func, ast.Name)
            and test.left.func.id == "sum"
        ):
            keys = [k for sub in ast.walk(test.left) if (k := _attr_key(sub))]
            if len(keys) > 1:
                out["exclusive"].append((keys, line))
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            keys = []
            for v in test.values:
                if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not):
                    operand = v.operand
                    key = _attr_key(operand) or (
                        local_attr.get(operand.id) if isinstance(operand, ast.Name) else None
                    )
                    if key:
                        keys.append(key)
            if len(keys) == len(test.values) and len(keys) > 1:
                out["required_any"].append((keys, line))
        if (
            isinstance(test, ast.UnaryOp)
            and isinstance(test.op, ast.Not)
            and isinstance(test.operand, ast.Attribute)
            and isinstance(test.operand.value, ast.Name)
            and test.operand.value.id == "self"
        ):
            out["requires_result"].append(([test.operand.attr], line))
    return out
