"""Shared test configuration."""

import logging
import warnings

import pytest


@pytest.fixture(autouse=True, scope="session")
def _quiet_reference_tools():
    # pandapower and PyPSA log and warn a lot about their own internals; keep test output readable
    logging.getLogger("pandapower").setLevel(logging.ERROR)
    logging.getLogger("pypsa").setLevel(logging.ERROR)
    logging.getLogger("linopy").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="pandapower")
    warnings.filterwarnings("ignore", module="pypsa")
    yield


def pytest_sessionfinish(session, exitstatus):
    # pyarrow's parquet threads can abort the interpreter at shutdown (apache/arrow#34314): release
    # every Arrow object while Arrow is still alive
    import gc

    gc.collect()
