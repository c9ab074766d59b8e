"""Starting the app's server and finding a browser, for the real-browser tests and the app benchmark."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# headless Chromium on a closed network: no background connections, no first-run work
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium() -> str | None:
    """Debian's Chromium (Playwright's own download does not work here), or None."""
    return shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(log_path: Path, timeout_s: float = 90.0) -> Iterator[str]:
    """`solara run app.py` on a free localhost port (no version check, no telemetry, one BLAS thread);
    yields its URL and stops it afterwards. Raises RuntimeError with the log's tail if it fails."""
    port = free_port()
    solara_exe = Path(sys.executable).with_name("solara")
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "OPENBLAS_NUM_THREADS": "1"}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [str(solara_exe), "run", "app.py", "--host", "127.0.0.1", "--port", str(port), "--no-open",
             "--production", "--no-check-version"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"solara did not start; log:\n{log_path.read_text()[-3000:]}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
