"""Bad configuration stops the run before any work, naming the field, value and what is allowed."""

from __future__ import annotations

import pytest

import sim
from sim.config import ConfigError, ModelConfig


@pytest.mark.parametrize(
    ("cfg", "expected"),
    [
        ({"params": {"after_return": {"detect_open": 1.4}}},
         ["params.after_return.detect_open", "1.4", "0.0 to 1.0"]),
        ({"params": {"care": {"early_months": -2}}}, ["params.care.early_months", "-2", "1 to 24"]),
        ({"params": {"costs": {"foster_per_year": -5.0}}},
         ["params.costs.foster_per_year", "-5.0", "20000.0 to 50000.0"]),
        ({"scale": 0}, ["scale", "0", "out of range"]),
        ({"years": 2.5}, ["years", "whole number", "2.5"]),
        ({"params": {"care": {"no_such_thing": 1}}},
         ["params.care", "unknown key 'no_such_thing'", "return_early_other"]),
        ({"colour": "red"}, ["unknown key 'colour'", "allowed keys", "scale"]),
        ({"councils": {"mode": "listed", "listed": [{"name": "A", "profile": "lenient"}]}},
         ["councils.listed[0].profile", "lenient", "cautious", "typical"]),
        ({"councils": {"mode": "imagined"}}, ["councils.mode", "imagined", "drawn, listed"]),
        ({"policy": {"support": {"kind": "entitlment"}}},
         ["policy.support.kind", "entitlment", "entitlement", "status_quo"]),
        ({"policy": {"treatment": {"kind": "access", "share": 1.5}}},
         ["policy.treatment.share", "1.5", "0.0 to 1.0"]),
        ({"policy": {"housing": {"kind": "x"}}}, ["policy.housing", "unknown lever", "monitoring"]),
        ({"policy": {"monitoring": {"kind": "minimum_months", "min_months": -1}}},
         ["policy.monitoring.min_months", "-1"]),
    ],
)
def test_bad_values_name_field_value_and_allowed(cfg: dict, expected: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        ModelConfig.from_dict(cfg)
    for text in expected:
        assert text in str(err.value), (text, str(err.value))


def test_unknown_council_in_policy_list_fails_before_running() -> None:
    cfg = {"scale": 0.02, "policy": {"support": {"kind": "entitlement", "councils": ["Nowhere"]}}}
    with pytest.raises(ConfigError, match=r"unknown council 'Nowhere'.*C001"):
        sim.RevolvingDoorModel(cfg)


def test_defaults_are_valid_and_round_trip() -> None:
    cfg = ModelConfig()
    again = ModelConfig.from_dict(cfg.to_dict())
    assert again == cfg
