"""The server's copy of a document stays equal to the editor's through random incremental
edits, with every character ``str.splitlines`` treats as a line break but LSP does not.

Before: a form feed, vertical tab, ``\\x1c``–``\\x1e``, ``\\x85`` or U+2028/2029 inside a line
made pygls' document split lines where the editor does not; every later edit then landed one
line off. The mirror here is independent of the server's code: it finds LSP positions by
walking the characters (breaks ``\\n``, ``\\r\\n``, ``\\r`` only; columns in UTF-16 units).
Seeded, so a failure replays.
"""

from __future__ import annotations

import random
import time

import pytest
from lsprotocol import types

from metaflow_expert.lsp.server import SYNC_KIND, MetaflowLanguageServer
from metaflow_expert.lsp.text_lines import (
    LspWorkspace,
    split_lines,
    split_lines_reference,
)

URI = "file:///fuzz/flow.py"
PIECES = [
    "a", "self", " ", "    ", "(", ")", "é", "😀", "\n", "\n", "\r\n", "\r",
    "\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "def step(self):\n",
]  # fmt: skip


def _lsp_lines(text: str) -> list[str]:
    """Line contents (no breaks), by walking the characters."""
    lines, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch in "\r\n":
            lines.append("".join(cur))
            cur = []
            i += 2 if text[i : i + 2] == "\r\n" else 1
            continue
        cur.append(ch)
        i += 1
    lines.append("".join(cur))
    return lines


def _utf16(s: str) -> int:
    return sum(2 if ord(c) > 0xFFFF else 1 for c in s)


def _offset(text: str, line: int, char16: int) -> int:
    """Code-point offset of an LSP position (UTF-16 character) in ``text``."""
    i = 0
    for _ in range(line):
        while text[i] not in "\r\n":
            i += 1
        i += 2 if text[i : i + 2] == "\r\n" else 1
    units = 0
    while units < char16 and i < len(text) and text[i] not in "\r\n":
        units += 2 if ord(text[i]) > 0xFFFF else 1
        i += 1
    return i


def _random_position(rng: random.Random, text: str) -> types.Position:
    lines = _lsp_lines(text)
    line = rng.randrange(len(lines))
    content = lines[line]
    cut = rng.randint(0, len(content))  # on a code point: never inside a surrogate pair
    return types.Position(line=line, character=_utf16(content[:cut]))


def _random_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(n))


def test_split_lines_fast_path_equals_the_reference():
    rng = random.Random(7)
    for _ in range(3000):
        text = _random_text(rng, rng.randint(0, 30))
        assert split_lines(text) == split_lines_reference(text), repr(text)
        assert [ln.rstrip("\r\n") for ln in split_lines(text)] == (
            _lsp_lines(text) if text and not text.endswith(("\n", "\r")) else _lsp_lines(text)[:-1]
        ), repr(text)


@pytest.mark.parametrize("seed", [1, 2])
def test_2000_random_incremental_edits_stay_in_sync(seed):
    rng = random.Random(seed)
    workspace = LspWorkspace(None, SYNC_KIND)
    mirror = _random_text(rng, 200)
    workspace.put_text_document(
        types.TextDocumentItem(uri=URI, language_id="python", version=0, text=mirror)
    )
    t0 = time.perf_counter()
    for version in range(1, 2001):
        start = _random_position(rng, mirror)
        end = _random_position(rng, mirror)
        if (end.line, end.character) < (start.line, start.character):
            start, end = end, start
        new = _random_text(rng, rng.choice([0, 1, 1, 2, 5]))
        a, b = (
            _offset(mirror, start.line, start.character),
            _offset(mirror, end.line, end.character),
        )
        mirror = mirror[:a] + new + mirror[b:]
        workspace.update_text_document(
            types.VersionedTextDocumentIdentifier(uri=URI, version=version),
            types.TextDocumentContentChangePartial(
                range=types.Range(start=start, end=end), text=new
            ),
        )
        assert workspace.get_text_document(URI).source == mirror, (seed, version)
    assert time.perf_counter() - t0 < 60


def test_the_server_uses_lsp_lines_for_its_documents():
    """The server's protocol swaps pygls' workspace for the LSP one before a document opens."""
    from pygls.workspace import Workspace

    server = MetaflowLanguageServer()
    server.protocol._workspace = Workspace(None, SYNC_KIND)  # what pygls' initialize builds
    assert isinstance(server.workspace, LspWorkspace)
