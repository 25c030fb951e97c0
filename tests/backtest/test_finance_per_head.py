"""Back test: Kent's ASC-FR 2014-15 spend per head, from the bundled raw files, worked by hand.

Sources, read by hand:

* ``public/asc-fr-2014-15/pss-exp-eng-14-15-fin-coun-lev-bri-data.csv`` (Windows-1252,
  GBP thousands), column ``820 - Kent``: line 89 "Grand total gross expenditure", 2014 -
  2015, Total, "Gross total cost: total expenditure" = 474261; line 91, the same with "Net
  total expenditure" = 374254.
* ``public/ons-mye/ukpopestimatesmid2020on2021geography.xls``, sheet MYE4, row 288 (E10000016
  Kent), column "Mid-2014" = 1509301 (the same in ukmidyearestimates20192020ladcodes.xls,
  sheet "MYE 5", row 291, "Estimated Population mid-2014").

Gross: 474,261,000 / 1,509,301. 1,509,301 x 314 = 473,920,514; the remainder 340,486 /
1,509,301 = 0.2256 (1,509,301 x 0.225 = 339,592.7; 893.3 left = 0.0006), so GBP 314.23.
Net: 374,254,000 / 1,509,301. 1,509,301 x 247 = 372,797,347; the remainder 1,456,653 /
1,509,301 = 0.9651 (1,509,301 x 0.965 = 1,456,475.5; 177.5 left = 0.0001), so GBP 247.97.
"""

import pytest

from kassanalysis.analysis.finance import benchmark_spend_per_head

pytestmark = pytest.mark.backtest

KENT = "E10000016"
BRIDGING = "public/asc-fr-2014-15/pss-exp-eng-14-15-fin-coun-lev-bri-data.csv"


def test_kent_2014_15_total_spend_per_head_of_all_ages_population(built):
    tables = built.tables
    assert 2014 not in set(tables["population"]["year"])  # no MYE2 mid-2014 in data/raw
    table = benchmark_spend_per_head(
        tables["finance_lines"],
        tables["population"],
        tables["comparator_members"],
        group_id="kent-nearest-neighbours",
        financial_year="2014-15",
        focus_code=KENT,
        population_totals=tables["population_totals"],
    )
    kent = table[
        table["is_focus"] & (table["support_type"] == "Grand total gross expenditure")
    ].set_index("measure")
    assert kent.loc["Gross total cost: total expenditure", "per_head"] == pytest.approx(
        314.23, abs=0.005
    )
    assert kent.loc["Net total expenditure", "per_head"] == pytest.approx(247.97, abs=0.005)
    assert set(kent["population"]) == {1_509_301.0}
    assert set(kent["denominator"]) == {"all ages, mid-2014"}
    assert kent[["source_file", "source_line"]].values.tolist() == [[BRIDGING, 89], [BRIDGING, 91]]
    # the 18-64 and 65+ lines wait for mid-2014 estimates by age: kept, not divided
    banded = table[table["age_band"].isin(["Adults aged 18 to 64", "Adults aged 65 and over"])]
    assert len(banded) and banded["per_head"].isna().all()
