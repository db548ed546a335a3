"""The project's own files: dependencies agree, README commands, CI script."""

from __future__ import annotations

import re
import tomllib

import backpain_analysis
from backpain_analysis.paths import PROJECT_DIR


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"]}
    env = (PROJECT_DIR / "environment.yml").read_text()
    deps = set()
    for line in env.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.-]+)(?:[<>=].*)?$", line)
        if m and m.group(1) not in {"python", "pip"}:
            deps.add(_name(m.group(1)))
    assert deps == wanted
    assert "- -e ." in env


def test_lock_file_pins_every_dependency():
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    pinned = {_name(line) for line in (PROJECT_DIR / "requirements/lock.txt").read_text().splitlines()
              if "==" in line}
    for req in project["dependencies"] + project["optional-dependencies"]["test"]:
        assert _name(req) in pinned, req


def test_readme_has_exactly_two_fresh_machine_commands_and_ci_runs_the_test_one():
    readme = (PROJECT_DIR / "README.md").read_text()
    block = re.search(r"<!-- fresh-machine -->\s*```(?:bash|sh)?\n(.*?)```", readme, re.S)
    assert block, "README needs the fresh-machine command block"
    commands = [ln.split("#")[0].strip() for ln in block.group(1).splitlines()]
    commands = [c for c in commands if c]
    assert len(commands) == 2
    ci_lines = [ln.strip() for ln in (PROJECT_DIR / ".ci/run").read_text().splitlines()]
    assert commands[1] in ci_lines


def test_public_surface():
    assert backpain_analysis.__version__
    for name in backpain_analysis.__all__:
        assert getattr(backpain_analysis, name) is not None
