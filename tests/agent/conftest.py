"""Fixtures for the Ask tests: the real knowledge index (a small stand-in only until it exists),
a fake Messages API server, and settings pointing at it with fast retries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from metaflow_expert.agent.types import AskSettings

from .fake_anthropic import FakeAnthropic


@dataclass
class _Hit:
    path: str
    line: int
    end_line: int
    symbol: str
    snippet: str
    score: float
    kind: str = "source"


@dataclass
class _Source:
    root: Path
    version: str
    extension_roots: list[Path] = field(default_factory=list)


class StandInIndex:
    """Only used while ``knowledge.index`` is not importable: a naive search over def/class lines."""

    def __init__(self) -> None:
        import metaflow

        root = Path(metaflow.__file__).resolve().parent.parent
        self.version = getattr(metaflow, "__version__", None) or "unknown"
        self.source = _Source(root, self.version)
        self.docs = {
            "repository-summary": "# Metaflow repository summary\n\n## Layout\nThe `metaflow/` package holds the FlowSpec DSL.\n"
        }
        self._defs: list[tuple[str, int, str, set[str]]] = []
        for p in sorted((root / "metaflow").rglob("*.py")):
            rel = p.relative_to(root).as_posix()
            for no, line in enumerate(p.read_text(errors="replace").splitlines(), 1):
                m = re.match(r"\s*(?:def|class)\s+(\w+)", line)
                if m:
                    words = set(re.findall(r"[a-z]+", (m.group(1) + " " + rel).lower()))
                    self._defs.append((rel, no, m.group(1), words))

    def search(self, query: str, k: int = 10) -> list[_Hit]:
        q = set(re.findall(r"[a-z]+", query.lower()))
        scored = sorted(
            ((len(q & w), rel, no, sym) for rel, no, sym, w in self._defs), key=lambda t: -t[0]
        )
        return [_Hit(rel, no, no + 5, sym, "", float(s)) for s, rel, no, sym in scored[:k] if s > 0]

    def resolve(self, path: str) -> Path | None:
        p = (self.source.root / path).resolve()
        return p if p.is_file() and str(p).startswith(str(self.source.root / "metaflow")) else None


@pytest.fixture(scope="session")
def index() -> Any:
    try:
        from metaflow_expert.knowledge.index import load_index

        return load_index()
    except Exception:  # TEMP until the index lands
        return StandInIndex()


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


@pytest.fixture
def settings(fake: FakeAnthropic) -> AskSettings:
    return AskSettings(
        api_key="sk-test-not-a-real-key",
        base_url=fake.base_url,
        retries=2,
        retry_backoff=0.01,
        timeout=10.0,
        max_turns=6,
    )
