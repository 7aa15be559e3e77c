"""Facts about one Metaflow source tree that the graph and the rules need, read from its files.

Why one module: the parallel decorators (``IS_PARALLEL``), the reserved step names and the
step-name pattern of ``metaflow/lint.py``, and ``Parameter``'s reserved names are Metaflow's
data and change between releases. Each used to be read by whoever needed it, each with its
own default source, so a hover graph and a lint graph could disagree. Here they are read once
per source root, with ``ast`` and a regex only (never importing Metaflow, which would run
extension code), and handed around as one frozen value: :class:`MetaflowFacts`. The decorator
catalog carries the facts of its source (:func:`facts_for`); without a catalog, the Metaflow
this interpreter would import is used (:func:`default_facts`).
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from metaflow_expert.knowledge.cache import file_stamp, stamps_valid
from metaflow_expert.knowledge.source import is_regular_file

if TYPE_CHECKING:
    from metaflow_expert.knowledge.catalog import DecoratorCatalog

#: The class attribute Metaflow's ``DAGNode`` reads to set ``parallel_step``.
PARALLEL_MARKER = "IS_PARALLEL"
#: Where the facts live, relative to the root (the folder containing ``metaflow/``).
LINT_REL = "metaflow/lint.py"
PARAMETERS_REL = "metaflow/parameters.py"
#: Folders scanned for decorator classes that set (or inherit) ``IS_PARALLEL``.
PLUGIN_DIRS = ("metaflow/plugins", "metaflow_extensions")
#: ``lint.py`` check functions the facts come from.
RESERVED_CHECK = "check_reserved_words"
STEP_NAME_CHECK = "check_step_names"

Stamp = tuple[int, int]


@dataclass(frozen=True)
class MetaflowFacts:
    """What the graph and the rules know about one Metaflow source, all read from its files.

    ``None`` means the fact could not be read (no ``lint.py``, or the check changed shape):
    rules that need it stay silent rather than guess."""

    root: str  # folder containing metaflow/ ("" if none)
    parallel_decorators: frozenset[str]  # step decorators whose class sets IS_PARALLEL
    reserved_step_names: frozenset[str] | None  # lint.py check_reserved_words set literal
    step_name_pattern: str | None  # lint.py check_step_names re.search pattern
    reserved_parameter_names: frozenset[str]  # Parameter's reserved list + '-'->'_' forms
    reserved_parameter_cite: str | None  # "metaflow/parameters.py:N"


EMPTY_FACTS = MetaflowFacts("", frozenset(), None, None, frozenset(), None)

# root -> (facts, stamps of every file read); a stamp change re-reads the root.
_MEMO: dict[str, tuple[MetaflowFacts, dict[str, Stamp]]] = {}


def read_facts(root: str | os.PathLike[str]) -> MetaflowFacts:
    """The facts of the Metaflow source under ``root`` (the folder containing ``metaflow/``).

    Never raises: what cannot be read is empty or ``None``. Memoized per root and re-read when
    a file it was read from changes."""
    return _read(str(Path(root)))[0]


def facts_stamps(root: str | os.PathLike[str]) -> dict[str, Stamp]:
    """``(mtime_ns, size)`` of every file :func:`read_facts` read under ``root``,
    keyed by path relative to ``root``: a cache that stores the facts stores these with them."""
    return dict(_read(str(Path(root)))[1])


@cache
def default_facts() -> MetaflowFacts:
    """The facts of the Metaflow this interpreter would import (found without importing it).

    Cached for the process, as the readers it replaces were: the lint path asks on every
    analysis, and the interpreter's own Metaflow does not change under a running process.
    Editors and the CLI pass a catalog, whose facts follow its (stamp-checked) source."""
    try:
        from metaflow_expert.knowledge.source import SourceNotFound, locate_source

        root = locate_source().root
    except (SourceNotFound, OSError, ValueError, ImportError):
        return EMPTY_FACTS
    return read_facts(root)


def facts_for(catalog: DecoratorCatalog | None) -> MetaflowFacts:
    """The catalog's facts when there is a catalog, else :func:`default_facts`."""
    return catalog.facts if catalog is not None else default_facts()


# --------------------------------------------------------------------------------------------
# names derived from a catalog


@dataclass(frozen=True)
class CatalogNames:
    """Name sets that depend on the catalog alone, which rules ask for on every analysis.

    Why here and memoized per catalog: rebuilding them per file (as ``FileFacts`` did) walked
    every decorator spec and API symbol each time a file was linted; a catalog never changes
    once built, so one computation serves every analysis that uses it."""

    #: every name ``from metaflow import …`` binds: registered decorators (hidden ones
    #: included), top-level names and plugins, API entry points
    importable: frozenset[str]
    #: ``current.<attribute>`` → (step decorators, flow decorators) that add it; attributes
    #: ``current`` always has are left out
    current_providers: Mapping[str, tuple[frozenset[str], frozenset[str]]]


def catalog_names(catalog: DecoratorCatalog) -> CatalogNames:
    """The :class:`CatalogNames` of ``catalog``; kept with it as ``DecoratorCatalog.derived_names``."""
    return CatalogNames(_importable(catalog), _current_providers(catalog))


def _importable(cat: DecoratorCatalog) -> frozenset[str]:
    names = set(cat.step) | set(cat.flow) | set(cat.hidden) | set(cat.toplevel_names)
    names |= set(cat.toplevel_plugins)
    names |= {n.split(".")[0] for n in cat.api}
    return frozenset(names)


def _current_providers(
    cat: DecoratorCatalog,
) -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    found: dict[str, tuple[set[str], set[str]]] = {}
    for spec in cat.all():
        for attr in spec.current_attrs:
            steps, flows = found.setdefault(attr.name, (set(), set()))
            (steps if spec.kind == "step" else flows).add(spec.name)
    return {
        name: (frozenset(steps), frozenset(flows))
        for name, (steps, flows) in found.items()
        if f"current.{name}" not in cat.api  # always there, whatever the decorators
    }


# --------------------------------------------------------------------------------------------
# reading


def _read(root: str) -> tuple[MetaflowFacts, dict[str, Stamp]]:
    memo = _MEMO.get(root)
    if memo is not None and _stamps_valid(root, memo[1]):
        return memo
    stamps: dict[str, Stamp] = {}
    try:
        texts = _plugin_texts(root, stamps)
        parallel = _parallel_names(texts)
    except Exception:  # an unreadable tree has no parallel decorators, as before
        parallel = frozenset()
    checks = _lint_checks(root, stamps)
    reserved_params, cite = _reserved_parameters(root, stamps)
    facts = MetaflowFacts(
        root=root if (Path(root) / "metaflow").is_dir() else "",
        parallel_decorators=parallel,
        reserved_step_names=_set_literal(checks.get(RESERVED_CHECK)),
        step_name_pattern=_search_pattern(checks.get(STEP_NAME_CHECK)),
        reserved_parameter_names=reserved_params,
        reserved_parameter_cite=cite,
    )
    _MEMO[root] = (facts, stamps)
    return facts, stamps


def _record(root: str, path: str, stamps: dict[str, Stamp]) -> None:
    stamp = file_stamp(path)
    if stamp is not None:
        stamps[os.path.relpath(path, root)] = stamp


def _stamps_valid(root: str, stamps: dict[str, Stamp]) -> bool:
    return stamps_valid(stamps, lambda rel: os.path.join(root, rel))


def _read_text(root: str, rel: str, stamps: dict[str, Stamp]) -> str | None:
    path = os.path.join(root, rel)
    if not is_regular_file(path):
        return None
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    _record(root, path, stamps)
    return text


# -- parallel decorators ---------------------------------------------------------------------

_CLASS_RE = re.compile(r"^class\s+(\w+)\s*\(([^)]*)\)", re.M)


def _plugin_texts(root: str, stamps: dict[str, Stamp]) -> list[str]:
    """Every ``.py`` file under the plugin folders. Only files read are stamped: a file added
    later is seen on the next read of a changed root, not by the memo (folder mtimes move
    whenever ``__pycache__`` is written, which would rebuild for nothing)."""
    texts: list[str] = []
    for sub in PLUGIN_DIRS:
        base = os.path.join(root, sub)
        if not os.path.isdir(base):
            continue
        for folder, _dirs, files in os.walk(base):
            for name in sorted(files):
                if name.endswith(".py"):
                    text = _read_text(
                        root, os.path.join(os.path.relpath(folder, root), name), stamps
                    )
                    if text is not None:
                        texts.append(text)
    return texts


def _parallel_names(texts: list[str]) -> frozenset[str]:
    """``name`` of every class that sets ``IS_PARALLEL = True`` or derives from one that does
    (by base-class name, across files)."""
    parallel_classes: set[str] = set()
    for text in texts:
        if PARALLEL_MARKER in text:
            parallel_classes |= _classes_setting_marker(text)
    changed = True
    while changed:
        changed = False
        for text in texts:
            for cls, bases in _CLASS_RE.findall(text):
                names = {b.strip().rsplit(".", 1)[-1] for b in bases.split(",")}
                if cls not in parallel_classes and names & parallel_classes:
                    parallel_classes.add(cls)
                    changed = True
    out: set[str] = set()
    for text in texts:
        if not any(c in text for c in parallel_classes):
            continue
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name in parallel_classes:
                name = _class_const(node, "name")
                if isinstance(name, str):
                    out.add(name)
    return frozenset(out)


def _classes_setting_marker(text: str) -> set[str]:
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return set()
    return {
        n.name
        for n in tree.body
        if isinstance(n, ast.ClassDef) and _class_const(n, PARALLEL_MARKER) is True
    }


def _class_const(cls: ast.ClassDef, attr: str) -> object:
    for stmt in cls.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == attr
            and isinstance(stmt.value, ast.Constant)
        ):
            return stmt.value.value
    return None


# -- lint.py constants -----------------------------------------------------------------------


def _lint_checks(root: str, stamps: dict[str, Stamp]) -> dict[str, ast.FunctionDef]:
    """Top-level functions of ``metaflow/lint.py`` by name (empty if unreadable)."""
    text = _read_text(root, LINT_REL, stamps)
    if text is None:
        return {}
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _set_literal(fn: ast.FunctionDef | None) -> frozenset[str] | None:
    """The first set of string constants written in ``fn``."""
    if fn is None:
        return None
    for n in ast.walk(fn):
        if isinstance(n, ast.Set):
            words = [e.value for e in n.elts if isinstance(e, ast.Constant)]
            if len(words) == len(n.elts) and all(isinstance(w, str) for w in words):
                return frozenset(str(w) for w in words)
    return None


def _search_pattern(fn: ast.FunctionDef | None) -> str | None:
    """The pattern of the first ``re.search("<pattern>", …)`` in ``fn``."""
    if fn is None:
        return None
    for n in ast.walk(fn):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "search"
            and n.args
            and isinstance(n.args[0], ast.Constant)
            and isinstance(n.args[0].value, str)
        ):
            return n.args[0].value
    return None


# -- Parameter's reserved names --------------------------------------------------------------


def _reserved_parameters(root: str, stamps: dict[str, Stamp]) -> tuple[frozenset[str], str | None]:
    """The list/set of strings assigned, inside ``class Parameter``, to a name containing
    "reserved", plus the ``_`` forms Metaflow also rejects; and its ``path:line``."""
    text = _read_text(root, PARAMETERS_REL, stamps)
    if text is None:
        return frozenset(), None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return frozenset(), None
    for cls in tree.body:
        if not (isinstance(cls, ast.ClassDef) and cls.name == "Parameter"):
            continue
        for node in ast.walk(cls):
            if not (isinstance(node, ast.Assign) and isinstance(node.value, (ast.List, ast.Set))):
                continue
            if not any(isinstance(t, ast.Name) and "reserved" in t.id for t in node.targets):
                continue
            words = [
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
            if words:
                names = set(words) | {w.replace("-", "_") for w in words}
                return frozenset(names), f"{PARAMETERS_REL}:{node.lineno}"
    return frozenset(), None
