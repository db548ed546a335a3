"""The committed notebooks and their generated navigation (``suite.navigation``)."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from backpain_analysis.paths import NOTEBOOKS_DIR, PROJECT_DIR
from suite.navigation import CONTENTS_TAG, NAV_TAG, count_h1, find_notebooks, notebook_title, update_navigation

COMMITTED = find_notebooks(NOTEBOOKS_DIR)


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


# ------------------------------------------------------------------------------------------------ navigation
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


def test_update_navigation_replaces_moves_and_deduplicates(tiny_dir, write_notebook):
    update_navigation(tiny_dir)
    path = tiny_dir / "01-First.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, new_markdown_cell("stale copy", metadata={"tags": [NAV_TAG]}))
    nb.cells.append(new_code_cell("y = 2"))  # appended after the nav cell
    nbformat.write(nb, path)
    write_notebook(tiny_dir / "03-Third.ipynb", [new_markdown_cell("# Third")])

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
