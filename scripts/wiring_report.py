"""Counts of hidden wiring in the package: the numbers issue 10 asks to see before and after.

Why a script: "six caching idioms" or "a 13-file import cycle" are claims a reviewer should be
able to re-count on any commit (``git worktree add /tmp/old <rev>`` and point ``--root`` at
it), not take from a note. The counted tree is read with ``ast``, never imported; components
come from the product's own ``graph.strongly_connected_components``. ``tests/lsp/
test_import_cycles.py`` reads imports with :func:`imports_of` too.

    python scripts/wiring_report.py [--root server/metaflow_expert] [--json]

Reports:
- caching idioms, by kind, with their sites (functools caches, weak ``id()`` memos,
  ``__dict__`` stashes, module-level dict caches, ``global`` lazy singletons, and
  ``cached_property`` on per-analysis objects);
- ``Any`` annotations on catalog/spec names and ``getattr`` probes on catalog/spec objects;
- import cycles (strongly connected components of the module import graph, counting imports
  inside functions but not ``if TYPE_CHECKING:`` blocks);
- lines of ``parsing/artifacts.py``; uses of ``exec``/``eval``; private names imported or
  read across modules.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

from metaflow_expert.graph import strongly_connected_components

PACKAGE = "metaflow_expert"
_CATALOG_NAME = re.compile(r"^(catalog|cat|spec)$|_catalog$|^catalog_")
#: namedtuple's documented API is underscored so as not to clash with field names
_NAMEDTUPLE_API = frozenset({"_make", "_replace", "_fields", "_asdict", "_field_defaults"})
#: public stdlib names that start with an underscore
_STDLIB_UNDERSCORED = frozenset({"_exit", "_getframe"})
_MEMO_NAME = re.compile(r"(MEMO|CACHE|CACHED|SELECTED|_memo|_cache|_seen)", re.I)


def modules(root: Path) -> dict[str, Path]:
    out = {}
    for p in sorted(root.rglob("*.py")):
        if "examples" in p.relative_to(root).parts:
            continue
        rel = p.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            t = node.test
            name = (
                t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else ""
            )
            if name == "TYPE_CHECKING":
                for sub in node.body:
                    skip.update(id(n) for n in ast.walk(sub))
    return skip


def imports_of(mod: str, path: Path, mods: Mapping[str, Path], *, type_only: bool) -> set[str]:
    """Package modules ``mod`` imports anywhere in its text, imports inside functions included
    (a lazy import is still a dependency). ``type_only``: count ``if TYPE_CHECKING:`` imports
    too (the reader's and mypy's view); without it, only what runs (the interpreter's view).
    ``import a.b.c`` / ``from a.b import c`` is an edge to the module it names (``a.b.c`` when
    that is a module, else the nearest one above), not to every parent package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = set() if type_only else _type_checking_nodes(tree)
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = mod.split(".") if is_pkg else mod.split(".")[:-1]
                pkg = pkg[: len(pkg) - (node.level - 1)]
                base = ".".join([*pkg, base] if base else pkg)
            # ``from pkg import submodule`` names the submodule; any other name, the
            # module it comes from (a package's own initialisation is implied for both)
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names
            ]
        for t in targets:
            while t and t not in mods:
                t = t.rpartition(".")[0]
            if t and t != mod:
                out.add(t)
    return out


def import_graph(mods: Mapping[str, Path], *, type_only: bool = False) -> dict[str, list[str]]:
    return {m: sorted(imports_of(m, p, mods, type_only=type_only)) for m, p in mods.items()}


def import_cycles(graph: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Components of more than one module, by the product's own components routine."""
    return sorted(sorted(c) for c in strongly_connected_components(graph) if len(c) > 1)


def _is_module_level(tree: ast.Module, node: ast.AST) -> bool:
    return node in tree.body


def caching_sites(mods: dict[str, Path]) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = defaultdict(list)
    for mod, path in mods.items():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        short = mod.removeprefix(PACKAGE + ".")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for d in node.decorator_list:
                    f = d.func if isinstance(d, ast.Call) else d
                    name = (
                        f.id
                        if isinstance(f, ast.Name)
                        else f.attr
                        if isinstance(f, ast.Attribute)
                        else ""
                    )
                    if name in ("lru_cache", "cache"):
                        kinds["functools cache"].append(f"{short}:{node.lineno} {node.name}")
                    elif name == "cached_property":
                        kinds["cached_property"].append(f"{short}:{node.lineno} {node.name}")
            if isinstance(node, ast.Call):
                f = node.func
                name = (
                    f.id
                    if isinstance(f, ast.Name)
                    else f.attr
                    if isinstance(f, ast.Attribute)
                    else ""
                )
                if name in ("per_file", "per_owner", "recall", "remember"):
                    kinds["weak id() memo"].append(f"{short}:{node.lineno} {name}")
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "__dict__"
                and isinstance(node.ctx, ast.Store)
            ):
                kinds["__dict__ stash"].append(f"{short}:{node.lineno}")
            if isinstance(node, ast.Global):
                kinds["global singleton"].append(f"{short}:{node.lineno} {','.join(node.names)}")
        for node in tree.body:
            target = None
            value = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign):
                target, value = node.target, node.value
            if not isinstance(target, ast.Name) or value is None:
                continue
            empty = (
                (isinstance(value, ast.Dict) and not value.keys)
                or (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id
                    in ("dict", "WeakKeyDictionary", "WeakValueDictionary", "OrderedDict")
                )
                or (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Attribute)
                    and value.func.attr in ("WeakKeyDictionary", "WeakValueDictionary")
                )
            )
            if empty and _MEMO_NAME.search(target.id):
                kinds["module-level dict cache"].append(f"{short}:{node.lineno} {target.id}")
    return dict(kinds)


def catalog_boundary(mods: dict[str, Path]) -> tuple[list[str], list[str]]:
    anys: list[str] = []
    probes: list[str] = []
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        short = mod.removeprefix(PACKAGE + ".")

        def is_any(ann: ast.AST | None) -> bool:
            return ann is not None and "Any" in ast.unparse(ann)

        for node in ast.walk(tree):
            if (
                isinstance(node, ast.arg)
                and _CATALOG_NAME.search(node.arg)
                and is_any(node.annotation)
            ):
                anys.append(f"{short}:{node.lineno} {node.arg}")
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, (ast.Name, ast.Attribute))
                and _CATALOG_NAME.search(getattr(node.target, "id", None) or node.target.attr)  # type: ignore[union-attr]
                and is_any(node.annotation)
            ):
                anys.append(f"{short}:{node.lineno} {ast.unparse(node.target)}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr")
                and node.args
            ):
                obj = ast.unparse(node.args[0])
                last = obj.split(".")[-1]
                if _CATALOG_NAME.search(last):
                    probes.append(f"{short}:{node.lineno} {node.func.id}({obj}, …)")
    return anys, probes


def private_reads(mods: dict[str, Path]) -> list[str]:
    """``from x import _name`` across modules, and ``obj._attr`` on another module's objects
    where ``_attr`` is not defined in the reading module."""
    out: list[str] = []
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        short = mod.removeprefix(PACKAGE + ".")
        defined = (
            {
                n.attr
                for n in ast.walk(tree)
                if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)
            }
            | {
                t.id
                for n in ast.walk(tree)
                if isinstance(n, (ast.Assign, ast.AnnAssign))
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                if isinstance(t, ast.Name)
            }
            | {
                n.name
                for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            }
            | {
                n.target.id
                for n in ast.walk(tree)
                if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
            }
        )
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE):
                for a in node.names:
                    if a.name.startswith("_") and not a.name.startswith("__"):
                        out.append(f"{short}:{node.lineno} from {node.module} import {a.name}")
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr not in defined
                and node.attr not in _NAMEDTUPLE_API
                and node.attr not in _STDLIB_UNDERSCORED
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
            ):
                out.append(f"{short}:{node.lineno} .{node.attr}")
    return out


def exec_uses(mods: dict[str, Path]) -> list[str]:
    out = []
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("exec", "eval")
            ):
                out.append(f"{mod.removeprefix(PACKAGE + '.')}:{node.lineno} {node.func.id}")
    return out


def report(root: Path) -> dict[str, object]:
    mods = modules(root)
    cycles = import_cycles(import_graph(mods))
    caches = caching_sites(mods)
    anys, probes = catalog_boundary(mods)
    artifacts = root / "parsing" / "artifacts.py"
    return {
        "caching_idioms": {k: len(v) for k, v in sorted(caches.items())},
        "caching_sites": caches,
        "catalog_any_annotations": anys,
        "catalog_getattr_probes": probes,
        "import_cycles": [[m.removeprefix(PACKAGE + ".") for m in c] for c in cycles],
        "parsing_artifacts_lines": len(artifacts.read_text().splitlines())
        if artifacts.exists()
        else 0,
        "exec_eval": exec_uses(mods),
        "private_reads_across_modules": private_reads(mods),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=str(Path(__file__).resolve().parents[1] / "server" / PACKAGE))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every site")
    args = ap.parse_args(argv)
    r = report(Path(args.root))
    if args.json:
        json.dump(r, sys.stdout, indent=2)
        print()
        return 0
    idioms = r["caching_idioms"]
    assert isinstance(idioms, dict)
    print(f"caching idioms: {len(idioms)} kinds, {sum(idioms.values())} sites")
    for k, n in idioms.items():
        print(f"  {k:26} {n}")
        if args.verbose:
            for s in r["caching_sites"][k]:  # type: ignore[index]
                print(f"      {s}")
    for key in (
        "catalog_any_annotations",
        "catalog_getattr_probes",
        "exec_eval",
        "private_reads_across_modules",
    ):
        items = r[key]
        assert isinstance(items, list)
        print(f"{key.replace('_', ' ')}: {len(items)}")
        if args.verbose:
            for s in items:
                print(f"      {s}")
    cycles = r["import_cycles"]
    assert isinstance(cycles, list)
    print(f"import cycles: {len(cycles)}")
    for c in cycles:
        print(f"  {len(c)} modules: {', '.join(c)}")
    print(f"parsing/artifacts.py lines: {r['parsing_artifacts_lines']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
