"""The project's own files: dependencies agree, README commands, CI script, no notebook tooling at runtime."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import backpain_analysis
from backpain_analysis.paths import PROJECT_DIR


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in ("notebooks", "test"):
        wanted |= {_name(r) for r in project["optional-dependencies"][extra]}
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
    extras = project["optional-dependencies"]
    for req in project["dependencies"] + extras["notebooks"] + extras["test"]:
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


# What `pip install backpain-analysis` must not bring: the notebook suite's tooling (the `notebooks` extra).
NOTEBOOK_TOOLING = ("jupyterlab", "jupyter_server", "jupyter_client", "ipykernel", "IPython", "nbformat", "nbclient",
                    "nbconvert", "papermill", "ipywidgets")


def test_runtime_dependencies_hold_no_notebook_tooling():
    project = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    tooling = {_name(m) for m in NOTEBOOK_TOOLING}
    assert not runtime & tooling
    extra = {_name(r) for r in project["optional-dependencies"]["notebooks"]}
    assert {"jupyterlab", "ipykernel", "nbformat", "nbclient", "nbconvert", "papermill", "ipywidgets"} <= extra
    setuptools = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "suite" not in str(setuptools), "the notebook tooling (suite/) is a tool of the repository, not shipped"


def test_the_library_imports_no_notebook_tooling():
    """Import every module of the package and run the CLI's help in a clean interpreter: no notebook tooling loads."""
    code = f"""
import contextlib, importlib, io, pkgutil, sys
import backpain_analysis
from backpain_analysis import cli
names = [m.name for m in pkgutil.walk_packages(backpain_analysis.__path__, "backpain_analysis.")
         if not m.name.endswith("__main__")]
for name in names:
    importlib.import_module(name)
for argv in ([], ["check"], ["fit"]):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        cli.main([*argv, "--help"])
print("modules:", len(names))
print("loaded:", *sorted({{m.split(".")[0] for m in sys.modules}} & set({NOTEBOOK_TOOLING!r})))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_DIR, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    modules, loaded = done.stdout.splitlines()[-2:]
    assert int(modules.removeprefix("modules: ")) > 10
    assert loaded == "loaded:", f"importing backpain_analysis loaded notebook tooling: {loaded}"
