"""Generated navigation for the notebook suite: the contents list and prev/next links.

Nobody edits these cells by hand. :func:`update_navigation` finds every
``notebooks/NN-*.ipynb``, reads each one's H1 title, and

- writes the contents list into the overview notebook's cell tagged
  ``contents`` (added before the navigation cell when missing);
- writes a previous / contents / next line into the last cell of every
  notebook, tagged ``nav`` (found and replaced, never duplicated, and moved
  to the end if other cells were appended after it).

A notebook is rewritten only when its generated cells change, and new cells get
fixed ids (``nav``, ``contents``), so running it twice leaves git with nothing
to show. ``python -m suite --update-notebooks`` (``make notebooks``) runs it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from backpain_analysis.paths import NOTEBOOKS_DIR

__all__ = [
    "CONTENTS_TAG",
    "NAV_TAG",
    "NOTEBOOK_PATTERN",
    "NotebookEntry",
    "contents_markdown",
    "count_h1",
    "find_notebooks",
    "nav_markdown",
    "notebook_title",
    "update_navigation",
]

#: Tag of the generated prev/next cell at the end of every notebook.
NAV_TAG = "nav"
#: Tag of the generated contents list in the overview notebook.
CONTENTS_TAG = "contents"
#: Glob of the suite's notebooks: two digits, a dash, a title.
NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"
#: The notebook holding the contents list (the first one in the suite).
OVERVIEW_NUMBER = "00"

_H1 = re.compile(r"^#\s+(?P<title>\S.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class NotebookEntry:
    """One notebook of the suite: its file and its H1 title."""

    path: Path
    title: str

    @property
    def number(self) -> str:
        """The two-digit prefix (``"03"``)."""
        return self.path.name[:2]


def find_notebooks(notebooks_dir: str | Path = NOTEBOOKS_DIR, *, only: Sequence[str] | None = None) -> list[Path]:
    """The suite's notebooks, in order (``NN-*.ipynb`` sorted by name).

    Parameters
    ----------
    notebooks_dir : str or Path, default=NOTEBOOKS_DIR
        Folder holding the notebooks.
    only : sequence of str or None, default=None
        Two-digit numbers to keep (``["00", "03"]``); ``None`` keeps all.

    Returns
    -------
    list of Path

    Raises
    ------
    ValueError
        When a number in ``only`` matches no notebook.
    """
    paths = sorted(Path(notebooks_dir).glob(NOTEBOOK_PATTERN))
    if only is None:
        return paths
    wanted = [str(n).zfill(2) for n in only]
    missing = [n for n in wanted if not any(p.name.startswith(f"{n}-") for p in paths)]
    if missing:
        known = ", ".join(p.name[:2] for p in paths) or "none"
        raise ValueError(f"no notebook numbered {', '.join(missing)} in {Path(notebooks_dir).name}/ (found: {known})")
    return [p for p in paths if p.name[:2] in wanted]


def _h1_lines(source: str) -> list[str]:
    titles, fenced = [], False
    for line in source.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _H1.match(line)
        if match:
            titles.append(match.group("title"))
    return titles


def notebook_title(nb: nbformat.NotebookNode, *, default: str = "") -> str:
    """The notebook's H1 title: the first ``# Title`` line of its markdown cells.

    Parameters
    ----------
    nb : NotebookNode
        A notebook read with :func:`nbformat.read`.
    default : str, default=""
        Returned when there is no H1.

    Returns
    -------
    str
    """
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            titles = _h1_lines(cell.source)
            if titles:
                return titles[0]
    return default


def count_h1(nb: nbformat.NotebookNode) -> int:
    """How many H1 headings (``# Title``, outside code fences) the notebook's markdown cells hold."""
    return sum(len(_h1_lines(c.source)) for c in nb.cells if c.cell_type == "markdown")


def _default_title(path: Path) -> str:
    return path.stem[3:].replace("-", " ")


def _read(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:
        raise ValueError(f"cannot read notebook {path.name}: {exc}") from exc


def _entries(paths: Sequence[Path]) -> list[NotebookEntry]:
    return [NotebookEntry(p, notebook_title(_read(p), default=_default_title(p))) for p in paths]


def _link_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", r"\[").replace("]", r"\]")


def nav_markdown(entries: Sequence[NotebookEntry], index: int) -> str:
    """The navigation line for ``entries[index]``: previous, contents, next.

    Parameters
    ----------
    entries : sequence of NotebookEntry
        The whole suite, in order.
    index : int
        Position of the notebook the line is for.

    Returns
    -------
    str
        Markdown, starting with a horizontal rule.
    """
    parts = []
    if index > 0:
        prev = entries[index - 1]
        parts.append(f"[← {prev.number} {_link_text(prev.title)}]({prev.path.name})")
    overview = next((e for e in entries if e.number == OVERVIEW_NUMBER), None)
    if overview is not None and index != entries.index(overview):
        parts.append(f"[Contents]({overview.path.name}#Contents)")
    if index < len(entries) - 1:
        nxt = entries[index + 1]
        parts.append(f"[{nxt.number} {_link_text(nxt.title)} →]({nxt.path.name})")
    return "---\n\n" + " | ".join(parts)


def contents_markdown(entries: Sequence[NotebookEntry]) -> str:
    """The contents list: a ``## Contents`` heading and one linked line per notebook.

    Parameters
    ----------
    entries : sequence of NotebookEntry
        The whole suite, in order.

    Returns
    -------
    str
    """
    lines = ["## Contents", ""]
    lines += [f"- **{e.number}** [{_link_text(e.title)}]({e.path.name})" for e in entries]
    return "\n".join(lines)


def _tagged(nb: nbformat.NotebookNode, tag: str) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if tag in c.get("metadata", {}).get("tags", [])]


def _new_cell(nb: nbformat.NotebookNode, source: str, tag: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(source, metadata={"tags": [tag]})
    if nb.get("nbformat_minor", 0) >= 5:  # cell ids exist from nbformat 4.5
        taken = {c.get("id") for c in nb.cells}
        cell["id"] = tag if tag not in taken else f"{tag}-generated"
    else:
        cell.pop("id", None)
    return cell


def _set_cell(nb: nbformat.NotebookNode, tag: str, source: str, *, at_end: bool = False,
              before_tag: str | None = None) -> None:
    """Make exactly one markdown cell tagged ``tag`` hold ``source``.

    An existing cell keeps its id and place (unless ``at_end``); a new one goes
    before the first cell tagged ``before_tag``, or at the end.
    """
    found = _tagged(nb, tag)
    if found:
        cell = nb.cells[found[0]]
        cell.cell_type = "markdown"
        cell.source = source
        cell.pop("outputs", None)
        cell.pop("execution_count", None)
        for i in reversed(found[1:]):
            nb.cells.pop(i)
        if at_end and found[0] != len(nb.cells) - 1:
            nb.cells.append(nb.cells.pop(found[0]))
        return
    cell = _new_cell(nb, source, tag)
    anchor = _tagged(nb, before_tag) if before_tag and not at_end else []
    if anchor:
        nb.cells.insert(anchor[0], cell)
    else:
        nb.cells.append(cell)


def update_navigation(notebooks_dir: str | Path = NOTEBOOKS_DIR, *, only: Sequence[str] | None = None
                      ) -> list[Path]:
    """Regenerate the contents list and the prev/next cells of every notebook in ``notebooks_dir``.

    Parameters
    ----------
    notebooks_dir : str or Path, default=NOTEBOOKS_DIR
        Folder holding ``NN-*.ipynb``; whatever notebooks are there are linked.
    only : sequence of str or None, default=None
        Two-digit numbers of the notebooks to rewrite; the links always cover
        the whole suite. ``None`` rewrites all of them.

    Returns
    -------
    list of Path
        The notebooks that were rewritten (empty when everything was current).
    """
    entries = _entries(find_notebooks(notebooks_dir))
    selected = {p.name for p in find_notebooks(notebooks_dir, only=only)}
    changed = []
    for i, entry in enumerate(entries):
        if entry.path.name not in selected:
            continue
        nb = _read(entry.path)
        before = nbformat.writes(nb)
        if entry.number == OVERVIEW_NUMBER:
            _set_cell(nb, CONTENTS_TAG, contents_markdown(entries), before_tag=NAV_TAG)
        _set_cell(nb, NAV_TAG, nav_markdown(entries, i), at_end=True)
        after = nbformat.writes(nb)
        if after != before:
            nbformat.write(nb, entry.path)
            changed.append(entry.path)
    return changed
