"""Entries: the things users paste and ask about, each read from the source with ``ast`` and
cited ``path:line``.

Why: a user rarely asks with a symbol name. They paste an exception's text, a CLI flag, a
``METAFLOW_*`` variable. Those strings sit in ``raise`` statements, click decorators and
``from_conf`` calls, inside functions whose names share no word with the question, so the
symbol search ranks them low. Here each becomes a first-class record with its own kind:

- ``error message``: the message of a ``raise X(...)``, an exception class's ``headline``, an
  ``echo``/``logger``/``warnings.warn`` call; f-string and ``%``/``format`` parts become ``{}``
  (wildcards for :mod:`phrase` matching); ``condition`` is the ``if`` that guards the raise;
- ``cli option`` / ``cli command``: click decorators (option names, default, help; the command
  an option belongs to);
- ``config``: ``NAME = from_conf("KEY", default)`` → ``METAFLOW_KEY`` (the prefix read from
  ``from_conf`` itself), its default and the modules that import ``NAME``;
- ``env var``: every ``os.environ[...]``, ``os.environ.get``, ``os.getenv`` and
  ``"X" in os.environ`` read.

The line of an entry is the line that holds its literal (the message's first string, the
option's first name, the config assignment), so the citation shows what was found.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from metaflow_expert.knowledge.declarations import (
    CONFIG_FUNCS,
    WILDCARD,
    OptionDecl,
    click_option,
    env_prefix,
    env_read,
    environment_read_line,
    from_conf_assignment,
    from_conf_function,
    value_types,
)
from metaflow_expert.knowledge.declarations import dotted as _dotted
from metaflow_expert.knowledge.declarations import kwarg as _kwarg

ERROR_MESSAGE = "error message"
CLI_OPTION = "cli option"
CLI_COMMAND = "cli command"
CONFIG = "config"
ENV_VAR = "env var"
ENTRY_KINDS = (ERROR_MESSAGE, CLI_OPTION, CLI_COMMAND, CONFIG, ENV_VAR)

# calls whose first argument is a message shown to the user (``echo``: Metaflow's CLI output)
_MESSAGE_CALLS = frozenset(
    ["echo", "echo_always", "secho", "warn", "warning", "error", "exception", "critical", "fail"]
)
_LOGGER_OWNERS = frozenset(["logger", "logging", "log", "_logger", "warnings", "click"])
_MAX_TEXT = 400
_FORMAT_FIELD = re.compile(r"\{[\w.\[\]]*(?:![rsa])?(?::[^{}]*)?\}")
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrfigxXeEc]")
# variables that hold a message to raise or print (``msg``, ``msg3``, ``error_message``)
_MESSAGE_NAME = re.compile(r"(?:^|_)(?:msg|message|errmsg|err_msg|error|warning)\d*$", re.I)


# a line that may hold a message call, an env read or a click option
_HOT = re.compile(
    r"echo|warn|error|exception|critical|fail|__init__|environ|getenv|click|logger|log\."
)
# every word an entry needs (the hot words, ``raise``, ``headline``, message variables,
# ``from_conf`` and imports of ``metaflow_config``)
_ANY_SOURCE = re.compile(_HOT.pattern + r"|raise|headline|msg|message|from_conf|metaflow_config")
# compound statements :meth:`_Reader.generic_visit` enters by their bodies (functions, classes
# and ``if`` have their own visitors)
_BLOCKS = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
)


def _wordy(text: str) -> bool:
    """Enough words to be recognised when pasted (not ``"1. python"`` or ``"done"``)."""
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 3


class Entry(NamedTuple):
    """One indexed thing. ``text`` is what a user would paste or name: the message (``{}`` for
    its varying parts), the option names (``--max-workers``), ``METAFLOW_KEY``, the env var.
    ``name`` is the identifier behind it: the exception raised, the option's command, the Python
    config name. ``context`` is the enclosing function (qualified); ``condition`` the guarding
    ``if`` of a raise; ``read_at`` the ``path:line`` places that import a config name.
    (A NamedTuple: thousands are rebuilt from the cache on every warm load.)"""

    kind: str
    text: str
    path: str
    line: int
    end_line: int
    name: str = ""
    default: str = ""
    help: str = ""
    context: str = ""
    condition: str = ""
    read_at: tuple[str, ...] = ()
    #: a CLI option's values as the source declares them (``metavar=``, or the value types of
    #: ``nargs`` > 1: ``ConvertPath`` → ``path``), space separated; empty when it takes one
    metavar: str = ""

    @property
    def cite(self) -> str:
        return f"{self.path}:{self.line}"


def message_text(node: ast.AST) -> tuple[str, int] | None:
    """(text with ``{}`` wildcards, line of its first literal) of a message expression, or None
    when no literal part holds a letter (nothing a user could recognise)."""
    parts: list[str] = []
    lines: list[int] = []

    def walk(n: ast.AST) -> None:
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            # a message kept in a variable is formatted later (``msg.format(node)``)
            parts.append(_PERCENT_FIELD.sub(WILDCARD, _FORMAT_FIELD.sub(WILDCARD, n.value)))
            lines.append(n.lineno)
        elif isinstance(n, ast.JoinedStr):
            for v in n.values:
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    parts.append(v.value)
                else:
                    parts.append(WILDCARD)
            lines.append(n.lineno)
        elif isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            walk(n.left)
            walk(n.right)
        elif (
            isinstance(n, ast.BinOp)
            and isinstance(n.op, ast.Mod)
            and isinstance(n.left, ast.Constant)
            and isinstance(n.left.value, str)
        ):
            parts.append(_PERCENT_FIELD.sub(WILDCARD, n.left.value))
            lines.append(n.left.lineno)
        elif (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "format"
            and isinstance(n.func.value, ast.Constant)
            and isinstance(n.func.value.value, str)
        ):
            parts.append(_FORMAT_FIELD.sub(WILDCARD, n.func.value.value))
            lines.append(n.func.value.lineno)
        else:
            parts.append(WILDCARD)

    walk(node)
    text = " ".join("".join(parts).split())
    if not lines or not re.search(r"[A-Za-z]{2}", text.replace(WILDCARD, " ")):
        return None
    return text[:_MAX_TEXT], lines[0]


def _first_arg(call: ast.Call, *keywords: str) -> ast.AST | None:
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for kw in call.keywords:
        if kw.arg in keywords:
            return kw.value
    return None


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Reader(ast.NodeVisitor):
    """One pass over one module: the entries it defines and the config names it imports."""

    def __init__(self, rel: str, text: str, tree: ast.Module, config_prefix: str) -> None:
        self.rel = rel
        self.text = text
        self.tree = tree
        self.uses_click = "click" in text
        self.prefix = config_prefix
        self.scope: list[str] = []
        self._lines: list[bytes] | None = None
        self._text_lines: list[str] | None = None
        #: lines that mention an entry source (see :meth:`generic_visit`)
        self.hot: set[int] | None = None
        self.command = ""
        self.conditions: list[str] = []
        #: the enclosing definitions, innermost last (where a help variable is assigned)
        self.functions: list[ast.AST] = []
        self.out: list[Entry] = []
        #: config names this module imports from metaflow_config: name → line
        self.config_imports: list[tuple[str, int]] = []

    def segment(self, node: ast.AST) -> str:
        """The node's source text (``ast.get_source_segment`` re-splits the file per call)."""
        start, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", None)
        c0, c1 = getattr(node, "col_offset", 0), getattr(node, "end_col_offset", None)
        if not start or end is None or c1 is None:
            return ""
        if self._lines is None:
            self._lines = [ln.encode() for ln in self.text.splitlines()]
        rows = self._lines[start - 1 : end]
        if not rows:
            return ""
        if len(rows) == 1:
            return rows[0][c0:c1].decode(errors="replace")
        body = [rows[0][c0:], *rows[1:-1], rows[-1][:c1]]
        return b"\n".join(body).decode(errors="replace")

    def shown_line(self, text: str, line: int, end: int) -> int:
        """The first line from ``line`` that shows the message's first word: a triple-quoted
        literal starts on the line of its quotes, its words on the next."""
        m = re.search(r"[A-Za-z]{3,}", text)
        if m is None:
            return line
        if self._text_lines is None:
            self._text_lines = self.text.splitlines()
        for n in range(line, min(end, len(self._text_lines)) + 1):
            if m.group(0) in self._text_lines[n - 1]:
                return n
        return line

    @property
    def context(self) -> str:
        return ".".join(self.scope)

    def add(
        self,
        kind: str,
        text: str,
        line: int,
        end: int,
        *,
        name: str = "",
        default: str = "",
        condition: str = "",
    ) -> None:
        if kind == ERROR_MESSAGE:
            line = self.shown_line(text, line, end)
        self.out.append(
            Entry(
                kind,
                text,
                self.rel,
                line,
                max(line, end),
                name=name,
                default=default,
                context=self.context,
                condition=condition,
            )
        )

    # -- traversal -----------------------------------------------------------------------------
    def generic_visit(self, node: ast.AST) -> None:
        """Statements are always entered (a raise or an assignment may hide in any block), but
        expressions only on lines that mention something an entry is read from (a message
        call, an env read, click): most hold none, and walking them all doubled the build."""
        if isinstance(node, ast.stmt):
            if isinstance(node, _BLOCKS):
                if self.is_hot(node.lineno, node.lineno):
                    for name in ("test", "iter", "items", "subject"):
                        value = getattr(node, name, None)
                        for sub in value if isinstance(value, list) else [value]:
                            if isinstance(sub, ast.AST):
                                self.visit(sub)
                for name in ("body", "orelse", "handlers", "finalbody", "cases"):
                    for child in getattr(node, name, None) or ():
                        self.visit(child)
                return
            if not self.is_hot(node.lineno, node.end_lineno or node.lineno):
                return
        super().generic_visit(node)

    def is_hot(self, first: int, last: int) -> bool:
        if self.hot is None:
            self.hot = {n for n, ln in enumerate(self.text.splitlines(), 1) if _HOT.search(ln)}
        return any(n in self.hot for n in range(first, last + 1))

    def visit_Constant(self, node: ast.Constant) -> None:
        """Nothing to read in a constant alone (and ``NodeVisitor``'s own ``visit_Constant``
        looks up deprecated ``visit_Str``-style methods for every one)."""

    # -- scopes --------------------------------------------------------------------------------
    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        for dec in node.decorator_list:
            # options in decorators belong to this command (in a decorator factory's inner
            # ``wrapper``: to the factory, ``common_run_options``)
            self.command = self.scope[0] if self.scope else node.name
            self.visit(dec)
            self.command = ""
            if isinstance(dec, ast.Call) and not isinstance(node, ast.ClassDef):
                self.click_decorator(dec, node)
        self.scope.append(node.name)
        self.functions.append(node)
        saved, self.conditions = self.conditions, []
        for stmt in node.body:
            self.visit(stmt)
        if isinstance(node, ast.ClassDef):
            self.headline(node)
        self.conditions = saved
        self.functions.pop()
        self.scope.pop()

    visit_FunctionDef = _scoped
    visit_AsyncFunctionDef = _scoped
    visit_ClassDef = _scoped

    def visit_If(self, node: ast.If) -> None:
        if self.is_hot(node.test.lineno, node.test.end_lineno or node.test.lineno):
            self.visit(node.test)
        self.conditions.append(_short(self.segment(node.test), 120))
        for stmt in node.body:
            self.visit(stmt)
        self.conditions[-1] = _short("not (" + self.conditions[-1] + ")", 120)
        for stmt in node.orelse:
            self.visit(stmt)
        self.conditions.pop()

    # -- messages ------------------------------------------------------------------------------
    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc
        if isinstance(exc, ast.Call):
            arg = _first_arg(exc, "msg", "message", "headline")
            got = message_text(arg) if arg is not None else None
            if got is not None:
                text, line = got
                cond = self.conditions[-1] if self.conditions else ""
                self.add(
                    ERROR_MESSAGE,
                    text,
                    line,
                    node.end_lineno or line,
                    name=_dotted(exc.func),
                    condition=cond,
                )
        self.generic_visit(node)

    def headline(self, node: ast.ClassDef) -> None:
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "headline" for t in stmt.targets)
                and isinstance(stmt.value, ast.Constant)
                and isinstance(stmt.value.value, str)
                and stmt.value.value.strip()
            ):
                self.out.append(
                    Entry(
                        ERROR_MESSAGE,
                        _short(stmt.value.value, _MAX_TEXT),
                        self.rel,
                        stmt.value.lineno,
                        stmt.end_lineno or stmt.lineno,
                        name=node.name,
                        context=self.context,
                    )
                )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = _dotted(func.value).split(".")[-1] if isinstance(func, ast.Attribute) else ""
        if fname in _MESSAGE_CALLS and (
            isinstance(func, ast.Name) or owner in _LOGGER_OWNERS or fname.startswith("echo")
        ):
            arg = _first_arg(node, "msg", "message", "line")
            got = message_text(arg) if arg is not None else None
            if got is not None and _wordy(got[0]):
                self.add(ERROR_MESSAGE, got[0], got[1], node.end_lineno or got[1], name=fname)
        elif (
            fname == "__init__"
            and isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Call)
            and _dotted(func.value.func) == "super"
            and node.args
        ):
            # an exception class passing its own message up: ``super().__init__("…")``
            got = message_text(node.args[0])
            if got is not None and _wordy(got[0]):
                self.add(ERROR_MESSAGE, got[0], got[1], node.end_lineno or got[1], name=fname)
        option = click_option(node) if self.uses_click and owner == "click" else None
        if option is not None and not option.runtime:
            # in a decorator: its command; in a shared option factory: the factory
            self.click_option(option, self.command or (self.scope[-1] if self.scope else ""))
        elif option is not None:
            # an option built at run time and inserted into a command's params
            # (``click.Option(["--config", "config"], ...)``, ``click.Option(("--" + name,))``)
            self.click_option_object(option)
        self.env_read(node)
        self.generic_visit(node)

    # -- environment ---------------------------------------------------------------------------
    def env_read(self, node: ast.AST) -> None:
        read = env_read(node)
        if read is None:
            return
        key = read.key
        default = self.segment(read.default) if read.default is not None else ""
        self.add(ENV_VAR, str(key.value), key.lineno, key.end_lineno or key.lineno, default=default)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self.env_read(node)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        self.env_read(node)
        self.generic_visit(node)

    # -- configuration -------------------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        if (
            len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and _MESSAGE_NAME.search(node.targets[0].id)
        ):
            # ``msg = "Step *{0.name}* …"`` raised later as ``raise X(msg.format(node))``
            got = message_text(node.value)
            if got is not None and _wordy(got[0]):
                self.add(
                    ERROR_MESSAGE,
                    got[0],
                    got[1],
                    node.end_lineno or got[1],
                    name=node.targets[0].id,
                    condition=self.conditions[-1] if self.conditions else "",
                )
        conf = from_conf_assignment(node)
        if conf is not None:
            default = self.segment(conf.default) if conf.default is not None else "None"
            self.add(
                CONFIG,
                f"{self.prefix}{conf.key}",
                conf.line,
                conf.end_line,
                name=conf.name,
                default=_short(default, 200),
            )
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if (node.module or "").split(".")[-1] == "metaflow_config":
            self.config_imports += [(a.name, node.lineno) for a in node.names]

    # -- click ---------------------------------------------------------------------------------
    def click_decorator(self, dec: ast.Call, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.uses_click or not isinstance(dec.func, ast.Attribute):
            return
        if dec.func.attr not in ("command", "group"):
            return
        name_node = _first_arg(dec, "name")
        name = fn.name
        line = fn.lineno
        if isinstance(name_node, ast.Constant) and isinstance(name_node.value, str):
            name, line = name_node.value, name_node.lineno
        help_node = _kwarg(dec, "help")
        helped = message_text(help_node) if help_node is not None else None
        doc = ast.get_docstring(fn) or ""
        help_text = helped[0] if helped else _short(doc.strip().split("\n\n")[0], 300)
        self.out.append(
            Entry(
                CLI_COMMAND,
                name,
                self.rel,
                line,
                fn.end_lineno or line,
                name=fn.name,
                help=help_text,
                context=".".join([*self.scope, fn.name]),
            )
        )

    def click_option(self, option: OptionDecl, command: str) -> None:
        help_node = option.kw("help")
        helped = message_text(help_node) if help_node is not None else None
        self.option_entry(option, command, option.kw("default"), helped[0] if helped else "")

    def click_option_object(self, option: OptionDecl) -> None:
        """``click.Option(names, **kw)``: its dashed names (a built name ``"--" + x`` is
        ``--{}``). A ``help`` kept in a variable is read from that variable's first string
        assignment in the enclosing function."""
        default_node = option.kw("default")
        if isinstance(default_node, (ast.ListComp, ast.DictComp, ast.GeneratorExp)):
            default_node = None  # computed per flow at run time: nothing to show
        help_node: ast.AST | None = option.kw("help")
        if isinstance(help_node, ast.Name) and self.functions:
            help_node = _first_string_assignment(self.functions[-1], help_node.id)
        helped = message_text(help_node) if help_node is not None else None
        help_text = helped[0] if helped else ""
        envvar = option.kw("envvar")
        if isinstance(envvar, ast.Constant) and isinstance(envvar.value, str):
            help_text += f" (environment variable {envvar.value})"
        command = self.scope[-1] if self.scope else ""
        self.option_entry(option, command, default_node, help_text.strip())

    def option_entry(
        self, option: OptionDecl, command: str, default: ast.AST | None, help_text: str
    ) -> None:
        """The entry of an option, cited at its first name."""
        names = option.names
        self.out.append(
            Entry(
                CLI_OPTION,
                " / ".join(n.text for n in names),
                self.rel,
                names[0].line,
                option.call.end_lineno or names[0].line,
                name=command,
                default=_short(self.segment(default), 200) if default else "",
                help=help_text,
                context=self.context,
                metavar=metavar_of(option),
            )
        )


def metavar_of(option: OptionDecl) -> str:
    """What an option takes, from its own declaration: ``metavar="X"``; else, for a tuple type
    (``MultipleTuple([click.Choice(names), ConvertPath()])``), one word per value: a
    ``Choice`` → ``name``, a type class → its name without ``Convert``, split into words."""
    meta = option.kw("metavar")
    if isinstance(meta, ast.Constant) and isinstance(meta.value, str):
        return meta.value
    words = []
    for cls in value_types(option):
        if cls == "Choice":
            words.append("name")
        else:
            cls = cls.removeprefix("Convert") or cls
            words.append(" ".join(re.findall(r"[A-Z][a-z]*|[a-z]+", cls)).lower())
    return " ".join(f"<{w}>" for w in words)


def _first_string_assignment(fn: ast.AST, name: str) -> ast.AST | None:
    """The value of the first ``name = <message>`` in ``fn`` (a help text built in steps)."""
    for sub in ast.walk(fn):
        if (
            isinstance(sub, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in sub.targets)
            and message_text(sub.value) is not None
        ):
            return sub.value
    return None


def precedence(path: Path) -> Entry | None:
    """Which source of a configuration value wins: the ordered list in ``from_conf``'s
    docstring, cited at the line that applies it (the nested ``os.environ.get``)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(text)
    except (OSError, SyntaxError, ValueError):
        return None
    fn = from_conf_function(tree)
    if fn is None:
        return None
    doc = ast.get_docstring(fn) or ""
    order: list[str] = []
    for ln in doc.splitlines():
        if re.match(r"\s*\d+\.", ln):
            order.append(ln.strip())
        elif order and ln.strip() and not order[-1].endswith(")"):
            order[-1] += " " + ln.strip()  # an item continued on the next line
        elif order:
            break
    line = environment_read_line(fn)
    return Entry(
        CONFIG,
        "configuration precedence: " + "; ".join(order),
        CONFIG_FUNCS,
        line,
        line,
        name="from_conf",
        help=_short(doc, 600),
        context="from_conf",
    )


def read_file_entries(
    rel: str, text: str, config_prefix_: str
) -> tuple[list[Entry], list[tuple[str, int]]]:
    """Entries of one module and the config names it imports ``[(name, line)]``."""
    if not _ANY_SOURCE.search(text):
        return [], []  # a file without these words has no entry: skip its parse
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return [], []
    reader = _Reader(rel, text, tree, config_prefix_)
    reader.visit(tree)
    return reader.out, reader.config_imports


def build_entries(files: Iterable[tuple[str, Path]]) -> list[Entry]:
    """Every entry of the given (citation path, file) pairs, vendored code aside, in file
    order; config entries carry the places that import them."""
    texts: dict[str, str] = {}
    for rel, path in files:
        if rel.startswith("metaflow/_vendor/"):
            continue
        try:
            texts[rel] = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
    prefix = env_prefix(texts.get(CONFIG_FUNCS, ""))
    out: list[Entry] = []
    imports: dict[str, list[str]] = {}
    for rel, text in texts.items():
        got, imported = read_file_entries(rel, text, prefix)
        out += got
        for name, line in imported:
            imports.setdefault(name, []).append(f"{rel}:{line}")
    out = [
        e._replace(read_at=tuple(imports.get(e.name, ())[:12])) if e.kind == CONFIG else e
        for e in out
    ]
    return out


def by_kind(entries: Iterable[Entry]) -> dict[str, int]:
    counts = dict.fromkeys(ENTRY_KINDS, 0)
    for e in entries:
        counts[e.kind] = counts.get(e.kind, 0) + 1
    return counts


def iter_kind(entries: Iterable[Entry], kind: str) -> Iterator[Entry]:
    return (e for e in entries if e.kind == kind)
