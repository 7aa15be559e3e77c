"""Generated knowledge docs: what the Ask agent (and a person) reads first, from the index.

Why generated: hand-written docs go stale with every Metaflow release; these are rebuilt from the
source in use, and every statement names a symbol and cites it as ``name (path:line)`` where the
cited line contains that name (``tests/knowledge/test_docs.py`` checks every one). Output is
deterministic (sorted, no timestamps) so the same source gives the same bytes.

Four docs, as the grounded workflow expects: ``summary.md``, ``code_structure.md``,
``build_system.md``, ``apis_and_interfaces.md``.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

from metaflow_expert.knowledge.catalog import DecoratorCatalog, DecoratorSpec
from metaflow_expert.knowledge.declarations import CONFIG_MODULE, config_declarations
from metaflow_expert.knowledge.modules import ModuleReader
from metaflow_expert.knowledge.registry_lists import CORE_REGISTRY, registry_lists
from metaflow_expert.knowledge.run_build import from_conf_prefix
from metaflow_expert.knowledge.source import MetaflowSource
from metaflow_expert.knowledge.symbols import VENDOR_PREFIX, Symbol, SymbolIndex
from metaflow_expert.model import split_citation

DOC_NAMES = ("summary.md", "code_structure.md", "build_system.md", "apis_and_interfaces.md")
# Topics of the build-system doc: path fragments of the modules that package, vendor, version,
# configure and extend Metaflow (the facts under each come from the index).
_BUILD_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Code packaging", ("metaflow/package/", "metaflow/packaging_sys/")),
    ("Vendored dependencies", ("metaflow/vendor.py",)),
    ("Extensions", ("metaflow/extension_support/",)),
    ("Version detection", ("metaflow/metaflow_version.py", "metaflow/version.py")),
    (
        "Execution environments",
        ("metaflow/metaflow_environment.py", "metaflow/plugins/pypi/", "metaflow/plugins/uv/"),
    ),
    ("Type stubs", ("metaflow/cmd/develop/",)),
)


def first_sentence(doc: str, limit: int = 220) -> str:
    para = doc.strip().split("\n\n")[0]
    para = " ".join(para.split())
    m = re.search(r"(?<=[.!?])\s", para)
    s = para[: m.start()] if m else para
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def cite(name: str, path: str, line: int) -> str:
    """The one citation form of the docs: ``name`` (path:line)."""
    return f"`{name}` ({path}:{line})"


def cite_at(name: str, where: str) -> str:
    """:func:`cite` for a ``"path:line"`` string the catalog carries (just ``name`` when it is
    malformed)."""
    found = split_citation(where)
    return cite(name, *found) if found is not None else f"`{name}`"


def _sym_line(s: Symbol) -> str:
    doc = first_sentence(s.doc)
    return cite(s.name, s.path, s.line) + (f": {doc}" if doc else "")


def _top_level(symbols: SymbolIndex, path: str) -> list[Symbol]:
    mod = [s for s in symbols.by_path.get(path, []) if s.kind == "module"]
    prefix = mod[0].qualname + "." if mod else ""
    return [
        s
        for s in symbols.by_path.get(path, [])
        if s.kind in ("class", "function")
        and s.qualname.count(".") == prefix.count(".")
        and not s.name.startswith("_")
    ]


def _config_vars(reader: ModuleReader) -> list[tuple[str, str, str, int]]:
    """``NAME = from_conf("KEY", default)`` in metaflow_config.py → (NAME, env var, default, line);
    read by :mod:`declarations` (the index's config entries use the same reader), the env-var
    prefix from ``from_conf`` itself."""
    rel = CONFIG_MODULE
    prefix = from_conf_prefix(reader)
    out = []
    for conf in config_declarations(reader.tree(rel)):
        default = reader.segment(rel, conf.default) if conf.default is not None else "None"
        default = default if len(default) <= 80 else default[:77] + "..."
        out.append((conf.name, f"{prefix}{conf.key}", default, conf.line))
    return out


# ---------------------------------------------------------------------------------------------


def _summary(
    src: MetaflowSource, symbols: SymbolIndex, cat: DecoratorCatalog, reader: ModuleReader
) -> str:
    out = [f"# Metaflow {src.version}: summary", ""]
    vline = next(
        (
            i
            for i, ln in enumerate(reader.lines("metaflow/version.py"), 1)
            if "metaflow_version" in ln
        ),
        0,
    )
    if vline:
        out.append(
            f"- Version: {cite('metaflow_version', 'metaflow/version.py', vline)} = `{src.version}`."
        )
    init = [s for s in symbols.by_path.get("metaflow/__init__.py", []) if s.kind == "module"]
    if init and init[0].doc:
        lines = reader.lines("metaflow/__init__.py")
        first = init[0].doc.strip().splitlines()[0]
        ln = next((i for i, t in enumerate(lines, 1) if first in t), 0)
        if ln:
            out.append(f"- Package docstring: {cite(first, 'metaflow/__init__.py', ln)}")
    out += ["", "## Core API (what `from metaflow import …` gives)", ""]
    for name in sorted(cat.api):
        if name.startswith("current."):
            continue
        a = cat.api[name]
        doc = first_sentence(a.doc)
        out.append(f"- {cite(name, a.path, a.line)}" + (f": {doc}" if doc else ""))
    for kind, title in (("step", "Step decorators"), ("flow", "Flow decorators")):
        out += ["", f"## {title}", ""]
        for spec in sorted(cat.all(), key=lambda d: d.name):
            if spec.kind == kind:
                doc = first_sentence(spec.doc)
                out.append(
                    f"- @{spec.name}: {cite(spec.class_name, spec.path, spec.line)}"
                    + (f": {doc}" if doc else "")
                )
    out += ["", f"## Plugin registries ({CORE_REGISTRY})", ""]
    for list_name, _line, entries in registry_lists(reader):
        if entries:
            names = ", ".join(cite(n, CORE_REGISTRY, ln) for n, _t, ln in entries)
            out.append(f"- `{list_name.removesuffix('_DESC')}`: {names}")
    out += ["", "## Checks of `python flow.py check` (metaflow/lint.py)", ""]
    for name, (path, line) in cat.lint_checks.items():
        out.append(f"- {cite(name, path, line)}")
    return "\n".join(out) + "\n"


def _code_structure(symbols: SymbolIndex) -> str:
    out = ["# Metaflow code structure", ""]
    by_dir: dict[str, list[str]] = defaultdict(list)
    vendored: dict[str, list[str]] = defaultdict(list)
    for path in symbols.files:
        if path.startswith(VENDOR_PREFIX):
            top = path[len(VENDOR_PREFIX) :].split("/")[0]
            vendored[top].append(path)
        else:
            by_dir[path.rsplit("/", 1)[0] + "/"].append(path)
    for d in sorted(by_dir):
        rows = []
        for path in sorted(by_dir[d]):
            tops = _top_level(symbols, path)
            if not tops:
                continue
            classes = [s for s in tops if s.kind == "class"][:8]
            funcs = [s for s in tops if s.kind == "function"][:8]
            rows.append(f"- {path.rsplit('/', 1)[1]}")
            for s in classes:
                rows.append(f"  - class {_sym_line(s)}")
            if funcs:
                rows.append(
                    "  - functions: " + ", ".join(cite(s.name, s.path, s.line) for s in funcs)
                )
        if rows:
            out += [f"## {d}", "", *rows, ""]
    if vendored:
        out += [f"## Vendored libraries ({VENDOR_PREFIX})", ""]
        for top in sorted(vendored):
            syms = [s for p in sorted(vendored[top]) for s in _top_level(symbols, p)][:3]
            if syms:
                out.append(f"- {top}: " + ", ".join(cite(s.name, s.path, s.line) for s in syms))
        out.append("")
    return "\n".join(out)


def _build_system(src: MetaflowSource, symbols: SymbolIndex, reader: ModuleReader) -> str:
    out = [f"# Metaflow {src.version}: build system, packaging and configuration", ""]
    for title, prefixes in _BUILD_TOPICS:
        paths = [p for p in symbols.files if any(p == x or p.startswith(x) for x in prefixes)]
        rows = []
        for path in paths:
            for s in _top_level(symbols, path)[:10]:
                rows.append(f"- {_sym_line(s)}")
        if rows:
            out += [f"## {title}", "", *rows, ""]
    vendored = sorted(
        {
            p[len(VENDOR_PREFIX) :].split("/")[0]
            for p in symbols.files
            if p.startswith(VENDOR_PREFIX)
        }
    )
    if vendored:
        firsts = []
        for top in vendored:
            syms = [
                s
                for s in symbols.symbols
                if s.path.startswith(f"{VENDOR_PREFIX}{top}") and s.kind in ("class", "function")
            ]
            if syms:
                firsts.append(
                    f"{top} (first symbol {cite(syms[0].name, syms[0].path, syms[0].line)})"
                )
        out += ["## Libraries vendored under metaflow/_vendor", "", *[f"- {f}" for f in firsts], ""]
    for list_name, _line, entries in registry_lists(reader):
        if list_name.startswith("ENVIRONMENTS") and entries:
            out += ["## Registered environments", ""]
            out += [f"- {cite(n, CORE_REGISTRY, ln)} → `{t}`" for n, t, ln in entries]
            out.append("")
    conf = _config_vars(reader)
    if conf:
        out += [
            f"## Configuration variables ({CONFIG_MODULE})",
            "",
        ]
        fc = reader.find(CONFIG_MODULE, "from_conf")
        if fc is not None and isinstance(fc.node, ast.FunctionDef):
            doc = " ".join((ast.get_docstring(fc.node) or "").split())
            line = fc.node.lineno
            out += [
                f"Each is read by {cite('from_conf', fc.rel, line)}" + (f": {doc}" if doc else "."),
                "",
            ]
        for name, env, default, line in conf:
            out.append(f"- {cite(name, CONFIG_MODULE, line)}: env `{env}`, default `{default}`")
        out.append("")
    return "\n".join(out)


def _decorator_section(spec: DecoratorSpec) -> list[str]:
    doc = first_sentence(spec.doc, 400)
    out = [
        f"### @{spec.name}",
        "",
        f"Class {cite(spec.class_name, spec.path, spec.line)}" + (f": {doc}" if doc else "."),
    ]
    if spec.origin != "metaflow" and spec.registry_cite:
        package = spec.origin.partition(":")[2] or spec.origin
        out.append(
            f"From the extension package `{package}`: {cite_at('registered', spec.registry_cite)}."
        )
    if spec.allow_multiple_cite:
        out.append(
            f"Allowed more than once on a {spec.kind}: {spec.allow_multiple}"
            f" ({cite_at('allow_multiple', spec.allow_multiple_cite)})."
        )
    if spec.args:
        out += ["", "Arguments (keys of `defaults`):", ""]
        for a in spec.args:
            desc = " ".join(a.doc.split())
            typ = f" — {a.type}" if a.type else ""
            eff = ""
            if a.effective_src:
                eff = f" (`{a.effective_src}` when unset: {cite_at(a.name, a.effective_cite)})"
            out.append(
                f"- {cite(a.name, a.path or spec.path, a.line)} default `{a.default_src}`{eff}{typ}"
                + (f": {desc}" if desc else "")
            )
    if spec.current_attrs:
        out += ["", "Adds to `current`:", ""]
        for c in spec.current_attrs:
            out.append(
                f"- {cite(c.name, c.path or spec.path, c.line)} → `{c.type}`: {first_sentence(c.doc)}"
            )
    out.append("")
    return out


def _apis(
    src: MetaflowSource, symbols: SymbolIndex, cat: DecoratorCatalog, reader: ModuleReader
) -> str:
    out = [f"# Metaflow {src.version}: APIs and interfaces", "", "## Public API", ""]
    for name in sorted(cat.api):
        a = cat.api[name]
        if name.startswith("current."):
            continue
        doc = " ".join(a.doc.strip().split("\n\n")[0].split())
        entry = f"{cite(name, a.path, a.line)}: `{a.signature}`" + (f" — {doc}" if doc else "")
        out += [f"### {name}", "", entry, ""]
    out += ["## current", ""]
    for name in sorted(n for n in cat.api if n.startswith("current.")):
        a = cat.api[name]
        out.append(
            f"- {cite(name.split('.', 1)[1], a.path, a.line)} `{a.signature}`: {first_sentence(a.doc)}"
        )
    out.append("")
    out += ["## Step decorators", ""]
    for spec in sorted(cat.step.values(), key=lambda d: d.name):
        out += _decorator_section(spec)
    out += ["## Flow decorators", ""]
    for spec in sorted(cat.flow.values(), key=lambda d: d.name):
        out += _decorator_section(spec)
    if cat.disabled:
        out += ["## Decorators switched off by installed extensions", ""]
        for name in sorted(cat.disabled):
            where = cat.disabled[name]
            if where:
                out.append(f"- @{name}: {cite_at('toggle', where)}")
            else:
                out.append(f"- @{name}")
        out.append("")
    hooks = [
        s
        for s in symbols.by_path.get("metaflow/decorators.py", [])
        if s.kind == "method"
        and s.qualname.split(".")[-2] in ("StepDecorator", "FlowDecorator", "Decorator")
    ]
    if hooks:
        out += ["## Decorator lifecycle hooks (metaflow/decorators.py)", ""]
        for s in hooks:
            owner = s.qualname.split(".")[-2]
            out.append(f"- {owner}.{_sym_line(s)}")
        out.append("")
    for list_name, _line, entries in registry_lists(reader):
        if list_name.startswith("CLIS") and entries:
            out += ["## CLI command groups (`python flow.py <command>`)", ""]
            out += [f"- {cite(n, CORE_REGISTRY, ln)} → `{t}`" for n, t, ln in entries]
            out.append("")
    out += ["## Lint checks", ""]
    for name, (path, line) in cat.lint_checks.items():
        encl = symbols.enclosing(path, line)
        doc = first_sentence(encl.doc) if encl and encl.line == line else ""
        out.append(f"- {cite(name, path, line)}" + (f": {doc}" if doc else ""))
    if cat.reserved_names:
        out += ["", "## Names a flow must not reuse", ""]
        for name in sorted(cat.reserved_names):
            out.append(f"- {cite_at(name, cat.reserved_names[name])}")
    return "\n".join(out) + "\n"


def generate_docs(
    src: MetaflowSource, symbols: SymbolIndex, cat: DecoratorCatalog
) -> dict[str, str]:
    """name → markdown for the four knowledge docs."""
    reader = ModuleReader(src)
    return {
        "summary.md": _summary(src, symbols, cat, reader),
        "code_structure.md": _code_structure(symbols),
        "build_system.md": _build_system(src, symbols, reader),
        "apis_and_interfaces.md": _apis(src, symbols, cat, reader),
    }


def write_docs(docs: dict[str, str], out_dir: str | Path) -> list[Path]:
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(docs):
        p = folder / name
        p.write_text(docs[name], encoding="utf-8")
        written.append(p)
    return written
