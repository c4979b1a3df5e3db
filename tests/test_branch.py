"""Policies run on from one warm-up (``sim/branch.py``) give the runs made from the start.

The expectation is the ordinary run of each policy from month 0 (``RevolvingDoorModel.run``),
never the branching code: every output file it writes, and the whole ledger (the warm-up's
months too), must be byte-identical, with each support design of the false-economy Monte
Carlo and with every lever on at once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import branch
from sim.config import ConfigError, ModelConfig
from sim.model import RevolvingDoorModel
from sim.results import collect

from sim.policy_names import option_mapping

from conftest import tiny

ARMS = ("status_quo", "entitlement_holmes", "entitlement", "entitlement_cap12")


def _every_lever() -> dict:
    return {"support": {**option_mapping("support", "entitlement"), "cap_months": 24},
            "monitoring": option_mapping("monitoring", "m6"),
            "treatment": option_mapping("treatment", "universal")}


def _config(policy: dict, **over: object) -> ModelConfig:
    return ModelConfig.from_dict(tiny(**{"seed": 23, "scale": 0.03, "policy": policy, **over}))


def _files(model: RevolvingDoorModel, folder: Path) -> dict[str, bytes]:
    collect(model).write(folder)
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def trunk() -> RevolvingDoorModel:
    cfg = _config({})
    arms = [_config({"support": option_mapping("support", a)}) for a in ARMS]
    return branch.trunk(cfg, branch.branch_month(arms))


@pytest.mark.parametrize("arm", [*ARMS, "every_lever"])
def test_a_branched_arm_writes_what_the_run_from_the_start_writes(
        arm: str, trunk: RevolvingDoorModel, tmp_path: Path) -> None:
    policy = (_every_lever() if arm == "every_lever"
              else {"support": option_mapping("support", arm)})
    cfg = _config(policy)
    whole = RevolvingDoorModel(cfg).run()
    branched = branch.branch(trunk, cfg).run()
    want = _files(whole, tmp_path / "whole")
    got = _files(branched, tmp_path / "branched")
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], name
    assert np.array_equal(branched.ledger.amounts, whole.ledger.amounts)
    assert np.array_equal(branched.caseloads, whole.caseloads)
    assert branched.steps == whole.steps == cfg.total_months
    for m in (whole, branched):
        m.release()


def test_the_trunk_is_left_as_it_was(trunk: RevolvingDoorModel) -> None:
    month, families = trunk.month, trunk.families.n
    branch.branch(trunk, _config({"support": option_mapping("support", "entitlement")})).run()
    assert (trunk.month, trunk.families.n) == (month, families)


def test_branching_refuses_other_configs_and_early_policies(trunk: RevolvingDoorModel) -> None:
    with pytest.raises(ConfigError, match="differ only in policy"):
        branch.branch(trunk, _config({}, seed=24))
    cfg = _config({})
    late = branch.trunk(cfg, cfg.measure_start + 12)
    with pytest.raises(ConfigError, match=r"policy\.support\.start_month: 0 starts before the "
                                          r"branch \(month 60 of the run\); allowed: 12 or later"):
        branch.branch(late, _config({"support": option_mapping("support", "entitlement")}))
