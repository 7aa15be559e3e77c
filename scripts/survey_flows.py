"""Survey real-world flows: our findings next to Metaflow's own ``check``, file by file.

Why: the corpus under ``tests/`` is written by us, so it cannot tell us whether a diagnostic is
trustworthy on code we did not write (tracker issue 11). This script lints every flow file
under a directory with the product's engine and runs ``python flow.py --no-pylint check`` on
it, then prints what a reviewer needs to judge precision: how many files ``check`` accepts,
rejects or cannot import, whether our MF1xx errors agree with its verdict, findings by rule
and severity, and every error-severity finding on a file ``check`` accepts (the target is 0).

The corpus itself is never committed (it is third-party code); ``scripts/survey_manifest.tsv``
lists ``repo, commit, path`` and ``--from-manifest`` rebuilds it from fetched repositories::

    python scripts/survey_flows.py --from-manifest scripts/survey_manifest.tsv \
        --mirrors MIRRORS OUT            # MIRRORS/<owner>+<name>[/repo] are bare git dirs
    python scripts/survey_flows.py OUT --manifest scripts/survey_manifest.tsv \
        --python .venv/bin/python --jobs 2 --json findings.json

Whole repository trees are laid out (not just the listed files) because flows import their
sibling modules, and ``check`` must import the file to judge it; ``--manifest`` then restricts
the survey to the listed flows.

``check`` conventions follow ``tests/oracle/harness.py`` and ``scripts/bench_lint.py``: the
file's own directory as working directory (flows import siblings), a local datastore, a
throw-away ``HOME`` (no user config), ``USERNAME`` set, stdin closed, and a timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from metaflow_expert.lint.cli import load_catalog_for
from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_path
from metaflow_expert.model import Severity

# What `print_metaflow_exception` prints for a `LintWarn` (metaflow/lint.py's headline).
LINT_HEADLINE = "Validity checker found an issue"
# `check` prints this before linting: without it a zero exit means the file never ran a flow
# (no `if __name__ == "__main__": Flow()`), which is not an acceptance.
VALIDATING = "Validating your flow"
LINT_LINE = re.compile(r" on line (\d+):")
IMPORT_FAILURE = re.compile(r"\b(ModuleNotFoundError|ImportError)\b")
# What @batch/@kubernetes/@conda/@pypi's step_init say when the datastore or environment
# does not suit them; `run_check` then retries with CLOUD_SETTINGS.
NEEDS_SETTING = re.compile(r"requires --(datastore|environment)=")
CLOUD_SETTINGS = {
    "METAFLOW_DEFAULT_DATASTORE": "s3",
    "METAFLOW_DATASTORE_SYSROOT_S3": "s3://metaflow-expert-survey-unused/metaflow",
    "METAFLOW_DEFAULT_ENVIRONMENT": "conda",
}
STEP_LINE = re.compile(r"^\s*@step\b", re.M)
SKIP_DIRS = {"node_modules", "__pycache__", "site-packages"}

# Check verdicts, in the order they are reported.
ACCEPTS, REJECTS, NO_IMPORT, FAILS, NO_MAIN, TIMEOUT = (
    "accepts",
    "rejects",
    "does not import",
    "fails otherwise",
    "runs no flow",
    "timeout",
)
VERDICTS = (ACCEPTS, REJECTS, NO_IMPORT, FAILS, NO_MAIN, TIMEOUT)


@dataclass
class CheckResult:
    """What `python flow.py check` said: a verdict and the line that explains it."""

    verdict: str
    returncode: int | None = None
    message: str = ""
    line: int | None = None  # the line a LintWarn names ("... on line N:")


@dataclass
class FileReport:
    path: str  # relative to the surveyed directory
    repo: str  # first path component (``owner+name`` for a laid-out manifest)
    findings: list[dict[str, object]] = field(default_factory=list)
    check: CheckResult | None = None


def is_flow_file(text: str) -> bool:
    return "FlowSpec" in text and STEP_LINE.search(text) is not None


def discover(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith(".py"):
                p = Path(dirpath) / name
                try:
                    text = p.read_text(encoding="utf-8-sig", errors="replace")
                except OSError:
                    continue
                if is_flow_file(text):
                    out.append(p)
    return out


def read_manifest(path: Path) -> list[tuple[str, str, str]]:
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if i == 0 or not line.strip():
            continue  # header
        repo, commit, rel = line.split("\t")
        rows.append((repo, commit, rel))
    return rows


def layout_dir(repo: str) -> str:
    return repo.replace("/", "+", 1)


def from_manifest(manifest: Path, mirrors: Path, out: Path) -> int:
    """Extract each listed repository at its commit under ``out/<owner>+<name>/``."""
    rows = read_manifest(manifest)
    commits = {(repo, commit) for repo, commit, _ in rows}
    missing = 0
    for repo, commit in sorted(commits):
        name = layout_dir(repo)
        git_dir = next(
            (d for d in (mirrors / name / "repo", mirrors / name) if (d / "HEAD").exists()), None
        )
        if git_dir is None:
            print(f"missing repository: {repo} (looked for {mirrors / name})", file=sys.stderr)
            missing += 1
            continue
        if not extract_tree(git_dir, commit, out / name):
            print(f"cannot read {repo}@{commit}", file=sys.stderr)
            missing += 1
    absent = [f"{r}:{p}" for r, _, p in rows if not (out / layout_dir(r) / p).is_file()]
    for a in absent:
        print(f"listed file not found: {a}", file=sys.stderr)
    print(f"laid out {len(commits) - missing} repositories, {len(rows) - len(absent)} flow files")
    return 1 if missing or absent else 0


def extract_tree(git_dir: Path, commit: str, dest: Path) -> bool:
    """Write the regular files of ``commit`` under ``dest``. Not ``git archive``: fetched
    snapshots may lack large blobs (data files), and one absent blob makes an archive fail."""
    git = ["git", f"--git-dir={git_dir}"]
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", commit], capture_output=True)
    if listing.returncode != 0:
        return False
    entries: list[tuple[bytes, str]] = []
    for item in listing.stdout.split(b"\0"):
        if not item:
            continue
        meta, _, raw_name = item.partition(b"\t")
        mode, kind, sha = meta.split()
        if kind == b"blob" and mode in (b"100644", b"100755"):
            entries.append((sha, os.fsdecode(raw_name)))
    batch = subprocess.run(
        [*git, "cat-file", "--batch"],
        input=b"".join(sha + b"\n" for sha, _ in entries),
        capture_output=True,
    )
    data, pos = batch.stdout, 0
    for _, name in entries:
        end = data.index(b"\n", pos)
        header = data[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            continue  # absent from the snapshot (too large)
        size = int(header[2])
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data[pos : pos + size])
        pos += size + 1
    return True


def run_check(path: Path, python: str, timeout: float, home: str) -> CheckResult:
    """`check` with a local datastore; when a decorator refuses that setting (``@batch`` and
    ``@kubernetes`` want a cloud datastore, ``@conda``/``@pypi`` an environment), once more
    with what it asks for, so the flow still reaches the linter. ``check`` never touches the
    datastore, so an unused S3 root suffices."""
    result = _check_once(path, python, timeout, home, {})
    if result.verdict == FAILS and NEEDS_SETTING.search(result.message):
        result = _check_once(path, python, timeout, home, CLOUD_SETTINGS)
    return result


def _check_once(
    path: Path, python: str, timeout: float, home: str, extra: dict[str, str]
) -> CheckResult:
    env = dict(os.environ)
    env.update(
        {
            "METAFLOW_DEFAULT_DATASTORE": "local",
            "USERNAME": "survey",
            "HOME": home,
            "PYTHONDONTWRITEBYTECODE": "1",
            **extra,
        }
    )
    try:
        proc = subprocess.run(
            [python, path.name, "--no-pylint", "check"],
            cwd=path.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            text=True,
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        return CheckResult(TIMEOUT, None, f"no answer in {timeout:g}s")
    output = proc.stdout + proc.stderr
    if proc.returncode == 0:
        if VALIDATING in output:
            return CheckResult(ACCEPTS, 0)
        return CheckResult(NO_MAIN, 0)
    if LINT_HEADLINE in output:
        tail = " ".join(output[output.index(LINT_HEADLINE) :].split())
        where = LINT_LINE.search(tail)
        line = int(where.group(1)) if where else None
        return CheckResult(REJECTS, proc.returncode, tail[:300], line)
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    failure = next((ln for ln in reversed(lines) if IMPORT_FAILURE.search(ln)), None)
    if failure is not None:
        return CheckResult(NO_IMPORT, proc.returncode, failure[:300])
    return CheckResult(FAILS, proc.returncode, (lines[-1] if lines else "")[:300])


def lint(path: Path, catalog: object) -> list[dict[str, object]]:
    analysis = analyze_path(path, settings=LintSettings(), catalog=catalog)  # type: ignore[arg-type]
    return [
        {
            "code": f.code,
            "severity": f.severity.value,
            "line": f.line1,
            "col": f.span.start_col + 1,
            "flow": f.flow,
            "step": f.step,
            "message": f.message,
        }
        for f in analysis.findings
    ]


def first_line(message: object) -> str:
    return str(message).strip().splitlines()[0] if str(message).strip() else ""


def is_mf1_error(f: dict[str, object]) -> bool:
    return str(f["code"]).startswith("MF1") and f["severity"] == Severity.ERROR.value


def survey(args: argparse.Namespace) -> int:
    root = Path(args.dir).resolve()
    if args.manifest:
        rows = read_manifest(Path(args.manifest))
        paths = [root / layout_dir(r) / p for r, _, p in rows]
        paths = [p for p in paths if p.is_file()]
    else:
        paths = discover(root)
    catalog, note = load_catalog_for(None, args.python, False)
    if note:
        print(f"note: {note}", file=sys.stderr)
    reports = []
    for p in paths:
        rel = p.relative_to(root)
        reports.append(FileReport(str(rel), rel.parts[0] if len(rel.parts) > 1 else "."))
        reports[-1].findings = lint(p, catalog)
    if not args.no_check:
        with (
            tempfile.TemporaryDirectory(prefix="survey-home-") as home,
            ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool,
        ):
            results = pool.map(lambda p: run_check(p, args.python, args.check_timeout, home), paths)
            for r, res in zip(reports, results, strict=True):
                r.check = res
    print_report(reports)
    if args.json:
        Path(args.json).write_text(
            json.dumps([asdict(r) for r in reports], indent=1) + "\n", encoding="utf-8"
        )
    return 0


def print_report(reports: list[FileReport]) -> None:
    print(f"files: {len(reports)}   repositories: {len({r.repo for r in reports})}")
    checked = [r for r in reports if r.check is not None]
    if checked:
        verdicts = Counter(r.check.verdict for r in checked if r.check)
        print("metaflow check: " + ", ".join(f"{v} {verdicts.get(v, 0)}" for v in VERDICTS))
        judged = [r for r in checked if r.check and r.check.verdict in (ACCEPTS, REJECTS)]
        table = Counter(
            (r.check.verdict, any(is_mf1_error(f) for f in r.findings)) for r in judged if r.check
        )
        agree = table[(REJECTS, True)] + table[(ACCEPTS, False)]
        print(
            f"agreement on {len(judged)} judged files: {agree}"
            f"  (check rejects & we report an MF1xx error: {table[(REJECTS, True)]};"
            f" check rejects, we do not: {table[(REJECTS, False)]};"
            f" check accepts, we report an MF1xx error: {table[(ACCEPTS, True)]};"
            f" both accept: {table[(ACCEPTS, False)]})"
        )
        rejected = [r for r in judged if r.check and r.check.verdict == REJECTS]
        on_line = [
            r
            for r in rejected
            if r.check and any(is_mf1_error(f) and f["line"] == r.check.line for f in r.findings)
        ]
        print(f"  rejections with an MF1xx error on check's line: {len(on_line)}/{len(rejected)}")
        for r in rejected:
            if r not in on_line and r.check:
                print(f"  not on check's line: {r.path}: {r.check.message}")
        for v in (FAILS, TIMEOUT):
            for r in checked:
                if r.check and r.check.verdict == v:
                    ours = ", ".join(
                        f"{f['code']}@{f['line']}" for f in r.findings if f["severity"] == "error"
                    )
                    print(f"  {v}: {r.path}: {r.check.message}  [our errors: {ours or '-'}]")
    by_rule: Counter[tuple[str, str]] = Counter()
    files_by_rule: dict[tuple[str, str], set[str]] = {}
    for r in reports:
        for f in r.findings:
            key = (str(f["code"]), str(f["severity"]))
            by_rule[key] += 1
            files_by_rule.setdefault(key, set()).add(r.path)
    print(f"findings: {sum(by_rule.values())}")
    for (code, sev), n in sorted(by_rule.items()):
        print(f"  {code} {sev:<7} {n:>5}  in {len(files_by_rule[(code, sev)])} files")
    accepted = [r for r in checked if r.check and r.check.verdict == ACCEPTS]
    errors = [(r, f) for r in accepted for f in r.findings if f["severity"] == Severity.ERROR.value]
    print(f"error-severity findings on files check accepts: {len(errors)}")
    for r, f in errors:
        print(f"  {r.path}:{f['line']} {f['code']} {first_line(f['message'])}")
    # Files check could not judge hide errors from the target above; list them for review.
    unjudged = [
        (r, f)
        for r in reports
        if r.check is None or r.check.verdict not in (ACCEPTS, REJECTS)
        for f in r.findings
        if f["severity"] == Severity.ERROR.value
    ]
    print(f"error-severity findings on files check did not judge: {len(unjudged)}")
    for r, f in unjudged:
        verdict = r.check.verdict if r.check else "not checked"
        print(f"  {r.path}:{f['line']} {f['code']} {first_line(f['message'])}  ({verdict})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("dir", help="directory to survey (or OUT with --from-manifest)")
    ap.add_argument("--python", default=sys.executable, help="interpreter with Metaflow")
    ap.add_argument("--jobs", type=int, default=1, help="check processes at once")
    ap.add_argument("--json", metavar="OUT", help="write every file's findings and verdict")
    ap.add_argument("--check-timeout", type=float, default=60.0, metavar="S")
    ap.add_argument("--no-check", action="store_true", help="lint only")
    ap.add_argument("--manifest", metavar="TSV", help="survey only the files it lists")
    ap.add_argument("--from-manifest", metavar="TSV", help="lay out the corpus under DIR")
    ap.add_argument("--mirrors", metavar="DIR", help="fetched repositories (with --from-manifest)")
    args = ap.parse_args(argv)
    if args.from_manifest:
        if not args.mirrors:
            ap.error("--from-manifest needs --mirrors")
        return from_manifest(Path(args.from_manifest), Path(args.mirrors), Path(args.dir))
    if args.python and os.sep in args.python:
        args.python = os.path.abspath(args.python)
    return survey(args)


if __name__ == "__main__":
    sys.exit(main())
