"""Real-browser fixtures: `solara run app.py` on a free port, Debian's Chromium through Playwright."""

import pytest

from ui.server import CHROMIUM_ARGS, chromium, serve


def _chromium() -> str | None:
    return chromium()


def pytest_collection_modifyitems(config, items):
    if _chromium():
        return
    skip = pytest.mark.skip(reason="Chromium not found: install Debian's chromium (apt-get install chromium); "
                                   "`make test` does this when run as root")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": _chromium(), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    try:
        with serve(tmp_path_factory.mktemp("solara") / "server.log") as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))
