"""The tree-sitter symbol index on small files (including broken syntax) and the real tree."""

from __future__ import annotations

from metaflow_expert.knowledge.symbols import extract_file, load_symbols

CODE = b'''"""Module doc."""
MAX_THINGS = 3


class Outer(Base):
    """Outer doc."""

    defaults = {"a": 1,
                "b": 2}

    @property
    def prop(self) -> int:
        """Prop doc."""
        return 1

    class Inner:
        def deep(self, x, *, y=2):
            pass


@decorator
def top(a: int = 1) -> str:
    return "x"

try:
    def guarded():
        pass
except ImportError:
    pass

def broken(:
'''


def test_extracts_every_kind_with_lines():
    rows = {r[0]: r for r in extract_file("metaflow/x.py", CODE)}
    assert rows["metaflow.x"][1] == "module" and rows["metaflow.x"][6] == "Module doc."
    assert rows["metaflow.x.MAX_THINGS"][1:5] == ("constant", "metaflow/x.py", 2, 2)
    outer = rows["metaflow.x.Outer"]
    assert (
        outer[1] == "class"
        and outer[3] == 5
        and outer[5] == "class Outer(Base)"
        and outer[6] == "Outer doc."
    )
    assert rows["metaflow.x.Outer.defaults"][1:5] == ("defaults", "metaflow/x.py", 8, 9)
    prop = rows["metaflow.x.Outer.prop"]
    assert (
        prop[1] == "method"
        and prop[3] == 12
        and prop[5] == "def prop(self) -> int"
        and prop[6] == "Prop doc."
    )
    assert rows["metaflow.x.Outer.Inner.deep"][5] == "def deep(self, x, *, y=2)"
    assert rows["metaflow.x.top"][3] == 22  # the def line, not the decorator
    assert "metaflow.x.guarded" in rows
    assert all(not r[7] for r in rows.values())


def test_vendored_flag_and_bad_bytes():
    rows = extract_file("metaflow/_vendor/click/core.py", b"def f():\n    pass\n\xff\xfe")
    assert all(r[7] for r in rows)


def test_real_tree_and_cache(source, tmp_path):
    idx, hit = load_symbols(source, tmp_path)
    assert not hit
    again, hit = load_symbols(source, tmp_path)
    assert hit and len(again) == len(idx)
    retry = again.find("RetryDecorator")[0]
    assert retry.path == "metaflow/plugins/retry_decorator.py" and retry.kind == "class"
    assert again.enclosing(retry.path, retry.line + 3).qualname.endswith("RetryDecorator")
    assert any(s.vendored for s in again.symbols)
