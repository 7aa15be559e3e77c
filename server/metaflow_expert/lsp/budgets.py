"""Time budgets for request handlers: past its budget a request gets an empty answer and the
log a line, never a server that stops answering.

Why: the heavy work of a request (parsing, the analysis, finding what is under the cursor,
the completion context) runs on worker threads, so the event loop stays free whatever the
document; but a request whose own work is slow must still end. Python cannot stop a thread,
so the work goes on (and is shared by the next request on the same version) while the
client gets its answer. The budgets are generous: they only cut off pathological documents.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from pygls.exceptions import JsonRpcException

from metaflow_expert.lsp.server import MetaflowLanguageServer

T = TypeVar("T")

#: seconds per request kind
BUDGET_S: dict[str, float] = {
    "hover": 5.0,
    "completion": 5.0,
    "definition": 10.0,
    "references": 10.0,
    "symbols": 10.0,
    "rename": 10.0,
    "code lens": 10.0,
    "code actions": 10.0,
    "graph": 60.0,
    "run options": 60.0,
}


async def within(
    ls: MetaflowLanguageServer, what: str, work: Coroutine[Any, Any, T], empty: T
) -> T:
    """``await work`` for at most ``what``'s budget; ``empty`` (and a log line) past it or
    when it raises anything but a JSON-RPC error."""
    budget = BUDGET_S[what]
    try:
        return await asyncio.wait_for(work, budget)
    except TimeoutError:
        ls.log("warning", f"{what} took more than {budget:g} s: answered empty")
    except (asyncio.CancelledError, JsonRpcException):
        raise  # a cancel, or an error the handler answers on purpose (an invalid new name)
    except Exception as exc:  # a request must never take the server down
        ls.log_exception(f"{what} failed", exc)
    return empty


async def in_thread(ls: MetaflowLanguageServer, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on the request workers (explain's pure functions: the cursor's target,
    the completion items), off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(ls.request_pool, fn, *args)
