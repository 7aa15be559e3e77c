"""One story per root cause over a real server (issue 14): a step that takes ``inputs`` and
also splits gets one error (Metaflow's MF107), and ``merge_artifacts`` "not in a join" (MF210)
arrives as related information of that error, on the call's line — not as a second error."""

from __future__ import annotations

from pathlib import Path

from pytest_lsp import LanguageClient

from .helpers import open_doc, wait_diagnostics, wait_ready

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
