"""The large-loads report (docs/large-loads.md) runs from its command and says what the runs say."""

from experiments.large_loads_report import by_year, report


def test_large_loads_report_table():
    text = report(seeds=2, years=4)
    assert text.startswith("| | 2,000 MW at Rs 22.98 flat | same, ASICs sunk | sunk, interruptible | "
                           "sunk, sandbox (1,500 MW cap) |")
    rows = {line.split(" | ")[0].lstrip("| "): line.rstrip(" |").split(" | ")[1:]
            for line in text.splitlines() if line.startswith("| ")}
    # as shipped, the plan's entry NPV (with the ASICs) is negative: no miner comes
    assert rows["energy sold to miners (GWh), FY26 / FY27"][0] == "0 / 0"
    # with the ASICs sunk they run; the interruptible tariff is never a subsidy, the flat one is
    subsidy = rows["of which subsidy in loss-making months (Rs bn), FY26 / FY27"]
    assert subsidy[2] == "0.0 / 0.0" and subsidy[1] != "0.0 / 0.0"
    # every difference carries an interval over two seeds
    assert " ± " in rows["change in circular-debt flow (Rs bn), FY26 / FY27"][1]
    assert text.endswith("identical to the baseline in every seed.")


def test_by_year_table_shows_the_plan_refused_and_the_sunk_plan_lowering_the_hashprice():
    table = by_year(seed=1, years=3)
    assert (table["plan − base (Rs/kWh)"] == 0).all()
    assert table.loc["FY2026", "hashprice, sunk (USD/PH/day)"] < table.loc["FY2026", "hashprice, base (USD/PH/day)"]
    assert table.loc["FY2026", "FX net, sunk (USD m)"] < table.loc["FY2026", "FX gross, sunk (USD m)"]
