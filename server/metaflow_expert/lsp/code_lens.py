"""Code lenses above each flow (run it, show its graph) and each step (spin it).

The commands are the extension's (client-side): ``metaflowExpert.runFlow [uri]``,
``metaflowExpert.runFlowWith [uri]`` (Parameters, Configs, ``--with``, ``--environment``… picked
first), ``metaflowExpert.showGraph [uri]``, ``metaflowExpert.spinStep [uri, step]``; the server only
says where they belong. Editors without those commands may simply not show lenses.
"""

from __future__ import annotations

from lsprotocol import types

from metaflow_expert.lsp import budgets, documents
from metaflow_expert.lsp.server import MetaflowLanguageServer

RUN_FLOW = "metaflowExpert.runFlow"
RUN_FLOW_WITH = "metaflowExpert.runFlowWith"
SHOW_GRAPH = "metaflowExpert.showGraph"
SPIN_STEP = "metaflowExpert.spinStep"


def register(server: MetaflowLanguageServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def code_lens(
        ls: MetaflowLanguageServer, params: types.CodeLensParams
    ) -> list[types.CodeLens]:
        return await budgets.within(ls, "code lens", lenses(ls, params.text_document.uri), [])


async def lenses(ls: MetaflowLanguageServer, uri: str) -> list[types.CodeLens]:
    doc = await documents.view(ls, uri)
    if doc is None:
        return []
    out: list[types.CodeLens] = []
    for flow in doc.file.flows:
        if not flow.is_leaf:
            continue
        rng = documents.to_range(ls, doc, flow.name_span)
        out.append(
            types.CodeLens(
                range=rng,
                command=types.Command(
                    title=f"▶ Run {flow.name}", command=RUN_FLOW, arguments=[uri]
                ),
            )
        )
        out.append(
            types.CodeLens(
                range=rng,
                command=types.Command(title="Run with…", command=RUN_FLOW_WITH, arguments=[uri]),
            )
        )
        out.append(
            types.CodeLens(
                range=rng,
                command=types.Command(title="Show graph", command=SHOW_GRAPH, arguments=[uri]),
            )
        )
        for name in flow.own_step_names:
            step = flow.steps.get(name)
            if step is None:
                continue
            out.append(
                types.CodeLens(
                    range=documents.to_range(ls, doc, step.name_span),
                    command=types.Command(
                        title="Spin step", command=SPIN_STEP, arguments=[uri, name]
                    ),
                )
            )
    return out
