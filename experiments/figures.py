"""Matplotlib figures of run results."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from model.metrics import metric_of


def label(metric: str, currency: str = "PKR", scale: str = "") -> str:
    """Axis label of a metric from the registry: its name in words and its unit (`scale` e.g. 'bn ')."""
    m, _ = metric_of(metric)
    words = metric.removesuffix("_per_kwh").removesuffix("_gwh").removesuffix("_mw").replace("_", " ")
    return f"{words} ({scale}{m.unit_in(currency)})"


def summary_figure(metrics: pd.DataFrame, *, title: str = "", currency: str = "PKR") -> Figure:
    """Panels over time: tariff and capacity charge, rooftop PV, grid sales, circular debt; and, when
    the run has large loads, their energy and their net contribution to fixed costs (subsidy shaded)."""
    large = "large_load_energy_gwh" in metrics and metrics["large_load_energy_gwh"].fillna(0).gt(0).any()
    rows = 3 if large else 2
    fig = Figure(figsize=(11, 3.5 * rows), layout="constrained")
    axes = fig.subplots(rows, 2, sharex=True)
    t = pd.to_datetime(metrics["date"])
    ax = axes[0, 0]
    ax.plot(t, metrics["average_tariff_per_kwh"], label="average tariff")
    ax.plot(t, metrics["capacity_payment_per_kwh_sold"], label="capacity payments per kWh sold")
    ax.plot(t, metrics["power_purchase_price_per_kwh"], label="power purchase price")
    ax.set_ylabel(metric_of("average_tariff_per_kwh")[0].unit_in(currency))
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    ax.plot(t, metrics["rooftop_pv_mw"], color="tab:orange")
    ax.set_ylabel(label("rooftop_pv_mw", currency))
    ax = axes[1, 0]
    ax.plot(t, metrics["grid_sales_gwh"], label="grid sales")
    ax.plot(t, metrics["generation_gwh"], label="generation")
    ax.set_ylabel(f"{metric_of('grid_sales_gwh')[0].unit_in(currency)} per month")
    ax.legend(fontsize=8)
    ax = axes[1, 1]
    ax.plot(t, metrics["circular_debt"] / 1e9, color="tab:red")
    ax.set_ylabel(label("circular_debt", currency, "bn "))
    if large:
        ax = axes[2, 0]
        ax.plot(t, metrics["large_load_energy_gwh"], color="tab:purple", label="large loads")
        if "datacentre_energy_gwh" in metrics:
            ax.plot(t, metrics["datacentre_energy_gwh"], color="tab:green", label="of which data centres")
        ax.set_ylabel(label("large_load_energy_gwh", currency) + " per month")
        ax.legend(fontsize=8)
        ax = axes[2, 1]
        contribution = metrics["large_load_contribution"] / 1e9
        ax.bar(t, contribution, width=20, color=["tab:red" if c < 0 else "tab:green" for c in contribution])
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_ylabel(label("large_load_contribution", currency, "bn ") + " per month; red = subsidy")
    fig.suptitle(title)
    return fig
