"""Fuzzing the scenario input (issue 9): a fixed, seeded set of mutants of the shipped scenarios
(`experiments/fuzz.py`: fields deleted, numbers made NaN/±inf/negative/zero/huge or of a wrong
type, dangling references, wrong list lengths, dates out of range, a broken `meta.extends`, `meta`
not a table), each written as a TOML file and run for a year with 300 consumer agents.

Every mutant must end in an input error that names the mutated field before month 1, or in a run
whose every metric is finite (where the registry does not allow NaN) and possible, with energy and
money balanced. A failure lists each mutant with its replay command:
``python -m experiments.fuzz --replay N`` shows the change and the full traceback.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

from experiments import fuzz

MUTANTS = range(300)  # the first mutants of every campaign (`make fuzz` runs thousands): ~20-30 s
TIME_LIMIT_S = 60


def test_every_mutant_ends_in_a_named_error_or_a_possible_run(tmp_path):
    outcomes = []
    logging.disable(logging.CRITICAL)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            for i in MUTANTS:
                folder = tmp_path / str(i)
                folder.mkdir()
                outcomes.append(fuzz.run_mutant(i, years=1, agents=300, time_limit=TIME_LIMIT_S, folder=folder))
    finally:
        logging.disable(logging.NOTSET)
    bad = [o for o in outcomes if o.outcome not in fuzz.GOOD]
    if bad:
        pytest.fail(f"{len(bad)} of {len(outcomes)} mutants failed (replay: python -m experiments.fuzz --replay N)\n"
                    + fuzz.report(outcomes, examples=0), pytrace=False)
