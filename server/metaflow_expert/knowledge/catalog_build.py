"""Building the decorator catalog from the Metaflow source (the records are in
:mod:`catalog_model`; :mod:`catalog` caches what this builds).

Reads the plugin registry lists — core's and those of the installed extensions (found by
:mod:`extensions`), merged and toggled as ``extension_support/plugins.py`` does (see
:func:`resolve_registry`) — each decorator class (following base classes across files, and
recording the flow attributes its code sets: :mod:`attributes`),
the public entry points re-exported by ``metaflow/__init__.py``, the ``@linter.check``
functions of ``lint.py``, FlowSpec's reserved names and the ``@retry`` limit — all with
``ast``, never importing Metaflow.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import NamedTuple

from metaflow_expert.knowledge.attributes import flow_writes
from metaflow_expert.knowledge.catalog_model import (
    ApiSymbol,
    ArgSpec,
    CurrentAttr,
    DecoratorCatalog,
    DecoratorSpec,
    Limit,
    flowspec_members_of,
)
from metaflow_expert.knowledge.extensions import (
    TOPLEVEL_POINT,
    plugin_modules,
    promoted_aliases,
    toplevel_module,
)
from metaflow_expert.knowledge.facts import (
    PARALLEL_MARKER,
    MetaflowFacts,
    facts_stamps,
    read_facts,
)
from metaflow_expert.knowledge.modules import Definition, ModuleReader
from metaflow_expert.knowledge.numpydoc import doc_body, parse_current_attrs, parse_param_docs
from metaflow_expert.knowledge.registry_lists import CORE_REGISTRY
from metaflow_expert.knowledge.run_build import read_run_facts
from metaflow_expert.knowledge.source import MetaflowSource
from metaflow_expert.knowledge.validation import checks, conflicts, conversions, trailing_comment

# The user-facing surface: names of public entry points (where they live is looked up).
API_ENTRY_POINTS: tuple[str, ...] = (
    "FlowSpec",
    "FlowSpec.next",
    "FlowSpec.merge_artifacts",
    "FlowSpec.input",
    "FlowSpec.index",
    "FlowSpec.foreach_stack",
    "step",
    "Parameter",
    "JSONType",
    "IncludeFile",
    "Config",
    "config_expr",
    "current",
    "Runner",
    "NBRunner",
    "Deployer",
    "NBDeployer",
    "Flow",
    "Run",
    "Step",
    "Task",
    "DataArtifact",
    "Metaflow",
    "namespace",
    "get_namespace",
    "default_namespace",
    "S3",
    "UserStepDecorator",
    "StepMutator",
    "FlowMutator",
    "user_step_decorator",
)
#: Metaflow's plugin categories the catalog reads, by what they register: the upper-case name
#: ``extension_support/plugins.py`` derives its globals from (``<NAME>S_DESC`` lists the
#: plugins, ``TOGGLE_<NAME>`` switches them on/off, ``ENABLED_<NAME>`` replaces the list).
REGISTRY_CATEGORIES = {
    "step": "STEP_DECORATOR",
    "flow": "FLOW_DECORATOR",
    "toplevel": "TL_PLUGIN",
}
#: The names of Metaflow's plugin registry lists, by what they register (the lists are in
#: ``metaflow/plugins/__init__.py`` and in extensions' plugin configuration files).
REGISTRY_LISTS = {k: f"{v}S_DESC" for k, v in REGISTRY_CATEGORIES.items()}
TOGGLE_LISTS = {k: f"TOGGLE_{v}" for k, v in REGISTRY_CATEGORIES.items()}
ENABLED_LISTS = {k: f"ENABLED_{v}" for k, v in REGISTRY_CATEGORIES.items()}


class Entry(NamedTuple):
    """One ``(name, class path)`` tuple of a registry list, with where it was read."""

    kind: str
    name: str
    dotted: str  # absolute class path
    line: int
    origin: str  # "metaflow" or "extension:<org>"
    rel: str  # the file of the list


class Toggle(NamedTuple):
    """One string of a ``TOGGLE_*`` (or ``ENABLED_*``) list: ``-batch``, ``+batch``, ``batch``."""

    kind: str
    value: str
    cite: str


class _Builder:
    def __init__(self, source: MetaflowSource) -> None:
        self.source = source
        self.r = ModuleReader(source)

    # registry ------------------------------------------------------------------------------
    def registry_entries(
        self, rel: str, origin: str = "metaflow", package: str | None = None
    ) -> list[Entry]:
        """The ``*_DESC`` lists of ``rel`` (``X = [...]``, and ``X += Y`` with ``Y`` a list
        of the same file, as core's sensor decorators are added), class paths made absolute
        against ``package`` (default: the module's own package)."""
        tree = self.r.tree(rel)
        out: list[Entry] = []
        if tree is None:
            return out
        if package is None:
            package = self.r.module_of_rel(rel)
            if not rel.endswith("__init__.py"):
                package = package.rpartition(".")[0]
        lists = _module_lists(tree)
        for node in tree.body:
            if isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                value: ast.AST | None = node.value
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
                value = node.value
                if isinstance(value, ast.Name):
                    value = lists.get(value.id)
            else:
                continue
            if not isinstance(value, (ast.List, ast.Tuple)):
                continue
            kind = next((k for k, v in REGISTRY_LISTS.items() if v in names), None)
            if kind is None:
                continue
            for elt in value.elts:
                if not (isinstance(elt, ast.Tuple) and len(elt.elts) == 2):
                    continue
                try:
                    name, path = ast.literal_eval(elt)
                except (ValueError, SyntaxError):
                    continue
                if not isinstance(name, str) or not isinstance(path, str):
                    continue
                dotted = _absolute_dotted(package, path)
                out.append(Entry(kind, name, dotted, elt.elts[0].lineno, origin, rel))
        return out

    def toggles(self, rel: str, lists: dict[str, str]) -> list[Toggle]:
        """The strings of the ``lists`` (kind → list name) ``rel`` assigns, in file order."""
        tree = self.r.tree(rel)
        out: list[Toggle] = []
        by_name = {v: k for k, v in lists.items()}
        for node in tree.body if tree is not None else []:
            if not isinstance(node, ast.Assign) or not isinstance(
                node.value, (ast.List, ast.Tuple)
            ):
                continue
            for t in node.targets:
                kind = by_name.get(t.id) if isinstance(t, ast.Name) else None
                if kind is None:
                    continue
                for e in node.value.elts:
                    if isinstance(e, ast.Constant) and isinstance(e.value, str):
                        out.append(Toggle(kind, e.value, f"{rel}:{e.lineno}"))
        return out

    # a decorator class ---------------------------------------------------------------------
    def spec(
        self, kind: str, name: str, dotted: str, origin: str, reg: str
    ) -> DecoratorSpec | None:
        d = self.r.find_dotted(dotted)
        if d is None or not isinstance(d.node, ast.ClassDef):
            return None
        cls = d.node
        doc = ast.get_docstring(cls) or ""
        doc_owner = d
        if not doc:
            for base in self.r.base_classes(d):
                if isinstance(base.node, ast.ClassDef) and ast.get_docstring(base.node):
                    doc = ast.get_docstring(base.node) or ""
                    doc_owner = base
                    break
        pdocs = parse_param_docs(doc)
        args: list[ArgSpec] = []
        defaults_line, defaults_path = 0, ""
        got = self.r.class_attr(d, "defaults")
        if got is not None:
            owner, stmt = got
            defaults_line, defaults_path = stmt.lineno, owner.rel
            value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
            for key, src, line in self._dict_items(owner, value):
                typ, desc = pdocs.get(key, ("", ""))
                if not desc:  # no numpydoc entry: the comment on the key's line, if any
                    desc = trailing_comment(self.r.lines(owner.rel), line)
                args.append(ArgSpec(key, src, desc, line, typ, owner.rel))
        self._effective_defaults(d, args)
        allow_multiple, am_cite = False, ""
        got = self.r.class_attr(d, "allow_multiple")
        if got is not None:
            owner, stmt = got
            value = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
            allow_multiple = bool(isinstance(value, ast.Constant) and value.value is True)
            am_cite = f"{owner.rel}:{stmt.lineno}"
        currents = []
        lines_cls = self.r.lines(d.rel)
        lines = self.r.lines(doc_owner.rel)
        for cname, ctype, cdoc in parse_current_attrs(doc):
            start = getattr(doc_owner.node, "lineno", 1)
            cline = _find_line(lines, start, rf"^\s*{re.escape(cname)}\s*->")
            currents.append(CurrentAttr(cname, ctype, cdoc, cline, doc_owner.rel))
        writes = flow_writes(self.r, d)
        return DecoratorSpec(
            name=name,
            kind=kind,
            class_name=cls.name,
            path=d.rel,
            line=cls.lineno,
            end_line=cls.end_lineno or cls.lineno,
            defaults_line=defaults_line,
            defaults_path=defaults_path,
            args=args,
            allow_multiple=allow_multiple,
            allow_multiple_cite=am_cite,
            doc=doc_body(doc),
            current_attrs=currents,
            origin=origin,
            constants=self._constants(d.rel),
            registry_cite=reg,
            methods={
                m.name: _def_line(m, lines_cls)
                for m in cls.body
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
            },
            conversions=conversions(cls),
            conflicts=conflicts(cls),
            checks=self._inherited_checks(d),
            sets_attrs=sorted(writes.names),
            var_args=sorted(a for a in writes.var_args if a in {x.name for x in args}),
            sets_unknown=writes.unknown,
        )

    def _effective_defaults(self, d: Definition, args: list[ArgSpec]) -> None:
        """Fill ``effective_*`` for ``None`` defaults that a class-level dict handed to a call
        in the class's methods supplies (``compute_resource_attributes(decos, self,
        self.resource_defaults)``): read from the call, not from a list of known names."""
        unset = {a.name: a for a in args if a.default_src == "None"}
        if not unset or not isinstance(d.node, ast.ClassDef):
            return
        for node in ast.walk(d.node):
            if not isinstance(node, ast.Call):
                continue
            for given in [*node.args, *(kw.value for kw in node.keywords)]:
                if not (
                    isinstance(given, ast.Attribute)
                    and isinstance(given.value, ast.Name)
                    and given.value.id == "self"
                    and given.attr != "defaults"
                ):
                    continue
                got = self.r.class_attr(d, given.attr)
                if got is None:
                    continue
                owner, stmt = got
                if not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                    continue
                for key, src, line in self._dict_items(owner, stmt.value):
                    arg = unset.get(key)
                    if arg is not None and not arg.effective_src:
                        arg.effective_src = src
                        arg.effective_cite = f"{owner.rel}:{line}"
                        arg.applied_cite = f"{d.rel}:{node.lineno}"

    def _inherited_checks(self, d: Definition) -> dict[str, list[tuple[list[str], str]]]:
        """``_checks`` of the class and of its plugin base classes (a subclass inherits its
        base's ``step_init``), each with the ``path:line`` of the raise."""
        merged: dict[str, list[tuple[list[str], str]]] = {}
        for cls in self.r.plugin_lineage(d):
            assert isinstance(cls.node, ast.ClassDef)  # what the lineage yields
            for kind, found in checks(cls.node).items():
                bucket = merged.setdefault(kind, [])
                for names, line in found:
                    bucket.append((names, f"{cls.rel}:{line}"))
        return merged

    def _dict_items(self, owner: Definition, value: ast.AST | None) -> list[tuple[str, str, int]]:
        """Keys of a ``defaults`` value: a dict display (with ``**{k: v[...] for k, v in
        X.items()}`` over a class-level dict ``X``, as ``@project`` does) or ``dict(k=v)``."""
        out: list[tuple[str, str, int]] = []
        if isinstance(value, ast.Dict):
            for k, v in zip(value.keys, value.values, strict=False):
                if k is None:
                    out += self._unpacked(owner, v)
                elif isinstance(k, ast.Constant) and isinstance(k.value, str):
                    out.append((k.value, self.r.segment(owner.rel, v), k.lineno))
        elif (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "dict"
        ):
            for kw in value.keywords:
                if kw.arg:
                    out.append((kw.arg, self.r.segment(owner.rel, kw.value), kw.value.lineno))
        return out

    def _unpacked(self, owner: Definition, v: ast.AST) -> list[tuple[str, str, int]]:
        if not (isinstance(v, ast.DictComp) and len(v.generators) == 1):
            return []
        gen = v.generators[0]
        it = gen.iter
        if not (
            isinstance(it, ast.Call)
            and isinstance(it.func, ast.Attribute)
            and it.func.attr == "items"
            and isinstance(it.func.value, ast.Name)
        ):
            return []
        got = self.r.class_attr(owner, it.func.value.id)
        if got is None:
            return []
        src_owner, stmt = got
        src = stmt.value if isinstance(stmt, (ast.Assign, ast.AnnAssign)) else None
        if not isinstance(src, ast.Dict):
            return []
        sub_key = None
        if isinstance(v.value, ast.Subscript) and isinstance(v.value.slice, ast.Constant):
            sub_key = v.value.slice.value
        out = []
        for k, val in zip(src.keys, src.values, strict=False):
            if not (isinstance(k, ast.Constant) and isinstance(k.value, str)):
                continue
            default_src = "<computed>"
            if sub_key is not None:
                for key, sv, _ln in self._dict_items(src_owner, val):
                    if key == sub_key:
                        default_src = sv
            out.append((k.value, default_src, k.lineno))
        return out

    def _constants(self, rel: str) -> dict[str, tuple[str, int]]:
        tree = self.r.tree(rel)
        out: dict[str, tuple[str, int]] = {}
        for node in tree.body if tree else []:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id.isupper()
                and isinstance(node.value, ast.Constant)
            ):
                out[node.targets[0].id] = (self.r.segment(rel, node.value), node.lineno)
        return out

    # api -------------------------------------------------------------------------------------
    def api(self) -> dict[str, ApiSymbol]:
        out: dict[str, ApiSymbol] = {}
        init = "metaflow/__init__.py"
        for entry in API_ENTRY_POINTS:
            head, _, attr = entry.partition(".")
            d = self.r.find(init, head)
            if d is None:
                d = self._find_client(head)
            if d is None:
                continue
            node = d.node
            if attr:
                node = _class_member(node, attr)  # type: ignore[assignment]
                if node is None:
                    continue
            sym = self._symbol(entry, d.rel, d.module, node)
            if sym:
                out[entry] = sym
        cur = out.get("current")
        if cur is not None:
            d = self.r.find(cur.path, "Current")
            if d is not None and isinstance(d.node, ast.ClassDef):
                for stmt in d.node.body:
                    if (
                        isinstance(stmt, ast.FunctionDef)
                        and not stmt.name.startswith("_")
                        and any(_is_property(dec) for dec in stmt.decorator_list)
                    ):
                        sym = self._symbol(f"current.{stmt.name}", d.rel, d.module, stmt)
                        if sym:
                            sym.qualname = f"{d.module}.Current.{stmt.name}"
                            out[sym.name] = sym
        return out

    def _find_client(self, name: str) -> Definition | None:
        rel = self.r.rel_of_module("metaflow.client")
        return self.r.find(rel, name) if rel else None

    def _symbol(self, name: str, rel: str, module: str, node: ast.AST) -> ApiSymbol | None:
        if isinstance(node, ast.ClassDef):
            init = _class_member(node, "__init__")
            sig = f"class {node.name}" + (
                f"({_args(init)})" if isinstance(init, ast.FunctionDef) else ""
            )
            kind = "class"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            ret = f" -> {ast.unparse(node.returns)}" if node.returns else ""
            is_prop = any(_is_property(dec) for dec in node.decorator_list)
            sig = f"def {node.name}({_args(node)}){ret}"
            kind = "property" if is_prop else "function"
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            sig = self.r.segment(rel, node).split("\n")[0][:200]
            kind = "variable"
        else:
            return None
        doc = ""
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node) or ""
        line = _def_line(node, self.r.lines(rel))
        qual = f"{module}.{name}"
        return ApiSymbol(
            name=name,
            qualname=qual,
            path=rel,
            line=line,
            end_line=getattr(node, "end_lineno", line) or line,
            signature=sig,
            doc=doc,
            kind=kind,
        )

    # framework -------------------------------------------------------------------------------
    def framework(self) -> dict[str, str]:
        """Cites of the decorator base classes' methods in decorators.py (``Decorator.__init__``
        …), plus ``<method>:raise`` for the first ``raise`` in each (where Metaflow rejects
        an unknown attribute, for instance)."""
        out: dict[str, str] = {}
        rel = "metaflow/decorators.py"
        tree = self.r.tree(rel)
        lines = self.r.lines(rel)
        for node in tree.body if tree else []:
            if isinstance(node, ast.FunctionDef):  # _base_step_decorator and friends
                out[node.name] = f"{rel}:{_def_line(node, lines)}"
                continue
            if not (isinstance(node, ast.ClassDef) and node.name.endswith("Decorator")):
                continue
            out[node.name] = f"{rel}:{_def_line(node, lines)}"
            for m in node.body:
                if isinstance(m, ast.FunctionDef):
                    out[f"{node.name}.{m.name}"] = f"{rel}:{_def_line(m, lines)}"
                    raises = [n.lineno for n in ast.walk(m) if isinstance(n, ast.Raise)]
                    if raises:
                        out[f"{node.name}.{m.name}:raise"] = f"{rel}:{min(raises)}"
        return out

    def toplevel_names(self) -> list[str]:
        """Every name ``metaflow/__init__.py`` binds (imports, defs, assignments), and every
        global of the extensions' ``toplevel`` modules, which it copies into ``metaflow``."""
        names: set[str] = set(self._bound_names("metaflow/__init__.py"))
        for m in plugin_modules(self.source, TOPLEVEL_POINT):
            dotted = toplevel_module(m, self.r.tree(m.rel))
            rel = self.r.rel_of_module(dotted) if dotted else None
            if rel is not None:
                names.update(n for n in self._bound_names(rel) if not n.startswith("__"))
        return sorted(names)

    def _bound_names(self, rel: str) -> set[str]:
        tree = self.r.tree(rel)
        names: set[str] = set()
        for node in ast.walk(tree) if tree else []:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names.update(
                    (a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"
                )
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
        return names

    # lint -------------------------------------------------------------------------------------
    def lint_checks(self) -> tuple[dict[str, tuple[str, int]], dict[str, str]]:
        rel = "metaflow/lint.py"
        tree = self.r.tree(rel)
        checks: dict[str, tuple[str, int]] = {}
        reserved: dict[str, str] = {}
        lines = self.r.lines(rel)
        for node in tree.body if tree else []:
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(dec, ast.Attribute) and dec.attr == "check"
                for dec in node.decorator_list
            ):
                checks[node.name] = (rel, _def_line(node, lines))
                if node.name == "check_reserved_words":
                    for sub in ast.walk(node):
                        if isinstance(sub, ast.Set):
                            for e in sub.elts:
                                if isinstance(e, ast.Constant) and isinstance(e.value, str):
                                    reserved.setdefault(e.value, f"{rel}:{e.lineno}")
        return checks, reserved

    def flowspec_reserved(self) -> dict[str, str]:
        """Public FlowSpec members and ``_NON_PARAMETERS`` names (a user must not shadow them)."""
        d = self.r.find("metaflow/flowspec.py", "FlowSpec")
        out: dict[str, str] = {}
        if d is None or not isinstance(d.node, ast.ClassDef):
            return out
        lines = self.r.lines(d.rel)
        for stmt in d.node.body:
            if isinstance(stmt, ast.FunctionDef) and not stmt.name.startswith("_"):
                out[stmt.name] = f"{d.rel}:{_def_line(stmt, lines)}"
            elif (
                isinstance(stmt, ast.Assign)
                and isinstance(stmt.value, ast.Set)
                and any(isinstance(t, ast.Name) and t.id == "_NON_PARAMETERS" for t in stmt.targets)
            ):
                for e in stmt.value.elts:
                    if isinstance(e, ast.Constant) and isinstance(e.value, str):
                        out.setdefault(e.value, f"{d.rel}:{e.lineno}")
        return out

    # limits ----------------------------------------------------------------------------------
    def retry_limit(self, spec: DecoratorSpec | None) -> Limit | None:
        """The maximum ``@retry(times=…)``: from ``int(self.attributes["times"]) + K > NAME``
        in the decorator's code, with ``NAME`` looked up where it is defined."""
        if spec is None:
            return None
        d = self.r.find(spec.path, spec.class_name)
        if d is None:
            return None
        for node in ast.walk(d.node):
            if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
                continue
            left, op, right = node.left, node.ops[0], node.comparators[0]
            if not isinstance(op, ast.Gt) or "times" not in ast.unparse(left):
                continue
            offset = 0
            if (
                isinstance(left, ast.BinOp)
                and isinstance(left.op, ast.Add)
                and isinstance(left.right, ast.Constant)
                and isinstance(left.right.value, int)
            ):
                offset = left.right.value
            if isinstance(right, ast.Name):
                const = self.r.find(d.rel, right.id)
                if const is None:
                    continue
                val = _int_value(const.node)
                if val is None:
                    continue
                return Limit(val - offset, f"{const.rel}:{const.node.lineno}", ast.unparse(node))  # type: ignore[attr-defined]
            if isinstance(right, ast.Constant) and isinstance(right.value, int):
                return Limit(right.value - offset, f"{d.rel}:{node.lineno}", ast.unparse(node))
        return None

    def is_parallel(self, dotted: str) -> bool:
        """The class sets (or inherits) ``IS_PARALLEL = True``, what Metaflow's graph reads
        to mark a parallel step; followed through base classes in any indexed root, so an
        extension found outside the core's folder is seen too."""
        d = self.r.find_dotted(dotted)
        got = self.r.class_attr(d, PARALLEL_MARKER) if d is not None else None
        if got is None:
            return False
        value = got[1].value if isinstance(got[1], (ast.Assign, ast.AnnAssign)) else None
        return isinstance(value, ast.Constant) and value.value is True

    # extensions ------------------------------------------------------------------------------
    def extension_registry(self) -> tuple[list[Entry], list[Toggle], dict[str, list[Toggle]]]:
        """What the installed extensions register, as ``extension_support/plugins.py`` reads
        it: their registry entries, their ``TOGGLE_*`` strings and any ``ENABLED_*`` list
        (which replaces the merged list for its kind; the last extension setting it wins)."""
        entries: list[Entry] = []
        toggles: list[Toggle] = []
        enabled: dict[str, list[Toggle]] = {}
        modules = plugin_modules(self.source)
        for m in modules:  # aliases first: a class path may go through any of them
            self.r.aliases.update(promoted_aliases(m, self.r.tree(m.rel)))
        for m in modules:
            entries += self.registry_entries(m.rel, f"extension:{m.org}", m.package)
            toggles += self.toggles(m.rel, TOGGLE_LISTS)
            listed = self.toggles(m.rel, ENABLED_LISTS)
            for kind in {t.kind for t in listed}:
                enabled[kind] = [t for t in listed if t.kind == kind]
        return entries, toggles, enabled


def resolve_registry(
    entries: list[Entry], toggles: list[Toggle], enabled: dict[str, list[Toggle]]
) -> tuple[dict[str, dict[str, Entry]], dict[str, dict[str, str]]]:
    """Per kind, the plugins Metaflow enables and those switched off (name → cite of the
    toggle), following ``process_plugins``/``resolve_plugins``: a later entry of a name
    replaces an earlier one (extensions override core); the enabled list is every name
    followed by the toggles, unless an ``ENABLED_*`` list replaces it; then ``-x`` removes,
    ``+x`` and ``x`` add, in order. (A user's ``METAFLOW_ENABLED_*`` configuration is not
    read: it lives outside the source.)"""
    on: dict[str, dict[str, Entry]] = {}
    off: dict[str, dict[str, str]] = {}
    for kind in REGISTRY_CATEGORIES:
        available: dict[str, Entry] = {}
        for e in entries:
            if e.kind == kind:
                available[e.name] = e
        listed = enabled.get(kind)
        if listed is None:
            listed = [Toggle(kind, name, "") for name in available]
            listed += [t for t in toggles if t.kind == kind]
        chosen: dict[str, str] = {}
        removed: dict[str, str] = {}
        for t in listed:
            if t.value.startswith("-"):
                chosen.pop(t.value[1:], None)
                removed[t.value[1:]] = t.cite
            else:
                name = t.value[1:] if t.value.startswith("+") else t.value
                chosen[name] = t.cite
                removed.pop(name, None)
        on[kind] = {n: e for n, e in available.items() if n in chosen}
        off[kind] = {
            n: removed.get(n) or (enabled[kind][0].cite if kind in enabled else "")
            for n in available
            if n not in chosen
        }
    return on, off


def _with_parallel(facts: MetaflowFacts, names: set[str]) -> MetaflowFacts:
    """``facts`` with the extension decorators that are parallel ones added."""
    if names <= facts.parallel_decorators:
        return facts
    return replace(facts, parallel_decorators=facts.parallel_decorators | names)


def _module_lists(tree: ast.Module) -> dict[str, ast.List | ast.Tuple]:
    """Module-level ``NAME = [...]`` lists of a file, by name."""
    out: dict[str, ast.List | ast.Tuple] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.List, ast.Tuple)):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    out[t.id] = node.value
    return out


def _absolute_dotted(package: str, path: str) -> str:
    if not path.startswith("."):
        return path
    level = len(path) - len(path.lstrip("."))
    base = package.split(".")
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, path.lstrip(".")])


def _class_member(node: ast.AST, name: str) -> ast.AST | None:
    if not isinstance(node, ast.ClassDef):
        return None
    found = None
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == name:
            found = found or stmt
    return found


def _is_property(dec: ast.AST) -> bool:
    return (isinstance(dec, ast.Name) and dec.id == "property") or (
        isinstance(dec, ast.Attribute) and dec.attr in ("getter",)
    )


def _args(fn: ast.AST) -> str:
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ""
    return ast.unparse(fn.args)


def _def_line(node: ast.AST, lines: list[str]) -> int:
    """The line of ``def``/``class`` itself (after decorators): what a citation should show."""
    line = getattr(node, "lineno", 1)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        word = "class" if isinstance(node, ast.ClassDef) else "def"
        for i in range(line, min(len(lines), (node.end_lineno or line)) + 1):
            text = lines[i - 1].lstrip()
            if text.startswith((f"{word} ", "async def ")) and re.search(rf"\b{node.name}\b", text):
                return i
    return line


def _find_line(lines: list[str], start: int, pattern: str) -> int:
    rx = re.compile(pattern)
    for i in range(max(start - 1, 0), len(lines)):
        if rx.search(lines[i]):
            return i + 1
    return start


def _int_value(node: ast.AST) -> int | None:
    """``X = 6`` or ``X = from_conf("X", 6)`` → 6."""
    value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
    if isinstance(value, ast.Constant) and isinstance(value.value, int):
        return value.value
    if isinstance(value, ast.Call) and value.args:
        last = value.args[-1]
        if isinstance(last, ast.Constant) and isinstance(last.value, int):
            return last.value
    return None


def build_catalog(source: MetaflowSource) -> tuple[DecoratorCatalog, dict[str, tuple[int, int]]]:
    """Build the catalog from source; also return the stamps of every file read."""
    b = _Builder(source)
    step: dict[str, DecoratorSpec] = {}
    flow: dict[str, DecoratorSpec] = {}
    hidden: list[str] = []
    classes: list[tuple[str, str, Definition]] = []  # for the run facts
    entries = b.registry_entries(CORE_REGISTRY)
    ext_parallel: set[str] = set()  # extension decorators that are parallel ones
    ext_entries, toggles, enabled = b.extension_registry()
    on, off = resolve_registry(entries + ext_entries, toggles, enabled)
    toplevel = {name: f"{e.rel}:{e.line}" for name, e in on["toplevel"].items()}
    for kind in ("step", "flow"):
        for name, e in on[kind].items():
            if name.endswith("_internal"):
                hidden.append(name)
                continue
            spec = b.spec(kind, name, e.dotted, e.origin, f"{e.rel}:{e.line}")
            if spec is None:
                continue
            (step if kind == "step" else flow)[name] = spec
            found = b.r.find_dotted(e.dotted)
            if found is not None:
                classes.append((kind, name, found))
            if kind == "step" and e.origin != "metaflow" and b.is_parallel(e.dotted):
                ext_parallel.add(name)
    disabled = {name: cite for kind in ("step", "flow") for name, cite in off[kind].items()}
    checks, reserved = b.lint_checks()
    reserved_names = dict(b.flowspec_reserved())
    for k, v in reserved.items():
        reserved_names.setdefault(k, v)
    limits: dict[str, Limit] = {}
    lim = b.retry_limit(step.get("retry"))
    if lim is not None:
        limits["retry.times.max"] = lim
    api = b.api()
    catalog = DecoratorCatalog(
        version=source.version,
        root=str(source.root),
        step=step,
        flow=flow,
        api=api,
        lint_checks=checks,
        reserved_names=reserved_names,
        limits=limits,
        hidden=sorted(hidden),
        framework=b.framework(),
        toplevel_names=b.toplevel_names(),
        toplevel_plugins=toplevel,
        disabled=disabled,
        facts=_with_parallel(read_facts(source.root), ext_parallel),
        flowspec_members=flowspec_members_of(reserved_names, api),
        run=read_run_facts(b.r, classes),
    )
    # the facts are cached with the catalog, so the files they were read from are stamped too
    return catalog, {**facts_stamps(source.root), **b.r.stamps}
