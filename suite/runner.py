"""The reproducible report: execute the notebook suite and publish it as offline HTML.

``python -m suite`` (``make report``) runs every
``notebooks/NN-*.ipynb`` in order, each in a fresh ``python3`` kernel with
papermill (working directory ``notebooks/``, parameters left at their
defaults), and writes to ``reports/``:

- ``executed/NN-Title.ipynb`` -- the executed notebooks;
- ``NN-Title.html`` -- one page per notebook, code hidden in a collapsed
  ``<details>`` under each cell and no script or style loaded from the network
  (no require.js, MathJax, Mermaid or widget manager; images are embedded);
- ``index.html`` -- the pages in order, with each notebook's H1 title and how
  long it took to run;
- ``manifest.json`` -- what produced the numbers: package versions, SHA-256 of
  every file under ``data/``, the git commit and whether the tree was dirty,
  Python and platform, per-notebook execution seconds, and the date.

``--update-notebooks`` (``make notebooks``) instead regenerates the suite's
navigation cells and executes every notebook *in place*, so the stored outputs
that strict ``pytest --nbval`` compares against are current; timing and
papermill metadata are stripped so a re-run leaves a minimal git diff.

A failing notebook is named with its cell, and the command exits non-zero.
"""

from __future__ import annotations

import copy
import hashlib
import json
import platform
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import jinja2
import nbformat

from backpain_analysis.paths import DATA_DIR, NOTEBOOKS_DIR, PROJECT_DIR, REPORTS_DIR

from .navigation import find_notebooks, notebook_title, update_navigation

__all__ = [
    "CELL_TIMEOUT",
    "KERNEL_NAME",
    "MANIFEST_PACKAGES",
    "NotebookFailure",
    "NotebookRun",
    "build_manifest",
    "execute_in_place",
    "export_html",
    "hash_data_files",
    "display_path",
    "normalise_notebook",
    "render_index",
    "run_suite",
    "update_notebooks",
]

#: Every notebook runs in a fresh kernel of this kernelspec (the project's environment).
KERNEL_NAME = "python3"
#: Seconds a single cell may run before the run fails (notebooks take a few seconds in all).
CELL_TIMEOUT = 120
#: Libraries whose versions the manifest records.
MANIFEST_PACKAGES = (
    "backpain-analysis", "numpy", "pandas", "scipy", "scikit-learn", "statsmodels", "matplotlib", "seaborn",
    "pandera", "ipykernel", "nbclient", "nbconvert", "nbformat", "papermill",
)

# Cell metadata that records when or how a run happened rather than what it computed.
_VOLATILE_CELL_METADATA = ("execution", "papermill", "ExecuteTime")
_VOLATILE_NOTEBOOK_METADATA = ("papermill", "widgets")

# nbconvert's "lab" template, minus everything it would fetch from a CDN, with each
# code input folded into a <details> element (closed by default).
_TEMPLATE_NAME = "backpain_report.html.j2"
_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
main { max-width: 1100px; margin: 0 auto; }
nav.bp-top { font-family: var(--jp-ui-font-family); font-size: 0.9em; padding: 0.6em 0 1em 0;
             border-bottom: 1px solid #ddd; margin-bottom: 1em; }
details.bp-code > summary { cursor: pointer; color: #555; font-family: var(--jp-ui-font-family);
                            font-size: 0.8em; padding: 0.1em 0.4em; }
details.bp-code > summary:hover { color: #000; }
details.bp-code[open] > summary { margin-bottom: 0.3em; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="bp-top"><a href="index.html">&larr; All notebooks</a> &middot;
code is hidden: open &ldquo;Show code&rdquo; above an output to read the cell that made it.</nav>
{%- endblock body_header -%}
{% block input_group -%}
<details class="bp-code"><summary>Show code</summary>
{{ super() }}
</details>
{%- endblock input_group %}
"""

_INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>backpain-analysis: the notebook suite</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 860px;
       margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.35em 0.6em; border-bottom: 1px solid #ddd; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.note { background: #fff6e0; border-left: 4px solid #e0a800; padding: 0.6em 1em; }
.failed { color: #b00020; font-weight: bold; }
footer { margin-top: 2em; font-size: 0.85em; color: #555; }
</style>
</head>
<body>
<h1>Why does my back hurt after a workout? &mdash; the notebook suite</h1>
<p class="note"><strong>Not a diagnosis.</strong> These notebooks estimate and educate. Red-flag symptoms
(new bladder or bowel problems, numbness in the groin or saddle area, leg weakness, fever, a fall or blow,
severe or lasting pain) always override any number: stop training and see a clinician. Every number computed
on the bundled session logs is <strong>simulated</strong>.</p>
<table>
<thead><tr><th>#</th><th>Notebook</th><th class="num">Run time (s)</th></tr></thead>
<tbody>
{%- for nb in notebooks %}
<tr><td>{{ nb.number }}</td>
<td>{% if nb.ok %}<a href="{{ nb.html }}">{{ nb.title }}</a>{% else %}{{ nb.title }}
<span class="failed">failed</span>{% endif %}</td>
<td class="num">{{ "%.1f" | format(nb.seconds) }}</td></tr>
{%- endfor %}
</tbody>
</table>
<footer>
<p>Executed with papermill in a fresh <code>{{ kernel }}</code> kernel each, in {{ "%.1f" | format(total) }} s,
on {{ created }}; git commit <code>{{ commit }}</code>{% if dirty %} (with uncommitted changes){% endif %}.
Package versions and the SHA-256 of every data file are in <a href="manifest.json">manifest.json</a>.</p>
</footer>
</body>
</html>
"""

#: The output of a displayed ipywidget (a view of a model that lives in the kernel).
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_NOTEBOOK_LINK = re.compile(r"(?P<pre>\]\(|href=[\"'])(?P<name>\d\d-[^)\"'#\s]*?)\.ipynb(?=[)#\"'])")


@dataclass
class NotebookFailure:
    """Where and why a notebook failed."""

    cell: int | None
    execution_count: int | None
    error: str
    source_line: str = ""

    def describe(self, notebook: str) -> str:
        """One readable paragraph naming the notebook and the cell."""
        where = f"cell {self.cell}" if self.cell is not None else "a cell"
        if self.execution_count is not None:
            where += f" (In [{self.execution_count}])"
        text = f"notebook {notebook} failed in {where}: {self.error}"
        if self.source_line:
            text += f"\n    the cell starts with: {self.source_line}"
        return text


@dataclass
class NotebookRun:
    """One notebook's run: what it is, where its outputs went, how long it took."""

    notebook: str
    number: str
    title: str
    seconds: float
    html: str | None = None
    executed: str | None = None
    failure: NotebookFailure | None = field(default=None)

    @property
    def ok(self) -> bool:
        """True when the notebook ran without error."""
        return self.failure is None


# ----------------------------------------------------------------------------------------------------- helpers
def display_path(path: Path) -> str:
    """A path as the user sees it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _first_line(source: str) -> str:
    lines = [ln for ln in source.splitlines() if ln.strip()]
    return (lines[0][:100] + (" ..." if len(lines) > 1 else "")) if lines else ""


def _error_text(ename: str, evalue: str) -> str:
    return f"{ename}: {evalue}" if evalue else ename


def _read_title(path: Path) -> str:
    try:
        return notebook_title(nbformat.read(path, as_version=4), default=path.stem)
    except Exception:  # unreadable: papermill reports why, naming the notebook
        return path.stem


def _failure_from_outputs(nb: nbformat.NotebookNode) -> NotebookFailure | None:
    """The first error output of an executed notebook, located by cell."""
    for index, cell in enumerate(nb.cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return NotebookFailure(index, cell.get("execution_count"),
                                       _error_text(output.get("ename", "Error"), output.get("evalue", "")),
                                       _first_line(cell.source))
    return None


def _stderr_cells(nb: nbformat.NotebookNode) -> list[int]:
    return [i for i, cell in enumerate(nb.cells, start=1)
            if any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in cell.get("outputs", []))]


def normalise_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what records *when* or *how* a notebook ran (timings, papermill state), in place.

    Parameters
    ----------
    nb : NotebookNode

    Returns
    -------
    NotebookNode
        The same notebook, for chaining.
    """
    for key in _VOLATILE_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in _VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        tags = cell.metadata.get("tags")
        if tags is not None:
            tags = [t for t in tags if not t.startswith("papermill-")]
            if tags:
                cell.metadata["tags"] = tags
            else:
                cell.metadata.pop("tags")
    return nb


def hash_data_files(data_dir: str | Path = DATA_DIR) -> dict[str, str]:
    """SHA-256 of every file under ``data_dir``, keyed by path relative to its parent (``data/raw/x.csv``).

    Parameters
    ----------
    data_dir : str or Path, default=DATA_DIR

    Returns
    -------
    dict of str to str
        Sorted by path.
    """
    root = Path(data_dir)
    hashes = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(chunk)
        hashes[path.relative_to(root.parent).as_posix()] = digest.hexdigest()
    return hashes


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(PROJECT_DIR), *args], capture_output=True, text=True, timeout=30,
                              check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def _package_versions() -> dict[str, str | None]:
    versions = {}
    for name in MANIFEST_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def build_manifest(runs: Sequence[NotebookRun], *, data_dir: str | Path = DATA_DIR, total_seconds: float,
                   kernel_name: str = KERNEL_NAME) -> dict:
    """What produced the report: versions, data hashes, commit, platform, timings.

    Parameters
    ----------
    runs : sequence of NotebookRun
        The notebooks run, in order.
    data_dir : str or Path, default=DATA_DIR
        Every file under it is hashed.
    total_seconds : float
        Wall time of the whole run.
    kernel_name : str, default="python3"

    Returns
    -------
    dict
        JSON-serialisable.
    """
    commit = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain")
    return {
        "project": "backpain-analysis",
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git": {"commit": commit, "dirty": None if status is None else bool(status)},
        "python": platform.python_version(),
        "platform": platform.platform(),
        "kernel": kernel_name,
        "packages": _package_versions(),
        "data_sha256": hash_data_files(data_dir),
        "notebooks": [
            {
                "notebook": r.notebook,
                "title": r.title,
                "status": "ok" if r.ok else "failed",
                "seconds": round(r.seconds, 2),
                "html": r.html,
                "executed": r.executed,
                **({"failure": asdict(r.failure)} if r.failure else {}),
            }
            for r in runs
        ],
        "total_seconds": round(total_seconds, 2),
    }


def render_index(runs: Sequence[NotebookRun], manifest: dict) -> str:
    """``index.html``: the notebooks in order, linked by H1 title, with their run time.

    Parameters
    ----------
    runs : sequence of NotebookRun
    manifest : dict
        From :func:`build_manifest` (commit, date, total time).

    Returns
    -------
    str
    """
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(_INDEX_TEMPLATE).render(
        notebooks=runs,
        kernel=manifest["kernel"],
        total=manifest["total_seconds"],
        created=manifest["created"],
        commit=(manifest["git"]["commit"] or "unknown")[:12],
        dirty=bool(manifest["git"]["dirty"]),
    )


def _html_exporter() -> object:
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab",
        template_file=_TEMPLATE_NAME,
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        theme="light",
    )


def export_html(nb: nbformat.NotebookNode, *, title: str, resources_dir: str | Path = NOTEBOOKS_DIR,
                exporter: object | None = None) -> str:
    """One executed notebook as a standalone, offline HTML page with code folded away.

    Links to sibling notebooks (``03-Title.ipynb``) become links to their pages
    (``03-Title.html``).

    Parameters
    ----------
    nb : NotebookNode
        An executed notebook (left unchanged).
    title : str
        The page's ``<title>``.
    resources_dir : str or Path, default=NOTEBOOKS_DIR
        Where relative image paths in markdown are looked up (they are embedded).
    exporter : HTMLExporter or None, default=None
        Reuse one exporter across pages; ``None`` makes one.

    Returns
    -------
    str
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)  # the widgets' saved state: nothing in a static page can use it
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _NOTEBOOK_LINK.sub(r"\g<pre>\g<name>.html", cell.source)
        # a widget needs a live kernel and a widget manager, which a static page has neither of: show its text
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if _WIDGET_VIEW in data and "text/plain" in data:
                del data[_WIDGET_VIEW]
    nb.metadata["title"] = title
    exporter = exporter or _html_exporter()
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title, "path": str(resources_dir)}})
    return body


# ------------------------------------------------------------------------------------------------------ running
def _kernel_config() -> object:
    """Kernel settings: CurveZMQ transport encryption where supported, and a quiet kernel log.

    Without it, ipykernel prints a warning about unencrypted TCP for every kernel
    it starts, which would bury the progress lines.
    """
    import zmq
    from jupyter_client.manager import KernelManager
    from traitlets.config import Config

    config = Config()
    if "transport_encryption" in KernelManager.class_trait_names() and zmq.has("curve"):
        config.KernelManager.transport_encryption = "auto"
    # jupyter_client interrupts a kernel before shutting it down; ipykernel sometimes logs that
    # interrupt as an error ("KeyboardInterrupt caught in kernel"). Cell errors still reach the
    # notebook's outputs; only the kernel's own log lines are silenced.
    config.NotebookClient.extra_arguments = ["--IPKernelApp.log_level=CRITICAL"]
    return config


def _progress(index: int, total: int, name: str) -> None:
    print(f"[{index:>2}/{total}] {name} ... ", end="", flush=True)


def _run_one_papermill(path: Path, out: Path, *, cwd: Path, kernel_name: str, timeout: int
                       ) -> tuple[nbformat.NotebookNode | None, NotebookFailure | None]:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        nb = papermill.execute_notebook(
            str(path), str(out), kernel_name=kernel_name, cwd=str(cwd), progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, execution_timeout=timeout, config=_kernel_config(),
        )
    except PapermillExecutionError as exc:
        error = _error_text(exc.ename, exc.evalue)
        return None, NotebookFailure(exc.cell_index + 1, exc.exec_count, error, _first_line(exc.source))
    except Exception as exc:  # kernel died, timed out, could not start: still name the notebook
        return None, NotebookFailure(None, None, f"{type(exc).__name__}: {exc}".strip())
    return nb, _failure_from_outputs(nb)


def run_suite(notebooks_dir: str | Path = NOTEBOOKS_DIR, *, reports_dir: str | Path = REPORTS_DIR,
              data_dir: str | Path = DATA_DIR, only: Sequence[str] | None = None, kernel_name: str = KERNEL_NAME,
              timeout: int = CELL_TIMEOUT) -> dict:
    """Execute the suite with papermill and write the HTML pages, ``index.html`` and ``manifest.json``.

    Parameters
    ----------
    notebooks_dir : str or Path, default=NOTEBOOKS_DIR
        Folder holding ``NN-*.ipynb``; each runs with it as working directory.
    reports_dir : str or Path, default=REPORTS_DIR
        Output folder (created; executed notebooks go to ``executed/`` inside it).
    data_dir : str or Path, default=DATA_DIR
        Every file under it is hashed into the manifest.
    only : sequence of str or None, default=None
        Two-digit numbers of the notebooks to run; ``None`` runs all of them
        (and removes pages of notebooks that no longer exist).
    kernel_name : str, default="python3"
    timeout : int, default=120
        Seconds one cell may run.

    Returns
    -------
    dict
        The manifest; ``manifest["notebooks"][i]["status"]`` is ``"failed"``
        for a notebook that raised.

    Raises
    ------
    ValueError
        When there are no notebooks, or ``only`` names one that does not exist.
    """
    notebooks_dir, reports_dir = Path(notebooks_dir), Path(reports_dir)
    paths = find_notebooks(notebooks_dir, only=only)
    if not paths:
        raise ValueError(f"no notebooks matching NN-*.ipynb in {display_path(notebooks_dir)}")
    executed_dir = reports_dir / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    if only is None:
        _remove_stale(reports_dir, executed_dir, {p.stem for p in paths})

    print(f"Running {len(paths)} notebook(s) from {display_path(notebooks_dir)}/ into {display_path(reports_dir)}/ "
          f"(a fresh {kernel_name} kernel each)", flush=True)
    exporter = _html_exporter()
    runs: list[NotebookRun] = []
    start_all = time.perf_counter()
    for i, path in enumerate(paths, start=1):
        _progress(i, len(paths), path.name)
        title = _read_title(path)
        out = executed_dir / path.name
        start = time.perf_counter()
        nb, failure = _run_one_papermill(path, out, cwd=notebooks_dir, kernel_name=kernel_name, timeout=timeout)
        seconds = time.perf_counter() - start
        run = NotebookRun(path.name, path.name[:2], title, seconds, executed=out.relative_to(reports_dir).as_posix(),
                          failure=failure)
        if nb is not None and failure is None:
            html = reports_dir / f"{path.stem}.html"
            html.write_text(export_html(nb, title=title, resources_dir=notebooks_dir, exporter=exporter),
                            encoding="utf-8")
            run.html = html.name
            stderr = _stderr_cells(nb)
            note = f" (warning: stderr output in cell {', '.join(map(str, stderr))})" if stderr else ""
            print(f"{seconds:5.1f} s{note}", flush=True)
        else:
            print("FAILED", flush=True)
        runs.append(run)
    total = time.perf_counter() - start_all

    manifest = build_manifest(runs, data_dir=data_dir, total_seconds=total, kernel_name=kernel_name)
    (reports_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (reports_dir / "index.html").write_text(render_index(runs, manifest), encoding="utf-8")
    ok = sum(r.ok for r in runs)
    print(f"{ok} of {len(runs)} notebook(s) ran in {total:.1f} s; open {display_path(reports_dir / 'index.html')}",
          flush=True)
    return manifest


def _remove_stale(reports_dir: Path, executed_dir: Path, stems: set[str]) -> None:
    for folder, suffix in ((reports_dir, ".html"), (executed_dir, ".ipynb")):
        for old in folder.glob(f"[0-9][0-9]-*{suffix}"):
            if old.stem not in stems:
                old.unlink()


def execute_in_place(path: str | Path, *, kernel_name: str = KERNEL_NAME, timeout: int = CELL_TIMEOUT
                     ) -> tuple[bool, NotebookFailure | None]:
    """Execute one notebook in a fresh kernel and store its outputs in the file, normalised.

    The file is left untouched when a cell fails or when nothing changed.

    Parameters
    ----------
    path : str or Path
    kernel_name : str, default="python3"
    timeout : int, default=120
        Seconds one cell may run.

    Returns
    -------
    (changed, failure) : tuple of (bool, NotebookFailure or None)
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    original = path.read_text(encoding="utf-8")
    nb = nbformat.reads(original, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}}, config=_kernel_config())
    try:
        client.execute()
    except CellExecutionError as exc:
        failure = _failure_from_outputs(nb) or NotebookFailure(None, None, str(exc).strip().splitlines()[-1])
        return False, failure
    except Exception as exc:  # kernel died, timed out, could not start
        return False, NotebookFailure(None, None, f"{type(exc).__name__}: {exc}".strip())
    text = nbformat.writes(normalise_notebook(nb)) + "\n"
    if text == original:
        return False, None
    path.write_text(text, encoding="utf-8")
    return True, None


def update_notebooks(notebooks_dir: str | Path = NOTEBOOKS_DIR, *, only: Sequence[str] | None = None,
                     kernel_name: str = KERNEL_NAME, timeout: int = CELL_TIMEOUT) -> list[NotebookRun]:
    """Regenerate navigation, then execute every notebook in place (``make notebooks``).

    Parameters
    ----------
    notebooks_dir : str or Path, default=NOTEBOOKS_DIR
    only : sequence of str or None, default=None
        Two-digit numbers of the notebooks to execute and rewrite; ``None`` means all.
    kernel_name : str, default="python3"
    timeout : int, default=120

    Returns
    -------
    list of NotebookRun
    """
    notebooks_dir = Path(notebooks_dir)
    paths = find_notebooks(notebooks_dir, only=only)
    if not paths:
        raise ValueError(f"no notebooks matching NN-*.ipynb in {display_path(notebooks_dir)}")
    changed = update_navigation(notebooks_dir, only=only)
    print(f"Navigation cells: {len(changed)} notebook(s) updated. Executing {len(paths)} notebook(s) in place "
          f"(a fresh {kernel_name} kernel each)", flush=True)
    runs = []
    for i, path in enumerate(paths, start=1):
        _progress(i, len(paths), path.name)
        start = time.perf_counter()
        rewritten, failure = execute_in_place(path, kernel_name=kernel_name, timeout=timeout)
        seconds = time.perf_counter() - start
        title = _read_title(path)
        runs.append(NotebookRun(path.name, path.name[:2], title, seconds, failure=failure))
        status = "FAILED (file left as it was)" if failure else ("updated" if rewritten else "unchanged")
        print(f"{seconds:5.1f} s, {status}", flush=True)
    return runs
