"""The report runner (``suite.runner``) and its command line (``python -m suite``): HTML, manifest, kernels."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from backpain_analysis.paths import NOTEBOOKS_DIR, PROJECT_DIR
from suite.__main__ import main
from suite.navigation import CONTENTS_TAG, NAV_TAG
from suite.runner import (
    execute_in_place,
    export_html,
    hash_data_files,
    normalise_notebook,
    run_suite,
    update_notebooks,
)

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

# a tag that would load something from another host: <script src="https://...">, <link href="//...">, ...
NETWORK_TAG = re.compile(r"<(script|link|img|iframe|source|embed|object)\b[^>]*\b(src|href|data)\s*=\s*"
                         r"[\"']?\s*(https?:)?//", re.I)
NETWORK_CSS = re.compile(r"@import\s+(url\()?\s*[\"']?\s*(https?:)?//|url\(\s*[\"']?\s*(https?:)?//", re.I)


# ------------------------------------------------------------------------------------------ pytest + nbval
def test_plain_pytest_runs_strict_nbval_on_the_notebooks():
    options = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in options["testpaths"] and "tests" in options["testpaths"]
    addopts = options["addopts"].split()
    assert "--nbval" in addopts and "--nbval-lax" not in addopts
    assert addopts[addopts.index("--nbval-sanitize-with") + 1] == "notebooks/sanitize.cfg"
    assert int(addopts[addopts.index("--nbval-cell-timeout") + 1]) >= 20
    assert "reports" in options["norecursedirs"]


def test_every_sanitize_rule_says_why_it_exists():
    lines = (NOTEBOOKS_DIR / "sanitize.cfg").read_text().splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith("regex: ")]
    assert rules
    for i in rules:
        re.compile(lines[i].removeprefix("regex: "))
        assert lines[i + 1].startswith("replace: ")
        assert lines[i - 1].startswith("#"), f"rule on line {i + 1} has no comment saying why it exists"


# ---------------------------------------------------------------------------------------------- HTML, offline
def _executed_notebook():
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC})
    code = new_code_cell("print(2 ** 0.5)", execution_count=1)
    code.outputs = [new_output("stream", name="stdout", text="1.41\n")]
    nb.cells = [new_markdown_cell("# Page <one>\n\nSee [the next](01-Next.ipynb#Part) and $e^{x}$."), code]
    return nb


def test_export_html_folds_code_and_rewrites_links():
    html = export_html(_executed_notebook(), title="Page <one>")
    assert '<details class="bp-code"><summary>Show code</summary>' in html
    assert "<details class=\"bp-code\" open" not in html  # closed by default
    assert 'href="01-Next.html#Part"' in html
    assert "<title>Page &lt;one&gt;</title>" in html
    assert "1.41" in html


def test_a_widget_shows_its_text_in_the_static_page():
    nb = _executed_notebook()
    view = {"version_major": 2, "version_minor": 0, "model_id": "a4e4a287225b47e994c7149730d3fc50"}
    nb.cells[1].outputs = [new_output("execute_result", execution_count=1,
                                      data={"application/vnd.jupyter.widget-view+json": view,
                                            "text/plain": "What-if explorer. Client C003: estimate 41.7%"})]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                             "version_minor": 0}}
    html = export_html(nb, title="t")
    assert "What-if explorer. Client C003: estimate 41.7%" in html
    assert "widget-state" not in html
    assert "widget-view" not in html and "<script" not in html
    assert "widget-view+json" in json.dumps(nb.cells[1].outputs[0])  # the notebook itself is left unchanged


def test_html_page_loads_nothing_from_the_network():
    html = export_html(_executed_notebook(), title="t")
    assert not NETWORK_TAG.search(html)
    assert not NETWORK_CSS.search(html)
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert "<script" not in html  # nothing to run: code folding is plain <details>


def test_normalise_notebook_strips_run_metadata():
    nb = _executed_notebook()
    nb.metadata["papermill"] = {"duration": 1.2}
    nb.cells[1].metadata.update({"execution": {"iopub.execute_input": "2026-01-01"}, "papermill": {"duration": 1},
                                 "tags": ["papermill-error-cell-tag", "keep"]})
    normalise_notebook(nb)
    assert "papermill" not in nb.metadata
    assert nb.cells[1].metadata == {"tags": ["keep"]}


def test_hash_data_files_keys_by_path_under_data(tmp_path):
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "a.csv").write_bytes(b"x,y\n1,2\n")
    (data / "README.md").write_bytes(b"hello")
    assert hash_data_files(data) == {
        "data/README.md": hashlib.sha256(b"hello").hexdigest(),
        "data/raw/a.csv": hashlib.sha256(b"x,y\n1,2\n").hexdigest(),
    }


def test_help_names_the_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--update-notebooks" in out and "--only" in out


def test_bad_only_is_a_usage_error(capsys, tiny_dir):
    assert main(["--only", "x1", "--notebooks-dir", str(tiny_dir)]) == 2
    assert "two-digit" in capsys.readouterr().err


# ---------------------------------------------------------------------------------- running real kernels
@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory, write_notebook):
    """Run the suite on two tiny notebooks (a fresh kernel each) into a temporary reports folder."""
    root = tmp_path_factory.mktemp("suite")
    notebooks, data = root / "notebooks", root / "data"
    notebooks.mkdir()
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "x.csv").write_bytes(b"a\n1\n")
    write_notebook(notebooks / "00-Start.ipynb", [
        new_markdown_cell("# Start & <begin>\n\nMath: $\\sqrt{2}$; next: [second](01-Second.ipynb)."),
        new_code_cell("import os\nprint(round(2 ** 0.5, 3), os.path.basename(os.getcwd()))"),
    ])
    write_notebook(notebooks / "01-Second.ipynb", [
        new_markdown_cell("# Second"),
        new_markdown_cell("A parameters cell keeps its default: papermill gets no parameters."),
        new_code_cell("n = 3", metadata={"tags": ["parameters"]}),
        new_code_cell("print(sum(range(n)))"),
    ])
    reports = root / "reports"
    manifest = run_suite(notebooks, reports_dir=reports, data_dir=data)
    return reports, manifest


@pytest.mark.slow
def test_run_suite_writes_pages_in_order_with_a_manifest(tiny_report):
    reports, manifest = tiny_report
    assert json.loads((reports / "manifest.json").read_text()) == manifest
    assert [n["notebook"] for n in manifest["notebooks"]] == ["00-Start.ipynb", "01-Second.ipynb"]
    assert [n["title"] for n in manifest["notebooks"]] == ["Start & <begin>", "Second"]
    assert all(n["status"] == "ok" and n["seconds"] > 0 for n in manifest["notebooks"])
    assert manifest["data_sha256"] == {"data/raw/x.csv": hashlib.sha256(b"a\n1\n").hexdigest()}
    assert set(manifest["git"]) == {"commit", "dirty"}
    for name in ("numpy", "pandas", "scikit-learn", "statsmodels", "papermill", "nbconvert"):
        assert manifest["packages"][name]
    assert manifest["python"] and manifest["platform"] and manifest["created"].endswith("Z")

    executed = nbformat.read(reports / "executed" / "00-Start.ipynb", as_version=4)
    assert executed.cells[1].outputs[0].text == "1.414 notebooks\n"  # ran with notebooks/ as working directory
    second = nbformat.read(reports / "executed" / "01-Second.ipynb", as_version=4)
    assert second.cells[-1].outputs[0].text == "3\n"  # parameters left at their defaults

    index = (reports / "index.html").read_text()
    links = re.findall(r'<a href="(\d\d-[^"]+\.html)">([^<]*)</a>', index)
    assert links == [("00-Start.html", "Start &amp; &lt;begin&gt;"), ("01-Second.html", "Second")]
    assert 'href="manifest.json"' in index


@pytest.mark.slow
def test_report_pages_work_offline(tiny_report):
    reports, _ = tiny_report
    pages = sorted(reports.glob("*.html"))
    assert [p.name for p in pages] == ["00-Start.html", "01-Second.html", "index.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not NETWORK_TAG.search(html), page.name
        assert not NETWORK_CSS.search(html), page.name
    start = (reports / "00-Start.html").read_text(encoding="utf-8")
    assert 'href="01-Second.html"' in start and "<details" in start


@pytest.mark.slow
def test_a_failing_notebook_is_named_with_its_cell(tmp_path, capsys, write_notebook):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "00-Broken.ipynb", [new_markdown_cell("# Broken"), new_code_cell("x = 1"),
                                           new_code_cell("raise ValueError('no such column')")])
    code = main(["--notebooks-dir", str(notebooks), "--reports-dir", str(tmp_path / "reports")])
    assert code == 1
    err = capsys.readouterr().err
    assert "00-Broken.ipynb failed in cell 3 (In [2]): ValueError: no such column" in err
    manifest = json.loads((tmp_path / "reports" / "manifest.json").read_text())
    assert manifest["notebooks"][0]["status"] == "failed"
    assert not (tmp_path / "reports" / "00-Broken.html").exists()


@pytest.mark.slow
def test_update_notebooks_stores_outputs_and_a_rerun_changes_nothing(tmp_path, write_notebook):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    path = write_notebook(notebooks / "00-Only.ipynb", [new_markdown_cell("# Only"), new_code_cell("print(6 * 7)")],
                  papermill={"duration": 3.0})
    runs = update_notebooks(notebooks)
    assert [r.ok for r in runs] == [True]
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[1].outputs[0].text == "42\n" and nb.cells[1].execution_count == 1
    assert "papermill" not in nb.metadata and "execution" not in nb.cells[1].metadata
    assert NAV_TAG in nb.cells[-1].metadata["tags"] and CONTENTS_TAG in nb.cells[-2].metadata["tags"]
    text = path.read_text()
    assert execute_in_place(path) == (False, None)
    assert path.read_text() == text
