"""Adoption step: the vectorised `ConsumerPopulation` vs a plain per-agent Mesa implementation.

Both apply the same rule to the same agents with the same random numbers: payback of the best segment (behind
the meter, PV + battery, export contract) → dGen maximum market share → hazard with the Bass-integrated neighbour share → adopt if a
uniform draw is below 1 − exp(−hazard). The per-agent version is what one would write first in Mesa:
each agent computes its own payback with scalar maths and reads its neighbours' states, activated by
`shuffle_do`; decisions use the state at the start of the step (synchronous), like the array version,
so that both give identical results. Run: `python benchmarks/bench_adoption.py [--quick]`.
"""

from __future__ import annotations

import argparse
import copy
import math
import time

import numpy as np
from mesa import Agent, Model

from agents.adoption import BATTERY_EFFICIENCY, DGEN_MMS, DGEN_PAYBACK_YEARS, NO_PAYBACK_YEARS
from agents.consumer import BTM_SIZES, AdoptionParams, ClassTable, ConsumerPopulation, Economics, node_local_network
from model.net_metering import NetBilling

N_NODES = 12
SHAPES = {
    "residential": np.r_[np.full(6, 0.6), np.full(6, 0.9), np.full(6, 1.0), np.full(6, 1.5)],
    "commercial": np.r_[np.full(7, 0.4), np.full(11, 1.5), np.full(6, 0.6)],
}


def make_population(n: int, seed: int) -> tuple[ConsumerPopulation, Economics, AdoptionParams]:
    """A two-class population on 12 nodes with a node-local network of 10 neighbours."""
    rng = np.random.default_rng(seed)
    classes = ClassTable(
        names=["residential", "commercial"], tariff_class=np.array([0, 1]), protected=np.array([False, False]),
        roof_kw=np.array([5.0, 20.0]), sanctioned_kw=np.array([5.0, 25.0]), discount_rate=np.array([0.15, 0.12]),
        can_adopt=np.array([True, True]),
        load_shape=np.vstack([SHAPES["residential"] / SHAPES["residential"].sum(),
                              SHAPES["commercial"] / SHAPES["commercial"].sum()]),
    )
    cls = (rng.random(n) < 0.15).astype(int)
    node = np.sort(rng.integers(0, N_NODES, n))  # agents stored node by node, as the model builds them
    kwh = np.where(cls == 0, 300.0, 2500.0) * rng.lognormal(-0.045, 0.3, n)
    pv_shape = np.r_[np.zeros(6), np.sin(np.linspace(0.1, np.pi - 0.1, 12)), np.zeros(6)]
    pop = ConsumerPopulation(
        cls=cls, node=node, weight=np.full(n, 35e6 / n), base_kwh=kwh, classes=classes, pv_shape=pv_shape,
        neighbours=node_local_network(node, 10, rng),
    )
    seed_idx = rng.choice(n, n // 50, replace=False)  # 2 % early adopters so that imitation matters
    pop.state[seed_idx] = 1
    econ = Economics(
        import_rate=np.where(cls == 0, 35.0, 45.0), rule=NetBilling(11.0, 5, 1.0), pv_cost_per_kw=95_000.0,
        pv_yield_kwh_per_kw_year=1500.0, monthly_kwh=kwh,
    )
    params = AdoptionParams(p=0.002, q=0.4, battery_kwh_per_kw=2.0, battery_cost_per_kwh=40_000.0,
                            contract_fixed_cost=15_000.0, contract_min_sanctioned_kw=9.0)
    return pop, econ, params


class PlainConsumer(Agent):
    """Per-agent version of the same rule (scalar maths, own state, neighbour list)."""

    def __init__(self, model: PlainModel, i: int) -> None:
        super().__init__(model)
        pop, econ = model.pop, model.econ
        self.i = i
        self.cls = int(pop.cls[i])
        self.weight = float(pop.base_weight[i] * pop.customer_factor)
        self.kwh = float(econ.monthly_kwh[i])
        self.rate = float(econ.import_rate[i])
        self.adopted = bool(pop.state[i] != 0)
        row = pop.neighbours
        self.neighbours: list[PlainConsumer] = []
        self._nbr_idx = row.indices[row.indptr[i]:row.indptr[i + 1]].tolist()
        self.decision = False

    def step(self) -> None:
        m = self.model
        if self.adopted:
            return
        t, econ, params, rule = m.pop.classes, m.econ, m.params, m.econ.rule
        kwh_year = self.kwh * 12.0
        roof, sanctioned = float(m.pop.roof_kw[self.i]), float(m.pop.sanctioned_kw[self.i])
        kw_max = min(roof, sanctioned * rule.max_kw_share_of_sanctioned)
        kw_match = min(roof, kwh_year / econ.pv_yield_kwh_per_kw_year)
        grid, imp0, exp0 = m.tables[self.cls]
        d = t.discount_rate[self.cls]
        best = math.inf
        # the segments (agents.consumer.ConsumerPopulation.payback): behind the meter at 0.5x and 1x the matched
        # size, PV + battery at the matched size, an export contract at the largest allowed size
        options = [(kw_match * share, "btm") for share in BTM_SIZES] + [(kw_match, "battery")]
        if rule.pays_exports:
            options.append((kw_max, "contract"))
        for kw, segment in options:
            if kw <= 0:
                continue
            pv = kw * econ.pv_yield_kwh_per_kw_year
            ratio = min(pv / kwh_year, m.pop.RATIO_MAX)
            deficit = float(np.interp(ratio, grid, imp0)) * kwh_year
            surplus = float(np.interp(ratio, grid, exp0)) * kwh_year
            own, cost = kwh_year - deficit, kw * econ.pv_cost_per_kw
            if segment == "contract":  # net billing: exports at the export rate
                saving = own * self.rate + surplus * rule.export_rate_per_kwh
                if sanctioned < params.contract_min_sanctioned_kw:
                    saving = 0.0
                cost += params.contract_fixed_cost
            elif segment == "battery":
                charge = min(surplus, kw * params.battery_kwh_per_kw * 365.0, deficit / BATTERY_EFFICIENCY)
                saving = (own + charge * BATTERY_EFFICIENCY) * self.rate
                cost += kw * params.battery_kwh_per_kw * params.battery_cost_per_kwh
            else:
                saving = own * self.rate
            pay = NO_PAYBACK_YEARS
            if saving > 0 and 1.0 - cost / saving * d > 0:
                pay = min(-math.log(1.0 - cost / saving * d) / math.log1p(d), NO_PAYBACK_YEARS)
            best = min(best, pay)
        if best > params.system_life_years:
            best = NO_PAYBACK_YEARS
        mms = float(np.interp(best, DGEN_PAYBACK_YEARS, DGEN_MMS))
        num = sum(nb.weight for nb in self.neighbours if nb.adopted)
        den = sum(nb.weight for nb in self.neighbours)
        s = min(num / den if den > 0 else 0.0, 1.0 - 1e-12)
        p, q, dt = params.p, params.q, 1.0 / 12.0
        e = (1.0 - s) / (1.0 + (q / p) * s) * math.exp(-(p + q) * dt)
        s1_ = (1.0 - e) / (1.0 + (q / p) * e)
        hazard = mms * math.log((1.0 - s) / max(1.0 - s1_, 1e-300))
        self.decision = m.draws[self.i] < -math.expm1(-hazard)

    def apply(self) -> None:
        if self.decision:
            self.adopted = True
            self.decision = False


class PlainModel(Model):
    """Holds the per-agent population; one step = one month of decisions."""

    def __init__(self, pop: ConsumerPopulation, econ: Economics, params: AdoptionParams, rng: int) -> None:
        super().__init__(rng=rng)
        self.pop, self.econ, self.params = pop, econ, params
        totals = pop._flow_tables()[1].reshape(2, len(pop.classes.names), -1)
        self.tables = [(pop.ratio_grid, totals[0, c], totals[1, c]) for c in range(len(pop.classes.names))]
        self.people = [PlainConsumer(self, i) for i in range(pop.n)]
        for a in self.people:
            a.neighbours = [self.people[j] for j in a._nbr_idx]
        self.draws = np.zeros(0)

    def step(self) -> None:
        self.draws = self.np_rng.random(self.pop.n)  # one draw per agent per month, eligible or not (as the model)
        self.agents.shuffle_do("step")
        self.agents.do("apply")


def compare(n: int, seed: int = 3) -> dict:
    """Time one adoption month both ways; check identical decisions."""
    pop, econ, params = make_population(n, seed)
    t0 = time.perf_counter()
    plain = PlainModel(*make_population(n, seed), rng=seed)
    t_build = time.perf_counter() - t0
    plain.np_rng = np.random.default_rng(99)
    t0 = time.perf_counter()
    plain.step()
    t_plain = time.perf_counter() - t0

    # warm up on a copy (tables, first touch of the arrays), as the per-agent model warms up in its build
    copy.deepcopy(pop).decide_adoption(econ, params, 0, 1, np.random.default_rng(7))
    rng = np.random.default_rng(99)
    t0 = time.perf_counter()
    adopted = pop.decide_adoption(econ, params, 0, 1, rng)
    t_vec = time.perf_counter() - t0
    same = np.array_equal(pop.state != 0, np.array([a.adopted for a in plain.people]))
    print(f"{n:>9,} agents: vectorised {t_vec * 1e3:9.1f} ms   per-agent Mesa (shuffle_do) {t_plain * 1e3:10.1f} ms   "
          f"ratio {t_plain / t_vec:7.1f}x   adopters this month {adopted:,}   identical decisions: {same}   "
          f"(building the per-agent model: {t_build:.1f} s)")
    if not same:
        raise SystemExit("the two implementations disagree")
    return {"agents": n, "vectorised_s": t_vec, "per_agent_s": t_plain, "ratio": t_plain / t_vec}


def scaling(sizes: tuple[int, ...]) -> None:
    """Vectorised adoption step time by population size (median of 5 months)."""
    for n in sizes:
        pop, econ, params = make_population(n, 1)
        rng = np.random.default_rng(1)
        pop._flow_tables()
        times = []
        for month in range(5):
            t0 = time.perf_counter()
            pop.decide_adoption(econ, params, 0, month, rng)
            times.append(time.perf_counter() - t0)
        t = sorted(times)[2]
        print(f"{n:>9,} agents: vectorised adoption step {t * 1e3:8.2f} ms  ({t / n * 1e9:6.1f} ns per agent)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="compare at 100k instead of 1M agents")
    args = parser.parse_args(argv)
    print("== adoption step: vectorised population vs per-agent Mesa, same rule and random numbers ==")
    compare(100_000 if args.quick else 1_000_000)
    scaling((10_000, 100_000, 1_000_000))


if __name__ == "__main__":
    main()
