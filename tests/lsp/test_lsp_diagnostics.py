"""Diagnostics over a real server: on open, after an edit, with Metaflow citations that resolve
to the check function in the installed ``metaflow/lint.py``; settings switch rules off or
change severity; closing clears; a syntax error in one step keeps the others' findings."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from .helpers import open_doc, replace_all, wait_diagnostics, wait_ready

FLOWS = Path(__file__).parent / "flows"
BROKEN = FLOWS / "broken_flow.py"
GOOD = FLOWS / "train_flow.py"


def _lint_citations(diags: list[types.Diagnostic]) -> list[types.DiagnosticRelatedInformation]:
    return [
        r
        for d in diags
        for r in d.related_information or []
        if r.location.uri.endswith("/metaflow/lint.py")
    ]


async def test_diagnostics_on_open_cite_metaflow_checks(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, BROKEN)
    diags = await wait_diagnostics(client, uri, lambda d: len(_lint_citations(d)) > 0)
    assert all(d.source == "metaflow-expert" for d in diags)
    assert all(isinstance(d.code, str) and d.code.startswith("MF") for d in diags)
    # the unknown transition target `proces` is reported, citing check_unknown_transitions
    msgs = " ".join(d.message for d in diags)
    assert "proces" in msgs
    for rel in _lint_citations(diags):
        path = Path(rel.location.uri.removeprefix("file://"))
        line = path.read_text().splitlines()[rel.location.range.start.line]
        check = rel.message.split("check ")[1].split(" ")[0]
        assert f"def {check}(" in line, (rel.message, line)


async def test_diagnostics_follow_edits_and_clear_on_close(client: LanguageClient):
    await wait_ready(client)
    text = BROKEN.read_text()
    uri = open_doc(client, BROKEN)
    before = await wait_diagnostics(client, uri, lambda d: any("proces" in x.message for x in d))
    fixed = text.replace("self.next(self.proces,", "self.next(self.process,")
    replace_all(client, uri, fixed, 2)
    after = await wait_diagnostics(
        client, uri, lambda d: not any("proces'" in x.message or "*proces*" in x.message for x in d)
    )
    assert before != after
    assert all("*proces*" not in d.message for d in after)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    await wait_diagnostics(client, uri, lambda d: d == [])


async def test_clean_flow_has_no_diagnostics(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, GOOD)
    diags = await wait_diagnostics(client, uri)
    assert diags == [], [d.message for d in diags]


async def test_syntax_error_in_one_step_keeps_other_findings(client: LanguageClient):
    await wait_ready(client)
    text = BROKEN.read_text()
    uri = open_doc(client, BROKEN)
    await wait_diagnostics(client, uri, lambda d: any("proces" in x.message for x in d))
    broken_end = text.replace("print(self.summary)", "print(self.summary +)")
    replace_all(client, uri, broken_end, 2)
    diags = await wait_diagnostics(
        client,
        uri,
        lambda d: any(
            x.range.start.line >= broken_end[: broken_end.index("+)")].count("\n") for x in d
        ),
    )
    assert any("proces" in d.message for d in diags)


async def test_settings_turn_rules_off_and_change_severity(client: LanguageClient):
    await wait_ready(client)
    uri = open_doc(client, BROKEN)
    diags = await wait_diagnostics(client, uri, lambda d: len(d) > 0)
    code = str(diags[0].code)
    other = next((str(d.code) for d in diags if str(d.code) != code), None)
    severity = {code: "off"}
    if other:
        severity[other] = "hint"
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"metaflowExpert": {"lint": {"debounceMs": 0, "severity": severity}}}
        )
    )
    diags = await wait_diagnostics(client, uri, lambda d: all(str(x.code) != code for x in d))
    if other:
        assert all(
            d.severity == types.DiagnosticSeverity.Hint for d in diags if str(d.code) == other
        )


async def test_ranges_use_the_negotiated_position_encoding(client: LanguageClient, tmp_path: Path):
    await wait_ready(client)
    text = BROKEN.read_text().replace(
        "        self.next(self.proces,", '        note = "😀é"; self.next(self.proces,'
    )
    path = tmp_path / "emoji_flow.py"
    path.write_text(text)
    uri = open_doc(client, path, text)
    diags = await wait_diagnostics(
        client, uri, lambda d: any("did you mean" in x.message for x in d)
    )
    d = next(x for x in diags if "did you mean" in x.message)
    line = text.splitlines()[d.range.start.line]
    col = line.index("proces")
    encoding = client.init_result.capabilities.position_encoding or "utf-16"  # type: ignore[attr-defined]
    prefix = line[:col]
    expected = {
        "utf-8": len(prefix.encode("utf-8")),
        "utf-16": len(prefix.encode("utf-16-le")) // 2,
        "utf-32": len(prefix),
    }[str(getattr(encoding, "value", encoding))]
    assert d.range.start.character == expected, (encoding, d.range)
    assert expected != col or encoding == "utf-32"
