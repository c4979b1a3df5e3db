"""Every option of every config group composes (Hydra's compose API, the package's configs)
and passes the command's own validation (:func:`sim.cli.model_config`: the model config,
the sensitivity multipliers and the ensemble), without running a simulation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

import sim.cli
from sim.config import ConfigError
from sim.model import RevolvingDoorModel
from sim.ssda903.write import write_model
from sim.cli_overrides import config_groups
from sim.config_files import CONFIG_NAME, CONFIG_PACKAGE, group_options
from sim.policies import build_policies
from sim.policy_names import policy_names

OPTIONS = [(group, option) for group in config_groups() for option in group_options(group)]


def _compose(overrides: list[str], hydra: bool = False):  # type: ignore[no-untyped-def]
    with initialize_config_module(config_module=CONFIG_PACKAGE, version_base="1.3"):
        return compose(config_name=CONFIG_NAME, overrides=overrides, return_hydra_config=hydra)


def test_the_groups_are_the_ones_the_help_lists() -> None:
    """A guard on the list below: a group dropped from the scan would pass unseen."""
    assert {"councils", "experiment", "policy/monitoring", "policy/support",
            "policy/treatment", "sensitivity", "size"} <= set(config_groups())
    assert len(OPTIONS) >= 30


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small council's SSDA903 files, written by a run of the model (for the councils
    option that starts a run from a council's data)."""
    model = RevolvingDoorModel({"seed": 1, "scale": 0.005, "warmup_years": 6, "years": 3,
                                "start_year": 2015, "councils": {"mode": "listed", "listed": [
                                    {"name": "Example", "size_share": 1.0}]}})
    model.run()
    root = tmp_path_factory.mktemp("extract")
    write_model(model, root, years=3)
    model.release()
    return root


@pytest.mark.parametrize("group,option", OPTIONS, ids=[f"{g}={o}" for g, o in OPTIONS])
def test_every_option_composes_and_validates(group: str, option: str,
                                             request: pytest.FixtureRequest) -> None:
    overrides = [f"{group}={option}"]
    if (group, option) == ("councils", "from_data"):
        # it needs the council's files: refused without them, naming the setting ...
        with pytest.raises(ConfigError, match=r"^councils\.path: "):
            sim.cli.model_config(_compose(overrides))
        # ... and valid with them
        overrides.append(f"councils.path={request.getfixturevalue('extract')}")
    cfg = _compose(overrides)
    model_cfg, _ = sim.cli.model_config(cfg)
    assert model_cfg.total_months > 0
    if group.startswith("policy/"):  # the option names the policy it makes
        lever = group.split("/", 1)[1]
        assert policy_names(build_policies(model_cfg.policy))[lever] == option


@pytest.mark.parametrize("option", group_options("hydra/launcher"))
def test_every_launcher_option_composes(option: str) -> None:
    cfg = _compose([f"hydra/launcher={option}"], hydra=True)
    assert cfg.hydra.launcher._target_
