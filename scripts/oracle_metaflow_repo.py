"""Compare the MF1xx rules with Metaflow's own lint on every flow file under a directory.

Usage: ``.venv/bin/python scripts/oracle_metaflow_repo.py DIR [DIR ...]``

Why: the corpus in ``tests/corpus`` is ours; real flows written by Metaflow's maintainers
(``test/ux/core/flows``, ``test/unit/**/flows`` of the Metaflow repository) are an independent
check. Copy them to a folder outside this repository first (they are not ours to commit).
For each ``*.py`` that defines a FlowSpec subclass, Metaflow's checks are run one by one in
this process and compared with ``analyze_text``'s findings; disagreements are printed and the
exit status is 1 when there are any.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "oracle"))

from harness import compare, our_findings, run_metaflow


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: oracle_metaflow_repo.py DIR [DIR ...]", file=sys.stderr)
        return 2
    files = sorted(
        p
        for d in argv
        for p in Path(d).rglob("*.py")
        if "FlowSpec" in p.read_text(encoding="utf-8", errors="replace")
    )
    counts = {"files": 0, "import_errors": 0, "metaflow_findings": 0, "disagreements": 0}
    for p in files:
        counts["files"] += 1
        oracle = run_metaflow(str(p))
        if oracle.import_error:
            counts["import_errors"] += 1
            print(f"SKIP {p}: import-time error: {oracle.import_error}")
            continue
        counts["metaflow_findings"] += len(oracle.warnings())
        try:
            cmp = compare(oracle, our_findings(p))
        except Exception as e:  # never stop the survey on one file
            print(f"FAIL {p}: engine raised {type(e).__name__}: {e}")
            counts["disagreements"] += 1
            continue
        flows = ", ".join(f"{f}({len(rs)})" for f, rs in oracle.flows.items())
        status = "ok  " if cmp.ok else "DIFF"
        print(f"{status} {p} [{flows}]")
        for m in cmp.missing:
            print(f"     missing: {m}")
        for e in cmp.extra:
            print(f"     extra:   {e}")
        for n in cmp.notes:
            print(f"     note:    {n}")
        counts["disagreements"] += len(cmp.missing) + len(cmp.extra)
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    return 1 if counts["disagreements"] else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
