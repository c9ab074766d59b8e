"""Named random streams: common random numbers for paired comparisons.

Every stochastic component draws from its own generator, spawned from the run's seed and keyed by a
stable name (not by creation order), so that adding a component, a driver or a large load never
shifts another component's draws. Two runs with the same seed and different policies therefore see
the same random numbers in every component, and their difference is the policy's effect.
"""

from __future__ import annotations

import zlib

import numpy as np

# the components that draw random numbers (docs and tests read this list)
STREAMS = {
    "drivers": "stochastic driver paths (one sub-stream per driver: fx, fuel indices, PV cost)",
    "population": "consumption draws of the consumer agents",
    "network": "who is whose neighbour (social influence on adoption)",
    "initial_pv": "which agents own PV at the start, and which of them have a battery",
    "adoption": "one uniform draw per consumer agent per month for the adoption decision",
    "large_loads": "Bitcoin price, network hashrate and ASIC efficiency paths (one sub-stream each)",
}


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """Generators for the named components of one run, all derived from `seed`.

    Args:
        seed: an int, or a numpy Generator (an int is drawn from it), or None (fresh OS entropy; the
            entropy used is kept in `seed` so the run can be repeated).
    """

    def __init__(self, seed: int | np.random.Generator | None) -> None:
        if isinstance(seed, np.random.Generator):
            seed = int(seed.integers(2**63))
        elif seed is None:
            seed = int(np.random.SeedSequence().entropy % 2**63)
        elif isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
            raise ValueError(f"seed = {seed!r}: must be a non-negative integer")
        self.seed = int(seed)

    def get(self, name: str, *sub: str) -> np.random.Generator:
        """The generator of component `name` (optionally a named sub-stream of it); the same name
        always gives the same sequence for this seed."""
        if name not in STREAMS:
            raise KeyError(f"unknown random stream {name!r} (known: {', '.join(STREAMS)})")
        ss = np.random.SeedSequence(entropy=self.seed, spawn_key=(_key(name), *(_key(s) for s in sub)))
        return np.random.Generator(np.random.PCG64(ss))
