"""The Anthropic SDK (seconds to import) loads only when a question goes to the API, and the
key never shows up in reprs."""

from __future__ import annotations

import subprocess
import sys

from metaflow_expert.agent import AskSettings

CODE = """
import sys, tempfile
from metaflow_expert.agent import ask
from metaflow_expert.knowledge.index import load_index
answer = ask("How do I retry a step?", index=load_index(cache_dir=tempfile.mkdtemp()), offline=True)
assert answer.mode == "offline" and answer.citations
print("anthropic" in sys.modules)
"""


def test_offline_ask_never_imports_anthropic() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_key_is_not_in_repr() -> None:
    s = AskSettings(api_key="sk-secret-value")
    assert "sk-secret-value" not in repr(s)
