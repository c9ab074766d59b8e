"""Bitcoin protocol arithmetic and mining economics: block subsidy, halvings, hashprice, break-even.

Sources: block subsidy ``50 BTC >> (height // 210,000)`` (bitcoin/bitcoin, src/validation.cpp,
GetBlockSubsidy); halving 4 at block 840,000 on 2024-04-20; hashprice as in Luxor's Hashrate Index
(blocks per day per PH/s × (subsidy + fees)); see shared/reference/behaviour-models.md §3.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

HALVING_INTERVAL = 210_000          # blocks between subsidy halvings
INITIAL_SUBSIDY_BTC = 50.0
REFERENCE_HEIGHT = 840_000          # the fourth halving ...
REFERENCE_DATE = dt.date(2024, 4, 20)  # ... mined on 20 April 2024
BLOCKS_PER_DAY = 144.0              # one block per 600 s target
TWO_POW_32 = 2.0**32


@dataclass(frozen=True)
class BitcoinMonth:
    """The Bitcoin network in one month as a miner sees it (part of the large loads' `MonthContext`)."""

    price_usd_per_btc: float
    hashprice_btc_per_ph_day: float
    hashprice_usd_per_ph_day: float
    pool_fee: float                      # mining-pool fee, share of revenue
    best_j_per_th: float | None = None   # newest ASICs on sale, J/TH; None: no fleet upgrades
    network_hashrate_eh_s: float = 0.0   # the network's, including the model's own miners, EH/s
    # outlook(months, extra_th_s): expected hashprice, USD/PH/day, in this month and the next months - 1,
    # if `extra_th_s` more TH/s join the miners in the market now (a miner weighing entry adds its own)
    outlook: Callable[[int, float], np.ndarray] | None = None


def block_subsidy_btc(height: int) -> float:
    """New bitcoin per block at `height` (0 after 64 halvings)."""
    halvings = height // HALVING_INTERVAL
    if halvings >= 64:
        return 0.0
    return INITIAL_SUBSIDY_BTC / (2**halvings)


def height_at(date: dt.date, blocks_per_day: float = BLOCKS_PER_DAY) -> int:
    """Expected block height on `date`, from the fourth halving at the protocol's target pace."""
    return int(REFERENCE_HEIGHT + (date - REFERENCE_DATE).days * blocks_per_day)


def block_subsidy_path_btc(date: dt.date, months: int, blocks_per_day: float = BLOCKS_PER_DAY) -> np.ndarray:
    """Block subsidy on the first day of each of `months` months from `date`'s month (vectorised
    `block_subsidy_btc(height_at(...))`)."""
    firsts = (np.datetime64(date, "M") + np.arange(months)).astype("datetime64[D]")
    days = (firsts - np.datetime64(REFERENCE_DATE)).astype(np.int64)
    halvings = (REFERENCE_HEIGHT + days * blocks_per_day).astype(np.int64) // HALVING_INTERVAL
    return np.where(halvings >= 64, 0.0, INITIAL_SUBSIDY_BTC / 2.0 ** np.minimum(halvings, 64))


def next_halving_date(date: dt.date, blocks_per_day: float = BLOCKS_PER_DAY) -> dt.date:
    """Expected date of the next halving after `date` (e.g. block 1,050,000 in April 2028)."""
    h = height_at(date, blocks_per_day)
    target = (h // HALVING_INTERVAL + 1) * HALVING_INTERVAL
    return REFERENCE_DATE + dt.timedelta(days=(target - REFERENCE_HEIGHT) / blocks_per_day)


def difficulty_from_hashrate(hashrate_eh_s: float) -> float:
    """Difficulty D at which a network of `hashrate_eh_s` finds a block every 600 s: D = H·600/2³²."""
    return hashrate_eh_s * 1e18 * 600.0 / TWO_POW_32


def hashprice_btc_per_ph_day(difficulty: float, subsidy_btc: float, fees_btc_per_block: float) -> float:
    """Expected BTC earned per PH/s per day: 86,400·10¹⁵ / (D·2³²) blocks × (subsidy + fees)."""
    blocks = 86_400.0 * 1e15 / (difficulty * TWO_POW_32)
    return blocks * (subsidy_btc + fees_btc_per_block)


def hashprice_usd_per_ph_day(
    difficulty: float, subsidy_btc: float, fees_btc_per_block: float, price_usd_per_btc: float,
) -> float:
    """Hashprice in USD per PH/s per day."""
    return hashprice_btc_per_ph_day(difficulty, subsidy_btc, fees_btc_per_block) * price_usd_per_btc


def fees_from_share(subsidy_btc: float, fee_share_of_reward: float) -> float:
    """Fees per block when fees are `fee_share_of_reward` of the total block reward (subsidy + fees)."""
    return subsidy_btc * fee_share_of_reward / (1.0 - fee_share_of_reward)


def breakeven_usd_per_mwh(
    hashprice_usd_per_ph_day_: float, efficiency_j_per_th: float, pue: float = 1.0, pool_fee: float = 0.0,
) -> float:
    """Electricity price at which mining revenue equals the power bill (operating cost only), USD/MWh.

    One PH/s at ε J/TH draws ε kW (×PUE at the site), i.e. 24·ε·PUE kWh per day.
    """
    kwh_per_ph_day = 24.0 * efficiency_j_per_th * pue
    return hashprice_usd_per_ph_day_ * (1.0 - pool_fee) / kwh_per_ph_day * 1000.0
