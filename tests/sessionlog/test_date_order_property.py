"""A property of the date reader: a file's dates, written in any one order and format, read back as written, or
the file is refused as ambiguous; a date is never silently swapped."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpain_analysis.sessionlog import LogFileError, load_log

ORDERS = ("dmy", "mdy", "ymd")


@st.composite
def _written_date(draw, order: str) -> tuple[dt.date, str]:
    """A date and one way a spreadsheet or a person writes it in ``order``."""
    day = draw(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
    sep = draw(st.sampled_from(["-", "/", "."]))
    zeros = draw(st.booleans())
    d, m = (f"{day.day:02d}", f"{day.month:02d}") if zeros else (str(day.day), str(day.month))
    if order == "ymd":
        text = sep.join([f"{day.year}", m, d])
    else:
        year = f"{day.year}" if draw(st.booleans()) else f"{day.year % 100:02d}"
        text = sep.join([d, m, year] if order == "dmy" else [m, d, year])
    text += draw(st.sampled_from(["", "", " 00:00:00", " 18:30", "T07:45:00"]))
    pad = draw(st.sampled_from(["", " ", "\u00a0"]))
    return day, pad + text + pad


@st.composite
def _logs(draw):
    order = draw(st.sampled_from(ORDERS))
    dates = draw(st.lists(_written_date(order), min_size=1, max_size=12))
    return order, dates


def _reads_both_ways(day: dt.date) -> bool:
    """True when the day-first and month-first readings of the written date are both real dates."""
    return day.day <= 12


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(log=_logs(), sep=st.sampled_from([",", ";"]))
def test_dates_read_back_as_written_or_the_file_is_refused(tmp_path_factory, log, sep):
    order, dates = log
    lines = [sep.join(["client_id", "date", "duration_min", "rpe"])]
    lines += [sep.join([f"C{i}", text, "60", "6"]) for i, (_, text) in enumerate(dates)]
    path = tmp_path_factory.mktemp("dates") / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written = [day for day, _ in dates]
    try:
        res = load_log(path)
    except LogFileError as exc:
        # refused only when no date tells the order: every one reads both ways as different dates or the same
        assert "--date-order" in str(exc) and order != "ymd", str(exc)
        assert all(_reads_both_ways(day) for day in written)
        assert any(day.day != day.month for day in written)
    else:
        assert res.ok, res.problem_report()
        assert res.data["date"].dt.date.tolist() == written  # never swapped
        if order == "ymd" or all(day.day == day.month for day in written):
            assert res.date_order in ("ymd", None)
        else:
            assert res.date_order == order
    # told the order, every file reads back as written
    told = load_log(path, date_order=order)
    assert told.ok and told.data["date"].dt.date.tolist() == written and told.date_order == order


@pytest.mark.parametrize("order", ["dmy", "mdy"])
def test_the_other_order_never_reads_a_date_that_only_one_order_allows(write_csv, order):
    """Told the wrong order, a date that reads only one way is rejected, not swapped."""
    text = "15.03.2026" if order == "dmy" else "03.15.2026"
    wrong = "mdy" if order == "dmy" else "dmy"
    res = load_log(write_csv(f"client_id,date,duration_min,rpe\nA,{text},60,6\n"), date_order=wrong)
    assert res.n_accepted == 0 and res.n_rejected == 1
    assert f"this file's dates are {'month' if wrong == 'mdy' else 'day'} first ({wrong}" in res.problems["problem"][0]
