"""No import cycles inside ``metaflow_expert.lsp``, counting every import the code contains.

Why read the source instead of ``sys.modules``: a cycle hidden in a function body (a lazy
import) or under ``if TYPE_CHECKING`` is still a cycle for the reader and for mypy; it only
stops failing at import time. So every ``import`` statement anywhere in a module counts, and
``import a.b.c`` / ``from a.b import c`` is an edge to the module it names (``a.b.c`` when that
module exists, else ``a.b``), not to the parent packages.

Cycles elsewhere in the package do not fail this test (other parts own them); they are listed
in the test's output and as a warning, so they stay visible.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import metaflow_expert

PACKAGE = "metaflow_expert"
ROOT = Path(metaflow_expert.__file__).resolve().parent
LSP = f"{PACKAGE}.lsp"
_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "wiring_report.py"


def _wiring_report():
    """``scripts/wiring_report.py``: one reader of imports for the report and this test."""
    spec = importlib.util.spec_from_file_location("wiring_report", _SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("wiring_report", module)
    spec.loader.exec_module(module)
    return module


wiring = _wiring_report()


def import_graph() -> dict[str, list[str]]:
    return wiring.import_graph(wiring.modules(ROOT), type_only=True)


def test_cycle_finder_sees_lazy_and_type_only_imports(tmp_path: Path):
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": ["e"]}
    assert wiring.import_cycles(graph) == [["a", "b", "c"]]
    src = tmp_path / "m.py"
    src.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from metaflow_expert.lsp.server import X\n"
        "def f():\n    from metaflow_expert.lsp import hover\n    import metaflow_expert.graph\n"
    )
    known = {"metaflow_expert.lsp", "metaflow_expert.lsp.server", "metaflow_expert.lsp.hover"}
    known |= {"metaflow_expert.graph"}
    mods = dict.fromkeys(known, src)
    seen = wiring.imports_of("metaflow_expert.x", src, mods, type_only=True)
    assert seen == known - {"metaflow_expert.lsp"}


def test_no_import_cycle_in_lsp():
    found = wiring.import_cycles(import_graph())
    in_lsp = [c for c in found if any(m == LSP or m.startswith(LSP + ".") for m in c)]
    elsewhere = [c for c in found if c not in in_lsp]
    if elsewhere:
        report = "; ".join(" <-> ".join(c) for c in elsewhere)
        print(f"import cycles outside {LSP} (not failing): {report}")
        warnings.warn(f"import cycles outside {LSP}: {report}", stacklevel=1)
    assert not in_lsp, in_lsp
