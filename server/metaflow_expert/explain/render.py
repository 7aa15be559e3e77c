"""Markdown for hovers: a :class:`~metaflow_expert.explain.cursor.Target` plus the decorator
catalog of the Metaflow in use → what the user reads.

Why pure: everything shown (docs, argument tables, defaults, ``path:line`` citations) comes
from the catalog indexed from the installed Metaflow; this module only arranges it, so it is
tested with a real catalog and no client. ``link(path, line)`` turns a citation into a link
(the LSP layer makes it a file URI); ``runtime`` is an optional line about the latest run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from metaflow_expert.explain.cursor import Target
from metaflow_expert.knowledge.entries import CLI_OPTION
from metaflow_expert.model import DecoratorUse, FlowClass, ParameterDecl, Step, split_citation

if TYPE_CHECKING:  # the catalog and the graph are only passed in: no import cost here
    from metaflow_expert.graph import FlowGraph, GraphNode
    from metaflow_expert.knowledge.catalog import ApiSymbol, DecoratorCatalog, DecoratorSpec
    from metaflow_expert.knowledge.catalog_model import ArgSpec
    from metaflow_expert.knowledge.entries import Entry
    from metaflow_expert.knowledge.entry_index import EntryIndex

Link = Callable[[str, int], str]

INDEX_PENDING = "_The Metaflow index is still building; details appear when it is ready._"
MAX_DOC = 1800


def _plain_link(path: str, line: int) -> str:
    return f"`{path}:{line}`"


#: a numpy-style section header: a title line underlined with dashes
_NUMPY_SECTION = re.compile(r"^([A-Z][A-Za-z ]+)\n-{3,}\s*$", re.MULTILINE)


def numpy_sections_as_lists(text: str) -> str:
    """Numpy-style ``Parameters``/``Returns`` sections as markdown lists.

    Why: markdown joins the indented ``name : type`` / description lines of a numpy docstring
    into one paragraph, which buries each argument; a bold title and one bullet per entry keep
    them apart. Only lines under such a section change, never a code fence."""
    if not _NUMPY_SECTION.search(text):
        return text
    out: list[str] = []
    in_section = in_fence = False
    for ln in text.replace("\r\n", "\n").split("\n"):
        if ln.strip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and re.fullmatch(r"\s*-{3,}\s*", ln) and out and out[-1].strip():
            out[-1] = f"\n**{out[-1].strip()}**\n"
            in_section = True
            continue
        if not in_section or in_fence or not ln.strip():
            out.append(ln)
        elif not ln[:1].isspace():
            out.append(f"- `{ln.strip()}`")
        elif out and out[-1].startswith("- "):
            out[-1] += f"{' —' if out[-1].endswith('`') else ''} {ln.strip()}"
        else:
            out.append(ln)
    return "\n".join(out)


def _doc(text: str | None, limit: int = MAX_DOC) -> str:
    text = numpy_sections_as_lists((text or "").strip())
    if len(text) > limit:
        cut = text.rfind("\n\n", 0, limit)
        text = text[: cut if cut > limit // 2 else limit].rstrip() + "\n\n…"
    return text


def _cell(text: str) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def api_symbol(catalog: DecoratorCatalog | None, *names: str) -> ApiSymbol | None:
    api = catalog.api if catalog is not None else {}
    for n in names:
        if n in api:
            return api[n]
    return None


def api_member(catalog: DecoratorCatalog | None, member: str) -> ApiSymbol | None:
    """The API symbol ``<Class>.<member>`` (the flow base class's method), found by suffix."""
    api = catalog.api if catalog is not None else {}
    for key, sym in api.items():
        if key.endswith("." + member) and sym.kind != "property":
            return sym
    for key, sym in api.items():
        if key.endswith("." + member):
            return sym
    return None


def _symbol_block(sym: ApiSymbol, link: Link, title: str | None = None) -> list[str]:
    out = [f"**{title or sym.name}**"]
    if sym.signature:
        out += ["```python", sym.signature, "```"]
    if sym.doc:
        out.append(_doc(sym.doc))
    out.append(f"Source: {link(sym.path, sym.line)}")
    return out


#: characters of an argument's description kept in the table (the full text is in the source)
CELL_CHARS = 70


def _short_cell(text: str) -> str:
    cell = _cell(text)
    return cell if len(cell) <= CELL_CHARS else cell[: CELL_CHARS - 1].rstrip() + "…"


def _first_paragraph(text: str | None) -> str:
    return (text or "").strip().split("\n\n")[0].strip()


def _cite(cite: str, link: Link) -> str:
    where = split_citation(cite)
    return link(*where) if where is not None else cite


def _default_cited(spec: DecoratorSpec, arg: ArgSpec, link: Link) -> str:
    """```1`` when unset (``None`` in ``defaults``; path:line)`` for an effective default, else
    the ``defaults`` value with its line."""
    if arg.effective_src:
        return (
            f"`{_cell(arg.effective_src)}` when unset: `None` in `defaults`, filled from"
            f" {_cite(arg.effective_cite, link)} by {_cite(arg.applied_cite, link)}"
        )
    return (
        f"`{_cell(arg.default_src)}`, {link(arg.path or spec.defaults_path or spec.path, arg.line)}"
    )


def _this_use(spec: DecoratorSpec, use: DecoratorUse, link: Link) -> list[str]:
    """What this use sets, by argument name, beside Metaflow's default for it (cited)."""
    lines = []
    for i, a in enumerate(use.args):
        name = a.name or (spec.args[i].name if i < len(spec.args) else "")
        arg = spec.arg(name) if name else None
        value = a.source
        if arg is None:
            lines.append(f"- `{name or '?'}` = `{_cell(value)}`")
            continue
        # the default a user gets (the effective one when Metaflow substitutes a None, cited
        # where it is applied) beside the doc's words, each attributed
        typ = f" ({_cell(arg.type)})" if arg.type else ""
        doc = f" — {_cell(arg.doc)}{typ}" if arg.doc or typ else ""
        lines.append(
            f"- `{arg.name}` = `{_cell(value)}` (Metaflow's default {_default_cited(spec, arg, link)}){doc}"
        )
    return lines


def decorator_markdown(
    spec: DecoratorSpec, catalog: DecoratorCatalog, link: Link, use: DecoratorUse | None = None
) -> str:
    """Summary line, what this use sets, then the other arguments shortened, then citations.

    Why this order: the reader hovers a use to learn what it does; the full docstring and a
    table of every argument (25 rows for ``@batch``) came first and buried that."""
    kind = "flow decorator" if spec.kind == "flow" else "step decorator"
    ver = f" (Metaflow {catalog.version})" if catalog.version else ""
    summary = _first_paragraph(spec.doc)
    out = [f"**@{spec.name}** — {kind}{ver}" + (f": {_cell(summary)}" if summary else "")]
    if use is not None and use.args:
        out.append("This use sets:\n" + "\n".join(_this_use(spec, use, link)))
    if spec.args:
        set_here = {a.name for a in use.args} if use is not None else set()
        rows = ["| argument | default | description |", "|---|---|---|"]
        for a in spec.args:
            if a.name in set_here:
                continue
            rows.append(f"| `{a.name}` | `{_cell(a.shown_default)}` | {_short_cell(a.doc)} |")
        if len(rows) > 2:
            title = "Other arguments" if set_here else "Arguments"
            out.append(f"{title} (the defaults Metaflow applies):\n\n" + "\n".join(rows))
    if spec.current_attrs:
        attrs = ", ".join(f"`current.{c.name}`" for c in spec.current_attrs)
        out.append(f"Adds to `current`: {attrs}")
    cites = [f"Class `{spec.class_name}`: {link(spec.path, spec.line)}"]
    if spec.defaults_line:
        cites.append(f"defaults: {link(spec.defaults_path or spec.path, spec.defaults_line)}")
    out.append(" · ".join(cites))
    return "\n\n".join(out)


def decorator_arg_markdown(
    spec: DecoratorSpec, arg_name: str, written: str | None, link: Link
) -> str:
    a = spec.arg(arg_name)
    if a is None:
        known = ", ".join(f"`{n}`" for n in spec.arg_names)
        return (
            f"**@{spec.name}** has no argument `{arg_name}`.\n\nKnown arguments: {known}\n\n"
            f"{link(spec.path, spec.line)}"
        )
    out = [f"**@{spec.name}({a.name}=…)**"]
    meta = f"default {_default_cited(spec, a, link)}"
    if a.type:
        meta += f" · {a.type}"
    out.append(meta)
    if written is not None:
        out.append(f"Here: `{written}`")
    if a.doc:
        out.append(_doc(a.doc))
    out.append(f"Source: {link(a.path or spec.path, a.line)}")
    return "\n\n".join(out)


def step_summary(flow: FlowClass, step: Step, graph: FlowGraph | None = None) -> list[str]:
    """Docstring, decorators and where the step leads (from the model and its graph)."""
    out: list[str] = [f"**step `{step.name}`** of `{flow.name}` (line {step.func_lineno})"]
    node: GraphNode | None = graph.nodes.get(step.name) if graph is not None else None
    if node is not None and node.type:
        out.append(f"Node type: `{node.type}`")
    decos = [f"`@{d.name}`" for d in step.other_decorators]
    if decos:
        out.append("Decorators: " + ", ".join(decos))
    if step.docstring:
        out.append(_doc(step.docstring, 800))
    tr = step.transition
    if tr is not None and tr.targets:
        arrows = ", ".join(f"`{t}`" for t in tr.target_names)
        extra = ""
        if tr.kind == "foreach" and tr.foreach is not None:
            extra = f" (foreach over `self.{tr.foreach}`)"
        elif tr.kind == "switch" and tr.condition is not None:
            extra = f" (switch on `self.{tr.condition}`)"
        out.append(f"Leads to: {arrows}{extra}")
    if node is not None and node.in_funcs:
        out.append("Reached from: " + ", ".join(f"`{n}`" for n in node.in_funcs))
    return out


def _short_symbol(sym: ApiSymbol, link: Link) -> list[str]:
    """A symbol's signature, first paragraph and source link: the rest is one click away."""
    out = []
    if sym.signature:
        out += ["```python", sym.signature.strip(), "```"]
    first = _first_paragraph(sym.doc)
    if first:
        out.append(_doc(first, 600))
    out.append(f"Full documentation: {link(sym.path, sym.line)}")
    return out


#: the wildcard an option built at run time has in its name (``"--" + arg.name`` → ``--{}``)
_BUILT_NAME = "{}"


def _near(entries: list[Entry], sym: ApiSymbol | None) -> list[Entry]:
    """Entries in the package of ``sym``'s file first (``metaflow/user_configs/`` for
    ``Config``): several commands may define an option of the same name."""
    if sym is None:
        return entries
    folder = sym.path.rsplit("/", 1)[0] + "/"
    return sorted(entries, key=lambda e: not e.path.startswith(folder))


def cli_flags(
    p: ParameterDecl, catalog: DecoratorCatalog | None, entries: EntryIndex | None
) -> list[tuple[str, Entry]]:
    """How ``p`` is given on the command line, each form with the CLI definition it comes
    from (read from Metaflow's click options, not assumed):

    - a ``Config``: the run-time ``--config`` / ``--config-value`` options, whose first value
      is the config's name (``config_options.py``);
    - a ``Parameter`` / ``IncludeFile``: the option built as ``"--" + name`` in the module
      that defines ``Parameter``.
    Empty while the index is not loaded, or when the source defines no such option."""
    if entries is None or not p.param_name:
        return []
    sym = api_symbol(catalog, p.kind)
    out: list[tuple[str, Entry]] = []
    if p.kind == "Config":
        for flag in ("--config", "--config-value"):
            found = [e for e in _near(entries.lookup(flag), sym) if e.kind == CLI_OPTION]
            if not found:
                continue
            e = found[0]
            values = e.metavar.replace("<name>", p.param_name, 1) if e.metavar else p.param_name
            out.append((f"{flag} {values}", e))
        return out
    param_sym = api_symbol(catalog, "Parameter")
    if param_sym is None:
        return []
    for e in entries.of_kind(CLI_OPTION):
        if e.path == param_sym.path and e.text.startswith("-") and _BUILT_NAME in e.text:
            out.append((e.text.replace(_BUILT_NAME, p.param_name), e))
            break
    return out


def _flag_lines(flags: list[tuple[str, Entry]], link: Link) -> list[str]:
    if not flags:
        return []
    forms = " or ".join(f"`{shown}` ({link(e.path, e.line)})" for shown, e in flags)
    helps = [_cell(e.help) for _shown, e in flags if e.help]
    said = f" — {helps[0][:200]}" if helps else ""
    return [f"Command line (cli option): {forms}{said}"]


def _input_text(flow: FlowClass, step: Step) -> str:
    """Which list ``self.input`` walks here: the foreach of the step(s) that lead into this one."""
    sources = [
        f"one item of `self.{s.transition.foreach}` (the foreach in `{s.name}`)"
        for s in flow.steps.values()
        if s.transition is not None
        and s.transition.kind == "foreach"
        and s.transition.foreach is not None
        and step.name in s.transition.target_names
    ]
    if not sources:
        # Metaflow's ``_find_input`` reads the innermost foreach frame on the stack, so a later
        # step of a foreach body still sees the item; only outside any foreach is it None
        return (
            f"`{step.name}` is not entered by a foreach: the item of the innermost enclosing"
            " foreach, or `None` outside one."
        )
    return f"in `{step.name}`, " + "; or ".join(sources) + "."


def _transition_kind_text(step: Step) -> str:
    tr = step.transition
    if tr is None:
        return "This step has no tail transition."
    names = ", ".join(f"`{n}`" for n in tr.target_names)
    if tr.kind == "linear":
        if len(step.params) > 1:
            return f"This call: a join-side transition to {names}."
        return f"This call: a linear transition to {names}."
    if tr.kind == "split":
        return f"This call: a static split (branch) into {names}; they must meet in a join."
    if tr.kind == "foreach":
        return f"This call: a foreach over `self.{tr.foreach}` into {names}."
    if tr.kind == "parallel":
        return f"This call: a parallel fan-out ({tr.num_parallel}) into {names}."
    if tr.kind == "switch":
        cases = ", ".join(
            f"`{c.key_source}` → `{c.target.name}`" for c in tr.switch_cases if c.target
        )
        return f"This call: a switch on `self.{tr.condition}`: {cases}."
    return f"This call is not a valid transition: {tr.invalid_reason or 'unrecognised form'}."


def artifact_markdown(
    flow: FlowClass, name: str, link_local: Callable[[int], str], runtime: str | None
) -> str:
    writes: list[str] = []
    reads: list[str] = []
    for step in flow.steps.values():
        for acc in step.artifacts:
            if acc.name != name:
                continue
            where = f"`{step.name}` ({link_local(acc.span.line1)})"
            if acc.kind == "write" and where not in writes:
                writes.append(where)
            elif acc.kind == "read" and where not in reads:
                reads.append(where)
    out = [f"**artifact `self.{name}`** of `{flow.name}`"]
    out.append("Set in: " + (", ".join(writes) if writes else "_no step of this file sets it_"))
    if reads:
        out.append("Read in: " + ", ".join(reads))
    if runtime:
        out.append(runtime)
    return "\n\n".join(out)


def render(
    target: Target,
    *,
    catalog: DecoratorCatalog | None,
    link: Link = _plain_link,
    link_local: Callable[[int], str] = lambda line: f"line {line}",
    graph: FlowGraph | None = None,
    runtime: str | None = None,
    pending_note: str = INDEX_PENDING,
    entries: EntryIndex | None = None,
) -> str | None:
    """Hover markdown for ``target``; None when there is nothing useful to say.

    ``entries`` (the index's error messages, CLI options, config and env variables) give a
    Parameter's or Config's command-line flags and explain a string naming an entry.

    ``pending_note`` is what to say in place of Metaflow's docs while ``catalog`` is None
    (still indexing, or indexing failed and why)."""
    t = target
    pending = catalog is None
    if t.kind in ("decorator", "decorator_arg") and t.decorator is not None:
        if catalog is None:
            return f"**@{t.decorator.name}**\n\n{pending_note}"
        kind = "flow" if t.flow_level else "step"
        spec = catalog.lookup(t.decorator.name, kind) or catalog.lookup(t.decorator.name)
        if spec is None:
            return f"**@{t.decorator.written}**: not a decorator of Metaflow {catalog.version}."
        if t.kind == "decorator_arg" and t.arg is not None and t.arg.name:
            return decorator_arg_markdown(spec, t.arg.name, t.arg.source, link)
        return decorator_markdown(spec, catalog, link, t.decorator)
    if t.kind == "step_decorator":
        out = []
        if t.step is not None and t.flow is not None:
            role = []
            if t.step.is_start_annotated:
                role.append("annotated as the start step")
            if t.step.is_end_annotated:
                role.append("annotated as the end step")
            if role:
                out.append(f"`{t.step.name}` is " + " and ".join(role) + ".")
        sym = None if pending else api_symbol(catalog, t.name)
        if sym is not None:
            out = _symbol_block(sym, link, f"@{t.name}") + out
        else:
            out.insert(0, f"**@{t.name}**")
            if pending:
                out.append(pending_note)
        return "\n\n".join(out)
    if t.kind in ("step_def", "step_ref") and t.flow is not None:
        step = t.flow.steps.get(t.name)
        if step is None:
            return f"`{t.name}`: no step of that name in `{t.flow.name}`."
        return "\n\n".join(step_summary(t.flow, step, graph))
    if t.kind == "next_call":
        # what this call does first: the docstring lists every form, this says which one
        out = [f"**self.{t.name}**"]
        if t.step is not None:
            out[0] += f" — {_transition_kind_text(t.step)}"
        sym = None if pending else api_member(catalog, t.name)
        if sym is not None:
            out += _short_symbol(sym, link)
        elif pending:
            out.append(pending_note)
        return "\n\n".join(out)
    if t.kind in ("input", "index", "merge_artifacts"):
        member = t.name
        sym = None if pending else api_member(catalog, member)
        out = [f"**self.{member}**"]
        if t.kind == "input" and t.flow is not None and t.step is not None:
            out[0] += f" — {_input_text(t.flow, t.step)}"
        out += _short_symbol(sym, link) if sym else []
        if pending:
            out.append(pending_note)
        if t.step is not None and t.kind == "merge_artifacts" and len(t.step.params) < 2:
            out.append(f"`{t.step.name}` is not a join step.")
        return "\n\n".join(out)
    if t.kind == "inputs":
        out = [f"**`{t.name}`**: the join step's inputs, one per incoming branch or foreach task."]
        if t.step is not None and graph is not None:
            try:
                node = graph[t.step.name]
                if node.in_funcs:
                    out.append("Incoming: " + ", ".join(f"`{n}`" for n in node.in_funcs))
            except Exception:
                pass
        return "\n\n".join(out)
    if t.kind == "artifact" and t.flow is not None:
        return artifact_markdown(t.flow, t.name, link_local, runtime)
    if t.kind == "parameter" and t.parameter is not None:
        p = t.parameter
        # the flags come from the indexed click options: ``--<name>`` for a Parameter, but
        # ``--config <name> <path>`` / ``--config-value <name> <value>`` for a Config
        flags = cli_flags(p, catalog, entries)
        head = f" (`{flags[0][0]}`)" if len(flags) == 1 else ""
        out = [f"**{p.kind} `{p.attr}`**{head}"]
        if len(flags) > 1:
            out += _flag_lines(flags, link)
        written = ", ".join(
            a.source if not a.name or a.source.startswith(a.name) else f"{a.name}={a.source}"
            for a in p.args
        )
        if written:
            out.append(f"Declared: `{p.kind}({_cell(written)})`")
        if len(flags) == 1:
            out += _flag_lines(flags, link)
        sym = None if pending else api_symbol(catalog, p.kind)
        if sym is not None:  # this declaration first; the class's own doc is one link away
            out += _short_symbol(sym, link)
        if runtime:
            out.append(runtime)
        return "\n\n".join(out)
    if t.kind == "flow_class" and t.flow is not None:
        f = t.flow
        out = [f"**flow `{f.name}`** ({len(f.steps)} steps)"]
        if f.docstring:
            out.append(_doc(f.docstring, 800))
        if f.decorators:
            out.append("Decorators: " + ", ".join(f"`@{d.name}`" for d in f.decorators))
        return "\n\n".join(out)
    if t.kind == "metaflow_name":
        if catalog is None:
            return f"**{t.name}**\n\n{pending_note}"
        spec = catalog.lookup(t.name)
        if spec is not None:
            return decorator_markdown(spec, catalog, link)
        sym = api_symbol(catalog, t.name)
        return "\n\n".join(_symbol_block(sym, link)) if sym else None
    if t.kind == "metaflow_attr" and t.attr:
        if catalog is None:
            return f"**{t.name}.{t.attr}**\n\n{pending_note}"
        sym = api_symbol(catalog, f"{t.name}.{t.attr}")
        if sym is not None:
            return "\n\n".join(_symbol_block(sym, link))
        for spec in catalog.all():
            for c in spec.current_attrs:
                if c.name == t.attr:
                    out = [f"**{t.name}.{c.name}**" + (f": `{c.type}`" if c.type else "")]
                    if c.doc:
                        out.append(_doc(c.doc))
                    # the class line: an attribute's docstring line may be in a base class file
                    out.append(f"Added by `@{spec.name}`: {link(spec.path, spec.line)}")
                    return "\n\n".join(out)
        return None
    return None
