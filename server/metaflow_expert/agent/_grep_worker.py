"""Regex scan run in a separate, killable process (``python -I -S _grep_worker.py``).

Python's ``re`` cannot be interrupted, so a pathological pattern is contained by running the
scan here under a wall-clock timeout that the parent enforces by killing this process.
Input (stdin, JSON): root, files, pattern, ignore_case, max_matches, max_line_chars,
max_file_bytes. Output (stdout, JSON): {"matches": [[path, line, text], ...], "truncated": bool}.
Standard library only: it must start fast and import nothing from the package.
"""

import json
import os
import re
import sys


def main() -> None:
    req = json.load(sys.stdin)
    flags = re.IGNORECASE if req.get("ignore_case") else 0
    rx = re.compile(req["pattern"], flags)
    root = req["root"]
    max_matches = int(req["max_matches"])
    max_chars = int(req["max_line_chars"])
    max_bytes = int(req["max_file_bytes"])
    matches = []
    truncated = False
    for rel in req["files"]:
        path = os.path.join(root, rel)
        try:
            if os.path.getsize(path) > max_bytes:
                continue
            with open(path, encoding="utf-8", errors="replace") as fh:
                for no, line in enumerate(fh, 1):
                    line = line.rstrip("\n")[:max_chars]
                    if rx.search(line):
                        matches.append([rel, no, line[:300]])
                        if len(matches) >= max_matches:
                            truncated = True
                            break
        except OSError:
            continue
        if truncated:
            break
    json.dump({"matches": matches, "truncated": truncated}, sys.stdout)


if __name__ == "__main__":
    main()
