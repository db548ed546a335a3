"""The report's charts: one client's training load and risk, as a PNG data URI, drawn in worker processes.

:func:`plot_client` draws; :class:`ChartRenderer` draws many of them in forked
worker processes while the caller writes the CSV files, and falls back to
drawing in the calling process whenever workers cannot help.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..factors import ACWR_SPIKE, ACWR_SWEET_SPOT
from ..safety import printable
from ..tiers import RISK_TIERS, TIER_ORDER, TIER_STYLES
from ..workers import fork_cores, quiet_fork
from .scoring import client_ids

__all__ = ["ACWR_DANGER", "PARALLEL_CHARTS", "ChartRenderer", "acwr_zones", "chart_uri", "plot_client",
           "png_data_uri"]

#: The acute:chronic ratio above which the load chart shades the spike zone (the ``load_spike`` threshold).
ACWR_DANGER = ACWR_SPIKE
#: Charts below this number are drawn in the calling process (starting workers would cost more).
PARALLEL_CHARTS = 6


def acwr_zones() -> str:
    """The load chart's acute:chronic zones in words, from the factor constants (``"green 0.8-1.3, red > 1.5"``)."""
    lo, hi = ACWR_SWEET_SPOT
    return f"green {lo:g}-{hi:g}, red > {ACWR_DANGER:g}"


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
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    from ..features import prepare_log

    mask = (client_ids(data) == str(client_id)).to_numpy()
    prepared = prepare_log(data.loc[mask])
    order = np.argsort(pd.to_datetime(prepared["date"]).to_numpy(), kind="stable")
    dates = pd.to_datetime(prepared["date"]).to_numpy()[order]
    load = prepared["session_load"].astype(float).to_numpy()[order]
    acwr = prepared["acwr"].astype(float).replace(np.inf, np.nan).to_numpy()[order]
    rest = prepared["rest_days_prev7"].astype(float).to_numpy()[order]
    risk = scores.loc[mask, "risk"].to_numpy(float)[order]

    fig, (ax1, ax_rest, ax3) = plt.subplots(3, 1, figsize=(8, 4.8), sharex=True, height_ratios=[3, 1, 2])
    fig.subplots_adjust(left=0.1, right=0.9, top=0.92, bottom=0.1, hspace=0.15)
    # vlines draws all bars as one collection: far cheaper than one patch per session
    ax1.vlines(dates, 0, load, color="0.55", lw=4)
    ax1.set_ylim(0, max(1.0, float(np.nanmax(load)) * 1.1))
    ax1.set_ylabel("session load", fontsize=8)
    ax2 = ax1.twinx()
    top = 3.0  # ratios above 3 are drawn at the top edge, as triangles
    ax2.axhspan(*ACWR_SWEET_SPOT, color="tab:green", alpha=0.12, lw=0)
    ax2.axhspan(ACWR_DANGER, top, color="tab:red", alpha=0.12, lw=0)
    ax2.plot(dates, np.minimum(acwr, top), "o-", color="tab:blue", ms=3, lw=1.2)
    over = acwr > top
    ax2.plot(dates[over], np.full(over.sum(), top), "^", color="tab:blue", ms=6, clip_on=False)
    ax2.set_ylim(0, top)
    ax2.set_ylabel("acute:chronic", fontsize=8, color="tab:blue")
    ax1.set_title(f"Client {printable(client_id)}: session load (bars), acute:chronic ratio (blue; {acwr_zones()})",
                  fontsize=9, parse_math=False, loc="left")
    ax_rest.step(dates, rest, where="mid", color="0.3", lw=1)
    ax_rest.set_ylim(-0.5, 7.5)
    ax_rest.set_yticks([0, 7])
    ax_rest.set_ylabel("rest days\nprev. 7", fontsize=7)
    ymax = max(0.3, float(np.nanmax(risk)) * 1.15) if len(risk) else 0.3
    for tier in TIER_ORDER:
        a, b = RISK_TIERS[tier]
        if a < ymax:
            ax3.axhspan(a, min(b, ymax), color=TIER_STYLES[tier].fill, lw=0)
    ax3.plot(dates, risk, "o-", color="k", ms=3, lw=1)
    ax3.set_ylim(0, ymax)
    ax3.set_ylabel("risk of back pain\nwithin 48 h", fontsize=8)
    ax3.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    if len(dates) and dates.min() == dates.max():  # one training day: give the date axis a week's width
        ax3.set_xlim(dates.min() - np.timedelta64(3, "D"), dates.max() + np.timedelta64(4, "D"))
    locator = mdates.AutoDateLocator(maxticks=8)
    ax3.xaxis.set_major_locator(locator)
    ax3.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for ax in (ax1, ax2, ax3):  # a few labelled ticks read as well as many and draw in half the time
        ax.yaxis.set_major_locator(MaxNLocator(4))
    for ax in (ax1, ax2, ax_rest, ax3):
        ax.tick_params(labelsize=7)
    return fig


def png_data_uri(fig: object, *, dpi: int = 72) -> str:
    """Save a figure as a PNG ``data:`` URI (for a self-contained HTML page) and close it.

    Parameters
    ----------
    fig : matplotlib Figure
    dpi : int, default=72

    Returns
    -------
    str
    """
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def chart_uri(data: pd.DataFrame, scores: pd.DataFrame, client_id: str) -> str:
    """One client's :func:`plot_client` chart as a PNG data URI."""
    return png_data_uri(plot_client(data, scores, client_id))


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
