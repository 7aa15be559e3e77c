"""Lines as LSP defines them: broken only at ``\\n``, ``\\r\\n`` and ``\\r``.

Why: pygls' documents split with ``str.splitlines``, which also breaks at ``\\f``, ``\\v``,
``\\x1c``–``\\x1e``, ``\\x85``, U+2028 and U+2029. The editor does not, so after one form feed
inside a line every incremental edit landed a line off and the file filled with syntax errors.
:class:`LspTextDocument` is pygls' document with the LSP split (its incremental edits, offsets
and position conversions all read ``lines``); :class:`LspWorkspace` creates those documents.

:func:`split_lines` is the reference (a regex over the three breaks); when the text holds
none of the extra characters, ``str.splitlines`` gives the same list faster, and is used then
(``tests/lsp/test_text_sync_fuzz.py`` checks the two agree on random text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pygls.workspace import TextDocument, Workspace

#: a line with its break, or a last line without one (linear: each line is scanned once)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
#: what ``str.splitlines`` breaks at beyond LSP's three
_EXTRA_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def split_lines_reference(text: str) -> list[str]:
    """The lines of ``text`` with their breaks, split only where LSP splits."""
    return _LINE.findall(text)


def split_lines(text: str) -> list[str]:
    """:func:`split_lines_reference`, through ``str.splitlines`` when that cannot differ."""
    if _EXTRA_BREAKS.search(text) is None:
        return text.splitlines(True)
    return split_lines_reference(text)


class LspTextDocument(TextDocument):
    """pygls' document, its lines split as LSP says (so incremental edits land right)."""

    @property
    def lines(self) -> Sequence[str]:
        return tuple(split_lines(self.source))


class LspWorkspace(Workspace):
    """pygls' workspace, creating :class:`LspTextDocument`s."""

    def _create_text_document(
        self,
        doc_uri: str,
        source: str | None = None,
        version: int | None = None,
        language_id: str | None = None,
    ) -> TextDocument:
        return LspTextDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )

    @classmethod
    def replacing(cls, workspace: Workspace, sync_kind: Any) -> LspWorkspace:
        """A new, empty workspace with ``workspace``'s root, folders and position encoding."""
        return cls(
            workspace.root_uri,
            sync_kind,
            list(workspace.folders.values()),
            workspace.position_encoding,
        )
