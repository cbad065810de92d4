"""Run ``python -m expnet`` as a user would: a fresh interpreter, from the repository root."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def expnet(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "expnet", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        input=stdin,
        timeout=60,
        check=False,
    )
