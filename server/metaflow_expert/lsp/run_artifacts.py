"""Artifact values from the flow's latest successful run, for artifact hovers.

Why a subprocess of the workspace interpreter: the Client API imports all of Metaflow (and the
user's metadata/datastore configuration), which must never load into, slow down or crash the
server. One ``python -c`` per (folder, flow) reads every artifact's type, size and a short repr
as JSON; results are cached for ``runs.cacheSeconds``, the call is time-limited
(``runs.timeoutSeconds``) and runs on a thread: the first hover says "loading…", a later one
shows the values. The subprocess runs in the flow file's folder, so a local datastore
(``.metaflow``) is found the way ``python flow.py run`` wrote it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metaflow_expert.lsp.settings import ServerSettings

MAX_VALUE_BYTES = 1_000_000
REPR_CHARS = 120

# Runs inside the workspace interpreter. Reads the latest successful run of argv[1] and prints
# {"run": pathspec, "artifacts": {name: {"step", "type", "size", "repr"}}} or {"none": reason}.
_SCRIPT = r"""
import json, sys
name, max_bytes, repr_chars = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    from metaflow import Flow, namespace
    namespace(None)
    try:
        run = Flow(name).latest_successful_run
    except Exception:
        print(json.dumps({"none": "no successful run of %s yet" % name}))
        sys.exit(0)
    if run is None:
        print(json.dumps({"none": "no successful run of %s yet" % name}))
        sys.exit(0)
    out = {}
    for step in run:
        for task in step:
            for art in task:
                if art.id in out or art.id.startswith("_"):
                    continue
                entry = {"step": step.id, "size": None, "type": None, "repr": None}
                try:
                    entry["size"] = art.size
                except Exception:
                    pass
                if entry["size"] is None or entry["size"] <= max_bytes:
                    try:
                        value = art.data
                        entry["type"] = type(value).__name__
                        r = repr(value)
                        entry["repr"] = r if len(r) <= repr_chars else r[: repr_chars - 1] + "\u2026"
                    except Exception as exc:
                        entry["repr"] = "<unreadable: %s>" % type(exc).__name__
                out[art.id] = entry
            break
    print(json.dumps({"run": run.pathspec, "finished_at": str(run.finished_at), "artifacts": out}))
except Exception as exc:
    print(json.dumps({"error": "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")}))
"""


@dataclass
class RunInfo:
    status: str  # "loading" | "ready" | "none" | "error"
    fetched_at: float = 0.0
    run: str | None = None
    message: str = ""
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)


class ArtifactCache:
    """(folder, flow) → the latest run's artifacts; fetches are single-flight per key.

    Why it knows settings and a logger but not the server: the server holds the cache, so the
    cache must not import the server back (``lsp/`` has no import cycles)."""

    def __init__(self, log: Callable[[str, str], None]) -> None:
        self.entries: dict[tuple[str, str], RunInfo] = {}
        self.lock = threading.Lock()
        self.log = log

    def get(self, settings: ServerSettings, folder: str, flow: str) -> RunInfo:
        key = (folder, flow)
        now = time.monotonic()
        with self.lock:
            info = self.entries.get(key)
            expired = (
                info is not None
                and info.status != "loading"
                and now - info.fetched_at > settings.runs.ttl_s
            )
            if info is None or expired:
                fresh = RunInfo(status="loading", fetched_at=now)
                if info is not None:  # keep showing the old values while refreshing
                    fresh.run, fresh.artifacts, fresh.message = (
                        info.run,
                        info.artifacts,
                        info.message,
                    )
                self.entries[key] = fresh
                python = settings.interpreter or sys.executable
                threading.Thread(
                    target=self._fetch,
                    args=(key, python, settings.runs.timeout_s),
                    name="mfx-runs",
                    daemon=True,
                ).start()
                info = fresh
            return info

    def _fetch(self, key: tuple[str, str], python: str, timeout: float) -> None:
        folder, flow = key
        info = fetch(python, folder, flow, timeout)
        with self.lock:
            self.entries[key] = info
        self.log(
            "debug", f"latest run of {flow} in {folder}: {info.status} {info.run or info.message}"
        )


def fetch(python: str, folder: str, flow: str, timeout: float) -> RunInfo:
    """Run the reader script; never raises."""
    now = time.monotonic()
    try:
        proc = subprocess.run(
            [python, "-c", _SCRIPT, flow, str(MAX_VALUE_BYTES), str(REPR_CHARS)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        )
    except subprocess.TimeoutExpired:
        return RunInfo("error", now, message=f"reading the latest run took over {timeout:.0f}s")
    except OSError as exc:
        return RunInfo("error", now, message=f"cannot start {python}: {exc.strerror or exc}")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return RunInfo("error", now, message=err[:200])
    try:
        data = json.loads(lines[-1])
    except ValueError:
        return RunInfo("error", now, message="unreadable output from the run reader")
    if "none" in data:
        return RunInfo("none", now, message=str(data["none"]))
    if "error" in data:
        return RunInfo("error", now, message=str(data["error"]))
    return RunInfo("ready", now, run=data.get("run"), artifacts=data.get("artifacts") or {})


def _size(n: Any) -> str:
    if not isinstance(n, int):
        return "size unknown"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def describe(
    cache: ArtifactCache, settings: ServerSettings, path: str, flow: str, name: str
) -> str | None:
    """One markdown line about ``name`` in the latest run, or None when disabled."""
    if not settings.runs.enabled or not path or not Path(path).is_absolute():
        return None  # unsaved (untitled:) buffers have no folder and no runs
    folder = str(Path(path).parent)
    if not Path(folder).is_dir():
        return None
    info: RunInfo = cache.get(settings, folder, flow)
    if not info.artifacts:
        if info.status == "loading":
            return "_Latest run: being read in the background._"
        if info.status == "none":
            return f"_Latest run: {info.message}._"
        if info.status == "error":
            return f"_Latest run unavailable: {info.message}_"
    entry = info.artifacts.get(name)
    if entry is None:
        return f"_Latest run `{info.run}`: no artifact `{name}`._"
    typ = entry.get("type") or "?"
    value = entry.get("repr")
    shown = f" = `{value}`" if value is not None else ""
    return f"Latest run `{info.run}` (step `{entry.get('step')}`): `{typ}`, {_size(entry.get('size'))}{shown}"
