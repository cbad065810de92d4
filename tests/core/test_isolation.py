"""The core never imports streamlit or plotly (docs/design.md, "Layers of the code")."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .run import REPO

CORE_MODULES = [
    "expnet",
    "expnet.activations",
    "expnet.losses",
    "expnet.names",
    "expnet.network",
    "expnet.trace",
    "expnet.teaching.solution",
    "expnet.teaching.grading",
    "expnet.teaching.exercises",
    "expnet.teaching.sheets",
    "expnet.teaching.stepper",
    "expnet.teaching.export",
    "expnet.symbols",
    "expnet.batch",
    "expnet.gradcheck",
    "expnet.descent",
    "expnet.optimizers",
    "expnet.initialise",
    "expnet.presets",
    "expnet.cli",
]

LAYERS_ABOVE = ("ui", "figures", "poll")

PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
json.dump(sorted(sys.modules), sys.stdout)
"""


def loaded_after_import(*modules: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *modules],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    )
    return set(json.loads(proc.stdout))


def ui_modules(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m.split(".")[0] in ("streamlit", "plotly"))


@pytest.mark.parametrize("module", ["expnet", "expnet.cli"])
def test_import_does_not_load_streamlit_or_plotly(module: str) -> None:
    loaded = loaded_after_import(module)
    assert module in loaded
    assert ui_modules(loaded) == []


def test_every_core_module_together() -> None:
    loaded = loaded_after_import(*CORE_MODULES)
    assert ui_modules(loaded) == []


def test_the_probe_would_see_them() -> None:
    # Guard against a probe that cannot fail: importing plotly itself must show up.
    pytest.importorskip("plotly")
    assert "plotly" in ui_modules(loaded_after_import("plotly"))


def test_the_import_contract_lists_every_core_module() -> None:
    """.importlinter's core contract names each top-level module and core package of expnet
    (a package's modules are checked with it), so a new core module is checked from its first
    commit."""
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / ".importlinter")
    listed = set(config["importlinter:contract:core"]["source_modules"].split())
    on_disk = {
        f"expnet.{p.stem}" for p in (REPO / "expnet").glob("*.py") if not p.stem.startswith("_")
    }
    on_disk |= {
        f"expnet.{p.parent.name}"
        for p in (REPO / "expnet").glob("*/__init__.py")
        if p.parent.name not in LAYERS_ABOVE
    }
    assert listed == on_disk


def test_the_numeric_contract_lists_every_core_module_below_teaching() -> None:
    """.importlinter's numeric contract keeps every core module but the CLI from importing
    teaching, so the words about the numbers stay above the numbers."""
    import configparser

    config = configparser.ConfigParser()
    config.read(REPO / ".importlinter")
    contract = config["importlinter:contract:numeric"]
    listed = set(contract["source_modules"].split())
    on_disk = {
        f"expnet.{p.stem}" for p in (REPO / "expnet").glob("*.py") if not p.stem.startswith("_")
    }
    assert listed == on_disk - {"expnet.cli"}
    assert contract["forbidden_modules"].split() == ["expnet.teaching"]


def test_the_trace_holds_numbers_only() -> None:
    """expnet/trace.py writes no TeX (no backslash commands, no braced sub- or superscripts):
    the chain rule's formulas live in expnet.teaching.chain_rule."""
    source = (REPO / "expnet" / "trace.py").read_text(encoding="utf-8")
    assert "\\" not in source
    for brace in ("^{", "_{"):
        assert brace not in source, brace
    assert len(source.splitlines()) < 500


def test_a_trace_is_built_by_keywords() -> None:
    """Trace has a dozen fields: built by position, two of the same type could swap unseen."""
    import dataclasses

    from expnet.trace import Trace

    assert all(f.kw_only for f in dataclasses.fields(Trace))
