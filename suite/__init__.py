"""The notebook suite's tooling: a tool of the repository, not part of the installed library.

Run from a checkout::

    python -m suite                        # make report: execute the suite into reports/ (HTML)
    python -m suite --update-notebooks     # make notebooks: regenerate the stored outputs in place
    python -m suite --only 00 03           # only these notebooks

It needs the ``notebooks`` extra (``pip install -e ".[notebooks]"``, or the
dev lock ``requirements/lock.txt``): papermill, nbclient, nbconvert, nbformat
and ipykernel. ``pip install backpain-analysis`` ships none of it. Modules:

* :mod:`suite.runner` -- executes the notebooks, writes the HTML pages, the index and the manifest.
* :mod:`suite.navigation` -- the generated contents list and prev/next cells.
"""

__all__: list[str] = []
