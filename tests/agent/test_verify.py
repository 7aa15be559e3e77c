"""The citation verifier: every form is found, and only lines that hold the named symbol pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from metaflow_expert.agent import AskContext, ask
from metaflow_expert.agent.tools import Toolbox
from metaflow_expert.agent.verify import find_citations, mark_unverified, verify_text


@pytest.fixture(scope="module")
def tb(index) -> Toolbox:
    return Toolbox(index)


def _line(index, rel: str, startswith: str) -> int:
    lines = (Path(index.source.root) / rel).read_text().splitlines()
    return next(i for i, ln in enumerate(lines, 1) if ln.startswith(startswith))


def test_all_citation_forms_are_found() -> None:
    text = "a `x` metaflow/a.py:12, b metaflow/b.py:3-9, c (metaflow/c.py#L5), d metaflow/d.py#L7-L8, e summary.md:4"
    found = [(p, a, b) for p, a, b, _s, _e in find_citations(text, ("summary.md",))]
    assert found == [
        ("metaflow/a.py", 12, None),
        ("metaflow/b.py", 3, 9),
        ("metaflow/c.py", 5, None),
        ("metaflow/d.py", 7, 8),
        ("summary.md", 4, None),
    ]
    assert find_citations("see http://localhost:8080 and 10:30") == []


def test_symbol_must_be_on_the_cited_lines(index, tb: Toolbox) -> None:
    line = _line(index, "metaflow/flowspec.py", "class FlowSpec(")
    good = verify_text(f"Flows subclass `FlowSpec` (metaflow/flowspec.py:{line}).", tb)
    assert [c.verified for c in good.citations] == [True], good.citations
    wrong_line = verify_text(f"Flows subclass `FlowSpec` (metaflow/flowspec.py:{line + 3}).", tb)
    assert [c.verified for c in wrong_line.citations] == [False]
    assert "FlowSpec" in (wrong_line.citations[0].reason or "")
    ranged = verify_text(f"`FlowSpec` is at metaflow/flowspec.py:{line - 2}-{line + 2}.", tb)
    assert ranged.citations[0].verified


def test_missing_files_lines_and_outside_paths_fail(index, tb: Toolbox) -> None:
    v = verify_text(
        "A metaflow/nope.py:1. B metaflow/flowspec.py:999999. C ../../etc/passwd.txt:1. D /etc/hosts.txt:1.",
        tb,
    )
    assert [c.verified for c in v.citations] == [False, False, False, False]


def test_absolute_site_packages_path_is_normalised(index, tb: Toolbox) -> None:
    line = _line(index, "metaflow/flowspec.py", "class FlowSpec(")
    path = f"{index.source.root}/metaflow/flowspec.py:{line}"
    v = verify_text(f"`FlowSpec` ({path})", tb)
    assert v.citations[0].path == "metaflow/flowspec.py" and v.citations[0].verified


def test_each_citation_is_checked_against_its_own_symbol(index, tb: Toolbox) -> None:
    fs = _line(index, "metaflow/flowspec.py", "class FlowSpec(")
    text = f"`FlowSpec` is metaflow/flowspec.py:{fs} and `RetryDecorator` is metaflow/flowspec.py:{fs}."
    v = verify_text(text, tb)
    assert [f.citation.verified for f in v.found] == [True, False]
    marked = mark_unverified(text, v)
    assert marked.count("(unverified)") == 1 and marked.endswith(
        f"metaflow/flowspec.py:{fs} (unverified)."
    )


def test_doc_citations(index, tb: Toolbox) -> None:
    name = next(iter(index.docs))
    n = len(index.docs[name].splitlines())
    v = verify_text(f"See {name}:1 and {name}:{n + 50}.", tb)
    assert [c.verified for c in v.citations] == [True, False]


def test_offline_uses_the_decorators_at_the_cursor(index) -> None:
    flow = "from metaflow import FlowSpec, step, retry\n\nclass F(FlowSpec):\n    @retry(times=2)\n    @step\n    def start(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n"
    answer = ask(
        "What does this decorator do?",
        index=index,
        offline=True,
        context=AskContext(path="f.py", line=6, text=flow),
    )
    assert answer.citations[0].path == "metaflow/plugins/retry_decorator.py"


def test_bare_file_names_and_decorator_names(index, tb: Toolbox) -> None:
    line = _line(index, "metaflow/plugins/retry_decorator.py", "class RetryDecorator")
    v = verify_text(f"`@retry` is defined in retry_decorator.py:{line}.", tb)
    assert [(c.path, c.verified) for c in v.citations] == [
        ("metaflow/plugins/retry_decorator.py", True)
    ]
    ambiguous = verify_text("`x` in __init__.py:1.", tb)
    assert ambiguous.citations[0].verified is False
