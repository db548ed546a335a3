"""The session-log contract: its columns and the table that lists them."""

from __future__ import annotations

from backpain_analysis.sessionlog import COLUMNS, REQUIRED_COLUMNS, contract_table


def test_contract_table_lists_every_column():
    table = contract_table()
    assert table["column"].tolist() == [c.name for c in COLUMNS]
    assert set(REQUIRED_COLUMNS) == {"client_id", "date", "duration_min", "rpe"}


def test_contract_table_explains_the_red_flag_columns():
    table = contract_table().set_index("column")
    intake = table.index[table["level"] == "intake"]
    assert set(intake) == {"birth_year", "history_of_cancer", "weight_loss", "osteoporosis", "steroids",
                           "immunosuppressed", "iv_drug_use"}
    assert table.loc["birth_year", "expected"].startswith("a whole number from 1900 to ")
    for name in ("bladder_sensation", "sexual_dysfunction", "leg_weakness_severe", "gait_disturbance", "unwell",
                 "night_pain", "major_trauma"):
        assert table.loc[name, "level"] == "symptom" and len(table.loc[name, "description"]) > 15
    assert "both legs" in table.loc["leg_weakness_severe", "description"]
    assert "however mild" in table.loc["leg_weakness", "description"]


def test_red_flag_columns_are_never_factor_inputs():
    from backpain_analysis.factors import RISK_FACTORS

    red_flag_only = {c.name for c in COLUMNS if c.level in ("symptom", "intake")}
    assert not red_flag_only & {name for f in RISK_FACTORS for name in f.inputs}
