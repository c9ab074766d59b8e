"""The EMA Workbench adapter: parameters from the lever registry, outcomes from the metric registry, and
`ema_workbench.perform_experiments` on it gives the numbers of `experiments.simulate` for the same inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from experiments.ema import EmaAdapterError, ema_name, surplus_model
from experiments.simulate import simulate
from model.levers import LEVERS

RUN = {"scenario": "teaching-5-node", "years": 1, "agents": 50}
OUTCOMES = ("average_tariff_per_kwh", "grid_sales_gwh")


def _perform(model, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import SequentialEvaluator, perform_experiments

        with SequentialEvaluator(model) as evaluator:
            return perform_experiments(model, evaluator=evaluator, **kw)


def test_parameters_come_from_the_lever_registry_and_outcomes_from_the_metric_registry():
    import ema_workbench as ew

    m = surplus_model(**RUN, uncertainties=["demand.growth_per_year", "pv.cost_decline_per_year"],
                      levers={"capacity.payment_cut_share": (0.0, 0.4), "tariffs.reset": None,
                              "net_metering.kind": ["net_metering", "net_billing"]}, outcomes=OUTCOMES)
    unc = {p.name.replace("__", "."): p for p in m.uncertainties}  # EMA names: identifiers
    growth = LEVERS["demand.growth_per_year"]
    assert isinstance(unc["demand.growth_per_year"], ew.RealParameter)
    assert (unc["demand.growth_per_year"].lower_bound, unc["demand.growth_per_year"].upper_bound) == (
        growth.minimum, growth.maximum)
    assert ema_name("demand.growth_per_year") in {p.name for p in m.uncertainties} == {
        "demand__growth_per_year", "pv__cost_decline_per_year"}
    lev = {p.name.replace("__", "."): p for p in m.levers}
    assert (lev["capacity.payment_cut_share"].lower_bound, lev["capacity.payment_cut_share"].upper_bound) == (0.0, 0.4)
    assert isinstance(lev["tariffs.reset"], ew.BooleanParameter)
    assert isinstance(lev["net_metering.kind"], ew.CategoricalParameter)
    assert [c.value for c in lev["net_metering.kind"].categories] == ["net_metering", "net_billing"]
    outs = {o.name: o for o in m.outcomes}
    assert list(outs) == list(OUTCOMES)
    assert outs["average_tariff_per_kwh"].kind == ew.ScalarOutcome.MINIMIZE  # the registry: lower is better


def test_perform_experiments_runs_surplus_with_the_numbers_of_simulate():
    m = surplus_model(**RUN, uncertainties={"demand.growth_per_year": (0.0, 0.06)},
                      levers={"capacity.payment_cut_share": (0.0, 0.4), "net_metering.kind": ["net_metering", "none"]},
                      outcomes=OUTCOMES, fiscal_year="FY2025")
    experiments, outcomes = _perform(m, scenarios=2, policies=2)
    assert len(experiments) == 4
    for i, row in experiments.iterrows():
        levers = {"demand.growth_per_year": float(row["demand__growth_per_year"]),
                  "capacity.payment_cut_share": float(row["capacity__payment_cut_share"]),
                  "net_metering.kind": str(row["net_metering__kind"])}
        yearly = simulate(RUN["scenario"], levers, seed=1, years=1, agents=50).yearly
        for metric in OUTCOMES:
            assert outcomes[metric][i] == yearly.loc["FY2025", metric]
    assert len({round(v, 9) for v in outcomes["grid_sales_gwh"]}) > 1  # the sampled inputs matter


def test_a_replicator_model_runs_every_seed_and_gives_their_mean():
    m = surplus_model(**RUN, uncertainties={"demand.growth_per_year": (0.0, 0.06)}, outcomes=OUTCOMES[:1],
                      seeds=[3, 4])
    experiments, outcomes = _perform(m, scenarios=1)
    growth = float(experiments["demand__growth_per_year"].iloc[0])
    mean = outcomes["average_tariff_per_kwh"][0]
    expected = [simulate(RUN["scenario"], {"demand.growth_per_year": growth}, seed=s, years=1, agents=50)
                .yearly.loc["FY2026", "average_tariff_per_kwh"] for s in (3, 4)]  # FY2026: the run's last year
    assert expected[0] != expected[1]  # the seeds differ
    assert mean == pytest.approx(np.mean(expected), rel=1e-12)  # the outcome is the mean over the seeds


@pytest.mark.parametrize(("kw", "words"), [
    ({"uncertainties": ["no.such_lever"]}, ["uncertainties.no.such_lever", "not a lever id"]),
    ({"uncertainties": ["run.seed"]}, ["run.seed", "not a lever id"]),
    ({"levers": {"capacity.payment_cut_share": (0.0, 1.5)}}, ["levers.capacity.payment_cut_share", "between 0 and 1"]),
    ({"levers": {"capacity.payment_cut_share": (0.4, 0.1)}}, ["low must be below high"]),
    ({"levers": {"net_metering.kind": ["net_metering", "barter"]}}, ["net_metering.kind", "two or more of"]),
    ({"levers": ["miners.tariff_kind"]}, ["levers.miners.tariff_kind", "nothing the lever applies to"]),
    ({"uncertainties": ["tariffs.reset"], "levers": ["tariffs.reset"]}, ["already an uncertainty"]),
    ({"outcomes": ["average_tarif_per_kwh"]}, ["outcomes.average_tarif_per_kwh", "not a registered metric"]),
    ({"fiscal_year": "FY2040"}, ["fiscal_year = 'FY2040'", "outside the run"]),
    ({"seeds": 0}, ["seeds = 0"]),
])
def test_bad_adapter_input_names_the_argument_id_and_rule(kw, words):
    with pytest.raises(EmaAdapterError) as info:
        surplus_model(**RUN, **{"uncertainties": ["demand.growth_per_year"], **kw})
    for w in words:
        assert w in str(info.value), (w, str(info.value))
