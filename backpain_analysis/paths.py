"""Where things live: the one module that knows the project's paths."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "DEFAULT_MODEL_PATH", "EXTERNAL_DIR", "NOTEBOOKS_DIR", "PACKAGE_DIR", "PROJECT_DIR",
           "RAW_DIR", "REPORTS_DIR", "project_file"]

#: The installed package (holds the default model).
PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository checkout (holds ``data/``, ``notebooks/``); only meaningful in a checkout.
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = PROJECT_DIR / "data"
#: Immutable inputs: the bundled simulated logs.
RAW_DIR = DATA_DIR / "raw"
#: Published real datasets, copied with their provenance.
EXTERNAL_DIR = DATA_DIR / "external"
#: The notebook suite (``NN-Title.ipynb``), executed by the repository tool ``python -m suite``.
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
#: Where ``make report`` writes the HTML report (rebuilt, never committed).
REPORTS_DIR = PROJECT_DIR / "reports"
#: The model fitted on ``data/raw/example_sessions.csv``, shipped inside the package.
DEFAULT_MODEL_PATH = PACKAGE_DIR / "data" / "default_model.json"


def project_file(path: str | Path) -> Path:
    """A file named as the user gave it: as is when it exists (or is absolute), else from the project folder.

    So a notebook run from ``notebooks/`` and a command run from the checkout
    both find ``data/raw/example_clients.csv``.
    """
    path = Path(path)
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_DIR / path
