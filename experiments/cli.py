"""The `surplus` command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

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


def build_parser() -> argparse.ArgumentParser:
    """Arguments of every subcommand."""
    parser = argparse.ArgumentParser(prog="surplus", description="Surplus: electricity-surplus simulation.")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run one scenario and write metrics, a manifest and a summary figure")
    run.add_argument("--scenario", default="pakistan-2025",
                     help=f"shipped scenario name or path to a .toml file (shipped: {', '.join(shipped_scenarios())})")
    run.add_argument("--years", type=int, default=None, help="horizon in years (default: the scenario's)")
    run.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    run.add_argument("--agents", type=int, default=None, help="number of consumer agents (default: the scenario's)")
    run.add_argument("--set", dest="overrides", type=_override, action="append", default=[], metavar="PATH=VALUE",
                     help="override a scenario field, e.g. --set regulator.fixed_charge_capacity_share=0.5")
    run.add_argument("--out", type=Path, required=True, help="output folder")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    site = sub.add_parser("siting", help="rank the grid's nodes for a block of new large load")
    site.add_argument("--scenario", default="pakistan-2025")
    site.add_argument("--block-mw", type=float, required=True, help="size of the block, MW")
    site.add_argument("--bid-per-kwh", type=float, required=True,
                      help="price up to which the block runs (e.g. a miner's break-even), currency/kWh")
    site.add_argument("--months", type=int, default=12, help="months simulated and used for the ranking")
    site.add_argument("--seed", type=int, default=1)
    site.add_argument("--out", type=Path, default=None, help="CSV file for the table")
    cmp_ = sub.add_parser("compare", help="a policy variant against its base: effect on everyone else, year by year")
    cmp_.add_argument("--base", default="pakistan-2025")
    cmp_.add_argument("--variant", required=True)
    cmp_.add_argument("--years", type=int, default=5)
    cmp_.add_argument("--seed", type=int, default=1)
    cmp_.add_argument("--agents", type=int, default=None)
    cmp_.add_argument("--out", type=Path, default=None, help="CSV file for the table")
    sub.add_parser("scenarios", help="list the shipped scenarios")
    return parser


def _siting(args: argparse.Namespace) -> None:
    from experiments.siting import siting_report

    table = siting_report(args.scenario, args.block_mw, args.bid_per_kwh, months=args.months, seed=args.seed)
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    if args.out:
        table.to_csv(args.out, index=False)


def _compare(args: argparse.Namespace) -> None:
    from experiments.compare import compare

    table = compare(args.base, args.variant, years=args.years, seed=args.seed, agents=args.agents)
    key = ["average_tariff_per_kwh", "large_load_contribution", "large_load_subsidy", "emissions_t",
           "unserved_energy_gwh"]
    print(table.loc[:, (key, "difference")].to_string(float_format=lambda v: f"{v:,.3f}"))
    if args.out:
        table.to_csv(args.out)


def _run(args: argparse.Namespace) -> None:
    from experiments.run import run, write_outputs

    overrides = dict(args.overrides)
    model = run(args.scenario, years=args.years, seed=args.seed, agents=args.agents,
                overrides=overrides or None, progress=not args.quiet)
    manifest = write_outputs(model, args.out, seed=args.seed, overrides=overrides)
    print(f"wrote {args.out}: " + ", ".join([*manifest["files"], "manifest.json"]))


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
    try:
        {"siting": _siting, "compare": _compare, "run": _run}[args.command](args)
    except INPUT_ERRORS as exc:  # bad input: one line, exit code 2
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
