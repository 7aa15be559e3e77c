"""The decorator catalog: every Metaflow decorator, its arguments, defaults and docs, from source.

Why: Metaflow generates ``from metaflow import retry`` at import time from the registry in
``metaflow/plugins/__init__.py`` (``STEP_DECORATORS_DESC``/``FLOW_DECORATORS_DESC``), so neither
an editor nor a linter can follow those names. We read the same registry (and extensions'
``mfextinit_*.py`` descriptors), open each class with ``ast``, and record what Metaflow's own
``Decorator.__init__`` checks against: the ``defaults`` dict (the accepted arguments),
``allow_multiple`` (inherited, e.g. from ``Decorator``) and the docstring. Nothing about
Metaflow is typed here except the *names of the public entry points* listed in ``API_ENTRY_POINTS``;
where they live, their signatures and docs come from the source.

The catalog is plain data (JSON-serialisable via :meth:`DecoratorCatalog.to_dict`) and cached
on disk, because the lint CLI loads it on every run.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from metaflow_expert.knowledge import cache
from metaflow_expert.knowledge.modules import Definition, ModuleReader
from metaflow_expert.knowledge.source import EXT_PACKAGE, MetaflowSource, locate_source

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
# The registry lists and the file that holds them (relative to the ``metaflow`` package).
_REGISTRY_LISTS = {
    "step": "STEP_DECORATORS_DESC",
    "flow": "FLOW_DECORATORS_DESC",
    "toplevel": "TL_PLUGINS_DESC",
}
_PARAM_HEADER = re.compile(r"^Parameters\s*\n-{3,}\s*$", re.M)
_CURRENT_HEADER = re.compile(r"^MF Add To Current\s*\n-{3,}\s*$", re.M)
_SECTION_HEADER = re.compile(r"^\S.*\n-{3,}\s*$", re.M)
_PARAM_LINE = re.compile(r"^(?P<name>\*{0,2}\w+)\s*(?::\s*(?P<type>.*))?$")
_CURRENT_LINE = re.compile(r"^(?P<name>\w+)\s*->\s*(?P<type>.*)$")


@dataclass
class ArgSpec:
    """One accepted decorator argument: a key of the class's ``defaults`` dict."""

    name: str
    default_src: str
    doc: str
    line: int
    type: str = ""
    path: str = ""


@dataclass
class CurrentAttr:
    """An attribute a decorator adds to ``current`` (from its "MF Add To Current" block)."""

    name: str
    type: str
    doc: str
    line: int = 0
    path: str = ""


@dataclass
class DecoratorSpec:
    """A registered step or flow decorator. ``path``/``line`` point at the ``class`` line;
    ``defaults_path``/``defaults_line`` at the ``defaults =`` assignment (maybe in a base class);
    ``constants`` are the module-level literal constants of the decorator's file
    (name → (value source, line)), e.g. name-validation limits."""

    name: str
    kind: str
    class_name: str
    path: str
    line: int
    defaults_line: int
    args: list[ArgSpec]
    allow_multiple: bool
    doc: str
    current_attrs: list[CurrentAttr] = field(default_factory=list)
    origin: str = "metaflow"
    defaults_path: str = ""
    allow_multiple_cite: str = ""
    end_line: int = 0
    constants: dict[str, tuple[str, int]] = field(default_factory=dict)
    registry_cite: str = ""
    methods: dict[str, int] = field(default_factory=dict)
    conversions: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    conflicts: list[tuple[list[str], int]] = field(default_factory=list)
    checks: dict[str, list[tuple[list[str], str]]] = field(default_factory=dict)

    def arg(self, name: str) -> ArgSpec | None:
        return next((a for a in self.args if a.name == name), None)

    @property
    def arg_names(self) -> list[str]:
        return [a.name for a in self.args]

    @property
    def cite(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class ApiSymbol:
    """A public API entry point, located in the source."""

    name: str
    qualname: str
    path: str
    line: int
    end_line: int
    signature: str
    doc: str
    kind: str = ""

    @property
    def cite(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Limit:
    """A numeric limit Metaflow enforces, derived from its source: ``value`` and where."""

    value: int
    cite: str
    expr: str


@dataclass
class DecoratorCatalog:
    """Everything rules, hovers and completions need to know about decorators and the API."""

    version: str
    root: str
    step: dict[str, DecoratorSpec]
    flow: dict[str, DecoratorSpec]
    api: dict[str, ApiSymbol]
    lint_checks: dict[str, tuple[str, int]]
    reserved_names: dict[str, str] = field(default_factory=dict)
    limits: dict[str, Limit] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    framework: dict[str, str] = field(default_factory=dict)
    toplevel_names: list[str] = field(default_factory=list)
    toplevel_plugins: dict[str, str] = field(default_factory=dict)

    def lookup(self, name: str, kind: str | None = None) -> DecoratorSpec | None:
        if kind in (None, "step") and name in self.step:
            return self.step[name]
        if kind in (None, "flow") and name in self.flow:
            return self.flow[name]
        return None

    def all(self) -> list[DecoratorSpec]:
        return list(self.step.values()) + list(self.flow.values())

    def names(self, kind: str | None = None) -> list[str]:
        return [d.name for d in self.all() if kind in (None, d.kind)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DecoratorCatalog:
        def spec(x: dict[str, Any]) -> DecoratorSpec:
            x = dict(x)
            x["args"] = [ArgSpec(**a) for a in x["args"]]
            x["current_attrs"] = [CurrentAttr(**c) for c in x["current_attrs"]]
            x["constants"] = {k: (v[0], v[1]) for k, v in x["constants"].items()}
            x["conversions"] = {k: [(c[0], c[1]) for c in v] for k, v in x["conversions"].items()}
            x["conflicts"] = [(list(c[0]), c[1]) for c in x["conflicts"]]
            x["checks"] = {k: [(list(c[0]), c[1]) for c in v] for k, v in x["checks"].items()}
            return DecoratorSpec(**x)

        return cls(
            version=d["version"],
            root=d["root"],
            step={k: spec(v) for k, v in d["step"].items()},
            flow={k: spec(v) for k, v in d["flow"].items()},
            api={k: ApiSymbol(**v) for k, v in d["api"].items()},
            lint_checks={k: (v[0], v[1]) for k, v in d["lint_checks"].items()},
            reserved_names=dict(d["reserved_names"]),
            limits={k: Limit(**v) for k, v in d["limits"].items()},
            hidden=list(d["hidden"]),
            framework=dict(d["framework"]),
            toplevel_names=list(d["toplevel_names"]),
            toplevel_plugins=dict(d["toplevel_plugins"]),
        )


# --------------------------------------------------------------------------------------------
# docstring sections


def _section(doc: str, header: re.Pattern[str]) -> str:
    m = header.search(doc)
    if not m:
        return ""
    rest = doc[m.end() :]
    nxt = _SECTION_HEADER.search(rest)
    return rest[: nxt.start()] if nxt else rest


def _entries(section: str, line_re: re.Pattern[str]) -> list[tuple[str, str, str]]:
    """(name, type, description) for each unindented ``name : type`` / ``name -> type`` line."""
    out: list[tuple[str, str, str]] = []
    cur: list[Any] | None = None
    for raw in section.splitlines():
        if raw and not raw[0].isspace():
            m = line_re.match(raw.strip())
            if m:
                cur = [m.group("name").lstrip("*"), (m.group("type") or "").strip(), []]
                out.append(cur)  # type: ignore[arg-type]
                continue
        if cur is not None:
            cur[2].append(raw.strip())
    result = []
    for name, typ, desc in out:
        text = "\n".join(desc)
        text = text.split("@@ Returns")[0]
        result.append((name, typ, re.sub(r"\n{3,}", "\n\n", text).strip()))
    return result


def parse_param_docs(doc: str) -> dict[str, tuple[str, str]]:
    """numpydoc ``Parameters`` section → {name: (type text, description)}."""
    return {n: (t, d) for n, t, d in _entries(_section(doc, _PARAM_HEADER), _PARAM_LINE)}


def parse_current_attrs(doc: str) -> list[tuple[str, str, str]]:
    """ "MF Add To Current" block (the stub generator's format) → [(name, type, description)]."""
    return _entries(_section(doc, _CURRENT_HEADER), _CURRENT_LINE)


def _doc_body(doc: str) -> str:
    """The docstring without its Parameters / MF Add To Current sections."""
    m = _SECTION_HEADER.search(doc)
    return (doc[: m.start()] if m else doc).strip()


# --------------------------------------------------------------------------------------------
# building


class _Builder:
    def __init__(self, source: MetaflowSource) -> None:
        self.source = source
        self.r = ModuleReader(source)

    # registry ------------------------------------------------------------------------------
    def registry_entries(self, rel: str) -> list[tuple[str, str, str, int]]:
        """(kind, name, dotted class path, line) from ``*_DECORATORS_DESC`` lists of ``rel``."""
        tree = self.r.tree(rel)
        out: list[tuple[str, str, str, int]] = []
        if tree is None:
            return out
        package = self.r.module_of_rel(rel)
        if not rel.endswith("__init__.py"):
            package = package.rpartition(".")[0]
        for node in tree.body:
            if not isinstance(node, ast.Assign) or not isinstance(
                node.value, (ast.List, ast.Tuple)
            ):
                continue
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            kind = next((k for k, v in _REGISTRY_LISTS.items() if v in names), None)
            if kind is None:
                continue
            for elt in node.value.elts:
                if not (isinstance(elt, ast.Tuple) and len(elt.elts) == 2):
                    continue
                try:
                    name, path = ast.literal_eval(elt)
                except (ValueError, SyntaxError):
                    continue
                if not isinstance(name, str) or not isinstance(path, str):
                    continue
                dotted = _absolute_dotted(package, path)
                out.append((kind, name, dotted, elt.elts[0].lineno))
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
                    desc = _trailing_comment(self.r.lines(owner.rel), line)
                args.append(ArgSpec(key, src, desc, line, typ, owner.rel))
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
            doc=_doc_body(doc),
            current_attrs=currents,
            origin=origin,
            constants=self._constants(d.rel),
            registry_cite=reg,
            methods={
                m.name: _def_line(m, lines_cls)
                for m in cls.body
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
            },
            conversions=_conversions(cls),
            conflicts=_conflicts(cls),
            checks=self._inherited_checks(d),
        )

    def _inherited_checks(self, d: Definition) -> dict[str, list[tuple[list[str], str]]]:
        """``_checks`` of the class and of its plugin base classes (a subclass inherits its
        base's ``step_init``), each with the ``path:line`` of the raise."""
        merged: dict[str, list[tuple[list[str], str]]] = {}
        todo, depth, seen = [d], 0, set()
        while todo and depth < 6:
            nxt = []
            for cls in todo:
                key = (cls.rel, getattr(cls.node, "lineno", 0))
                if key in seen or not isinstance(cls.node, ast.ClassDef):
                    continue
                seen.add(key)
                if cls is d or cls.rel.startswith(("metaflow/plugins/", EXT_PACKAGE)):
                    for kind, found in _checks(cls.node).items():
                        bucket = merged.setdefault(kind, [])
                        for names, line in found:
                            bucket.append((names, f"{cls.rel}:{line}"))
                nxt += self.r.base_classes(cls)
            todo, depth = nxt, depth + 1
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
        """Every name ``metaflow/__init__.py`` binds (imports, defs, assignments)."""
        tree = self.r.tree("metaflow/__init__.py")
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
        return sorted(names)

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

    # extensions ------------------------------------------------------------------------------
    def extension_entries(self) -> list[tuple[str, str, str, int, str, str]]:
        out = []
        for root in self.source.extension_roots:
            for f in sorted(root.glob("*/plugins/mfextinit_*.py")):
                rel = f"{EXT_PACKAGE}/{f.relative_to(root).as_posix()}"
                org = f.relative_to(root).parts[0]
                for kind, name, dotted, line in self.registry_entries(rel):
                    out.append((kind, name, dotted, line, f"extension:{org}", rel))
        return out


def _trailing_comment(lines: list[str], line: int) -> str:
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


def _conversions(cls: ast.ClassDef) -> dict[str, list[tuple[str, int]]]:
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


def _conflicts(cls: ast.ClassDef) -> list[tuple[list[str], int]]:
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


def _checks(cls: ast.ClassDef) -> dict[str, list[tuple[list[str], int]]]:
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
    reg_rel = "metaflow/plugins/__init__.py"
    entries = [(k, n, p, ln, "metaflow", reg_rel) for k, n, p, ln in b.registry_entries(reg_rel)]
    entries += b.extension_entries()
    toplevel: dict[str, str] = {}
    for kind, name, dotted, line, origin, rel in entries:
        if kind == "toplevel":  # top-level plugins (``from metaflow import package_sources``)
            toplevel[name] = f"{rel}:{line}"
            continue
        if name.endswith("_internal"):
            hidden.append(name)
            continue
        spec = b.spec(kind, name, dotted, origin, f"{rel}:{line}")
        if spec is None:
            continue
        (step if kind == "step" else flow)[name] = spec
    checks, reserved = b.lint_checks()
    reserved_names = dict(b.flowspec_reserved())
    for k, v in reserved.items():
        reserved_names.setdefault(k, v)
    limits: dict[str, Limit] = {}
    lim = b.retry_limit(step.get("retry"))
    if lim is not None:
        limits["retry.times.max"] = lim
    catalog = DecoratorCatalog(
        version=source.version,
        root=str(source.root),
        step=step,
        flow=flow,
        api=b.api(),
        lint_checks=checks,
        reserved_names=reserved_names,
        limits=limits,
        hidden=sorted(hidden),
        framework=b.framework(),
        toplevel_names=b.toplevel_names(),
        toplevel_plugins=toplevel,
    )
    return catalog, dict(b.r.stamps)


_MEMO: dict[tuple[str, ...], tuple[DecoratorCatalog, dict[str, Any]]] = {}


def _ext_descriptors(source: MetaflowSource) -> list[str]:
    """Extension descriptor files present now (a new one must invalidate the cache)."""
    return sorted(
        str(f) for root in source.extension_roots for f in root.glob("*/plugins/mfextinit_*.py")
    )


def load_catalog(
    source: MetaflowSource | None = None, *, cache_dir: str | os.PathLike[str] | None = None
) -> DecoratorCatalog:
    """The catalog of ``source`` (default: :func:`locate_source`), from memory or the disk
    cache when the files it was built from are unchanged. Raises ``SourceNotFound`` only when
    no source is given and none can be found."""
    source = source or locate_source()
    ext = [str(p) for p in source.extension_roots]
    key = (str(source.root), source.version, str(cache_dir), *ext)
    descriptors = _ext_descriptors(source)
    memo = _MEMO.get(key)
    if (
        memo is not None
        and memo[1]["ext_files"] == descriptors
        and cache.stamps_valid(memo[1]["stamps"], source.absolute)
    ):
        return memo[0]
    path = cache.cache_file("catalog", source.version, source.root, cache_dir)
    data = cache.load(path)
    if (
        data is not None
        and data.get("ext") == ext
        and data.get("ext_files") == descriptors
        and cache.stamps_valid(data["stamps"], source.absolute)
    ):
        try:
            cat = DecoratorCatalog.from_dict(data["catalog"])
        except (KeyError, TypeError, ValueError, IndexError):
            cat = None  # a cache from another layout: rebuild below
        if cat is not None:
            _MEMO[key] = (cat, data)
            return cat
    cat, stamps = build_catalog(source)
    payload = {
        "catalog": cat.to_dict(),
        "stamps": {k: list(v) for k, v in stamps.items()},
        "ext": ext,
        "ext_files": descriptors,
    }
    cache.save(path, payload)
    _MEMO[key] = (cat, payload)
    return cat
