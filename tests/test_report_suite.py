"""The notebook suite's machinery: committed notebooks, navigation, the HTML report and its manifest."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from backpain_analysis import report_suite
from backpain_analysis._nbnav import (
    CONTENTS_TAG,
    NAV_TAG,
    count_h1,
    find_notebooks,
    notebook_title,
    update_navigation,
)
from backpain_analysis.paths import NOTEBOOKS_DIR, PROJECT_DIR

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
COMMITTED = find_notebooks(NOTEBOOKS_DIR)

# a tag that would load something from another host: <script src="https://...">, <link href="//...">, ...
NETWORK_TAG = re.compile(r"<(script|link|img|iframe|source|embed|object)\b[^>]*\b(src|href|data)\s*=\s*"
                         r"[\"']?\s*(https?:)?//", re.I)
NETWORK_CSS = re.compile(r"@import\s+(url\()?\s*[\"']?\s*(https?:)?//|url\(\s*[\"']?\s*(https?:)?//", re.I)


def _write(path, cells, **metadata):
    nb = new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC, **metadata})
    nbformat.write(nb, path)
    return path


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


# ------------------------------------------------------------------------------------ the committed notebooks
def test_the_suite_has_an_overview_first():
    assert COMMITTED, "notebooks/ holds no NN-*.ipynb"
    assert COMMITTED[0].name == "00-Overview.ipynb"


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name[:2])
def test_committed_notebook_is_executed_clean_and_navigable(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    errors, stderr = [], []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                errors.append(i)
            if out.output_type == "stream" and out.name == "stderr":
                stderr.append(i)
    assert not errors, f"error outputs in cells {errors}"
    assert not stderr, f"stderr outputs (warnings?) in cells {stderr}"

    counts = [c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "code cells not executed once, top to bottom"

    assert count_h1(nb) == 1, "exactly one H1 title"
    first_markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    assert first_markdown.source.lstrip().startswith("# ")

    nav = [i for i, c in enumerate(nb.cells) if NAV_TAG in _tags(c)]
    assert nav == [len(nb.cells) - 1], "one cell tagged 'nav', the last one (run `make notebooks`)"
    if path.name.startswith("00-"):
        assert len([c for c in nb.cells if CONTENTS_TAG in _tags(c)]) == 1


def test_navigation_cells_are_current(tmp_path):
    """Regenerating contents and prev/next links on a copy changes nothing (else: run `make notebooks`)."""
    for path in COMMITTED:
        shutil.copy(path, tmp_path / path.name)
    assert [p.name for p in update_navigation(tmp_path)] == []


def test_readme_lists_every_notebook():
    readme = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Notebooks", 1)
    assert len(section) == 2, "README needs a '## Notebooks' section"
    missing = [p.name for p in COMMITTED if p.name not in section[1].split("\n## ", 1)[0]]
    assert not missing


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


# ------------------------------------------------------------------------------------------------ navigation
@pytest.fixture
def tiny_dir(tmp_path):
    """Three notebooks without outputs: an overview and two chapters."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write(folder / "00-Overview.ipynb", [new_markdown_cell("# The overview\n\nIntro.")])
    _write(folder / "01-First.ipynb", [new_markdown_cell("# First [part]\n\n```\n# not a title\n```"),
                                       new_code_cell("x = 1")])
    _write(folder / "02-Second.ipynb", [new_markdown_cell("Intro without a title."),
                                        new_markdown_cell("# Second")])
    return folder


def test_update_navigation_links_every_notebook_once(tiny_dir):
    changed = update_navigation(tiny_dir)
    assert [p.name for p in changed] == ["00-Overview.ipynb", "01-First.ipynb", "02-Second.ipynb"]
    assert update_navigation(tiny_dir) == []  # idempotent: nothing to rewrite

    overview = nbformat.read(tiny_dir / "00-Overview.ipynb", as_version=4)
    contents = [c for c in overview.cells if CONTENTS_TAG in _tags(c)]
    assert len(contents) == 1
    assert contents[0].source.splitlines()[2:] == [
        "- **00** [The overview](00-Overview.ipynb)",
        r"- **01** [First \[part\]](01-First.ipynb)",
        "- **02** [Second](02-Second.ipynb)",
    ]
    first = nbformat.read(tiny_dir / "01-First.ipynb", as_version=4)
    assert NAV_TAG in _tags(first.cells[-1])
    assert "(00-Overview.ipynb)" in first.cells[-1].source and "(02-Second.ipynb)" in first.cells[-1].source
    assert notebook_title(first) == "First [part]"  # the fenced "# not a title" is code, not a heading
    last = nbformat.read(tiny_dir / "02-Second.ipynb", as_version=4)
    assert "→" not in last.cells[-1].source  # no next notebook


def test_update_navigation_replaces_moves_and_deduplicates(tiny_dir):
    update_navigation(tiny_dir)
    path = tiny_dir / "01-First.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, new_markdown_cell("stale copy", metadata={"tags": [NAV_TAG]}))
    nb.cells.append(new_code_cell("y = 2"))  # appended after the nav cell
    nbformat.write(nb, path)
    _write(tiny_dir / "03-Third.ipynb", [new_markdown_cell("# Third")])

    update_navigation(tiny_dir)
    nb = nbformat.read(path, as_version=4)
    nav = [i for i, c in enumerate(nb.cells) if NAV_TAG in _tags(c)]
    assert nav == [len(nb.cells) - 1]
    assert nb.cells[-2].source == "y = 2"
    second = nbformat.read(tiny_dir / "02-Second.ipynb", as_version=4)
    assert "(03-Third.ipynb)" in second.cells[-1].source
    overview = nbformat.read(tiny_dir / "00-Overview.ipynb", as_version=4)
    assert "03-Third.ipynb" in next(c for c in overview.cells if CONTENTS_TAG in _tags(c)).source


def test_update_navigation_only_rewrites_the_selected_notebooks(tiny_dir):
    before = (tiny_dir / "02-Second.ipynb").read_bytes()
    assert [p.name for p in update_navigation(tiny_dir, only=["1"])] == ["01-First.ipynb"]
    assert (tiny_dir / "02-Second.ipynb").read_bytes() == before


def test_find_notebooks_selects_by_number(tiny_dir):
    assert [p.name for p in find_notebooks(tiny_dir, only=["02", "0"])] == ["00-Overview.ipynb", "02-Second.ipynb"]
    with pytest.raises(ValueError, match="no notebook numbered 07"):
        find_notebooks(tiny_dir, only=["07"])


# ---------------------------------------------------------------------------------------------- HTML, offline
def _executed_notebook():
    nb = new_notebook(metadata={"kernelspec": KERNELSPEC})
    code = new_code_cell("print(2 ** 0.5)", execution_count=1)
    code.outputs = [new_output("stream", name="stdout", text="1.41\n")]
    nb.cells = [new_markdown_cell("# Page <one>\n\nSee [the next](01-Next.ipynb#Part) and $e^{x}$."), code]
    return nb


def test_export_html_folds_code_and_rewrites_links():
    html = report_suite.export_html(_executed_notebook(), title="Page <one>")
    assert '<details class="bp-code"><summary>Show code</summary>' in html
    assert "<details class=\"bp-code\" open" not in html  # closed by default
    assert 'href="01-Next.html#Part"' in html
    assert "<title>Page &lt;one&gt;</title>" in html
    assert "1.41" in html


def test_html_page_loads_nothing_from_the_network():
    html = report_suite.export_html(_executed_notebook(), title="t")
    assert not NETWORK_TAG.search(html)
    assert not NETWORK_CSS.search(html)
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert "<script" not in html  # nothing to run: code folding is plain <details>


def test_normalise_notebook_strips_run_metadata():
    nb = _executed_notebook()
    nb.metadata["papermill"] = {"duration": 1.2}
    nb.cells[1].metadata.update({"execution": {"iopub.execute_input": "2026-01-01"}, "papermill": {"duration": 1},
                                 "tags": ["papermill-error-cell-tag", "keep"]})
    report_suite.normalise_notebook(nb)
    assert "papermill" not in nb.metadata
    assert nb.cells[1].metadata == {"tags": ["keep"]}


def test_hash_data_files_keys_by_path_under_data(tmp_path):
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "a.csv").write_bytes(b"x,y\n1,2\n")
    (data / "README.md").write_bytes(b"hello")
    assert report_suite.hash_data_files(data) == {
        "data/README.md": hashlib.sha256(b"hello").hexdigest(),
        "data/raw/a.csv": hashlib.sha256(b"x,y\n1,2\n").hexdigest(),
    }


def test_help_names_the_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        report_suite.main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--update-notebooks" in out and "--only" in out


def test_bad_only_is_a_usage_error(capsys, tiny_dir):
    assert report_suite.main(["--only", "x1", "--notebooks-dir", str(tiny_dir)]) == 2
    assert "two-digit" in capsys.readouterr().err


# ---------------------------------------------------------------------------------- running real kernels
@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    """Run the suite on two tiny notebooks (a fresh kernel each) into a temporary reports folder."""
    root = tmp_path_factory.mktemp("suite")
    notebooks, data = root / "notebooks", root / "data"
    notebooks.mkdir()
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "x.csv").write_bytes(b"a\n1\n")
    _write(notebooks / "00-Start.ipynb", [
        new_markdown_cell("# Start & <begin>\n\nMath: $\\sqrt{2}$; next: [second](01-Second.ipynb)."),
        new_code_cell("import os\nprint(round(2 ** 0.5, 3), os.path.basename(os.getcwd()))"),
    ])
    _write(notebooks / "01-Second.ipynb", [
        new_markdown_cell("# Second"),
        new_markdown_cell("A parameters cell keeps its default: papermill gets no parameters."),
        new_code_cell("n = 3", metadata={"tags": ["parameters"]}),
        new_code_cell("print(sum(range(n)))"),
    ])
    reports = root / "reports"
    manifest = report_suite.run_suite(notebooks, reports_dir=reports, data_dir=data)
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
def test_a_failing_notebook_is_named_with_its_cell(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write(notebooks / "00-Broken.ipynb", [new_markdown_cell("# Broken"), new_code_cell("x = 1"),
                                           new_code_cell("raise ValueError('no such column')")])
    code = report_suite.main(["--notebooks-dir", str(notebooks), "--reports-dir", str(tmp_path / "reports")])
    assert code == 1
    err = capsys.readouterr().err
    assert "00-Broken.ipynb failed in cell 3 (In [2]): ValueError: no such column" in err
    manifest = json.loads((tmp_path / "reports" / "manifest.json").read_text())
    assert manifest["notebooks"][0]["status"] == "failed"
    assert not (tmp_path / "reports" / "00-Broken.html").exists()


@pytest.mark.slow
def test_update_notebooks_stores_outputs_and_a_rerun_changes_nothing(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    path = _write(notebooks / "00-Only.ipynb", [new_markdown_cell("# Only"), new_code_cell("print(6 * 7)")],
                  papermill={"duration": 3.0})
    runs = report_suite.update_notebooks(notebooks)
    assert [r.ok for r in runs] == [True]
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[1].outputs[0].text == "42\n" and nb.cells[1].execution_count == 1
    assert "papermill" not in nb.metadata and "execution" not in nb.cells[1].metadata
    assert NAV_TAG in _tags(nb.cells[-1]) and CONTENTS_TAG in _tags(nb.cells[-2])
    text = path.read_text()
    assert report_suite.execute_in_place(path) == (False, None)
    assert path.read_text() == text
