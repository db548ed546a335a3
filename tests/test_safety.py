"""Formula neutralisation for spreadsheet output."""

from __future__ import annotations

import pandas as pd
import pytest

from backpain_analysis.safety import neutralise_cell, neutralise_frame


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "=HYPERLINK(\"http://x\")"])
def test_formulas_are_neutralised(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-5", "+3.5", "-0,5", "abc", "", 5, -3.2, None])
def test_numbers_and_plain_text_are_left_alone(value):
    assert neutralise_cell(value) == value


def test_frame_only_touches_text_cells():
    frame = pd.DataFrame({"name": ["=cmd", "ok"], "risk": [-0.5, 0.2]})
    out = neutralise_frame(frame)
    assert out["name"].tolist() == ["'=cmd", "ok"] and out["risk"].tolist() == [-0.5, 0.2]


def test_frame_neutralises_categorical_text_once_per_category():
    frame = pd.DataFrame({"t": pd.Categorical(["=x", "ok", "=x", None, "'=x"])})
    out = neutralise_frame(frame)
    # "=x" and "'=x" become the same text: still one category, and the missing cell stays missing
    assert out["t"].tolist()[:3] == ["'=x", "ok", "'=x"] and pd.isna(out["t"].iloc[3]) and out["t"].iloc[4] == "'=x"
    assert list(out["t"].cat.categories) == ["'=x", "ok"]


def test_frame_leaves_unchanged_columns_as_they_are():
    frame = pd.DataFrame({"name": pd.array(["a", "b"], dtype="string"), "n": [1, 2]})
    out = neutralise_frame(frame)
    assert out["name"].dtype == frame["name"].dtype and out["name"].tolist() == ["a", "b"]


def test_codes_give_the_neutralised_text_of_every_cell_and_say_when_it_changed():
    from backpain_analysis.safety import neutralised_codes

    codes, texts, changed = neutralised_codes(pd.Series(["=a", "b", None, "=a"], dtype=object))
    assert changed and [texts[c] if c >= 0 else None for c in codes] == ["'=a", "b", None, "'=a"]
    assert neutralised_codes(pd.Series(["x", "y"]))[2] is False
    assert neutralised_codes(pd.Series([1.0, 2.0])) is None
