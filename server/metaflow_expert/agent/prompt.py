"""The system prompt: the grounded workflow an answer must follow, plus the knowledge docs.

The prompt is split into blocks so prompt caching can mark the stable part (instructions +
docs) once; it names the Metaflow version in use so the model says which release it read.
Nothing here states a fact about Metaflow: facts come from the tools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from metaflow_expert.knowledge.index import KnowledgeIndex

MAX_PRIMER_CHARS = 40_000

INSTRUCTIONS = """You are Metaflow Expert, answering questions about Metaflow {version} from its indexed source code \
(root: the folder that contains the `metaflow/` package). You have tools over that source and over generated knowledge docs.

How you answer (grounded workflow):
1. Read the knowledge docs first (read_doc; the overview below lists them) to orient yourself.
2. Then search the source (search, grep, glob) for the classes, functions and patterns the question touches, and read the actual implementation with read_source. Never answer from general memory of Metaflow; never assume an API's behaviour without reading it.
   A pasted error or traceback, a CLI flag or a METAFLOW_* variable: search for it as written. Each search result names its kind (error message, cli option, cli command, config, env var) and states its facts (the raising line and the `if` that triggers it, an option's default, a config's default and where it is read); read that line, then answer with the condition and the fix, the default, or which setting wins.
3. Verify before claiming. Every factual statement is backed by a knowledge doc or by source lines you have read. Cite as `path:line` or `path:start-end` with paths relative to the Metaflow root (e.g. `metaflow/flowspec.py:120`), or `DOCNAME:line` for a knowledge doc, using the line numbers the tools show. Put the symbol a citation supports in backticks in the same sentence, and make sure the cited lines contain it. Every citation is checked automatically.
4. Show real code from the source (short excerpts in fenced blocks, with their citation), not invented examples. When you show how a user would write a flow, keep it minimal and consistent with the source you read.
5. If something cannot be found in the indexed source or docs, say plainly "not found in Metaflow {version}" and do not guess. Mention that the answer is for Metaflow {version} when behaviour may differ between releases.
6. Be concise: lead with the direct answer, then the evidence. Use Markdown.

If an editor context is given (the user's flow file, the step and decorators at the cursor), answer about that code."""


def build_system(index: KnowledgeIndex, *, caching: bool) -> list[dict[str, Any]]:
    """System blocks: instructions, then a docs primer; the last one carries ``cache_control``."""
    text = INSTRUCTIONS.format(version=index.version)
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}]
    primer = docs_primer(index)
    if primer:
        blocks.append({"type": "text", "text": primer})
    if caching:
        blocks[-1]["cache_control"] = {"type": "ephemeral"}
    return blocks


def docs_primer(index: KnowledgeIndex) -> str:
    """The list of knowledge docs with their headings, and the first (summary) doc in full,
    capped, so the model starts from the docs without spending a turn on them."""
    docs = index.docs
    if not docs:
        return ""
    parts = [f"Knowledge docs for Metaflow {index.version} (read them with read_doc):"]
    for name, text in docs.items():
        heads = [ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("## ")][:12]
        parts.append(f"- {name}: " + "; ".join(heads))
    summary_name = _summary_doc(docs)
    if summary_name:
        body = docs[summary_name]
        numbered = "\n".join(f"{i:>4}  {ln}" for i, ln in enumerate(body.splitlines(), 1))
        parts.append(f'\n<doc name="{summary_name}">\n{numbered[:MAX_PRIMER_CHARS]}\n</doc>')
    return "\n".join(parts)


def _summary_doc(docs: dict[str, str]) -> str | None:
    for want in ("summary", "overview", "readme"):
        for name in docs:
            if want in name.lower():
                return name
    return next(iter(docs), None)
