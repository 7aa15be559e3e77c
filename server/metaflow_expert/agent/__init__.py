"""Ask: grounded, cited answers about Metaflow from the indexed source (model or offline).

Importing this package is cheap: the Anthropic SDK loads only when a question goes to the API.
"""

from metaflow_expert.agent.ask import ask
from metaflow_expert.agent.types import (
    Answer,
    AskCancelled,
    AskContext,
    AskError,
    AskEvent,
    AskSettings,
    Citation,
    Usage,
)

__all__ = [
    "Answer",
    "AskCancelled",
    "AskContext",
    "AskError",
    "AskEvent",
    "AskSettings",
    "Citation",
    "Usage",
    "ask",
]
