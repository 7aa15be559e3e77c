"""Which features the language server has: the one place that knows them all.

Why here and not in ``server.py``: every feature imports the server (to register on it and to
read its state); if the server imported the features back, ``lsp/`` would be one import cycle.
So the server stays at the bottom, each feature module offers ``register(server)``, and this
module, above them all, builds a server and registers each feature on it. Order matters only
for ``lifecycle``, which must see ``initialize`` first.
"""

from __future__ import annotations

from metaflow_expert.lsp import (
    code_actions,
    code_lens,
    commands,
    completion,
    diagnostics,
    hover,
    lifecycle,
    navigation,
    rename,
    run_options,
    signature_help,
    symbols,
    watched_files,
)
from metaflow_expert.lsp.server import MetaflowLanguageServer

FEATURES = (
    lifecycle,
    diagnostics,
    hover,
    completion,
    signature_help,
    navigation,
    symbols,
    rename,
    code_actions,
    code_lens,
    commands,
    run_options,
    watched_files,
)


def create_server() -> MetaflowLanguageServer:
    """A server with every feature registered (the one ``serve`` runs)."""
    server = MetaflowLanguageServer()
    for feature in FEATURES:
        feature.register(server)
    return server
