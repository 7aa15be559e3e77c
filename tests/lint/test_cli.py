"""``metaflow-expert lint`` end to end: exit codes, formats, selection, noqa, directories, I/O."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import BAD, GOOD, WARN, cli_env


def test_clean_file_exits_zero(cli, flows: Path):
    r = cli("lint", str(flows / "good.py"))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert "All checks passed" in r.stderr


def test_errors_exit_one_with_text_lines(cli, flows: Path):
    r = cli("lint", str(flows / "bad.py"))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines, r.stderr
    line_no = BAD.splitlines().index("        self.next(self.ennd)") + 1
    assert any(ln.startswith(f"{flows / 'bad.py'}:{line_no}:") and " MF110 " in ln for ln in lines)
    assert all(ln.split(":")[1].isdigit() and ln.split(":")[2].isdigit() for ln in lines)
    assert "Found" in r.stderr


def test_warnings_only_exit_zero(cli, flows: Path):
    r = cli("lint", str(flows / "warn.py"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert " MF203 " in r.stdout


def test_json_format_is_one_based(cli, flows: Path):
    r = cli("lint", "--format", "json", str(flows / "bad.py"))
    data = json.loads(r.stdout)
    assert data and set(data[0]) == {
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "severity",
        "message",
        "mirrors",
        "cites",
        "related",
    }
    hint = next(d for d in data if d["code"] == "MF110")
    assert "did you mean *end*" in hint["message"]
    line = BAD.splitlines()[hint["line"] - 1]
    assert line[hint["column"] - 1 : hint["end_column"] - 1] == "ennd"
    mirrored = [d for d in data if d["mirrors"] == "check_unknown_transitions"]
    assert mirrored and mirrored[0]["cites"].startswith("metaflow/lint.py:")


def test_sarif_format(cli, flows: Path):
    r = cli("lint", "--format", "sarif", str(flows / "bad.py"))
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = {x["id"]: x for x in run["tool"]["driver"]["rules"]}
    assert "What it does" in rules["MF110"]["help"]["text"]
    res = next(x for x in run["results"] if x["ruleId"] == "MF110")
    assert res["level"] == "error"
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == "MF110"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1


def test_github_format(cli, flows: Path):
    r = cli("lint", "--format", "github", str(flows / "bad.py"))
    lines = r.stdout.splitlines()
    assert any(ln.startswith("::error file=") and ",title=MF" in ln for ln in lines)
    # an info-level finding is a notice (MF110 turned down to info by configuration)
    (flows / "info.toml").write_text('[tool.metaflow-expert.severity]\nMF110 = "info"\n')
    r = cli(
        "lint", "--format", "github", "--config", str(flows / "info.toml"), str(flows / "bad.py")
    )
    lines = r.stdout.splitlines()
    assert any(ln.startswith("::notice file=") and "title=MF110::" in ln for ln in lines)


def test_select_and_ignore(cli, flows: Path):
    r = cli("lint", "--select", "MF110", str(flows / "bad.py"))
    assert {ln.split()[1] for ln in r.stdout.splitlines()} == {"MF110"}
    assert r.returncode == 1  # MF110 is an error
    r = cli("lint", "--select", "MF2", str(flows / "bad.py"))
    assert r.stdout == "" and r.returncode == 0
    r = cli("lint", "--ignore", "MF1,MF201", str(flows / "bad.py"))
    assert r.stdout == "" and r.returncode == 0


def test_noqa_through_cli(cli, tmp_path: Path):
    path = tmp_path / "flow.py"
    path.write_text(WARN.replace("print(self.y)", "print(self.y)  # noqa: MF203"))
    r = cli("lint", str(path))
    assert " MF203 " not in r.stdout and r.returncode == 0


def test_per_file_ignores_from_pyproject(cli, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.metaflow-expert]\nper-file-ignores = { "legacy_*.py" = ["MF203"] }\n'
    )
    (tmp_path / "legacy_flow.py").write_text(WARN)
    (tmp_path / "new_flow.py").write_text(WARN)
    r = cli("lint", ".", cwd=tmp_path)
    assert "new_flow.py" in r.stdout and "legacy_flow.py" not in r.stdout, r.stdout + r.stderr


def test_directories_recursive_skipping_hidden_and_venvs(cli, flows: Path):
    (flows / "sub").mkdir()
    (flows / "sub" / "nested.py").write_text(BAD.replace("BadFlow", "NestedFlow"))
    for skipped in (".hidden", "node_modules", "venv"):
        (flows / skipped).mkdir()
        (flows / skipped / "x.py").write_text(BAD)
    (flows / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    r = cli("lint", str(flows))
    paths = {ln.split(":")[0] for ln in r.stdout.splitlines()}
    assert paths == {
        str(flows / "bad.py"),
        str(flows / "warn.py"),
        str(flows / "sub" / "nested.py"),
    }
    assert "4 flow files of 5 checked" in r.stderr  # helper.py has no flow
    assert r.returncode == 1


def test_unreadable_and_non_utf8_files_exit_two_others_checked(cli, flows: Path):
    (flows / "latin.py").write_bytes("# caf\xe9\n".encode("latin-1") + GOOD.encode())
    r = cli("lint", str(flows / "latin.py"), str(flows / "missing.py"), str(flows / "bad.py"))
    assert r.returncode == 2
    assert "latin.py: not valid UTF-8" in r.stderr
    assert "missing.py: no such file or directory" in r.stderr
    assert "bad.py:" in r.stdout  # the readable file was still checked
    assert "Traceback" not in r.stderr


def test_syntax_errors_do_not_crash(cli, tmp_path: Path):
    path = tmp_path / "half.py"
    path.write_text(GOOD.replace("self.next(self.end)", "self.next(self.end"))
    r = cli("lint", str(path))
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr


def test_usage_error_exits_two(cli):
    r = cli("lint", "--format", "xml")
    assert r.returncode == 2


def test_no_catalog_flag(cli, flows: Path):
    r = cli("lint", "--no-catalog", "--format", "json", str(flows / "bad.py"))
    assert all(d["cites"] is None for d in json.loads(r.stdout))


def test_many_files_in_parallel_match_serial(cli, tmp_path: Path):
    for i in range(40):
        (tmp_path / f"f{i:02d}.py").write_text(BAD.replace("BadFlow", f"Bad{i}Flow"))
    par = cli("lint", "--format", "json", "--jobs", "2", str(tmp_path))
    ser = cli("lint", "--format", "json", "--jobs", "1", str(tmp_path))
    assert par.returncode == ser.returncode == 1
    assert json.loads(par.stdout) == json.loads(ser.stdout)
    assert len({d["path"] for d in json.loads(par.stdout)}) == 40


def test_stdin_with_filename():
    import subprocess
    import sys

    r = subprocess.run(
        [sys.executable, "-m", "metaflow_expert", "lint", "-", "--stdin-filename", "flows/x.py"],
        input=BAD,
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=120,
    )
    assert r.returncode == 1
    assert r.stdout.startswith("flows/x.py:") and " MF110 " in r.stdout


def test_read_source_reports_directories_and_bad_bytes(tmp_path: Path):
    from metaflow_expert.lint.runner import read_source

    (tmp_path / "pkg.py").mkdir()
    text, err = read_source(str(tmp_path / "pkg.py"))
    assert text is None and err.startswith(str(tmp_path / "pkg.py")) and "cannot read" in err
    (tmp_path / "bad.py").write_bytes(b"x = 1\n\xff\xfe\n")
    text, err = read_source(str(tmp_path / "bad.py"))
    assert text is None and "not valid UTF-8 (byte 0xff at offset 6)" in err
    (tmp_path / "bom.py").write_bytes("\ufeffx = 1\n".encode())
    assert read_source(str(tmp_path / "bom.py")) == ("x = 1\n", None)


def test_explicit_config_file(cli, tmp_path: Path):
    (tmp_path / "flow.py").write_text(WARN)
    conf = tmp_path / "conf" / "pyproject.toml"
    conf.parent.mkdir()
    conf.write_text('[tool.metaflow-expert]\nignore = ["MF203"]\n')
    r = cli("lint", "--config", str(conf), str(tmp_path / "flow.py"))
    assert r.returncode == 0 and " MF203 " not in r.stdout
    r = cli("lint", "--config", str(tmp_path / "nope.toml"), str(tmp_path / "flow.py"))
    assert r.returncode == 2 and "no such configuration file" in r.stderr


def test_broken_config_is_an_error_not_a_crash(cli, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.metaflow-expert]\nselect = 3\n")
    (tmp_path / "flow.py").write_text(WARN)
    r = cli("lint", "flow.py", cwd=tmp_path)
    assert "Traceback" not in r.stderr and "'select' must be a list" in r.stderr
    assert r.returncode == 2 and r.stdout == ""


def test_exit_zero_and_statistics(cli, flows: Path):
    r = cli("lint", "--exit-zero", str(flows / "bad.py"))
    assert r.returncode == 0 and r.stdout
    r = cli("lint", "--statistics", str(flows))
    rows = [ln.split() for ln in r.stdout.splitlines()]
    assert ["1", "MF110", "unknown-transition-target"] in rows
    assert all(row[0].isdigit() for row in rows)
