"""The report's charts: one client's training load and risk, as a PNG data URI, drawn in worker processes.

:func:`plot_client` draws; :class:`ChartRenderer` draws many of them in forked
worker processes while the caller writes the CSV files, and falls back to
drawing in the calling process whenever workers cannot help.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..factors import ACWR_SPIKE, ACWR_SWEET_SPOT
from ..safety import printable
from ..tiers import RISK_TIERS, TIER_ORDER, TIER_STYLES
from ..workers import fork_cores, quiet_fork
from .scoring import client_ids

__all__ = ["ACWR_DANGER", "PARALLEL_CHARTS", "ChartRenderer", "ClientChart", "acwr_zones", "chart_uri", "plot_client",
           "png_data_uri"]

#: The acute:chronic ratio above which the load chart shades the spike zone (the ``load_spike`` threshold).
ACWR_DANGER = ACWR_SPIKE
#: Charts below this number are drawn in the calling process (starting workers would cost more).
PARALLEL_CHARTS = 6


def acwr_zones() -> str:
    """The load chart's acute:chronic zones in words, from the factor constants (``"green 0.8-1.3, red > 1.5"``)."""
    lo, hi = ACWR_SWEET_SPOT
    return f"green {lo:g}-{hi:g}, red > {ACWR_DANGER:g}"


class ClientChart:
    """The figure of :func:`plot_client`, built once and redrawn for client after client.

    Building a figure (its axes, ticks, spans and formatters) costs about as
    much as drawing it; a chart worker builds one and gives it each client's
    data in turn (:meth:`draw`), which halves the cost of a report's charts.
    What :meth:`draw` shows depends only on the client's data, never on the
    client drawn before (a test compares charts drawn on fresh and reused
    figures byte for byte).

    Parameters
    ----------
    pyplot : bool, default=False
        Make the figure through pyplot, which a notebook then shows (as
        :func:`plot_client` does); by default the figure is held only by this
        object.
    """

    #: Ratios above this are drawn at the top edge of the acute:chronic axis, as triangles.
    TOP = 3.0

    def __init__(self, *, pyplot: bool = False) -> None:
        import matplotlib.dates as mdates
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator, PercentFormatter

        if pyplot:  # a figure that pyplot (and so a notebook) shows
            import matplotlib.pyplot as plt

            fig = plt.figure(figsize=(8, 4.8))
        else:  # one that only this object holds: kept for the next client, never shown by a notebook's pyplot
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            fig = Figure(figsize=(8, 4.8))
            FigureCanvasAgg(fig)  # its own PNG canvas, whose renderer each save reuses
        ax1, ax_rest, ax3 = fig.subplots(3, 1, sharex=True, height_ratios=[3, 1, 2])
        fig.subplots_adjust(left=0.1, right=0.9, top=0.92, bottom=0.1, hspace=0.15)
        no_days = np.array([], dtype="datetime64[ns]")
        # vlines draws all bars as one collection: far cheaper than one patch per session
        self.bars = ax1.vlines(no_days, 0, [], color="0.55", lw=4)
        ax1.set_ylabel("session load", fontsize=8)
        ax2 = ax1.twinx()
        ax2.axhspan(*ACWR_SWEET_SPOT, color="tab:green", alpha=0.12, lw=0)
        ax2.axhspan(ACWR_DANGER, self.TOP, color="tab:red", alpha=0.12, lw=0)
        (self.ratio,) = ax2.plot(no_days, [], "o-", color="tab:blue", ms=3, lw=1.2)
        (self.over,) = ax2.plot(no_days, [], "^", color="tab:blue", ms=6, clip_on=False)
        ax2.set_ylim(0, self.TOP)
        ax2.set_ylabel("acute:chronic", fontsize=8, color="tab:blue")
        self.title = ax1.set_title("", fontsize=9, parse_math=False, loc="left")
        (self.rest,) = ax_rest.step(no_days, [], where="mid", color="0.3", lw=1)
        ax_rest.set_ylim(-0.5, 7.5)
        ax_rest.set_yticks([0, 7])
        ax_rest.set_ylabel("rest days\nprev. 7", fontsize=7)
        # every tier's band, in the registry's colours; each draw shows those below the axis top, cut there
        self.bands = [ax3.axhspan(*RISK_TIERS[tier], color=TIER_STYLES[tier].fill, lw=0) for tier in TIER_ORDER]
        (self.risk,) = ax3.plot(no_days, [], "o-", color="k", ms=3, lw=1)
        ax3.set_ylabel("risk of back pain\nwithin 48 h", fontsize=8)
        ax3.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        locator = mdates.AutoDateLocator(maxticks=8)
        ax3.xaxis.set_major_locator(locator)
        ax3.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        for ax in (ax1, ax2, ax3):  # a few labelled ticks read as well as many and draw in half the time
            ax.yaxis.set_major_locator(MaxNLocator(4))
        for ax in (ax1, ax2, ax_rest, ax3):
            ax.tick_params(labelsize=7)
        self.fig, self.load_axes, self.ratio_axes, self.rest_axes, self.risk_axes = fig, ax1, ax2, ax_rest, ax3

    def draw(self, data: pd.DataFrame, scores: pd.DataFrame, client_id: str) -> object:
        """Show one client's chart (see :func:`plot_client` for the parameters) and return the figure."""
        import matplotlib.dates as mdates

        from ..features import prepare_log

        mask = (client_ids(data) == str(client_id)).to_numpy()
        prepared = prepare_log(data.loc[mask])
        order = np.argsort(pd.to_datetime(prepared["date"]).to_numpy(), kind="stable")
        dates = pd.to_datetime(prepared["date"]).to_numpy()[order]
        load = prepared["session_load"].astype(float).to_numpy()[order]
        acwr = prepared["acwr"].astype(float).replace(np.inf, np.nan).to_numpy()[order]
        rest = prepared["rest_days_prev7"].astype(float).to_numpy()[order]
        risk = scores.loc[mask, "risk"].to_numpy(float)[order]

        days = mdates.date2num(dates)
        self.bars.set_segments([[(d, 0.0), (d, v)] for d, v in zip(days, load, strict=True)])
        self.load_axes.set_ylim(0, max(1.0, float(np.nanmax(load)) * 1.1) if len(load) else 1.0)
        self.ratio.set_data(dates, np.minimum(acwr, self.TOP))
        over = acwr > self.TOP
        self.over.set_data(dates[over], np.full(over.sum(), self.TOP))
        self.title.set_text(f"Client {printable(client_id)}: session load (bars), acute:chronic ratio "
                            f"(blue; {acwr_zones()})")
        self.rest.set_data(dates, rest)
        ymax = max(0.3, float(np.nanmax(risk)) * 1.15) if len(risk) else 0.3
        for tier, band in zip(TIER_ORDER, self.bands, strict=True):
            a, b = RISK_TIERS[tier]
            band.set_visible(a < ymax)
            band.set_y(a)
            band.set_height(min(b, ymax) - a)
        self.risk.set_data(dates, risk)
        self.risk_axes.set_ylim(0, ymax)
        # the dates decide the shared date axis afresh (a single training day gets a week's width)
        for ax in (self.load_axes, self.ratio_axes, self.rest_axes, self.risk_axes):
            ax.relim()
        self.risk_axes.set_autoscalex_on(True)
        if len(dates) and dates.min() == dates.max():
            self.risk_axes.set_xlim(dates.min() - np.timedelta64(3, "D"), dates.max() + np.timedelta64(4, "D"))
        else:
            self.risk_axes.autoscale_view(scalex=True, scaley=False)
        return self.fig


def plot_client(data: pd.DataFrame, scores: pd.DataFrame, client_id: str) -> object:
    """Training-load and risk chart of one client.

    Top: daily session load (RPE x minutes) as bars with the acute:chronic
    ratio on a second axis, the :data:`~backpain_analysis.factors.ACWR_SWEET_SPOT`
    zone shaded green and the zone above
    :data:`~backpain_analysis.factors.ACWR_SPIKE` red (the title says which,
    from :func:`acwr_zones`). Middle: rest days in the 7 days before each
    session (gaps between bars are the rest days themselves). Bottom: estimated risk per session with the tier bands in
    the colours of :data:`~backpain_analysis.tiers.TIER_STYLES`.

    Parameters
    ----------
    data : DataFrame
        Accepted rows of a validated log.
    scores : DataFrame
        From :func:`~backpain_analysis.check.score_sessions`, in the same row
        order as ``data``.
    client_id : str

    Returns
    -------
    matplotlib Figure
        A new figure (see :class:`ClientChart` for one redrawn per client).
    """
    return ClientChart(pyplot=True).draw(data, scores, client_id)


def png_data_uri(fig: object, *, dpi: int = 72, close: bool = True) -> str:
    """Save a figure as a PNG ``data:`` URI (for a self-contained HTML page), and close it.

    Parameters
    ----------
    fig : matplotlib Figure
    dpi : int, default=72
    close : bool, default=True
        Close the figure (``False`` keeps a :class:`ClientChart`'s figure for the next client).

    Returns
    -------
    str
    """
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    if close:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@functools.cache
def _process_chart() -> ClientChart:
    """This process's figure, built on its first chart (a forked worker inherits it)."""
    return ClientChart()


def chart_uri(data: pd.DataFrame, scores: pd.DataFrame, client_id: str) -> str:
    """One client's :func:`plot_client` chart as a PNG data URI, drawn on this process's :class:`ClientChart`."""
    return png_data_uri(_process_chart().draw(data, scores, client_id), close=False)


class ChartRenderer:
    """Draw the report's charts in worker processes while the caller goes on, or in-process.

    Workers are forked (Linux), so they start at once with the data already
    in memory; anywhere fork is not available, with a single usable core or
    fewer than :data:`PARALLEL_CHARTS` charts, the charts are drawn in the
    calling process, one by one, as :meth:`results` is iterated. A worker
    failure falls back to that as well, so a chart never fails the check
    because of the pool.

    Parameters
    ----------
    data : DataFrame
        Accepted rows of a validated log (only the charted clients' rows are needed).
    scores : DataFrame
        From :func:`~backpain_analysis.check.score_sessions`, in the same row order.
    clients : list of str
        The clients to chart, in order.
    """

    def __init__(self, data: pd.DataFrame, scores: pd.DataFrame, clients: list[str]):
        self.data, self.scores, self.clients = data, scores, clients
        self.pool, self.futures = None, []

    def __enter__(self) -> ChartRenderer:
        import multiprocessing

        cores = fork_cores()
        if len(self.clients) < PARALLEL_CHARTS or cores < 2:
            return self
        from concurrent.futures import ProcessPoolExecutor

        try:
            with quiet_fork():
                self.pool = ProcessPoolExecutor(max_workers=min(2, cores),
                                                mp_context=multiprocessing.get_context("fork"))
                ids = client_ids(self.data).to_numpy()
                for c in self.clients:
                    own = ids == str(c)
                    self.futures.append(self.pool.submit(chart_uri, self.data.loc[own], self.scores.loc[own], c))
        except OSError:  # no processes to be had: draw them here
            self._shutdown()
        return self

    def results(self) -> Iterator[str]:
        """The charts' data URIs, in the order of the clients."""
        for i, c in enumerate(self.clients):
            uri = None
            if self.pool is not None:
                try:
                    uri = self.futures[i].result()
                except Exception:  # a broken worker: this and the remaining charts are drawn here
                    self._shutdown()
            yield uri if uri is not None else chart_uri(self.data, self.scores, c)

    def _shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None

    def __exit__(self, *exc: object) -> None:
        self._shutdown()
