"""Write docs/rules.md from the rule registry (the rules' docstrings are the documentation).

Run after adding or changing a rule: ``.venv/bin/python scripts/gen_rules_doc.py``.
``tests/lint/test_rules_doc.py`` fails when docs/rules.md is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "rules.md"


def main(argv: list[str]) -> int:
    from metaflow_expert.lint.rule_cli import rules_markdown

    text = rules_markdown()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run scripts/gen_rules_doc.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
