"""The grid on a map: ECharts options (plain dicts) for one cleared hour, or for a siting ranking.

Nodes sit at their longitude and latitude (equirectangular: one degree of longitude is drawn cos(φ₀)
times as wide as one of latitude, φ₀ the map's middle latitude, so that shapes and distances look
right); a scenario without coordinates falls back to `grid.draw.layout`'s deterministic layout. No
tiles and no country outline: nothing is fetched, the map works offline. Tooltips are written here
as HTML (one per item), since an option travels as JSON and cannot carry a formatter function.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from agents.plant import PlantFleet
from experiments.results import HourSnapshot
from grid.draw import layout
from model.large_load_kinds import LARGE_LOAD_KINDS
from model.model import grid_from_spec
from model.plants import build_fleet
from model.schema import Scenario

# the chart's size in pixels (readable on 1366×768 next to the 330 px sidebar) and its plot margins
WIDTH, HEIGHT = 820, 520
MARGIN = {"left": 44, "right": 150, "top": 56, "bottom": 34}  # the right column: legend, then colour scale
BINDING_COLOUR = "#d62728"
IDLE_LINE, LOADED_LINE = (189, 189, 189), (253, 141, 60)  # grey at no flow → orange at the limit
PRICE_COLOURS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]  # viridis: low → high price
SURPLUS_COLOURS = ["#b2182b", "#f4a582", "#f7f7f7", "#92c5de", "#2166ac"]  # deficit (red) → surplus (blue)
TECH_COLOURS = {"hydro": "#1f78b4", "nuclear": "#6a3d9a", "coal_thar": "#7f6a4f", "coal_imported": "#444444",
                "rlng_ccgt": "#ff7f00", "gas_local": "#fdbf6f", "rfo": "#b15928", "wind": "#33a02c",
                "solar": "#e3c800", "bagasse": "#b2df8a"}  # agents.plant.TECHNOLOGIES; others grey
OTHER_COLOUR = "#999999"
LOAD_STYLES = {"miners": ("diamond", "#e7298a"), "data_centres": ("rect", "#7570b3")}  # kind → symbol, colour
RANK_COLOUR = "#000000"
COLOUR_BY = {"price": "nodal price", "surplus": "surplus (available − load)"}  # what a colour shows: its title


@dataclass(frozen=True)
class MapGeometry:
    """Where everything is drawn: node positions (lon, lat when `geographic`), labels, lines."""

    node: list[str]
    name: list[str]
    label: list[str]
    x: np.ndarray
    y: np.ndarray
    geographic: bool
    line: list[str]
    line_ends: list[tuple[int, int]]
    limit_mw: np.ndarray
    in_service: list[bool]

    def index(self, node: str) -> int:
        """Position of a node id in `node`."""
        return self.node.index(node)


def short_label(node_id: str, name: str) -> str:
    """A node's label on the map: its name before any parenthesis when short, else its id."""
    short = name.split(" (")[0].strip()
    return short if short and len(short) <= 16 else node_id


def geometry(scenario: Scenario) -> MapGeometry:
    """The map geometry of a scenario's grid (lat/lon when every node has them, else a layout)."""
    grid = grid_from_spec(scenario.grid)
    pos = layout(grid)
    nodes = scenario.grid.nodes
    ids = [n.id for n in nodes]
    return MapGeometry(
        node=ids, name=[n.name or n.id for n in nodes], label=[short_label(n.id, n.name) for n in nodes],
        x=np.array([pos[i][0] for i in ids]), y=np.array([pos[i][1] for i in ids]),
        geographic=all(n.lat is not None and n.lon is not None for n in nodes),
        line=[ln.id for ln in scenario.grid.lines],
        line_ends=[(ids.index(ln.from_node), ids.index(ln.to_node)) for ln in scenario.grid.lines],
        limit_mw=np.array([ln.limit_mw for ln in scenario.grid.lines], dtype=float),
        in_service=[ln.in_service for ln in scenario.grid.lines],
    )


def fleet_of(scenario: Scenario) -> PlantFleet:
    """The scenario's plant fleet (availability by month and hour, as the model offers it)."""
    return build_fleet(scenario.plants, {k: np.asarray(v, dtype=float) for k, v in scenario.profiles.shapes.items()})


def available_mw(scenario: Scenario, fleet: PlantFleet, date: str, hour_of_day: int) -> tuple[np.ndarray, np.ndarray]:
    """(per plant, per node) utility capacity available at that hour, MW: capacity × monthly availability
    after forced outages × the hourly shape, retired plants excluded (what the plants offer)."""
    avail, _, _ = fleet.offers(dt.date.fromisoformat(date), {})
    plant = avail[:, hour_of_day % avail.shape[1]]
    ids = [n.id for n in scenario.grid.nodes]
    node = np.zeros(len(ids))
    np.add.at(node, [ids.index(p.node) for p in scenario.plants], plant)
    return plant, node


def hour_label(date: str, hour_of_day: int) -> str:
    """'June 2030, 19:00–20:00' for a month's first day and an hour of the day."""
    return f"{dt.date.fromisoformat(date):%B %Y}, {hour_of_day:02d}:00–{(hour_of_day + 1) % 24:02d}:00"


# ------------------------------------------------------------------------------------------- pieces
def _tip(title: str, lines: Sequence[str]) -> dict:
    """An item's own tooltip (HTML; every text escaped)."""
    body = "<br/>".join(html.escape(s) for s in lines)
    return {"formatter": f"<b>{html.escape(title)}</b><br/>{body}"}


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b, strict=True))


def _aspect(geo: MapGeometry) -> float:
    """How much narrower a degree of longitude is drawn than one of latitude: cos φ₀ (1 off a map)."""
    return math.cos(math.radians((geo.y.min() + geo.y.max()) / 2)) if geo.geographic else 1.0


def _axes(geo: MapGeometry) -> tuple[dict, dict]:
    """x and y axes whose ranges give equal distances per pixel (cos φ₀-scaled longitude on a map)."""
    x0, x1, y0, y1 = geo.x.min(), geo.x.max(), geo.y.min(), geo.y.max()
    k = _aspect(geo)
    span = max((x1 - x0) * k, y1 - y0, 1e-9) * 1.12  # room for labels and markers around the nodes
    w = WIDTH - MARGIN["left"] - MARGIN["right"]
    h = HEIGHT - MARGIN["top"] - MARGIN["bottom"]
    per_px = max(span / w, span / h)
    half_x, half_y = per_px * w / 2 / k, per_px * h / 2
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    common = {"type": "value", "scale": True, "splitLine": {"lineStyle": {"color": "#eeeeee"}},
              "axisLabel": {"fontSize": 10, "show": geo.geographic, "showMinLabel": False, "showMaxLabel": False},
              "axisTick": {"show": geo.geographic},
              "axisLine": {"show": False}}
    xaxis = {**common, "min": round(cx - half_x, 4), "max": round(cx + half_x, 4),
             "name": "longitude (°E)" if geo.geographic else "", "nameLocation": "middle", "nameGap": 22,
             "nameTextStyle": {"fontSize": 10}}
    yaxis = {**common, "min": round(cy - half_y, 4), "max": round(cy + half_y, 4),
             "name": "latitude (°N)" if geo.geographic else "", "nameTextStyle": {"fontSize": 10}}
    return xaxis, yaxis


def _offset(geo: MapGeometry, slot: int, of: int, ring: float) -> tuple[float, float]:
    """A marker's offset from its node (data units): `slot` of `of` around a ring of `ring` × map span."""
    span = max(float(np.ptp(geo.x)), float(np.ptp(geo.y)), 1e-9)
    angle = math.pi / 2 + 2 * math.pi * slot / max(of, 1)
    k = _aspect(geo)
    return ring * span * math.cos(angle) / k, ring * span * math.sin(angle)


def label_sides(geo: MapGeometry) -> list[str]:
    """Where each node's label goes: away from its nearest neighbour (right, left, top or bottom)."""
    k = _aspect(geo)
    xy = np.column_stack([geo.x * k, geo.y])
    sides = []
    for i in range(len(xy)):
        d = np.hypot(*(xy - xy[i]).T)
        d[i] = np.inf
        if not np.isfinite(d).any():
            sides.append("right")
            continue
        dx, dy = xy[int(np.argmin(d))] - xy[i]
        sides.append(("left" if dx > 0 else "right") if abs(dx) >= abs(dy) else ("bottom" if dy > 0 else "top"))
    return sides


def _node_series(geo: MapGeometry, values: np.ndarray, tips: list[dict]) -> dict:
    sides = label_sides(geo)
    data = [{"name": geo.label[i], "value": [float(geo.x[i]), float(geo.y[i]), round(float(values[i]), 4)],
             "tooltip": tips[i], "label": {"position": sides[i]}} for i in range(len(geo.node))]
    return {"name": "nodes", "type": "scatter", "symbolSize": 18, "z": 4, "data": data,
            "itemStyle": {"borderColor": "#333333", "borderWidth": 1},
            "label": {"show": True, "formatter": "{b}", "position": "right", "fontSize": 11, "color": "#222222",
                      "textBorderColor": "#ffffff", "textBorderWidth": 2},
            "labelLayout": {"moveOverlap": "shiftY"}}


def _visual_map(values: np.ndarray, colour_by: str, unit: str, series_index: int) -> dict:
    lo, hi = float(np.min(values)), float(np.max(values))
    colours = PRICE_COLOURS
    if colour_by == "surplus":  # symmetric, so that white is zero: deficit red, surplus blue
        hi = max(abs(lo), abs(hi), 1.0)
        lo, colours = -hi, SURPLUS_COLOURS
    least = max(1.0, 0.02 * max(abs(lo), abs(hi)))  # nearly equal values get nearly one colour, not a spectrum
    if hi - lo < least:
        mid = (lo + hi) / 2
        lo, hi = mid - least / 2, mid + least / 2
    return {"type": "continuous", "seriesIndex": series_index, "dimension": 2, "min": round(lo, 2),
            "max": round(hi, 2), "inRange": {"color": colours}, "calculable": True, "precision": 0,
            "right": 20, "bottom": 30, "itemHeight": 150, "itemWidth": 14, "text": [unit, ""],
            "textStyle": {"fontSize": 10}}


def _plant_series(scenario: Scenario, geo: MapGeometry, plant_avail: np.ndarray | None) -> list[dict]:
    """One scatter series per technology: a marker per node and technology, sized by installed MW."""
    groups: dict[str, dict[str, list[int]]] = {}  # technology → node → plant indices
    for j, p in enumerate(scenario.plants):
        groups.setdefault(p.technology, {}).setdefault(p.node, []).append(j)
    at_node: dict[str, list[str]] = {}  # node → its technologies, in order: where each marker goes
    for t in sorted(groups):
        for node in groups[t]:
            at_node.setdefault(node, []).append(t)
    series = []
    for t in sorted(groups):
        data = []
        for node, plants in sorted(groups[t].items()):
            i = geo.index(node)
            dx, dy = _offset(geo, at_node[node].index(t), len(at_node[node]), 0.03)
            mw = float(sum(scenario.plants[j].capacity_mw for j in plants))
            tip = [f"installed: {mw:,.0f} MW"]
            if plant_avail is not None:
                tip.append(f"available this hour: {float(plant_avail[plants].sum()):,.0f} MW")
            tip.append("plants: " + ", ".join(scenario.plants[j].name or scenario.plants[j].id for j in plants))
            title = f"{t.replace('_', ' ')} at {geo.name[i]}"
            data.append({"name": title, "value": [float(geo.x[i] + dx), float(geo.y[i] + dy), mw],
                         "symbolSize": round(5 + math.sqrt(mw) / 3, 1), "tooltip": _tip(title, tip)})
        series.append({"name": t.replace("_", " "), "type": "scatter", "symbol": "triangle", "z": 3, "data": data,
                       "itemStyle": {"color": TECH_COLOURS.get(t, OTHER_COLOUR), "opacity": 0.85,
                                     "borderColor": "#ffffff", "borderWidth": 0.5}})
    return series


@dataclass(frozen=True)
class LargeLoadAt:
    """A large load in one hour: its kind (registry name), node, MW bid and served."""

    load: str
    kind: str
    node: str
    bid_mw: float
    served_mw: float


def large_loads_at(scenario: Scenario, bids: pd.DataFrame | None) -> list[LargeLoadAt]:
    """Each large load of the scenario: kind, node (where it bids, else its table's), MW bid and served
    this hour, summed over its parts (0 when it has no bid row, e.g. a site choosing its node later)."""
    rows: dict[str, list] = {}  # load id → [node, bid, served]
    if bids is not None and not bids.empty:
        for label, node, bid, served in zip(bids["load"], bids["node"], bids["bid_mw"], bids["served_mw"],
                                            strict=True):
            row = rows.setdefault(str(label).split(":")[0], [str(node), 0.0, 0.0])
            row[1] += float(bid)
            row[2] += float(served)
    out = []
    for kind in LARGE_LOAD_KINDS.values():
        for spec in getattr(scenario.large_loads, kind.name, None) or []:
            node, bid, served = rows.get(spec.id, [spec.node, 0.0, 0.0])
            out.append(LargeLoadAt(spec.id, kind.name, node, bid, served))
    return out


def _load_series(geo: MapGeometry, loads: list[LargeLoadAt]) -> list[dict]:
    """One scatter series per large-load kind, markers below their node, sized by MW bid."""
    series = []
    for kind in LARGE_LOAD_KINDS.values():
        symbol, colour = LOAD_STYLES.get(kind.name, ("pin", "#a6761d"))
        data = []
        for r in loads:
            if r.kind != kind.name or r.node not in geo.node:  # 'auto': no site chosen yet
                continue
            i = geo.index(r.node)
            dx, dy = _offset(geo, 1, 2, 0.035)  # below the node
            tip = [f"at {geo.name[i]}", f"bid: {r.bid_mw:,.0f} MW, served: {r.served_mw:,.0f} MW"]
            if r.bid_mw <= 0:
                tip.append("no power bid this hour (dormant or not started)")
            data.append({"name": r.load, "value": [float(geo.x[i] + dx), float(geo.y[i] + dy), r.bid_mw],
                         "symbolSize": round(9 + math.sqrt(max(r.bid_mw, 0.0)) / 3, 1),
                         "tooltip": _tip(f"{kind.plural}: {r.load}", tip),
                         "itemStyle": {"opacity": 1.0 if r.bid_mw > 0 else 0.35}})
        if data:
            series.append({"name": kind.plural, "type": "scatter", "symbol": symbol, "z": 5, "data": data,
                           "itemStyle": {"color": colour, "borderColor": "#ffffff", "borderWidth": 1}})
    return series


def _line_series(geo: MapGeometry, flow_mw: np.ndarray | None, binding: np.ndarray | None) -> dict:
    """Lines from node to node (arrow in the flow's direction): width and colour by loading, binding
    lines red and labelled flow/limit."""
    data = []
    for li, (a, b) in enumerate(geo.line_ends):
        limit = float(geo.limit_mw[li])
        flow = 0.0 if flow_mw is None else float(flow_mw[li])
        loading = abs(flow) / limit if limit > 0 else 0.0
        at_limit = binding is not None and bool(binding[li])
        start, end = (a, b) if flow >= 0 else (b, a)
        style = {"width": round(1.5 + 5.0 * min(loading, 1.0), 2),
                 "color": BINDING_COLOUR if at_limit else _mix(IDLE_LINE, LOADED_LINE, loading),
                 "type": "solid" if geo.in_service[li] else "dotted", "opacity": 0.9}
        tip = [f"{geo.node[start]} → {geo.node[end]}: {abs(flow):,.0f} MW" if flow_mw is not None else
               f"{geo.node[a]} – {geo.node[b]}", f"limit: {limit:,.0f} MW" + (f" ({loading:.0%} loaded)"
                                                                              if flow_mw is not None else "")]
        if at_limit:
            tip.append("at its limit (binding): prices differ across it")
        if not geo.in_service[li]:
            tip.append("out of service")
        item = {"name": geo.line[li], "coords": [[float(geo.x[start]), float(geo.y[start])],
                                                 [float(geo.x[end]), float(geo.y[end])]],
                "lineStyle": style, "tooltip": _tip(geo.line[li], tip)}
        if at_limit:
            item["label"] = {"show": True, "formatter": f"{abs(flow):,.0f}/{limit:,.0f} MW", "color": BINDING_COLOUR,
                             "fontSize": 10, "position": "middle"}
        data.append(item)
    return {"name": "lines", "type": "lines", "coordinateSystem": "cartesian2d", "z": 2, "data": data,
            "symbol": ["none", "arrow" if flow_mw is not None else "none"], "symbolSize": 7,
            "label": {"show": False}}


def _frame(geo: MapGeometry, title: str, subtitle: str, series: list[dict], visual_map: dict) -> dict:
    xaxis, yaxis = _axes(geo)
    legend = [s["name"] for s in series if s["name"] not in ("nodes", "lines")]
    return {
        "animation": False,
        "title": {"text": title, "subtext": subtitle, "left": 0, "textStyle": {"fontSize": 13},
                  "subtextStyle": {"fontSize": 11}},
        "tooltip": {"trigger": "item", "confine": True},
        "legend": {"data": legend, "orient": "vertical", "top": MARGIN["top"], "right": 8,
                   "textStyle": {"fontSize": 10}, "itemWidth": 12, "itemHeight": 10, "itemGap": 4},
        "grid": MARGIN,
        # scroll to zoom, drag to pan: both axes by the same factor, so distances stay true
        "dataZoom": [{"type": "inside", "xAxisIndex": 0, "filterMode": "none"},
                     {"type": "inside", "yAxisIndex": 0, "filterMode": "none"}],
        "xAxis": xaxis, "yAxis": yaxis, "visualMap": visual_map, "series": series,
    }


# ------------------------------------------------------------------------------------------- options
def hour_map_option(scenario: Scenario, geo: MapGeometry, snap: HourSnapshot, *, colour_by: str = "price",
                    fleet: PlantFleet | None = None, run_label: str = "", when: str = "") -> dict:
    """The map of one cleared hour: nodes coloured by nodal price (currency/MWh) or by surplus =
    available utility capacity − load (MW), lines by loading (binding ones red), plants by technology
    (sized by installed MW) and large loads (sized by MW bid). `when` names the hour in the title
    (default: month and clock hour)."""
    if colour_by not in COLOUR_BY:
        raise ValueError(f"colour_by = {colour_by!r}: must be one of {', '.join(COLOUR_BY)}")
    cur = scenario.meta.currency
    order = [snap.node.index(n) for n in geo.node]  # the snapshot's node order → the map's
    price = snap.lmp_per_mwh[order, 0]
    load = snap.load_mw[order, 0]
    unserved = snap.unserved_mw[order, 0]
    plant_avail, node_avail = available_mw(scenario, fleet or fleet_of(scenario), snap.date, snap.hour_of_day)
    surplus = node_avail - load
    values, unit = (price, f"{cur}/MWh") if colour_by == "price" else (surplus, "MW")
    tips = [_tip(geo.name[i], [f"nodal price: {price[i]:,.2f} {cur}/MWh", f"load: {load[i]:,.0f} MW",
                               f"available utility capacity: {node_avail[i]:,.0f} MW",
                               f"surplus (available − load): {surplus[i]:+,.0f} MW",
                               f"unserved: {unserved[i]:,.0f} MW"]) for i in range(len(geo.node))]
    line_order = [snap.line.index(x) for x in geo.line]
    series = [_line_series(geo, snap.flow_mw[line_order, 0], snap.binding[line_order, 0]),
              _node_series(geo, values, tips), *_plant_series(scenario, geo, plant_avail),
              *_load_series(geo, large_loads_at(scenario, snap.large_loads))]
    title = f"{COLOUR_BY[colour_by].capitalize()} ({unit}), {when or hour_label(snap.date, snap.hour_of_day)}"
    subtitle = ((run_label + ": ") if run_label else "") + "line width and colour: loading (% of limit); red: at " \
        "its limit; triangles: plants by technology (size: MW); rooftop PV not counted as available"
    return _frame(geo, title, subtitle, series, _visual_map(values, colour_by, unit, 1))


def siting_map_option(scenario: Scenario, geo: MapGeometry, ranking: pd.DataFrame, *, top: int = 5) -> dict:
    """The map of a siting ranking (`experiments.siting.siting_report`'s table): nodes coloured by the
    block's expected margin (currency per year), the `top` best ringed and numbered."""
    cur = scenario.meta.currency
    margin_col = f"expected_margin_{cur}"
    price_col = f"average_price_{cur}_per_kwh"
    by_node = ranking.set_index("node")
    margin = np.array([float(by_node.loc[n, margin_col]) for n in geo.node])
    tips = []
    for n in geo.node:
        r = by_node.loc[n]
        tips.append(_tip(geo.name[geo.index(n)], [
            f"rank {int(r['rank'])} of {len(ranking)}", f"expected margin: {r[margin_col]:,.0f} {cur}",
            f"hours in full: {r['hours_in_full_per_year']:,.0f} a year",
            f"energy served: {r['energy_gwh_per_year']:,.1f} GWh a year",
            f"average price: {r[price_col]:,.3f} {cur}/kWh",
            f"extra line-hours at limit: {r['extra_binding_line_hours']:+,.0f}"]))
    best = ranking.sort_values("rank").head(top)
    rings = [{"name": str(int(r["rank"])), "value": [float(geo.x[geo.index(r['node'])]),
                                                       float(geo.y[geo.index(r['node'])]), int(r["rank"])],
              "tooltip": tips[geo.index(r["node"])]} for _, r in best.iterrows()]
    ranked = {"name": f"best {len(rings)}", "type": "scatter", "symbol": "circle", "symbolSize": 30, "z": 6,
              "data": rings, "itemStyle": {"color": "rgba(0,0,0,0)", "borderColor": RANK_COLOUR, "borderWidth": 2.5},
              "label": {"show": True, "formatter": "{b}", "position": "inside", "fontSize": 12, "fontWeight": "bold",
                        "color": RANK_COLOUR, "textBorderColor": "#ffffff", "textBorderWidth": 2}}  # the rank, in the ring
    series = [_line_series(geo, None, None), _node_series(geo, margin / 1e6, tips), ranked]
    title = f"Expected margin of the block (million {cur} a year)"
    subtitle = f"ringed, with their rank: the {len(rings)} best nodes; lines: the network (limits in the tooltips)"
    return _frame(geo, title, subtitle, series, _visual_map(margin / 1e6, "price", f"m {cur}", 1))
