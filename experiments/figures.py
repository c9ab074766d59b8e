"""Matplotlib figures of run results."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure


def summary_figure(metrics: pd.DataFrame, *, title: str = "", currency: str = "PKR") -> Figure:
    """Four panels over time: tariff and capacity charge, rooftop PV, grid sales, circular debt."""
    fig = Figure(figsize=(11, 7), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    t = pd.to_datetime(metrics["date"])
    ax = axes[0, 0]
    ax.plot(t, metrics["average_tariff_per_kwh"], label="average tariff")
    ax.plot(t, metrics["capacity_payment_per_kwh_sold"], label="capacity payments per kWh sold")
    ax.plot(t, metrics["power_purchase_price_per_kwh"], label="power purchase price")
    ax.set_ylabel(f"{currency}/kWh")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    ax.plot(t, metrics["rooftop_pv_mw"], color="tab:orange")
    ax.set_ylabel("rooftop PV (MW)")
    ax = axes[1, 0]
    ax.plot(t, metrics["grid_sales_gwh"], label="grid sales")
    ax.plot(t, metrics["generation_gwh"], label="generation")
    ax.set_ylabel("GWh per month")
    ax.legend(fontsize=8)
    ax = axes[1, 1]
    ax.plot(t, metrics["circular_debt"] / 1e9, color="tab:red")
    ax.set_ylabel(f"circular debt (bn {currency})")
    fig.suptitle(title)
    return fig
