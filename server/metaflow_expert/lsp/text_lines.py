"""Lines as LSP defines them: broken only at ``\\n``, ``\\r\\n`` and ``\\r``.

Why: pygls' documents split with ``str.splitlines``, which also breaks at ``\\f``, ``\\v``,
``\\x1c``–``\\x1e``, ``\\x85``, U+2028 and U+2029. The editor does not, so after one form feed
inside a line every incremental edit landed a line off and the file filled with syntax errors.
:class:`LspTextDocument` is pygls' document with the LSP split (its incremental edits, offsets
and position conversions all read ``lines``); :class:`LspWorkspace` creates those documents.

The split itself is the pure core's (:func:`metaflow_expert.parsing.source.split_lines`, the
fast path of ``split_lines_reference`` there): the parser and the editor's document store
break lines by one rule. Both names are re-exported here for the document-sync tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pygls.workspace import TextDocument, Workspace

from metaflow_expert.parsing.source import split_lines, split_lines_reference

__all__ = ["LspTextDocument", "LspWorkspace", "split_lines", "split_lines_reference"]


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
