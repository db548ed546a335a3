"""Fixtures for the notebook suite's tooling (``python -m suite``): tiny notebooks written on the fly."""

from __future__ import annotations

import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from backpain_analysis.paths import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR))  # the suite package lives in the checkout, next to the library

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


@pytest.fixture(scope="session")
def write_notebook():
    """``write_notebook(path, cells, **metadata)``: write a notebook for the project's kernel; returns the path."""

    def _write(path, cells, **metadata):
        nbformat.write(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC, **metadata}), path)
        return path

    return _write


@pytest.fixture
def tiny_dir(tmp_path, write_notebook):
    """Three notebooks without outputs: an overview and two chapters."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(folder / "00-Overview.ipynb", [new_markdown_cell("# The overview\n\nIntro.")])
    write_notebook(folder / "01-First.ipynb", [new_markdown_cell("# First [part]\n\n```\n# not a title\n```"),
                                               new_code_cell("x = 1")])
    write_notebook(folder / "02-Second.ipynb", [new_markdown_cell("Intro without a title."),
                                                new_markdown_cell("# Second")])
    return folder
