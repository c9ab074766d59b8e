"""The large-loads report (docs/large-loads.md) runs from its command and says what the runs say."""

from experiments.large_loads_report import report


def test_large_loads_report_table():
    text = report(seeds=2, years=4)
    assert text.startswith("| | 2,000 MW at Rs 22.98 flat | same, interruptible | sandbox (1,500 MW cap) |")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| ")}
    # the interruptible tariff is never a subsidy; every difference carries an interval over two seeds
    assert "| 0.0 / 0.0 |" in rows["of which subsidy in loss-making months (Rs bn), FY26 / FY27"]
    assert " ± " in rows["change in circular-debt flow (Rs bn), FY26 / FY27"]
    assert text.endswith("identical to the baseline in every seed.")
