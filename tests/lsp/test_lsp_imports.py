"""The server starts without the Anthropic SDK: building the server, indexing Metaflow and
answering a hover must not import ``anthropic`` (≈ 5 s here); only a question to the API may."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
from metaflow_expert.lsp.features import create_server
create_server()
from metaflow_expert.knowledge.source import locate_source
from metaflow_expert.knowledge.catalog import load_catalog
from metaflow_expert.explain import cursor, render
from metaflow_expert.parsing import parse_flow_file
import metaflow_expert.agent, metaflow_expert.lsp.commands
cat = load_catalog(locate_source())
f = parse_flow_file(open(sys.argv[1]).read(), sys.argv[1])
t = cursor.locate(f, 14, 6)
render.render(t, catalog=cat)
print(sorted(m for m in sys.modules if m.split(".")[0] == "anthropic"))
"""


def test_server_start_does_not_import_anthropic():
    from pathlib import Path

    flow = Path(__file__).parent / "flows" / "train_flow.py"
    out = subprocess.run(
        [sys.executable, "-c", CODE, str(flow)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
