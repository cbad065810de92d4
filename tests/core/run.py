"""Run ``python -m expnet`` as a user would: a fresh interpreter, from the repository root."""

from __future__ import annotations

import json
import subprocess

from tests.harness import REPO_ROOT, run_module

REPO = REPO_ROOT


def expnet(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_module("expnet", *args, stdin=stdin)


def ok_json(*args: str) -> dict:
    """The JSON a command prints when it succeeds (exit 0, nothing on stderr)."""
    proc = expnet(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return json.loads(proc.stdout)
