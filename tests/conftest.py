"""Shared test helpers: small configurations that run in about a second."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.config_files import config_dir

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = config_dir()  # the installed configs (configs/ in an editable install)


def tiny(**over: Any) -> dict[str, Any]:
    """A run of about a second: 2% of England, 4 years' warm-up, 3 measured years."""
    cfg: dict[str, Any] = {"scale": 0.02, "warmup_years": 4, "years": 3, "seed": 11}
    cfg.update(over)
    return cfg


def policy_option(lever: str, option: str) -> dict[str, Any]:
    """The mapping a Hydra policy option file gives (configs/policy/<lever>/<option>.yaml)."""
    return yaml.safe_load((CONFIGS / "policy" / lever / f"{option}.yaml").read_text())


@pytest.fixture
def tiny_config() -> dict[str, Any]:
    return tiny()
