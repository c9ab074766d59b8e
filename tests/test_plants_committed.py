"""Committed additions in pakistan-2025 (Tarbela T5, Mohmand, Dasu stage I, Chashma C-5): out of the
market and unpaid before their commissioning month, offering and paid from it, so the forward cost base
grows with them; their dates are levers."""

import datetime as dt

import numpy as np
import pytest

from experiments.simulate import prepare
from model.dates import add_months
from model.plants import build_fleet

ADDITIONS = {"tarbela_t5": 1530, "mohmand_dam": 800, "dasu_stage1": 2160, "chashma_c5": 1200}


@pytest.fixture(scope="module")
def fleet():
    sc = prepare("pakistan-2025").scenario
    return sc, build_fleet(sc.plants, {k: np.asarray(v) for k, v in sc.profiles.shapes.items()}, sc.fuel_contracts)


def test_each_addition_enters_and_is_paid_from_its_commissioning_month(fleet):
    sc, f = fleet
    rows = {p.id: j for j, p in enumerate(sc.plants)}
    for pid, mw in ADDITIONS.items():
        j = rows[pid]
        assert f.capacity_mw[j] == mw
        first = sc.plants[j].commissioning.replace(day=1)
        before, at = add_months(first, -1), first
        cf = np.zeros(f.n)
        assert f.capacity_payments(before, cf)[j] == 0.0 and f.capacity_payments(at, cf)[j] > 0.0, pid
        assert f.offers(before, {})[0][j].sum() == 0.0 and f.offers(at, {})[0][j].sum() > 0.0, pid


def test_the_commissioning_date_is_a_lever():
    prep = prepare("pakistan-2025", {"plants.chashma_c5.commissioning": "2033-07-01"})
    c5 = next(p for p in prep.scenario.plants if p.id == "chashma_c5")
    assert c5.commissioning == dt.date(2033, 7, 1)
