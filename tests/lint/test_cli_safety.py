"""The CLI fails loudly and safely (issue 13): every case runs the real CLI in a subprocess.

A typo in a selection or a configuration is an error (exit 2) instead of a silent "All checks
passed"; special files are refused without being read; the worker pool is capped and dies with
its parent; exit codes follow the docs (0 clean, 1 findings, 2 usage or I/O); output that
cannot be written is one line, never a traceback.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import BAD, GOOD, WARN, cli_env

needs_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc")


def _cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "metaflow_expert", *args]


def _one_error_line(r: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


# --- unknown rule codes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "named", "hint"),
    [
        (("--select", "MF999"), "--select: unknown rule code 'MF999'", "metaflow-expert rule"),
        (("--select", "ZZZ"), "--select: unknown rule code 'ZZZ'", "metaflow-expert rule"),
        (("--select", "MF1,MF2033"), "'MF2033'", "did you mean MF203?"),
        (("--ignore", "MF2033"), "--ignore: unknown rule code 'MF2033'", "did you mean MF203?"),
        (("--extend-select", "MF1100"), "--extend-select: unknown rule code", "MF110"),
        (("--extend-select", "ALL"), "--extend-select: unknown rule code 'ALL'", "rule"),
    ],
)
def test_unknown_rule_codes_on_the_command_line_exit_two(cli, flows: Path, args, named, hint):
    r = cli("lint", "--isolated", *args, str(flows / "bad.py"))
    assert r.returncode == 2
    assert r.stdout == ""  # nothing was linted: a typo must not report "All checks passed"
    line = _one_error_line(r)
    assert named in line and hint in line


def test_known_selectors_still_work(cli, flows: Path):
    assert cli("lint", "--isolated", "--select", "ALL", str(flows / "bad.py")).returncode == 1
    r = cli("lint", "--isolated", "--select", "mf2", "--extend-select", "MF110", str(flows))
    assert r.returncode == 1 and " MF110 " in r.stdout


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('select = ["MF999"]', "'select': unknown rule code 'MF999'"),
        ('ignore = ["MF2033"]', "'ignore': unknown rule code 'MF2033' (did you mean MF203?)"),
        ('extend-select = ["ZZZ"]', "'extend-select': unknown rule code 'ZZZ'"),
        ('per-file-ignores = { "x_*.py" = ["MF2O3"] }', "'per-file-ignores.x_*.py'"),
        ('[tool.metaflow-expert.severity]\nMF9 = "info"', "'severity': unknown rule code 'MF9'"),
    ],
)
def test_unknown_rule_codes_in_pyproject_exit_two(cli, tmp_path: Path, body, named):
    (tmp_path / "pyproject.toml").write_text("[tool.metaflow-expert]\n" + body + "\n")
    (tmp_path / "flow.py").write_text(WARN)
    r = cli("lint", "flow.py", cwd=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    line = _one_error_line(r)
    assert str(tmp_path / "pyproject.toml") in line and named in line


# --- broken configuration ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("[tool]\nmetaflow-expert = 3\n", "[tool.metaflow-expert] must be a table, not int"),
        ("[tool.metaflow-expert]\nselect = 3\n", "'select' must be a list of rule codes"),
        ('[tool.metaflow-expert]\nnested-foreach = "yes"\n', "'nested-foreach'"),
        ('[tool.metaflow-expert.severity]\nMF203 = "loud"\n', "'severity.MF203'"),
        ('[tool.metaflow-expert]\nselct = ["MF1"]\n', "unknown key 'selct'"),
        ("[tool.metaflow-expert]\nselect = [\n", "invalid TOML"),
    ],
)
def test_broken_configuration_exits_two_naming_file_and_key(cli, tmp_path: Path, text, named):
    conf = tmp_path / "pyproject.toml"
    conf.write_text(text)
    (tmp_path / "flow.py").write_text(WARN)
    r = cli("lint", "--config", str(conf), str(tmp_path / "flow.py"))
    assert r.returncode == 2 and r.stdout == ""
    line = _one_error_line(r)
    assert line.startswith(f"metaflow-expert: {conf}: ") and named in line, line


def test_unknown_key_suggests_the_closest(cli, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.metaflow-expert]\nper-file-ignore = {}\n")
    (tmp_path / "flow.py").write_text(GOOD)
    r = cli("lint", "flow.py", cwd=tmp_path)
    assert r.returncode == 2 and "did you mean 'per-file-ignores'?" in _one_error_line(r)


def test_isolated_skips_a_broken_configuration(cli, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.metaflow-expert]\nselct = 3\n")
    (tmp_path / "flow.py").write_text(GOOD)
    assert cli("lint", "--isolated", "flow.py", cwd=tmp_path).returncode == 0


# --- special files -----------------------------------------------------------------------


def test_dev_zero_named_is_refused_and_others_checked(flows: Path):
    r = subprocess.run(
        _cmd("lint", "--isolated", "/dev/zero", str(flows / "bad.py")),
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=30,  # it used to read /dev/zero until memory ran out
    )
    assert r.returncode == 2
    assert "/dev/zero: a character device, not a regular file; not read" in r.stderr
    assert " MF110 " in r.stdout and "Traceback" not in r.stderr


def test_fifo_named_is_refused_not_opened(tmp_path: Path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    r = subprocess.run(
        _cmd("lint", "--isolated", str(fifo)),
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=30,  # opening a FIFO with no writer blocks forever
    )
    assert r.returncode == 2 and f"{fifo}: a FIFO, not a regular file; not read" in r.stderr


def test_special_files_found_while_walking_are_skipped(tmp_path: Path):
    (tmp_path / "flow.py").write_text(BAD)
    os.mkfifo(tmp_path / "fifo.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    r = subprocess.run(
        _cmd("lint", "--isolated", str(tmp_path)),
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=30,
    )
    assert r.returncode == 1 and "1 flow file." in r.stderr, r.stderr
    assert {ln.split(":")[0] for ln in r.stdout.splitlines()} == {str(tmp_path / "flow.py")}


def test_read_source_refuses_a_fifo_without_blocking(tmp_path: Path):
    from metaflow_expert.lint.runner import read_source

    os.mkfifo(tmp_path / "late.py")  # e.g. a regular file replaced after discovery
    text, err = read_source(str(tmp_path / "late.py"))
    assert text is None and err is not None and "a FIFO" in err


# --- the worker pool ---------------------------------------------------------------------


def _children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.add(int(entry))
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _many_flows(folder: Path, n: int) -> None:
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"f{i:04d}.py").write_text(BAD.replace("BadFlow", f"Bad{i}Flow"))


@needs_linux
def test_jobs_is_capped_by_cores_and_files(tmp_path: Path):
    from metaflow_expert.lint.runner import PARALLEL_THRESHOLD, usable_cores

    _many_flows(tmp_path / "src", PARALLEL_THRESHOLD + 2)
    proc = subprocess.Popen(
        _cmd("lint", "--isolated", "--no-catalog", "-q", "--jobs", "100000", str(tmp_path)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=cli_env(),
    )
    most = 0
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        most = max(most, len(_children(proc.pid)))
        time.sleep(0.005)
    assert proc.wait(timeout=60) == 1
    assert most <= usable_cores()  # it used to fork one worker per job: 100,000


@needs_linux
def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path: Path):
    _many_flows(tmp_path / "src", 3000)
    proc = subprocess.Popen(
        _cmd("lint", "--isolated", "--no-catalog", "-q", "--jobs", "2", str(tmp_path)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=cli_env(),
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        workers = _children(proc.pid)
        time.sleep(0.005)
    if not workers:
        proc.wait(timeout=60)
        pytest.skip("the pool finished before it could be observed")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leak them into the rest of the suite if the test fails
        os.kill(w, signal.SIGKILL)
    assert not left, f"workers outlived their parent: {left}"


# --- exit codes --------------------------------------------------------------------------


def _limit_file_size() -> None:
    # Python ignores SIGXFSZ, so a write past the limit fails with EFBIG (even for root)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))


def test_failed_fix_write_exits_two_and_keeps_the_file(tmp_path: Path):
    path = tmp_path / "flow.py"
    path.write_text(BAD)
    r = subprocess.run(
        _cmd("lint", "--isolated", "--no-catalog", "--fix", str(path)),
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=60,
        preexec_fn=_limit_file_size,
    )
    assert r.returncode == 2, r.stderr
    assert f"{path}: cannot write (File too large)" in r.stderr and "Traceback" not in r.stderr
    assert path.read_text() == BAD  # not truncated half-way
    assert [p.name for p in tmp_path.iterdir()] == ["flow.py"]  # no temporary file left


def test_named_metaflow_source_that_is_missing_exits_two(cli, flows: Path, tmp_path: Path):
    missing = tmp_path / "nowhere"
    r = cli("lint", "--metaflow-source", str(missing), str(flows / "good.py"))
    assert r.returncode == 2 and r.stdout == ""
    assert f"--metaflow-source {missing}: no metaflow/ package" in _one_error_line(r)


def test_full_stdout_is_one_line_exit_two(flows: Path):
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            _cmd("lint", "--isolated", "--format", "json", str(flows / "bad.py")),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=cli_env(),
            timeout=60,
        )
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    assert "metaflow-expert: cannot write output: No space left on device" in r.stderr


@pytest.mark.parametrize("command", [("rule",), ("lint", "--isolated", "--format", "sarif")])
def test_closed_pipe_is_a_quiet_exit(flows: Path, command):
    args = list(command) + ([str(flows / "bad.py")] if command[0] == "lint" else [])
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written, like `| head -0`
    try:
        r = subprocess.run(
            _cmd(*args), stdout=write, stderr=subprocess.PIPE, text=True, env=cli_env(), timeout=60
        )
    finally:
        os.close(write)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr
    assert "BrokenPipe" not in r.stderr


def test_rule_command_suggests_the_closest_code(cli):
    r = cli("rule", "MF2033")
    assert r.returncode == 2 and "did you mean MF203?" in _one_error_line(r)
    r = cli("rule", "unknown-transition-targt")
    assert r.returncode == 2 and "did you mean unknown-transition-target?" in _one_error_line(r)


# --- stdin -------------------------------------------------------------------------------


def _lint_stdin(stdin: Any) -> subprocess.CompletedProcess[bytes]:
    """``lint -`` fed ``stdin``: bytes, or an open file."""
    feed: dict[str, Any] = {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin}
    return subprocess.run(
        _cmd("lint", "--isolated", "--no-catalog", "-", "--stdin-filename", "flow.py"),
        **feed,
        capture_output=True,
        env=cli_env(),
        timeout=60,  # /dev/zero used to be read until memory ran out
    )


def test_stdin_past_the_source_limit_is_one_line_exit_two(tmp_path: Path):
    from metaflow_expert.parsing.source import MAX_SOURCE_CHARS

    at_limit = GOOD + "#" * (MAX_SOURCE_CHARS - len(GOOD) - 1) + "\n"
    assert len(at_limit) == MAX_SOURCE_CHARS
    r = _lint_stdin(at_limit.encode())
    assert r.returncode == 0, r.stderr
    r = _lint_stdin(("#" + at_limit).encode())
    assert r.returncode == 2 and r.stdout == b""
    line = _one_error_line(subprocess.CompletedProcess(r.args, 2, "", r.stderr.decode()))
    assert line == (
        f"metaflow-expert: <stdin>: more than {MAX_SOURCE_CHARS:,} characters "
        "(the limit for one source); not read"
    )


def test_endless_stdin_is_refused_not_read_to_the_end():
    with open("/dev/zero", "rb") as zero:
        r = _lint_stdin(zero)
    assert r.returncode == 2 and b"characters (the limit for one source)" in r.stderr
    assert b"Traceback" not in r.stderr
