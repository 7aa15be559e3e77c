"""MF222: keys read from a Config whose default is known from the file (a JSON default file
beside the flow, or a literal ``default_value``), with did-you-mean and a fix proven by
re-analysis; Configs whose value the file does not decide are skipped. Metaflow's own run
confirms the mistake (``AttributeError`` in the step) and the fixed flow runs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from metaflow_expert.lint.config import LintSettings
from metaflow_expert.lint.engine import analyze_text
from metaflow_expert.lint.fix_check import Target, apply, verify
from metaflow_expert.model import Finding
from metaflow_expert.parsing.attribute_chain import read_chain

FLOW = """\
from metaflow import Config, FlowSpec, config_expr, resources, step


class CfgFlow(FlowSpec):
    config = Config("config", default="params.json")

    @resources(cpu=config.cpu, memory=config_expr("config.resources.memory"))
    @step
    def start(self):
        print("lr", self.config.learning_rate)
        print("depth", self.config["model"].depth, self.config.model["layers"])
        print("all", self.config.get("missing_is_fine"), self.config.to_dict())
        self.next(self.end)

    @step
    def end(self):
        print("depth", self.config.model.depth)


if __name__ == "__main__":
    CfgFlow()
"""

PARAMS = {
    "learning_rate": 0.1,
    "cpu": 1,
    "resources": {"memory": 1024},
    "model": {"depth": 3, "layers": [8, 4]},
}


def lint(path: Path, text: str | None = None) -> list[Finding]:
    text = path.read_text() if text is None else text
    findings = analyze_text(text, str(path), settings=LintSettings(select=("MF222",))).findings
    return [f for f in findings if f.code == "MF222"]


def write(tmp_path: Path, flow: str = FLOW, params: object = PARAMS) -> Path:
    (tmp_path / "params.json").write_text(json.dumps(params))
    path = tmp_path / "cfgflow.py"
    path.write_text(flow)
    return path


def at(f: Finding, text: str) -> str:
    line = text.splitlines()[f.span.start_line]
    return line[f.span.start_col : f.span.end_col]


def test_valid_flow_has_no_finding(tmp_path: Path) -> None:
    assert lint(write(tmp_path)) == []


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("self.config.learning_rate", "self.config.learnig_rate"),
        ('self.config["model"].depth', 'self.config["modle"].depth'),
        ("self.config.model.depth)\n", "self.config.model.dpeth)\n"),
        ('self.config.model["layers"]', 'self.config.model["lyaers"]'),
        ('config_expr("config.resources.memory")', 'config_expr("config.resources.memroy")'),
        ("cpu=config.cpu", "cpu=config.cpus"),
    ],
)
def test_each_way_of_reading_a_key_is_checked(tmp_path: Path, wrong: str, right: str) -> None:
    text = FLOW.replace(wrong, right, 1)
    assert text != FLOW
    path = write(tmp_path, text)
    [f] = lint(path)
    typo = at(f, text)
    assert typo in right and typo not in wrong
    assert f.severity.value == "warning"
    assert "did you mean" in f.message and f.fix is not None
    fixed = apply(text, f.fix)
    assert fixed == FLOW
    before = analyze_text(text, str(path)).findings
    assert verify(text, str(path), f.fix, Target.of(f), before)


def test_two_typos_in_one_step_are_fixed_one_at_a_time(tmp_path: Path) -> None:
    """A fix is judged by its own finding (code, step and message), so each of two typos in
    one step gets its proven fix; a fix that left the other typo behind still counts."""
    text = FLOW.replace("self.config.learning_rate", "self.config.learnig_rate").replace(
        'self.config["model"].depth', 'self.config["modle"].depth'
    )
    path = write(tmp_path, text)
    found = lint(path)
    assert len(found) == 2 and len({f.step for f in found}) == 1
    before = analyze_text(text, str(path)).findings
    for f in found:
        assert f.fix is not None
        assert verify(text, str(path), f.fix, Target.of(f), before)
    other_fix = found[1].fix
    assert other_fix is not None
    # the second typo's fix does not remove the first finding
    assert not verify(text, str(path), other_fix, Target.of(found[0]), before)


def test_default_value_dict_and_json_string(tmp_path: Path) -> None:
    src = textwrap.dedent(
        """\
        from metaflow import Config, FlowSpec, step

        class F(FlowSpec):
            a = Config("a", default_value={"alpha": 1})
            b = Config("b", default_value='{"beta": {"gamma": 2}}')

            @step
            def start(self):
                print(self.a.alpah, self.b.beta.gama)
                self.next(self.end)

            @step
            def end(self):
                pass
        """
    )
    found = lint(tmp_path / "f.py", src)
    assert [at(f, src) for f in found] == ["alpah", "gama"]
    assert "*alpha*" in found[0].message and "*gamma*" in found[1].message


@pytest.mark.parametrize(
    "decl",
    [
        'Config("config", default="params.json", parser="my.parser")',
        'Config("config", default="params.json", plain=True)',
        'Config("config", default="missing.json")',
        'Config("config", default="bad.json")',
        'Config("config", default="big.json")',
        'Config("config", default="folder")',
        'Config("config", default=PATH)',
        'Config("config", default_value=make_default)',
        'Config("config", default_value="not json")',
        'Config("config", default_value=["a", "list"])',
        'Config("config", default_value={"x": 1}, default="params.json")',
    ],
)
def test_unknown_values_are_skipped(tmp_path: Path, decl: str) -> None:
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "big.json").write_text('{"a": "' + "x" * (1 << 20) + '"}')
    (tmp_path / "folder").mkdir()
    text = FLOW.replace('Config("config", default="params.json")', decl)
    text = text.replace("learning_rate", "learnig_rate")
    assert lint(write(tmp_path, text)) == []


def test_the_default_file_is_read_at_each_analysis(tmp_path: Path) -> None:
    path = write(tmp_path)
    assert lint(path) == []
    params = dict(PARAMS)
    params["learning_rte"] = params.pop("learning_rate")
    (tmp_path / "params.json").write_text(json.dumps(params))
    [f] = lint(path)
    assert "*learning_rate*" in f.message and "*learning_rte*" in f.message


def test_in_memory_text_reads_no_file(tmp_path: Path) -> None:
    findings = analyze_text(FLOW.replace("learning_rate", "x"), "<memory>").findings
    assert not [f for f in findings if f.code == "MF222"]


def test_read_chain_stops_at_methods_and_unknown_subscripts() -> None:
    text = 'x.a["b"].c.get("d") x.e[0].f x._g.h'
    assert [k.key for k in read_chain(text, 1)] == ["a", "b", "c"]
    assert [k.key for k in read_chain(text, text.index("x.e") + 1)] == ["e"]
    assert read_chain(text, text.index("x._g") + 1) == []


def _metaflow(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = path.parent
    return subprocess.run(
        [sys.executable, path.name, "--no-pylint", *args],
        cwd=home,
        capture_output=True,
        text=True,
        timeout=180,
        env={
            "METAFLOW_USER": "tester",
            "USERNAME": "tester",
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "METAFLOW_DEFAULT_DATASTORE": "local",
            "METAFLOW_DEFAULT_METADATA": "local",
            "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(home / "datastore"),
        },
        stdin=subprocess.DEVNULL,
    )


def test_metaflow_fails_on_the_key_we_report_and_runs_the_fixed_flow(tmp_path: Path) -> None:
    text = FLOW.replace("self.config.learning_rate", "self.config.learnig_rate")
    path = write(tmp_path, text)
    assert _metaflow(path, "check").returncode == 0  # Metaflow's own check misses it
    failed = _metaflow(path, "run")
    assert (
        failed.returncode != 0 and "AttributeError: learnig_rate" in failed.stderr + failed.stdout
    )
    [f] = lint(path)
    assert at(f, text) == "learnig_rate" and f.fix is not None
    fixed = apply(text, f.fix)
    assert fixed is not None
    path.write_text(fixed)
    assert lint(path) == []
    ran = _metaflow(path, "run")
    assert ran.returncode == 0, ran.stderr[-2000:]


DECORATED = """\
from metaflow import Config, FlowSpec, config_expr, environment, project, step


@project(name=config_expr("config").project_nme)
class HelloConfig(FlowSpec):
    config = Config("config", default_value={"cpu": 2, "env_name": "R", "magic": 42, "project": "h"})

    @environment(
        vars={
            "normal": config.env_nmae,
            "stringify": config_expr("str(config.magik)"),
            "a_string": "config.not_a_key",
        }
    )
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass


if __name__ == "__main__":
    HelloConfig()
"""


def test_decorator_arguments_over_several_lines_and_flow_decorators(tmp_path: Path) -> None:
    from metaflow_expert.lint.fix_check import apply_fixes

    path = tmp_path / "hello.py"
    path.write_text(DECORATED)
    found = lint(path)
    assert [at(f, DECORATED) for f in found] == ["project_nme", "env_nmae", "magik"]
    assert [f.step for f in found] == [None, "start", "start"]
    failed = _metaflow(path, "run")
    assert failed.returncode != 0 and "AttributeError: project_nme" in failed.stderr
    fixed, applied = apply_fixes(DECORATED, found)
    assert applied == 3
    path.write_text(fixed)
    assert lint(path) == []
    ran = _metaflow(path, "run")
    assert ran.returncode == 0, ran.stderr[-2000:]


def test_default_file_reader_refuses_what_is_not_a_small_regular_file(tmp_path: Path) -> None:
    import os

    from metaflow_expert.rules.config_defaults import read_default_file
    from metaflow_expert.safe_read import MAX_CONFIG_BYTES

    small = tmp_path / "ok.json"
    small.write_text('{"a": 1}')
    assert read_default_file(small) == '{"a": 1}'
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_CONFIG_BYTES + 1))
    assert read_default_file(big) is None
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # nobody writes: reading it would block
    assert read_default_file(fifo) is None
    link = tmp_path / "link.json"
    link.symlink_to("/dev/zero")
    assert read_default_file(link) is None
    assert read_default_file(tmp_path / "missing.json") is None
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"\xe9": 1}')
    assert read_default_file(latin) is None


def test_config_arguments_given_by_position_are_left_alone(tmp_path: Path) -> None:
    text = FLOW.replace(
        'Config("config", default="params.json")', 'Config("config", "params.json")'
    )
    assert lint(write(tmp_path, text.replace("learning_rate", "learnig_rate"))) == []


@pytest.mark.parametrize(
    "guard",
    [
        'if "lr_decay" in self.config:',
        "if 'lr_decay' not in self.config: pass\n        else:",
        'if hasattr(self.config, "lr_decay"):',
        'if self.config.get("lr_decay"):',
    ],
)
def test_keys_the_flow_tests_for_are_optional(tmp_path: Path, guard: str) -> None:
    text = FLOW.replace(
        '        print("lr", self.config.learning_rate)\n',
        f'        print("lr", self.config.learning_rate)\n        {guard}\n'
        "            print(self.config.lr_decay)\n",
    )
    compile(text, "cfgflow.py", "exec")  # the guard is real Python, not a syntax error
    assert lint(write(tmp_path, text)) == []
    unguarded = text.replace(guard, "if True:")
    [f] = lint(write(tmp_path, unguarded))
    assert at(f, unguarded) == "lr_decay"


def test_switch_on_a_config_key(tmp_path: Path) -> None:
    src = textwrap.dedent(
        """\
        from metaflow import Config, FlowSpec, step

        class F(FlowSpec):
            cfg = Config("cfg", default_value={"mode": "fast"})

            @step
            def start(self):
                self.next({self.cfg.mdoe: self.fast, "slow": self.slow}, condition="x")

            @step
            def fast(self):
                self.next(self.end)

            @step
            def slow(self):
                self.next(self.end)

            @step
            def end(self):
                pass
        """
    )
    [f] = lint(tmp_path / "f.py", src)
    assert at(f, src) == "mdoe" and "did you mean *mode*" in f.message
