"""A real ``metaflow-expert serve`` process driven by pytest-lsp's client, once with VS Code's
and once with Neovim's client capabilities (the two position/markup/progress profiles that
matter). Helpers wait on what the server sends; no timing is asserted anywhere."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "metaflow_expert", "serve"]
CLIENTS = ["visual-studio-code", "neovim"]
INIT_OPTIONS: dict[str, Any] = {
    "lint": {"debounceMs": 0},
    "logLevel": "debug",
    "runs": {"timeoutSeconds": 60},
}


@pytest_lsp.fixture(params=CLIENTS, config=ClientServerConfig(server_command=SERVER))
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient):
    statuses: list[Any] = []
    lsp_client.statuses = statuses  # type: ignore[attr-defined]
    lsp_client.feature("metaflowExpert/status")(lambda params: statuses.append(params))
    # the profiles declare dynamic registration (VS Code's for watched files): accept it, as
    # those clients do (the server watches the Config files a flow's analysis read)
    lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)(lambda params: None)
    lsp_client.feature(types.CLIENT_UNREGISTER_CAPABILITY)(lambda params: None)
    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        initialization_options=INIT_OPTIONS,
        root_uri=Path.cwd().as_uri(),
    )
    lsp_client.init_result = await lsp_client.initialize_session(params)  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()
