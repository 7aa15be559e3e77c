"""``metaflow-expert index``: locate and index the Metaflow in use, then report what was found.

Useful to warm the cache (the language server and ``ask`` then start fast) and to check which
Metaflow a project actually resolves to.
"""

from __future__ import annotations

import argparse
import json
import time

from metaflow_expert.knowledge.cli_common import add_source_arguments, source_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    from metaflow_expert.knowledge.index import load_index

    src = source_from_args(args)
    if src is None:
        return 2
    t0 = time.perf_counter()
    index = load_index(src, extra_docs=args.docs, cache_dir=args.cache_dir)
    elapsed = time.perf_counter() - t0
    cat = index.catalog
    report = {
        "version": src.version,
        "root": str(src.root),
        "origin": src.origin,
        "extension_roots": [str(p) for p in src.extension_roots],
        "files": len(index.symbols.files),
        "symbols": len(index.symbols),
        "step_decorators": len(cat.step),
        "flow_decorators": len(cat.flow),
        "api_symbols": len(cat.api),
        "docs": sorted(index.docs),
        "from_cache": index.from_cache,
        "seconds": round(elapsed, 3),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"Metaflow {src.version} ({src.origin}) at {src.root}")
    for ext in src.extension_roots:
        print(f"  extensions: {ext}")
    print(
        f"  {report['files']} files, {report['symbols']} symbols, "
        f"{report['step_decorators']} step + {report['flow_decorators']} flow decorators, "
        f"{report['api_symbols']} API symbols, {len(index.docs)} docs"
    )
    print(f"  {'loaded from cache' if index.from_cache else 'built'} in {elapsed:.2f} s")
    return 0
