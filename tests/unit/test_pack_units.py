"""Units on the workbook's column headers come from the reference's measures."""

import pandas as pd

from kassanalysis.publish.spreadsheet import money_columns, units_for
from kassanalysis.reference import make_reference_from_frames


def test_a_new_money_measure_gets_its_unit_without_code_changes():
    measures = pd.DataFrame(
        {
            "id": ["day_care", "fte"],
            "name": ["Day care", "FTE"],
            "unit_of_measure": ["GBP thousands", "FTE"],
            "aliases": ["day care", "fte"],
        }
    )
    money = money_columns(make_reference_from_frames(measures))
    assert "day_care" in money and "fte" not in money
    assert "forecast_variance" in money  # computed by the reports from money measures
    assert units_for("budget_lines", ["line_name", "day_care", "fte"], money) == {
        "day_care": "GBP thousands"
    }
