"""Every fix the engine would offer on a broken corpus flow, checked by re-analysis: the ones
kept remove their diagnostic and add no error; the count of dropped ones is printed."""

from __future__ import annotations

from pathlib import Path

from metaflow_expert.explain import fix_check
from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.model import Severity

BROKEN = sorted((Path(__file__).resolve().parents[1] / "corpus" / "broken").glob("*.py"))


def test_verified_fixes_on_broken_corpus_remove_their_diagnostic() -> None:
    offered = kept = 0
    dropped: list[str] = []
    for path in BROKEN:
        text = path.read_text()
        analysis = analyze_text(text, str(path))
        for finding in analysis.findings:
            cands = fix_check.candidates(analysis, finding)
            good = fix_check.verified_fixes(text, str(path), analysis, finding)
            offered += len(cands)
            kept += len(good)
            dropped += [f"{path.name}:{finding.code}:{c.title}" for c in cands if c not in good]
            target = fix_check.Target.of(finding)
            before = {
                (f.code, f.flow, f.step, f.message)
                for f in analysis.findings
                if f.severity is Severity.ERROR
            }
            for fix in good:
                new = fix_check.apply(text, fix)
                assert new is not None
                after = analyze_text(new, str(path)).findings
                assert all(fix_check.Target.of(f) != target for f in after), (path, fix)
                added = {
                    (f.code, f.flow, f.step, f.message)
                    for f in after
                    if f.severity is Severity.ERROR
                } - before
                assert not added, (path.name, fix.title, added)
    print(f"\nfixes: {offered} candidates, {kept} verified, {len(dropped)} dropped")
    for d in dropped:
        print("  dropped", d)
    assert kept > 0


def test_fix_that_breaks_nothing_but_misses_its_target_is_refused() -> None:
    text = (
        "from metaflow import FlowSpec, step\n\n"
        "class F(FlowSpec):\n"
        "    @step\n    def start(self):\n        self.next(self.ennd)\n\n"
        "    @step\n    def end(self):\n        pass\n"
    )
    analysis = analyze_text(text)
    [finding] = [f for f in analysis.findings if f.fix is not None]
    assert fix_check.verified_fixes(text, "<memory>", analysis, finding) == [finding.fix]
    from dataclasses import replace

    from metaflow_expert.model import Fix

    assert finding.fix is not None
    useless = Fix("noop", tuple(replace(e, new_text="ennd") for e in finding.fix.edits))
    target = fix_check.Target.of(finding)
    assert not fix_check.verify(text, "<memory>", useless, target, analysis.findings)
