"""A Config's default file changes on disk, the flow does not: the editor still shows the
flow's keys checked against the file as it is now. The server asks the client to watch the
side files the analysis read (dynamic ``workspace/didChangeWatchedFiles``) and re-analyses
the flows that read the file when the client reports a change. Over stdio, a real server."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .conftest import INIT_OPTIONS
from .helpers import WAIT_S, open_doc, wait_diagnostics, wait_ready

SERVER = [sys.executable, "-m", "metaflow_expert", "serve"]

FLOW = """\
from metaflow import Config, FlowSpec, step


class TrainFlow(FlowSpec):
    config = Config("config", default="params.json")

    @step
    def start(self):
        print(self.config.learning_rate)
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    TrainFlow()
"""


@pytest_lsp.fixture(
    params=["visual-studio-code", "neovim"], config=ClientServerConfig(server_command=SERVER)
)
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient):
    registrations: list[types.Registration] = []
    lsp_client.registrations = registrations  # type: ignore[attr-defined]
    lsp_client.profile = request.param  # type: ignore[attr-defined]

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        registrations.extend(params.registrations)

    @lsp_client.feature(types.CLIENT_UNREGISTER_CAPABILITY)
    def on_unregister(params: types.UnregistrationParams) -> None:
        return None

    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        initialization_options=INIT_OPTIONS,
        root_uri=Path.cwd().as_uri(),
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def _mf222(diags: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diags if d.code == "MF222"]


def _watched(registrations: list[Any]) -> list[Any]:
    return [
        w
        for r in registrations
        if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        for w in (r.register_options or {}).get("watchers", [])
    ]


async def _registered(client: LanguageClient) -> None:
    while not _watched(client.registrations):  # type: ignore[attr-defined]
        await asyncio.sleep(0.05)


async def test_editing_the_config_file_alone_clears_the_key_warning(
    client: LanguageClient, tmp_path: Path
) -> None:
    # the catalog's arrival re-lints every open flow: let it come first, so that only the
    # watched-file change can re-analyse the flow below
    await wait_ready(client, need_index=True)
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"learnig_rate": 0.1}))
    flow = tmp_path / "flow.py"
    flow.write_text(FLOW)
    uri = open_doc(client, flow)
    (diag,) = _mf222(await wait_diagnostics(client, uri, lambda d: bool(_mf222(d))))
    assert "learning_rate" in diag.message and "learnig_rate" in diag.message

    vscode = client.profile == "visual-studio-code"  # type: ignore[attr-defined]
    if vscode:  # the registration follows the first analysis: wait for it
        await asyncio.wait_for(_registered(client), WAIT_S)

    params.write_text(json.dumps({"learning_rate": 0.1}))
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=params.resolve().as_uri(), type=types.FileChangeType.Changed)
            ]
        )
    )
    if vscode:
        # it asked to watch the very file the analysis read, and re-analysed on the change
        watched = _watched(client.registrations)  # type: ignore[attr-defined]
        assert watched, client.registrations  # type: ignore[attr-defined]
        assert str(params.resolve()) in json.dumps(watched)
        await wait_diagnostics(client, uri, lambda d: not _mf222(d))
    else:
        # no dynamic registration for watched files: nothing is registered (a change such a
        # client reports anyway is still honoured)
        await wait_diagnostics(client, uri, lambda d: not _mf222(d))
        assert _watched(client.registrations) == []  # type: ignore[attr-defined]


def test_watchers_follow_the_clients_pattern_support(tmp_path: Path) -> None:
    """VS Code's client declares relative-pattern support: one pattern per file, relative to
    its folder (a file name's glob characters cannot widen it); without it, the path."""
    from metaflow_expert.lsp.watched_files import watchers

    path = str(tmp_path / "conf [1].json")
    (relative,) = watchers(frozenset({path}), relative=True)
    assert isinstance(relative.glob_pattern, types.RelativePattern)
    assert relative.glob_pattern.pattern == "conf [1].json"
    assert relative.glob_pattern.base_uri == tmp_path.as_uri()
    (plain,) = watchers(frozenset({path}), relative=False)
    assert plain.glob_pattern == Path(path).as_posix().replace("[1]", "[[]1[]]")


def test_the_analysis_reports_the_config_file_it_read(tmp_path: Path) -> None:
    """``Analysis.side_files``: the default file's resolved path, read or not (its creation
    changes the answer too); none for a flow without a file-backed Config."""
    from metaflow_expert.lint.engine import analyze_text

    flow = tmp_path / "flow.py"
    missing = analyze_text(FLOW, str(flow))
    assert missing.side_files == (str((tmp_path / "params.json").resolve()),)
    plain = analyze_text(FLOW.replace('default="params.json"', 'default_value="{}"'), str(flow))
    assert plain.side_files == ()
