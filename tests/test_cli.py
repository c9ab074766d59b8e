"""The `surplus` console command."""

import subprocess
import sys
from pathlib import Path

from experiments.cli import main


def test_help_lists_the_program(capsys):
    assert main([]) == 0
    assert "surplus" in capsys.readouterr().out


def test_console_script_help_runs():
    exe = Path(sys.executable).with_name("surplus")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60, check=True)
    assert "usage: surplus" in out.stdout
