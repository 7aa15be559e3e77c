"""Fixtures for the Ask tests: the real knowledge index, a fake Messages API server, and
settings pointing at it with fast retries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from metaflow_expert.agent.types import AskSettings

from .fake_anthropic import FakeAnthropic

if TYPE_CHECKING:
    from metaflow_expert.knowledge.index import KnowledgeIndex


@pytest.fixture(scope="session")
def index(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeIndex:
    """The real knowledge index over the installed Metaflow, in a private cache directory."""
    from metaflow_expert.knowledge.index import load_index

    return load_index(cache_dir=tmp_path_factory.mktemp("ask-index"))


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
