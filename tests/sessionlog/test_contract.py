"""The session-log contract: its columns and the table that lists them."""

from __future__ import annotations

from backpain_analysis.sessionlog import COLUMNS, REQUIRED_COLUMNS, contract_table


def test_contract_table_lists_every_column():
    table = contract_table()
    assert table["column"].tolist() == [c.name for c in COLUMNS]
    assert set(REQUIRED_COLUMNS) == {"client_id", "date", "duration_min", "rpe"}
