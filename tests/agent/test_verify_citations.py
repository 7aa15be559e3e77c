"""Every ``path:line``-shaped citation is seen, and each occurrence gets its own verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from metaflow_expert.agent.tools import Toolbox
from metaflow_expert.agent.verify import UNVERIFIED, find_citations, mark_unverified, verify_text


@pytest.fixture(scope="module")
def tb(index) -> Toolbox:
    return Toolbox(index)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("see /etc/passwd:1 here", "/etc/passwd"),
        ("see ../../secret/notes:3 here", "../../secret/notes"),
        ("see ../metaflow/flowspec.py:12 here", "../metaflow/flowspec.py"),
        ("see /opt/env+x/lib/metaflow/cli.py:4 here", "/opt/env+x/lib/metaflow/cli.py"),
        ("see file:///a/metaflow/flowspec.py:3 here", "file:///a/metaflow/flowspec.py"),
        ("see ~/src/metaflow/flowspec.py:5 here", "~/src/metaflow/flowspec.py"),
        ("see C:\\src\\metaflow\\flowspec.py:5 here", "C:\\src\\metaflow\\flowspec.py"),
    ],
)
def test_path_shaped_citations_are_found(text: str, path: str) -> None:
    assert [c[0] for c in find_citations(text)] == [path]


def test_not_citations() -> None:
    assert find_citations("http://localhost:8080/x, https://h.io/a/b.py:3, 1/2:3, 10:30") == []


def test_out_of_index_citations_are_marked(tb: Toolbox) -> None:
    text = "It reads `passwd` (/etc/passwd:1) and `x` (../../outside/thing.py:2)."
    v = verify_text(text, tb)
    assert [c.verified for c in v.citations] == [False, False]
    assert mark_unverified(text, v).count(UNVERIFIED) == 2


def test_same_citation_right_and_wrong_gives_two_verdicts(index, tb: Toolbox) -> None:
    lines = (Path(index.source.root) / "metaflow/flowspec.py").read_text().splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("class FlowSpec("))
    cite = f"metaflow/flowspec.py:{line}"
    text = f"Flows subclass `FlowSpec` ({cite}).\nRetries live in `RetryDecorator` ({cite})."
    v = verify_text(text, tb)
    assert sorted(c.verified for c in v.citations) == [False, True]
    marked = mark_unverified(text, v)
    assert marked.count(UNVERIFIED) == 1 and marked.index(UNVERIFIED) > marked.index("Retries")
