"""The `surplus` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from tqdm import tqdm

from model.scenario import INPUT_ERRORS, shipped_scenarios


def _override(text: str) -> tuple[str, object]:
    """Parse ``path=value`` (value as TOML: numbers, true/false, quoted strings)."""
    import tomllib

    if "=" not in text:
        raise argparse.ArgumentTypeError(f"{text!r}: an override is path=value, e.g. consumers.agents=5000")
    key, raw = text.split("=", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip(), value


def _run_argument(name: str):
    """An argparse type: a run argument checked by its lever's rule, named as the user wrote it."""
    def parse(text: str) -> int:
        from model.levers import LeverError, check_run_argument

        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r}: must be a whole number") from None
        try:
            return check_run_argument(name, value)
        except LeverError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    parse.__name__ = name
    return parse


def _count(flag: str, low: int, high: int):
    """An argparse type: a whole number in [low, high]."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r}: must be a whole number from {low:,} to {high:,}")
        return value
    parse.__name__ = flag
    return parse


def _add_levers(p: argparse.ArgumentParser, flag: str = "--set", dest: str = "levers", side: str = "") -> None:
    p.add_argument(flag, dest=dest, type=_override, action="append", default=[], metavar="LEVER=VALUE",
                   help=f"set a lever{side} by its id (docs/levers.md), e.g. miners.mw=1000, or a scenario path, "
                        "e.g. settlement.voll_per_kwh=200; a schedule: 'capacity.payment_cut_share={\"2027-07\" = 0.2}'")


def build_parser() -> argparse.ArgumentParser:
    """Arguments of every subcommand."""
    parser = argparse.ArgumentParser(prog="surplus", description="Surplus: electricity-surplus simulation.")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run one scenario and write metrics, a manifest and a summary figure")
    run.add_argument("--scenario", default="pakistan-2025",
                     help=f"shipped scenario name or path to a .toml file (shipped: {', '.join(shipped_scenarios())})")
    run.add_argument("--years", type=_run_argument("years"), default=None,
                     help="horizon in years (default: the scenario's)")
    run.add_argument("--seed", type=_run_argument("seed"), default=1, help="random seed (default 1)")
    run.add_argument("--agents", type=_run_argument("agents"), default=None,
                     help="number of consumer agents (default: the scenario's)")
    _add_levers(run)
    run.add_argument("--out", type=Path, required=True, help="output folder (must not exist, or be empty)")
    run.add_argument("--overwrite", action="store_true", help="replace an existing --out folder whole")
    run.add_argument("--no-hourly", action="store_true", help="do not write the hour-by-hour tables")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    site = sub.add_parser("siting", help="rank the grid's nodes for a block of new large load")
    site.add_argument("--scenario", default="pakistan-2025")
    site.add_argument("--block-mw", type=float, required=True, help="size of the block, MW")
    site.add_argument("--bid-per-kwh", type=float, required=True,
                      help="price up to which the block runs (e.g. a miner's break-even), currency/kWh")
    site.add_argument("--months", type=_count("--months", 1, 1200), default=12,
                      help="months simulated and used for the ranking")
    site.add_argument("--seed", type=_run_argument("seed"), default=1)
    site.add_argument("--out", type=Path, default=None, help="CSV file for the table")
    room = sub.add_parser("headroom", help="hosting capacity: MW of flexible load the grid can serve, by node")
    room.add_argument("--scenario", default="pakistan-2025")
    room.add_argument("--max-mw", type=float, default=20_000.0, help="largest block tried, MW (default 20,000)")
    room.add_argument("--seed", type=_run_argument("seed"), default=1)
    room.add_argument("--system-only", action="store_true", help="only the system-wide block (faster)")
    room.add_argument("--resolution", choices=["representative_day", "weekday_weekend", "hourly"], default=None,
                      help="how each month is cleared (default: the scenario's); 'hourly' resolves limits "
                           "below one representative hour (about 0.34 %% of the year) but takes ~30x longer")
    room.add_argument("--nodes", default=None, metavar="ID[,ID...]",
                      help="search only these nodes (default: every node; the system is always searched)")
    on = room.add_mutually_exclusive_group()
    on.add_argument("--workers", type=_count("--workers", 1, 1024), default=None,
                    help="search the places in parallel on an embedded Dask cluster of N processes")
    on.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786", help="… or on an existing Dask scheduler")
    room.add_argument("--out", type=Path, default=None,
                      help="folder for headroom.csv, curtailed_hours_by_month.csv and headroom-map.png; each "
                           "place's result is kept in OUT/places/ as it finishes, so a rerun resumes")
    cmp_ = sub.add_parser("compare", help="a policy against its baseline, paired by seed, year by year")
    cmp_.add_argument("--base", default="pakistan-2025", help="the baseline scenario")
    cmp_.add_argument("--variant", default=None, help="the policy's scenario (default: the baseline's)")
    _add_levers(cmp_, side=" on the policy side")
    _add_levers(cmp_, "--base-set", "base_levers", " on the baseline side")
    cmp_.add_argument("--years", type=_run_argument("years"), default=5)
    cmp_.add_argument("--seeds", type=_count("--seeds", 1, 1000), default=1,
                      help="paired runs on seeds 1..N (confidence intervals need 2+)")
    cmp_.add_argument("--agents", type=_run_argument("agents"), default=None)
    cmp_.add_argument("--metric", dest="metrics", action="append", default=None,
                      help="metric to print (repeat; default: a few key ones; the CSV has all)")
    cmp_.add_argument("--out", type=Path, default=None, help="CSV file for the table")
    swp = sub.add_parser("sweep", help="run (or resume) a sweep file's runs on Dask, one Parquet file per run")
    swp.add_argument("file", type=Path, help="the sweep file (TOML; docs/experiments.md)")
    swp.add_argument("--out", type=Path, required=True,
                     help="results folder (new or empty; the same folder again resumes the sweep)")
    where = swp.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_count("--workers", 1, 1024), default=None,
                       help="worker processes of the embedded Dask cluster (default: CPU count)")
    where.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                       help="run on an existing Dask scheduler instead")
    swp.add_argument("--limit", type=_count("--limit", 0, 10**7), default=None,
                     help="start at most this many runs now (a rerun does the rest)")
    swp.add_argument("--quiet", action="store_true", help="no progress bar")
    sens = sub.add_parser("sensitivity", help="Sobol indices or Morris effects of a metric over a sweep's factors")
    sens.add_argument("folder", type=Path, help="the sweep's results folder")
    sens.add_argument("--metric", required=True, help="a metric the sweep kept (docs/metrics.md)")
    sens.add_argument("--year", required=True, help="fiscal year, e.g. FY2030")
    sens.add_argument("--method", choices=["sobol", "morris"], default=None,
                      help="Sobol indices (design sobol) or Morris μ*/σ (design morris); default: the sweep's design")
    sens.add_argument("--out", type=Path, default=None, help="folder for sensitivity.csv and sensitivity.png")
    disc = sub.add_parser("discover", help="PRIM scenario discovery: the factor ranges where an outcome happens")
    disc.add_argument("folder", type=Path, help="the sweep's results folder")
    disc.add_argument("--metric", required=True, help="a metric the sweep kept (docs/metrics.md)")
    disc.add_argument("--year", required=True, help="fiscal year, e.g. FY2030")
    disc.add_argument("--where", required=True, help='the outcome of interest, e.g. "circular_debt_change > 0"')
    disc.add_argument("--density", type=float, default=0.8,
                      help="the box chosen: widest coverage with at least this density (default 0.8)")
    disc.add_argument("--out", type=Path, default=None, help="folder for prim-box.csv, prim-trajectory.csv and "
                      "prim-tradeoff.png")
    rep = sub.add_parser("report", help="one offline HTML report of a sweep (fan charts, policies, sensitivity, "
                         "PRIM), every figure also as PNG")
    rep.add_argument("folder", type=Path, help="the sweep's results folder")
    rep.add_argument("--out", type=Path, default=None, help="the HTML file (default: FOLDER/report.html); the "
                     "PNGs go beside it as <name>-<figure>.png")
    rep.add_argument("--metric", dest="metrics", action="append", default=None,
                     help="a metric to show (repeat; default: the sweep's kept metrics, at most 6)")
    rep.add_argument("--year", default=None, help="fiscal year compared (default: the last whole one)")
    rep.add_argument("--where", default=None, help='PRIM: the outcome of interest, e.g. "circular_debt_change > 0"')
    rep.add_argument("--density", type=float, default=0.8, help="PRIM: the box's least density (default 0.8)")
    lev = sub.add_parser("levers", help="list the levers with their defaults in a scenario")
    lev.add_argument("--scenario", default="pakistan-2025")
    sub.add_parser("scenarios", help="list the shipped scenarios")
    return parser


def _siting(args: argparse.Namespace) -> None:
    from experiments.siting import siting_report

    table = siting_report(args.scenario, args.block_mw, args.bid_per_kwh, months=args.months, seed=args.seed)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    if args.out:
        table.to_csv(args.out, index=False)


def _headroom(args: argparse.Namespace) -> None:
    from experiments.headroom import headroom_map, headroom_study

    overrides = {"time.resolution": args.resolution} if args.resolution else None
    nodes = False if args.system_only else ([n.strip() for n in args.nodes.split(",") if n.strip()]
                                            if args.nodes else True)
    if args.workers or args.scheduler:
        import distributed  # noqa: F401  (its import sets its loggers' levels: set ours after it)

        for name in ("distributed", "tornado"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    study = headroom_study(args.scenario, max_mw=args.max_mw, seed=args.seed, nodes=nodes, overrides=overrides,
                           store=args.out / "places" if args.out else None, workers=args.workers,
                           scheduler=args.scheduler)
    print(f"Flexible load hostable, {study.scenario.meta.name}, {study.year} (MW; columns: the block's own "
          "curtailment limit, share of the year's hours)")
    print(study.table.to_string(index=False, float_format=lambda v: f"{v:,.0f}"))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        study.table.to_csv(args.out / "headroom.csv", index=False)
        study.monthly.to_csv(args.out / "curtailed_hours_by_month.csv", index=False)
        if len(study.table) > 1:
            headroom_map(study, args.out / "headroom-map.png")
        print(f"written to {args.out}")


KEY_METRICS = ("average_tariff_per_kwh", "circular_debt_change", "pv_adoption_share", "large_load_contribution",
               "emissions_t", "unserved_energy_gwh")


def _compare(args: argparse.Namespace) -> None:
    from experiments.compare import compare

    result = compare(args.base, args.variant, base_levers=dict(args.base_levers), levers=dict(args.levers),
                     seeds=args.seeds, years=args.years, agents=args.agents)
    table = result.table
    shown = table[table["metric"].isin(args.metrics or KEY_METRICS)]
    cols = ["metric", "fiscal_year", "base", "policy", "difference", "ci_low", "ci_high", "unit"]
    print(f"paired on seeds 1..{args.seeds}; {int(result.confidence * 100)} % interval of the paired difference "
          f"(nan with one seed)")
    print(shown[cols].to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    if args.out:
        table.to_csv(args.out, index=False)


def _run(args: argparse.Namespace) -> None:
    from experiments.run import check_out, write_outputs
    from experiments.simulate import prepare, run_prepared

    check_out(args.out, overwrite=args.overwrite)  # before any work: a bad --out must not cost a run
    prep = prepare(args.scenario, dict(args.levers), seed=args.seed, years=args.years, agents=args.agents)
    with tqdm(total=12 * prep.years, desc=f"{prep.scenario.meta.name} seed {prep.seed}", unit="month",
              disable=args.quiet) as bar:
        result = run_prepared(prep, keep_hourly=not args.no_hourly, on_month=lambda p: bar.update(1))
    manifest = write_outputs(result, args.out, overwrite=args.overwrite)
    print(f"wrote {args.out}: " + ", ".join([*manifest["files"], "manifest.json"]))


def _sensitivity(args: argparse.Namespace) -> None:
    from experiments.sensitivity import sensitivity_chart, sweep_sensitivity

    table = sweep_sensitivity(args.folder, args.metric, args.year, args.method)
    a = table.attrs
    what = "Morris effects (μ* and μ in the metric's unit per factor range)" if a["method"] == "morris" else "Sobol indices"
    print(f"{what} of {a['metric']} in {a['fiscal_year']} ({a['points']} design points × {a['seeds']} seed(s); "
          "± half-widths of 95 % bootstrap intervals)")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "sensitivity.csv", index=False)
        sensitivity_chart(table, args.out / "sensitivity.png")
        print(f"written to {args.out}")


def _discover(args: argparse.Namespace) -> None:
    from experiments.discover import discover, tradeoff_chart

    d = discover(args.folder, args.metric, args.year, args.where, args.density)
    row = d.trajectory.loc[d.chosen]
    print(f"PRIM: {d.condition}: {d.of_interest} of {d.cases} runs. Chosen box: coverage {row['coverage']:.2f}, "
          f"density {row['density']:.2f}, {int(row['res_dim'])} restricted factor(s)")
    print(d.limits.to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        d.limits.to_csv(args.out / "prim-box.csv", index=False)
        d.trajectory.to_csv(args.out / "prim-trajectory.csv", index=False)
        tradeoff_chart(d, args.out / "prim-tradeoff.png")
        print(f"written to {args.out}")


def _report(args: argparse.Namespace) -> None:
    from experiments.report import write_report

    report = write_report(args.folder, args.out, metrics=args.metrics, fiscal_year=args.year, where=args.where,
                          density=args.density)
    print(f"wrote {report.path} and {len(report.figures)} PNG figures beside it")


def _sweep(args: argparse.Namespace) -> None:
    from experiments.sweep import summary_line, sweep

    # Dask logs its cluster's life (and, on Ctrl-C, the connections it drops) line by line: that would bury
    # the progress line. Failed runs are in the manifest and the summary; a scheduler that cannot be
    # reached raises, reported below.
    import distributed  # noqa: F401  (its import sets its loggers' levels: set ours after it)

    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        summary = sweep(args.file, args.out, workers=args.workers, scheduler=args.scheduler, limit=args.limit,
                        progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"interrupted: the finished runs are in {args.out}; the same command resumes the sweep",
              file=sys.stderr)
        raise SystemExit(130) from None
    except (OSError, TimeoutError) as exc:
        if args.scheduler is None or isinstance(exc, FileExistsError):
            raise
        print(f"error: --scheduler {args.scheduler}: cannot connect ({exc})", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"{args.out}: {summary_line(summary)}")


def _levers(args: argparse.Namespace) -> None:
    from model.levers import LEVERS_LIST, describe_default
    from model.scenario import load_scenario

    data = load_scenario(args.scenario).model_dump()
    for lv in LEVERS_LIST:
        shown = describe_default(lv, data)
        print(f"{lv.id:36s} {shown:>14s}  {lv.unit.replace('{currency}', data['meta']['currency']):18s} {lv.label}")


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "scenarios":
        print("\n".join(shipped_scenarios()))
        return 0
    from experiments.discover import DiscoveryError
    from experiments.headroom import HeadroomInputError
    from experiments.report import ReportError
    from experiments.sensitivity import SensitivityError
    from experiments.run import OutputExistsError

    try:
        {"siting": _siting, "compare": _compare, "run": _run, "sweep": _sweep, "levers": _levers,
         "headroom": _headroom, "sensitivity": _sensitivity, "discover": _discover,
         "report": _report}[args.command](args)
    except (*INPUT_ERRORS, OutputExistsError, HeadroomInputError, SensitivityError, DiscoveryError,
            ReportError, FileNotFoundError) as exc:  # bad input: one line, exit code 2
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
