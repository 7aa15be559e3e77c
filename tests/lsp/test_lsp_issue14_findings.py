"""Issue 14 over a real server: one story per root cause (a step that takes ``inputs`` and
also splits gets one error, Metaflow's MF107, and ``merge_artifacts`` "not in a join", MF210,
arrives as related information of that error on the call's line, not as a second error); and
a Config key typo (MF222) with its quick fix."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import open_doc, pos_of, wait_diagnostics, wait_ready

FLOW = Path(__file__).parents[1] / "lint" / "flows_fold" / "join_and_split_merges.py"


async def test_follow_on_finding_is_related_information(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, FLOW)
    diags = await wait_diagnostics(client, uri, lambda d: any(x.code == "MF107" for x in d))
    assert not any(d.code == "MF210" for d in diags), [d.code for d in diags]
    [root] = [d for d in diags if d.code == "MF107"]
    merge_line = next(
        i for i, ln in enumerate(FLOW.read_text().splitlines()) if "merge_artifacts" in ln
    )
    related = [r for r in root.related_information or [] if r.message.startswith("MF210: ")]
    assert len(related) == 1, root.related_information
    assert related[0].location.uri == uri
    assert related[0].location.range.start.line == merge_line


CONFIG_FLOW = """\
from metaflow import Config, FlowSpec, step


class CfgFlow(FlowSpec):
    config = Config("config", default="params.json")

    @step
    def start(self):
        print(self.config.learnig_rate)
        self.next(self.end)

    @step
    def end(self):
        pass
"""


async def test_config_key_typo_has_a_proven_quick_fix(client: LanguageClient, tmp_path: Path):
    """MF222 over stdio: the Config's default file is read beside the flow, the unknown key
    is reported with did-you-mean, and the quick fix replacing it is offered on it."""
    (tmp_path / "params.json").write_text('{"learning_rate": 0.1}')
    flow = tmp_path / "cfgflow.py"
    flow.write_text(CONFIG_FLOW)
    await wait_ready(client)
    uri = open_doc(client, flow)
    diags = await wait_diagnostics(client, uri, lambda d: any(x.code == "MF222" for x in d))
    [diag] = [d for d in diags if d.code == "MF222"]
    assert "learning_rate" in diag.message
    pos = pos_of(CONFIG_FLOW, "learnig_rate", 3)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=pos, end=pos),
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    titles = [a.title for a in actions or [] if isinstance(a, types.CodeAction)]
    assert "Replace with 'learning_rate'" in titles
