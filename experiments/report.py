"""`surplus report DIR`: one self-contained HTML file of a sweep's results (figures embedded as base64 PNG,
no script, no link: it opens offline and sends no request), every figure also written as a PNG beside it.

Sections, as the sweep's contents allow: what was run; fan charts (median, 50 % and 90 % of the runs over
seeds and uncertainties, by fiscal year, one colour per policy); policy comparison bars (each policy minus
the baseline policy with a confidence interval, paired by seed and sampled world where the sweep crosses
them); sensitivity (Sobol or Morris, if the design allows); PRIM boxes (with `where`); a map of nodal
outcomes (each policy's median nodal price and unserved energy, drawn on the grid). Files are written
atomically.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import math
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.designs import SweepSpec, read_sweep
from experiments.simulate import prepare
from experiments.store import SWEEP_FILE, load, load_manifest, load_nodes, write_atomic
from model.metrics import metric_of
from model.scenario import read_scenario

QUANTILES = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}
CONFIDENCE = 0.95
DEFAULT_METRICS = ("average_tariff_per_kwh", "circular_debt_change", "pv_adoption_share",
                   "large_load_contribution", "grid_sales_gwh")
MAX_METRICS = 6
BASELINE = "all runs"  # the policy label when the sweep varies no policy


class ReportError(ValueError):
    """The report cannot be made as asked (said why, naming the option)."""


@dataclass
class Report:
    """What `write_report` wrote and the numbers behind its figures."""

    path: Path
    figures: list[Path] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    fans: dict[str, pd.DataFrame] = field(default_factory=dict)
    differences: pd.DataFrame | None = None
    sensitivity: dict[str, pd.DataFrame] = field(default_factory=dict)
    discovery: Any = None
    nodes: pd.DataFrame | None = None  # the map's numbers (`nodal_table`)
    fiscal_year: str = ""


def policy_ids(spec: SweepSpec) -> list[str]:
    """The policies of a sweep: listed factors of its ``[levers]`` table with more than one value."""
    return [f.id for f in spec.factors if f.section == "levers" and not f.ranged and len(f.values) > 1]


def world_ids(spec: SweepSpec) -> list[str]:
    """Every other varied factor: the uncertain world a policy meets (with the seed)."""
    pol = set(policy_ids(spec))
    return [f.id for f in spec.factors if f.id not in pol and (f.ranged or len(f.values) > 1)]


def policy_order(spec: SweepSpec) -> list[str]:
    """The policies' labels (`policy_labels`) in file order: the first is the baseline of comparisons."""
    listed = [f for f in spec.factors if f.id in policy_ids(spec)]
    if not listed:
        return [BASELINE]
    combos = pd.DataFrame(list(itertools.product(*(f.values for f in listed))), columns=[f.id for f in listed])
    return list(policy_labels(combos, [f.id for f in listed]))


def policy_labels(df: pd.DataFrame, policies: list[str]) -> pd.Series:
    """A short label per row naming its policy values, e.g. ``capacity.payment_cut_share=0.3``."""
    if not policies:
        return pd.Series(BASELINE, index=df.index)
    return df[policies].astype(str).apply(lambda r: ", ".join(f"{k}={v}" for k, v in r.items()), axis=1)


def ordered(labels: pd.Series, order: list[str] | None) -> list[str]:
    """The distinct policy labels of `labels`: those in `order` first, in its order (file order: the first
    is the baseline), then any others as they come."""
    present = dict.fromkeys(labels)
    return [o for o in order or () if o in present] + [o for o in present if o not in (order or ())]


def fan_table(df: pd.DataFrame, metric: str, policies: list[str], order: list[str] | None = None) -> pd.DataFrame:
    """Quantiles of `metric` over the runs (seeds × uncertainties) of each policy, by fiscal year: columns
    policy, fiscal_year, months, runs, q05, q25, q50, q75, q95 (numpy's linear quantiles); policies in
    `order` (labels; default: as they come)."""
    d = df.assign(policy=policy_labels(df, policies))
    rows = []
    for (policy, fy), g in d.groupby(["policy", "fiscal_year"], sort=False):
        v = g[metric].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        rows.append({"policy": policy, "fiscal_year": fy, "months": int(g["months"].max()), "runs": len(v),
                     **{k: float(np.quantile(v, q)) if len(v) else math.nan for k, q in QUANTILES.items()}})
    names = ordered(d["policy"], order)
    t = pd.DataFrame(rows)
    t["_p"] = t["policy"].map(names.index)
    return t.sort_values(["_p", "fiscal_year"]).drop(columns="_p").reset_index(drop=True)


def policy_differences(df: pd.DataFrame, metrics: list[str], fiscal_year: str, policies: list[str],
                       worlds: list[str], confidence: float = CONFIDENCE, order: list[str] | None = None) -> pd.DataFrame:
    """Each policy minus the baseline (the first of `order`, policy labels in file order; default: the
    first as they come) for every metric in `fiscal_year`:
    mean difference and its Student-t `confidence` interval, paired on seed and world when every run of
    both has its twin (as the designs cross policies with the same worlds and seeds), else Welch's
    unpaired interval."""
    from scipy import stats

    year = df[df["fiscal_year"] == fiscal_year].assign(policy=lambda d: policy_labels(d, policies))
    names = ordered(year["policy"], order)
    key = [*worlds, "seed"]
    base = year[year["policy"] == names[0]]
    rows = []
    for name in names[1:]:
        pol = year[year["policy"] == name]
        pairs = base.merge(pol, on=key, suffixes=("_b", "_p"))
        paired = len(pairs) == len(base) == len(pol) and len(pairs) > 1
        for m in metrics:
            b, p = base[m].to_numpy(float), pol[m].to_numpy(float)
            if paired:
                d = pairs[f"{m}_p"].to_numpy(float) - pairs[f"{m}_b"].to_numpy(float)
                mean, n = d.mean(), len(d)
                half = stats.t.ppf(0.5 + confidence / 2, n - 1) * d.std(ddof=1) / math.sqrt(n)
            else:
                mean, n = p.mean() - b.mean(), min(len(b), len(p))
                vb, vp = b.var(ddof=1) / len(b), p.var(ddof=1) / len(p)
                dof = (vb + vp) ** 2 / (vb ** 2 / (len(b) - 1) + vp ** 2 / (len(p) - 1)) if vb + vp > 0 else 1.0
                half = stats.t.ppf(0.5 + confidence / 2, dof) * math.sqrt(vb + vp)
            rows.append({"policy": name, "metric": m, "fiscal_year": fiscal_year, "baseline": names[0],
                         "baseline_mean": b.mean(), "policy_mean": p.mean(), "difference": mean,
                         "ci_low": mean - half, "ci_high": mean + half, "n": n, "paired": paired,
                         "confidence": confidence})
    return pd.DataFrame(rows)


def default_year(df: pd.DataFrame) -> str:
    """The last fiscal year with twelve months in every run (else the last one)."""
    full = df.groupby("fiscal_year")["months"].min()
    whole = full[full == 12]
    return str((whole if len(whole) else full).index.max())


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


class _Page:
    """The HTML being built and the PNGs written beside it."""

    def __init__(self, html_path: Path) -> None:
        self.path, self.parts, self.figures, self.sections = html_path, [], [], []

    def section(self, sid: str, title: str) -> None:
        self.sections.append(sid)
        self.parts.append(f'</section>\n<section id="{sid}">\n<h2>{html.escape(title)}</h2>')

    def text(self, words: str) -> None:
        self.parts.append(f"<p>{html.escape(words)}</p>")

    def table(self, t: pd.DataFrame, tid: str, digits: int = 6) -> None:
        body = t.to_html(index=False, border=0, na_rep="–", float_format=lambda v: f"{v:.{digits}g}")
        self.parts.append(body.replace('<table class="dataframe">', f'<table class="data" id="{tid}">', 1))

    def figure(self, name: str, png: bytes, caption: str) -> None:
        self.figures.append(write_atomic(self.path.with_name(f"{self.path.stem}-{name}.png"),
                                         lambda tmp: tmp.write_bytes(png)))
        src = base64.b64encode(png).decode()
        self.parts.append(f'<figure id="fig-{name}"><img alt="{html.escape(caption)}" src="data:image/png;base64,'
                          f'{src}"><figcaption>{html.escape(caption)}</figcaption></figure>')

    def render(self, title: str) -> str:
        body = "\n".join(self.parts).removeprefix("</section>\n")
        return (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{html.escape(title)}"
                "</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em}"
                "table.data{border-collapse:collapse;font-size:12px;margin:.5em 0}table.data td,table.data th"
                "{border:1px solid #ccc;padding:2px 6px;text-align:right}img{max-width:100%}"
                "figcaption{font-size:12px;color:#555}</style>\n</head>\n<body>\n"
                f"<h1>{html.escape(title)}</h1>\n{body}\n</section>\n</body>\n</html>\n")


def write_report(out: str | Path, html_path: str | Path | None = None, *, metrics: list[str] | None = None,
                 fiscal_year: str | None = None, where: str | None = None, density: float = 0.8,
                 confidence: float = CONFIDENCE) -> Report:
    """Write the HTML report of the sweep in folder `out` (default ``out/report.html``) and its PNGs beside
    it (``<stem>-<figure>.png``). `metrics`: those shown (default: the sweep's kept metrics, or a few key
    ones, at most `MAX_METRICS`); `fiscal_year`: the year compared (default `default_year`); `where`: a PRIM
    condition (``METRIC > X``) for the discovery section."""
    from experiments.report_figures import fan_figure, policy_bars_figure

    out = Path(out)
    spec, _ = read_sweep(out / SWEEP_FILE)
    df = load(out)
    if df.empty:
        raise ReportError(f"{out}: no finished run yet: run the sweep first")
    kept = [c for c in df.columns if c not in ("run_id", "seed", "fiscal_year", "months", *spec.lever_ids)]
    for m in metrics or ():
        if m not in kept:
            raise ReportError(f"metric = {m!r}: not kept by this sweep (kept: {', '.join(kept)})")
    shown = list(metrics or [m for m in (spec.metrics or DEFAULT_METRICS) if m in kept][:MAX_METRICS] or kept[:MAX_METRICS])
    year = fiscal_year or default_year(df)
    if year not in set(df["fiscal_year"]):
        raise ReportError(f"year = {year!r}: not in this sweep (it has {', '.join(sorted(df['fiscal_year'].unique()))})")
    path = Path(html_path) if html_path is not None else out / "report.html"
    if path.suffix.lower() not in (".html", ".htm"):
        raise ReportError(f"--out {path}: the report is an .html file")
    path.parent.mkdir(parents=True, exist_ok=True)
    currency = read_scenario(spec.scenario)[0].get("meta", {}).get("currency", "PKR")
    policies, worlds, order = policy_ids(spec), world_ids(spec), policy_order(spec)
    report = Report(path, fiscal_year=year)
    page = _Page(path)

    manifest = load_manifest(out)
    failed = int((manifest["status"] == "failed").sum()) if len(manifest) else 0
    page.section("sweep", "The sweep")
    page.text(f"Scenario {spec.scenario}; design {spec.design}; {df['run_id'].nunique()} finished runs "
              f"({failed} failed, listed in manifest.jsonl); seeds {', '.join(map(str, spec.seeds))}; "
              f"fiscal years {', '.join(sorted(df['fiscal_year'].unique()))}. Money in nominal {currency}.")
    page.table(pd.DataFrame([{"factor": f.id, "table": f.section, "kind": "policy" if f.id in policies else
                              ("uncertainty" if f.id in worlds else "fixed"),
                              "values": (f"{f.low:g} to {f.high:g} (sampled)" if f.ranged
                                         else ", ".join(map(str, f.values)))} for f in spec.factors]
                            or [{"factor": "(none)"}]), "factors")

    page.section("fans", "Fan charts over seeds and uncertainties")
    page.text("Each fiscal year: the median run (line), the middle 50 % (dark band, quantiles 0.25–0.75) and the "
              "middle 90 % (light band, 0.05–0.95) of the runs of each policy; a partial fiscal year shows its "
              "months.")
    for m in shown:
        fan = fan_table(df, m, policies, order)
        report.fans[m] = fan
        page.parts.append(f"<h3>{html.escape(m)}</h3><p>{html.escape(metric_of(m)[0].meaning)}</p>")
        page.figure(f"fan-{m}", _png(fan_figure(fan, m, currency)), f"{m}: median, 50 % and 90 % bands")
        page.table(fan, f"fan-{m}")

    page.section("policies", f"Policies compared in {year}")
    if not policies:
        page.text("This sweep varies no policy (no [levers] factor with more than one value): nothing to compare.")
    else:
        diff = policy_differences(df, shown, year, policies, worlds, confidence, order)
        report.differences = diff
        how = ("paired by seed and sampled world" if diff["paired"].all() else
               "unpaired (Welch) where the runs do not pair by seed and world")
        page.text(f"Each policy minus the baseline policy ({diff['baseline'].iloc[0]}): mean difference over the "
                  f"runs and its {int(confidence * 100)} % Student-t interval, {how}.")
        page.figure("policies", _png(policy_bars_figure(diff, currency)), f"policies minus the baseline in {year}")
        page.table(diff.drop(columns=["fiscal_year", "baseline", "confidence"]), "policy-differences")

    _sensitivity_section(page, report, out, spec, shown, year)
    _discovery_section(page, report, out, year, where, density)

    _map_section(page, report, out, spec, df, year, policies, order, currency)
    text = page.render(f"Sweep report: {out.name}").encode()
    write_atomic(path, lambda tmp: tmp.write_bytes(text))
    report.figures, report.sections = page.figures, page.sections
    return report


def nodal_table(nodes: pd.DataFrame, runs: pd.DataFrame, fiscal_year: str, policies: list[str],
                order: list[str] | None = None) -> pd.DataFrame:
    """Each policy's median over its runs (seeds × uncertainties) of every node's load-weighted price and
    unserved energy in `fiscal_year`: columns policy, node, runs, price_per_mwh, unserved_gwh (`nodes`:
    `experiments.store.load_nodes`; `runs`: `experiments.load`, for the runs' policy values)."""
    label = policy_labels(runs.drop_duplicates("run_id"), policies)
    by_run = dict(zip(runs.drop_duplicates("run_id")["run_id"], label, strict=True))
    d = nodes[(nodes["fiscal_year"] == fiscal_year) & nodes["run_id"].isin(by_run)]
    d = d.assign(policy=d["run_id"].map(by_run), unserved_gwh=d["unserved_mwh"] / 1000.0)
    t = (d.groupby(["policy", "node"], sort=False)
         .agg(runs=("run_id", "nunique"), price_per_mwh=("price_per_mwh", "median"),
              unserved_gwh=("unserved_gwh", "median")).reset_index())
    names = ordered(t["policy"], order)
    return t.sort_values("policy", key=lambda c: c.map(names.index), kind="stable").reset_index(drop=True)


def _map_section(page: _Page, report: Report, out: Path, spec: SweepSpec, df: pd.DataFrame, year: str,
                 policies: list[str], order: list[str], currency: str) -> None:
    from experiments.report_figures import nodal_map_figure

    page.section("map", f"Nodal outcomes in {year}")
    nodes = load_nodes(out)
    have = set(nodes["run_id"])
    if not have:
        page.text("Not available: these runs kept no nodal tables (sweeps written before Surplus kept them). "
                  "Rerun the sweep into a new folder to get them.")
        return
    table = nodal_table(nodes, df[df["run_id"].isin(have)], year, policies, order)
    report.nodes = table
    missing = df["run_id"].nunique() - len(have & set(df["run_id"]))
    page.text("Each node's median over the runs of each policy: its load-weighted price (colour, the same "
              "scale in every panel) and unserved energy (marker size; none: the smallest marker)"
              + (f"; {missing} finished runs kept no nodal table and are left out." if missing else "."))
    scenario = prepare(spec.scenario).scenario
    page.figure("nodal-map", _png(nodal_map_figure(scenario, table, currency)),
                f"median nodal price and unserved energy in {year}, by policy")
    page.table(table, "nodal-outcomes")


def _sensitivity_section(page: _Page, report: Report, out: Path, spec: SweepSpec, shown: list[str],
                         year: str) -> None:
    from experiments.sensitivity import SensitivityError, sensitivity_figure, sweep_sensitivity

    page.section("sensitivity", f"Sensitivity in {year}")
    if spec.design not in ("sobol", "morris"):
        page.text(f"Not available for design {spec.design}: Sobol indices need design = \"sobol\", Morris "
                  "effects design = \"morris\".")
        return
    page.text("Sobol first-order (S1) and total-order (ST) indices: each factor's share of the outcome's variance "
              "alone and with its interactions." if spec.design == "sobol" else
              "Morris elementary effects: μ* (mean absolute effect of moving a factor across its range, in the "
              "metric's unit), μ (signed) and σ (spread: interactions or non-linearity).")
    for m in shown:
        try:
            table = sweep_sensitivity(out, m, year, spec.design)
        except SensitivityError as exc:
            page.text(f"{m}: {exc}")
            continue
        report.sensitivity[m] = table
        page.parts.append(f"<h3>{html.escape(m)}</h3>")
        page.figure(f"sensitivity-{m}", _png(sensitivity_figure(table)), f"{spec.design} indices of {m} in {year}")
        page.table(table, f"sensitivity-{m}", digits=4)


def _discovery_section(page: _Page, report: Report, out: Path, year: str, where: str | None,
                       density: float) -> None:
    from experiments.discover import CONDITION, DiscoveryError, discover, tradeoff_chart

    page.section("discovery", "Scenario discovery (PRIM)")
    if where is None:
        page.text("No outcome of interest given: pass --where \"METRIC > X\" for PRIM boxes.")
        return
    m = CONDITION.match(where)
    if m is None:
        raise ReportError(f"where = {where!r}: must read METRIC > NUMBER (or <, >=, <=)")
    try:
        d = discover(out, m.group(1), year, where, density)
    except DiscoveryError as exc:
        page.text(f"PRIM: {exc}")
        return
    report.discovery = d
    row = d.trajectory.loc[d.chosen]
    page.text(f"{d.condition}: {d.of_interest} of {d.cases} runs. The box chosen (widest coverage with density "
              f"≥ {density:g}): coverage {row['coverage']:.2f}, density {row['density']:.2f}.")
    tmp = page.path.with_name(f".{page.path.stem}-prim.{uuid.uuid4().hex[:8]}.png")
    try:
        tradeoff_chart(d, tmp)
        png = tmp.read_bytes()
    finally:
        tmp.unlink(missing_ok=True)
    page.figure("prim", png, "PRIM coverage–density trade-off, the chosen box circled")
    page.table(d.limits, "prim-box", digits=4)
