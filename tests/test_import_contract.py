"""The core's import contract (.importlinter, checked by lint-imports in `make test`) names
its modules one by one: a new module of the core must be added to it, or it would go
unchecked. This test finds every module and package of expnet that is not one of the layers
above the core and requires it in the contract."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS_ABOVE_THE_CORE = {"ui", "poll", "figures"}
NOT_A_MODULE = {"__init__", "__main__"}


def core_modules_on_disk() -> set[str]:
    package = ROOT / "expnet"
    modules = {p.stem for p in package.glob("*.py") if p.stem not in NOT_A_MODULE}
    packages = {p.parent.name for p in package.glob("*/__init__.py")}
    return {f"expnet.{name}" for name in (modules | packages) - LAYERS_ABOVE_THE_CORE}


def core_contract() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return set(config["importlinter:contract:core"]["source_modules"].split())


def test_every_module_of_the_core_is_in_its_import_contract() -> None:
    missing = sorted(core_modules_on_disk() - core_contract())
    assert not missing, f"add these to .importlinter's core contract: {missing}"


def test_the_contract_names_no_module_that_is_gone() -> None:
    assert not sorted(core_contract() - core_modules_on_disk())
