"""The report's charts: tier bands and zones from the registries, worker processes, the in-process fallback."""

from __future__ import annotations

import os

import pytest
from matplotlib.colors import to_rgba

from backpain_analysis.check import charts
from backpain_analysis.check.charts import ChartRenderer, acwr_zones, plot_client
from backpain_analysis.factors import ACWR_SPIKE, ACWR_SWEET_SPOT
from backpain_analysis.tiers import RISK_TIERS, TIER_ORDER, TIER_STYLES


@pytest.fixture(scope="module")
def chart_inputs(example_clients):
    data, _, scores = example_clients
    return data, scores, sorted(data["client_id"].unique())[:8]


def test_tier_bands_take_their_colours_from_the_registry(chart_inputs):
    data, scores, clients = chart_inputs
    fig = plot_client(data, scores, clients[0])
    risk_axes = fig.axes[2]
    drawn = [t for t in TIER_ORDER if RISK_TIERS[t][0] < risk_axes.get_ylim()[1]]
    assert len(drawn) >= 2
    shown = [p for p in risk_axes.patches if p.get_visible()]
    assert [tuple(p.get_facecolor()) for p in shown] == [to_rgba(TIER_STYLES[t].fill) for t in drawn]
    assert shown[-1].get_y() + shown[-1].get_height() == pytest.approx(risk_axes.get_ylim()[1])  # cut at the top


def test_a_chart_does_not_depend_on_the_client_drawn_before(chart_inputs):
    """A reused figure (one per chart worker) draws each client byte for byte as a new figure does."""
    data, scores, clients = chart_inputs
    fresh = {c: charts.png_data_uri(plot_client(data, scores, c)) for c in clients}
    chart = charts.ClientChart()
    for c in [*reversed(clients), clients[0]]:
        assert charts.png_data_uri(chart.draw(data, scores, c), close=False) == fresh[c], c
    one_day = data.loc[data["client_id"] == clients[1]].iloc[:1]  # a single training day: a week's width
    days = charts.png_data_uri(chart.draw(one_day, scores.loc[one_day.index], clients[1]), close=False)
    assert days == charts.png_data_uri(plot_client(one_day, scores.loc[one_day.index], clients[1]))
    lo, hi = chart.risk_axes.get_xlim()
    assert round(hi - lo) == 7
    assert charts.png_data_uri(chart.draw(data, scores, clients[2])) == fresh[clients[2]]


def test_chart_title_reads_the_acute_chronic_constants(chart_inputs):
    data, scores, clients = chart_inputs
    lo, hi = ACWR_SWEET_SPOT
    assert acwr_zones() == f"green {lo:g}-{hi:g}, red > {ACWR_SPIKE:g}" == "green 0.8-1.3, red > 1.5"
    fig = plot_client(data, scores, clients[0])
    assert fig.axes[0].get_title(loc="left").endswith(f"acute:chronic ratio (blue; {acwr_zones()})")
    zones = fig.axes[3].patches  # the ratio's twin axes: sweet spot, then the spike zone
    assert [(p.get_y(), round(p.get_y() + p.get_height(), 9)) for p in zones][:2] == [
        (lo, hi), (ACWR_SPIKE, 3.0)]


def test_charts_drawn_in_workers_match_charts_drawn_here(chart_inputs, monkeypatch):
    data, scores, clients = chart_inputs
    with ChartRenderer(data, scores, clients) as renderer:
        parallel = list(renderer.results())
        used_pool = renderer.pool is not None
    monkeypatch.setattr(charts, "PARALLEL_CHARTS", 10**9)
    with ChartRenderer(data, scores, clients) as renderer:
        assert renderer.pool is None
        serial = list(renderer.results())
    assert parallel == serial and all(uri.startswith("data:image/png;base64,") for uri in serial)
    assert used_pool or not hasattr(os, "fork")


def test_a_failing_chart_worker_falls_back_to_drawing_here(chart_inputs, monkeypatch):
    data, scores, clients = chart_inputs
    parent, real = os.getpid(), charts.png_data_uri

    def only_here(fig, **options):
        if os.getpid() != parent:
            raise RuntimeError("a worker breaks")
        return real(fig, **options)

    monkeypatch.setattr(charts, "png_data_uri", only_here)
    with ChartRenderer(data, scores, clients) as renderer:
        uris = list(renderer.results())
    assert len(uris) == len(clients) and all(u.startswith("data:image/png;base64,") for u in uris)
