"""The metric registry: the one place a metric lives; the recorders record exactly what it registers."""

import numpy as np
import pytest

from model.metrics import METRICS, REGISTRY, columns, metric_of
from model.model import SurplusModel


@pytest.fixture(scope="module")
def miners():
    model = SurplusModel(scenario="teaching-5-node-miners", rng=3)
    for _ in range(3):
        model.step()
    return model


def test_recorders_record_exactly_the_registered_columns(miners):
    recorded = set(miners.metrics) - {"date"}
    registered = set(columns(miners.dimensions))
    assert recorded == registered, (sorted(recorded - registered), sorted(registered - recorded))
    assert set(miners.datacollector.get_model_vars_dataframe().columns) == registered | {"date"}


def test_families_expand_by_the_runs_dimension_values(miners):
    names = miners.population.classes.names
    assert {f"tariff_{c}_per_kwh" for c in names} <= set(miners.metrics)
    metric, dims = metric_of(f"tariff_{names[0]}_per_kwh")
    assert metric.name == "tariff_{class}_per_kwh" and dims == {"class": names[0]}
    special = miners.dimensions["special_tariff"]
    assert special and metric_of(f"special_{special[0]}_contribution")[0].name == "special_{special_tariff}_contribution"
    with pytest.raises(KeyError, match="not a registered metric"):
        metric_of("average_tarif_per_kwh")


def test_every_metric_has_unit_meaning_and_a_yearly_rule():
    assert len(METRICS) == len(REGISTRY)  # names are unique
    for m in REGISTRY:
        assert m.unit and m.meaning.endswith(".") and m.yearly in ("sum", "mean", "last")
        assert m.better in ("higher", "lower", "neither")
        assert len(m.dims) <= 1 and all("{" + d + "}" in m.name for d in m.dims)


def test_tariff_metrics_agree_with_what_the_consumers_were_billed(miners):
    # independent of the settlement: the population's own bills and billed kWh
    pop = miners.population
    billed = float(pop.weight @ pop.bill)
    kwh = float(pop.weight @ pop.billed_kwh)
    assert miners.metrics["average_tariff_per_kwh"] == pytest.approx(billed / kwh, rel=1e-12)
    assert miners.metrics["grid_sales_gwh"] == pytest.approx(kwh / 1e6, rel=1e-12)
    assert miners.metrics["rooftop_pv_mw"] == pytest.approx(float(pop.weight @ pop.pv_kw) / 1000, rel=1e-12)
    c = pop.cls == 0
    name = pop.classes.names[0]
    assert miners.metrics[f"tariff_{name}_per_kwh"] == pytest.approx(
        float(pop.weight[c] @ pop.bill[c]) / float(pop.weight[c] @ pop.billed_kwh[c]), rel=1e-12)


def test_household_tariff_is_what_the_residential_classes_were_billed(miners):
    from agents.tariff_classes import CLASS_CODES

    pop = miners.population
    res = (pop.classes.tariff_class == CLASS_CODES["residential"])[pop.cls]
    expected = float(pop.weight[res] @ pop.bill[res]) / float(pop.weight[res] @ pop.billed_kwh[res])
    assert miners.metrics["household_tariff_per_kwh"] == pytest.approx(expected, rel=1e-12)
    assert miners.metrics["household_tariff_per_kwh"] != miners.metrics["average_tariff_per_kwh"]


def test_energy_metrics_agree_with_the_clearing(miners):
    res = miners.last_clearing
    rec = miners.hourly[-1]
    n_p = len(miners.plants)
    assert miners.metrics["generation_gwh"] == pytest.approx(float((res.dispatch_mw[:n_p] @ rec.days).sum()) / 1000, rel=1e-12)
    assert miners.metrics["unserved_energy_gwh"] == pytest.approx(float((rec.unserved_mw @ rec.days).sum()) / 1000, abs=1e-12)
    assert np.isfinite(miners.metrics["mean_nodal_price_per_mwh"])

