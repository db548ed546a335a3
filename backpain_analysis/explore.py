"""The what-if explorer for JupyterLab: a client's next session, with the model's own estimate as the inputs change.

:func:`explore` builds an ipywidgets interface: a client picker, one input per
what-if column (the same inputs as the report's forms,
:func:`~backpain_analysis.check.whatif.form_inputs`), the estimate with its change
against the current one and the load state, and a bar chart of each factor's
contribution. Every number is computed by the model itself
(:meth:`~backpain_analysis.model.PainRiskModel.what_if` and
:meth:`~backpain_analysis.model.PainRiskModel.contributions`, on the client's
whole history, so the load history is recomputed).

ipywidgets belongs to the ``notebooks`` extra; it is imported only when an
explorer is built.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import pandas as pd

from .check.scoring import client_summary, score_sessions
from .check.whatif import change_text, form_inputs, input_specs, input_value, load_text, risk_text
from .factors import get_factor
from .features import prepare_log
from .model import with_changes
from .sessionlog.contract import Column, column
from .triage import NO_FLAG

__all__ = ["Explorer", "explore"]

_NEEDS_WIDGETS = ("explore() needs ipywidgets, which comes with the notebooks extra: "
                  "pip install 'backpain-analysis[notebooks]' (or run make setup in the repository)")
#: The yes/no choices of an input, as the report's forms offer them.
_YES_NO = (("yes", True), ("no", False), ("not recorded", None))


def _widgets() -> Any:
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(_NEEDS_WIDGETS) from None
    return ipywidgets


def _parse(col: Column, text: object) -> object:
    """A widget's value as a log value (``None``: not recorded); ValueError with the contract's words if not one."""
    if col.kind == "yesno":
        return text
    raw = str(text).strip()
    if raw == "":
        if col.level == "required":
            raise ValueError(f"{col.name}: enter {col.expected}")
        return None
    if col.kind == "time":
        ok = len(raw) == 5 and raw[2] == ":" and raw[:2].isdigit() and raw[3:].isdigit()
        if not (ok and int(raw[:2]) < 24 and int(raw[3:]) < 60):
            raise ValueError(f"{col.name}: enter {col.expected}")
        return raw
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ValueError(f"{col.name}: enter {col.expected}") from None
    if (not math.isfinite(value) or (col.min is not None and value < col.min)
            or (col.max is not None and value > col.max) or (col.kind == "integer" and not value.is_integer())):
        raise ValueError(f"{col.name}: enter {col.expected}")
    return value


class Explorer:
    """A what-if explorer of one log (what :func:`explore` returns); displays as its ipywidgets interface.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The interface: the picker, the inputs, the estimate and the chart.
    picker : ipywidgets.Dropdown
        The client.
    inputs : dict of str to ipywidgets widget
        One per what-if column: text for numbers and times (blank = not
        recorded), a yes / no / not recorded choice for yes/no columns.
    estimate : ipywidgets.HTML
        The estimate, its change against the current one and the load state.
    chart : ipywidgets.Image
        The bar chart of each factor's contribution (a PNG; empty when there is no estimate).
    result : dict
        What the interface shows: ``client``, ``risk`` (``None`` for a
        red-flagged client or a value the log would not accept), ``now``,
        ``change``, ``load``, ``message``, and ``contributions`` (a Series of
        log-odds by factor, from the model).
    """

    def __init__(self, log: pd.DataFrame, *, model: Any, client: str | None) -> None:
        widgets = _widgets()
        self._model = model
        self._log = log
        self._ids = log["client_id"].astype(str)
        scores = score_sessions(log, model)
        self._clients = client_summary(log, scores)
        self._columns = form_inputs()
        known = list(self._clients.index)
        if client is None:
            calm = self._clients.loc[self._clients["triage_level"] == NO_FLAG]
            client = str((calm if len(calm) else self._clients)["risk"].idxmax())
        elif str(client) not in known:
            shown = ", ".join(known[:10]) + (", ..." if len(known) > 10 else "")
            raise ValueError(f"explore: no client {client!r} in the log (clients: {shown})")
        self.picker = widgets.Dropdown(options=known, value=str(client), description="Client")
        self.inputs: dict[str, Any] = {}
        rows = []
        notes = {i["name"]: i["note"] for i in input_specs(model.linear_predictor_spec()["terms"])}
        for col in self._columns:
            if col.kind == "yesno":
                box = widgets.Dropdown(options=list(_YES_NO), layout=widgets.Layout(width="12em"))
            else:
                box = widgets.Text(placeholder="HH:MM" if col.kind == "time" else col.unit,
                                   continuous_update=False, layout=widgets.Layout(width="12em"))
            self.inputs[col.name] = box
            label = col.description + (f" ({col.unit})" if col.unit else "")
            rows.append(widgets.HBox([widgets.HTML(html.escape(label), layout=widgets.Layout(width="28em")), box,
                                      widgets.HTML(f"<small>{html.escape(notes[col.name])}</small>")]))
        self.estimate = widgets.HTML()
        self.chart = widgets.Image(format="png")
        self.widget = widgets.VBox([self.picker, *rows, self.estimate, self.chart])
        self.result: dict[str, Any] = {}
        self._loading = False
        self._load_client()
        self.picker.observe(lambda _: self._load_client(), names="value")
        for box in self.inputs.values():
            box.observe(lambda _: self.update(), names="value")

    # ------------------------------------------------------------------ the client and its latest session
    def _load_client(self) -> None:
        """Prefill the inputs with the picked client's latest session."""
        client = self.picker.value
        self._rows = self._log.loc[(self._ids == client).to_numpy()]
        self._latest = self._clients.loc[client, "latest_row"]
        latest = self._rows.loc[self._latest]
        flagged = self._clients.loc[client, "triage_level"] != NO_FLAG
        self._loading = True
        try:
            for col in self._columns:
                value = latest[col.name] if col.name in latest.index else None
                missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
                box = self.inputs[col.name]
                if col.kind == "yesno":
                    box.value = None if missing else bool(value)
                else:
                    box.value = "" if missing else input_value(float(value) if col.kind != "time" else str(value))
                box.disabled = flagged
        finally:
            self._loading = False
        self.update()

    def values(self) -> dict[str, object]:
        """The inputs as log values (``None``: not recorded).

        Raises
        ------
        ValueError
            A value the session-log contract does not accept, in its words.
        """
        return {col.name: _parse(col, self.inputs[col.name].value) for col in self._columns}

    def set(self, **values: object) -> dict[str, Any]:
        """Set some inputs (``warmup_min=8``, ``heavy_lifting=True``, ``start_time="17:00"``) and return :attr:`result`.

        Numbers may be given as numbers or text; ``None`` means not recorded.
        """
        unknown = sorted(set(values) - set(self.inputs))
        if unknown:
            raise ValueError(f"not a what-if input: {', '.join(unknown)} (inputs: {', '.join(self.inputs)})")
        self._loading = True
        try:
            for name, value in values.items():
                box = self.inputs[name]
                if column(name).kind == "yesno":
                    box.value = None if value is None else bool(value)
                elif value is None:
                    box.value = ""
                else:
                    number = isinstance(value, int | float) and not isinstance(value, bool)
                    box.value = input_value(float(value)) if number else str(value)
        finally:
            self._loading = False
        return self.update()

    # ------------------------------------------------------------------ the model's answer
    def update(self) -> dict[str, Any]:
        """Recompute the estimate and the chart from the inputs (called whenever an input changes)."""
        if self._loading:
            return self.result
        client = self.picker.value
        now = float(self._clients.loc[client, "risk"])
        where = np.asarray(self._rows.index == self._latest)
        result: dict[str, Any] = {"client": client, "risk": None, "now": now, "change": None, "load": "",
                                  "message": "", "contributions": pd.Series(dtype=float)}
        if self._clients.loc[client, "triage_level"] != NO_FLAG:
            result["message"] = ("Red flag: no training changes until a clinician has assessed this client; "
                                 "the estimate does not apply while a warning sign is open.")
        else:
            try:
                changes = {k: (np.nan if v is None else v) for k, v in self.values().items()}
                out = self._model.what_if(self._rows, where=where, **changes)
            except ValueError as error:
                result["message"] = str(error)
            else:
                prepared = prepare_log(with_changes(self._rows, where=where, **changes))
                row = prepared.loc[[self._latest]]
                result["risk"] = float(out["risk_if"].loc[self._latest])
                result["now"] = float(out["risk"].loc[self._latest])
                result["change"] = result["risk"] - result["now"]
                acwr = row["acwr"].astype("Float64").to_numpy("float64", na_value=np.nan)[0]
                history = bool(row["acute_load"].notna().iloc[0])
                result["load"] = load_text(None if np.isnan(acwr) else float(acwr), history=history)
                result["contributions"] = self._model.contributions(row).iloc[0].rename("log_odds")
        self.result = result
        self.estimate.value = self._estimate_html()
        self._draw()
        return result

    def text(self) -> str:
        """What the interface shows, as one line of plain text."""
        return self._words(lambda t: t, bold=lambda t: t)

    def _words(self, escape: Any, *, bold: Any) -> str:
        """The estimate line, its text passed through ``escape`` and the estimate through ``bold``."""
        r = self.result
        if r["risk"] is None:
            return f"Client {escape(r['client'])}: {bold(escape(r['message']))}"
        return (f"Client {escape(r['client'])}: estimate {bold(risk_text(r['risk']))} "
                f"({escape(change_text(r['change']))} against {risk_text(r['now'])} now); load: {escape(r['load'])}")

    def _estimate_html(self) -> str:
        colour = "#b71c1c" if self.result["risk"] is None else "inherit"
        return f"<p style='color:{colour}'>{self._words(html.escape, bold=lambda t: f'<b>{t}</b>')}</p>"

    def _draw(self) -> None:
        import io

        import matplotlib.pyplot as plt

        contributions = self.result["contributions"]
        if contributions.empty:
            self.chart.value = b""
            return
        shown = contributions.sort_values(kind="stable")
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(shown) + 1.2))
        ax.barh([get_factor(f).title for f in shown.index], shown.to_numpy(),
                color=np.where(shown.to_numpy() > 0, "tab:red", "tab:green"))
        ax.axvline(0, color="0.3", lw=0.8)
        ax.set_xlabel("log-odds against good practice (0)")
        ax.set_title(f"Client {self.result['client']}: {risk_text(self.result['risk'])} with these values",
                     fontsize=10)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        plt.close(fig)
        self.chart.value = buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        """The interface (a widget view, as ipywidgets 8 displays one) and a plain-text summary."""
        return {"text/plain": "What-if explorer. " + self.text(),
                "application/vnd.jupyter.widget-view+json": {"version_major": 2, "version_minor": 0,
                                                             "model_id": self.widget.model_id}}

    def __repr__(self) -> str:
        return "What-if explorer. " + self.text()


def explore(log: pd.DataFrame, *, model: Any = None, client: str | None = None) -> Explorer:
    """A what-if explorer of a client's next session, for JupyterLab (ipywidgets).

    The interface has a client picker, one input per what-if column (the
    session-level columns a modifiable factor reads, as the report's forms),
    prefilled with the client's latest session, the estimate with its change
    against the current one and the load state the planned duration and RPE
    would create, and a bar chart of each factor's contribution. The model
    computes every number (:meth:`~backpain_analysis.model.PainRiskModel.what_if`
    and :meth:`~backpain_analysis.model.PainRiskModel.contributions`); a
    red-flagged client gets no estimate (no training changes until a clinician
    has assessed them).

    Parameters
    ----------
    log : DataFrame of shape (n_sessions, n_columns)
        A validated session log (``load_log(...).data``) or a simulated one
        (row labels must be unique).
    model : PainRiskModel or None, default=None
        A fitted model; by default the bundled one.
    client : str or None, default=None
        The client shown first; by default the highest current risk among
        the clients without a red flag.

    Returns
    -------
    Explorer
        Displays as the interface (its ``widget``); ``set(...)`` changes
        inputs from code, ``result`` and ``text()`` give what it shows.

    Raises
    ------
    ImportError
        ipywidgets is not installed (it comes with the notebooks extra).
    ValueError
        ``client`` is not in the log, or the log's row labels repeat.

    See Also
    --------
    backpain_analysis.check.run_check : the report, whose what-if forms compute the same estimate in the page.

    Examples
    --------
    >>> from backpain_analysis import explore, simulate_cohort
    >>> log = simulate_cohort(n_clients=5, weeks=6, seed=1)
    >>> explorer = explore(log, client="C001")
    >>> explorer.set(warmup_min=15)["risk"] > 0
    True
    """
    _widgets()
    from .model import load_default_model

    if hasattr(log, "data") and not isinstance(log, pd.DataFrame):  # a ValidationResult
        log = log.data
    if not isinstance(log, pd.DataFrame):
        raise TypeError("explore expects a session log as a pandas DataFrame (load_log(...).data)")
    if not log.index.is_unique:
        raise ValueError("explore: the log's row labels repeat; use the validated log (load_log(...).data) "
                         "or log.reset_index(drop=True)")
    return Explorer(log, model=load_default_model() if model is None else model, client=client)
