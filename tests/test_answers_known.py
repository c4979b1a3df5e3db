"""The published answers against hand-made known answers (issue 23, survivors 1-3).

Every expectation here is a number worked out by hand in the comments, not the code's own
formula: the false-economy accounts of a table where each ledger component has a known
side (spend or saving) and sign; the sensitivity multipliers on each package level one by
one; and the pairing of arms with their status-quo runs in a sweep whose swept keys are not
all reference keys. No simulation: each test takes milliseconds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import support_multipliers as sensitivity
from sim.config import ConfigError, ModelConfig
from sim.ledger import COMPONENTS
from sim.sweep import aggregate, economics

# ------------------------------------------------------------- the false-economy accounts

#: arm minus status quo, per ledger component, for seed 1 at the 5-year horizon (hand-made;
#: a power of two each where it can be, so that a component on the wrong side shows).
#: Spend: monitoring, support, treatment. Savings: the rest, with kinship an extra cost.
_DELTA_5Y = {"monitoring": 300.0, "support": 2000.0, "treatment": 500.0,
             "placement_foster": -640.0, "placement_residential": -320.0,
             "placement_kinship": 16.0, "process_reentry": -80.0,
             "process_care_planning": -40.0, "process_return": -20.0,
             "process_entry": -4.0, "process_legal": -2.0}
#: outcomes: (status quo, arm seed 1, arm seed 2) per horizon
_REENTRIES = {5: (200.0, 150.0, 50.0), 10: (300.0, 240.0, 120.0)}
_HARM = {5: (900.0, 870.0, 890.0), 10: (1500.0, 1400.0, 1450.0)}
_MALTREATMENT = {5: (40.0, 46.0, 42.0), 10: (70.0, 74.0, 80.0)}


def _accounts_table() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two paired seeds. Seed 2's cost differences are 3 times seed 1's; the 10-year
    differences are twice the 5-year ones. The status quo spends 10,000 on each component."""
    arm_rows, ref_rows = [], []
    for seed, k in ((1, 1.0), (2, 3.0)):
        arm: dict[str, float] = {"seed": seed}
        ref: dict[str, float] = {"seed": seed}
        for h, kh in ((5, 1.0), (10, 2.0)):
            for c in COMPONENTS:
                ref[f"cost_{c}_{h}y_gbp"] = 10_000.0
                arm[f"cost_{c}_{h}y_gbp"] = 10_000.0 + _DELTA_5Y[c] * k * kh
            for d in (arm, ref):
                d[f"cost_total_{h}y_gbp"] = sum(d[f"cost_{c}_{h}y_gbp"] for c in COMPONENTS)
            for name, table in (("reentries", _REENTRIES), ("harm_months", _HARM),
                                ("maltreatment_starts", _MALTREATMENT)):
                ref[f"{name}_{h}y"] = table[h][0]
                arm[f"{name}_{h}y"] = table[h][seed]
        arm_rows.append(arm)
        ref_rows.append(ref)
    return pd.DataFrame(arm_rows), pd.DataFrame(ref_rows)


def test_false_economy_accounts_from_a_hand_made_table() -> None:
    arm, ref = _accounts_table()
    d = economics.differences(arm, ref)
    # by hand, seed 1, 5 years: spend 300 + 2000 + 500 = 2800; placements saved
    # 640 + 320 - 16 = 944; re-entry work saved 80; other work saved 40 + 20 + 4 + 2 = 66;
    # savings 944 + 80 + 66 = 1090; net cost 2800 - 1090 = 1710. Seed 2: three times;
    # 10 years: twice.
    by_hand = {"spend": 2800.0, "saving_placements": 944.0, "saving_reentries": 80.0,
               "saving_other_work": 66.0, "savings": 1090.0, "net_cost": 1710.0}
    for h, kh in ((5, 1.0), (10, 2.0)):
        for name, value in by_hand.items():
            assert list(d[f"fe_{name}_{h}y_gbp"]) == pytest.approx(
                [value * kh, 3 * value * kh]), (name, h)
    # outcomes avoided are status quo minus arm: fewer is positive, more is negative
    assert list(d["fe_failed_returns_avoided_5y"]) == [50.0, 150.0]
    assert list(d["fe_failed_returns_avoided_10y"]) == [60.0, 180.0]
    assert list(d["fe_harm_months_avoided_5y"]) == [30.0, 10.0]
    assert list(d["fe_harm_months_avoided_10y"]) == [100.0, 50.0]
    assert list(d["fe_maltreatment_avoided_5y"]) == [-6.0, -2.0]  # more maltreatment
    assert list(d["fe_maltreatment_avoided_10y"]) == [-4.0, -10.0]
    # the base of the fall: the status quo's failed returns, not the arm's
    assert list(d["fe_reference_failed_returns_5y"]) == [200.0, 200.0]
    assert list(d["fe_reference_failed_returns_10y"]) == [300.0, 300.0]
    assert list(d.index) == list(arm.index)


def test_false_economy_ratios_from_a_hand_made_table() -> None:
    arm, ref = _accounts_table()
    means = economics.differences(arm, ref).mean()
    ratios = economics.ratios()

    def value(name: str) -> float:
        cols, fn = ratios[name]
        return fn(np.array([means[c] for c in cols]))

    # 5 years, by hand from the means over the two seeds: spend (2800 + 8400) / 2 = 5600,
    # savings (1090 + 3270) / 2 = 2180, failed returns avoided (50 + 150) / 2 = 100, of the
    # status quo's 200
    assert value("fe_return_per_pound_5y") == pytest.approx(2180 / 5600)
    assert value("fe_saving_per_failed_return_5y_gbp") == pytest.approx(21.8)
    assert value("fe_breakeven_failed_returns_5y") == pytest.approx(5600 / 21.8)
    assert value("fe_breakeven_fall_5y") == pytest.approx(5600 / 21.8 / 200)
    assert value("fe_fall_5y") == pytest.approx(0.5)
    # 10 years: spend 11200, savings 4360, avoided (60 + 180) / 2 = 120 of 300
    assert value("fe_return_per_pound_10y") == pytest.approx(4360 / 11200)
    assert value("fe_saving_per_failed_return_10y_gbp") == pytest.approx(4360 / 120)
    assert value("fe_breakeven_failed_returns_10y") == pytest.approx(11200 / (4360 / 120))
    assert value("fe_breakeven_fall_10y") == pytest.approx(11200 / (4360 / 120) / 300)
    assert value("fe_fall_10y") == pytest.approx(0.4)
    assert sorted(ratios) == sorted(f"fe_{q}_{h}y{u}" for h in (5, 10) for q, u in (
        ("return_per_pound", ""), ("saving_per_failed_return", "_gbp"),
        ("breakeven_failed_returns", ""), ("breakeven_fall", ""), ("fall", "")))
    # each ratio reads the columns it names, in that order
    assert ratios["fe_return_per_pound_10y"][0] == ("fe_savings_10y_gbp", "fe_spend_10y_gbp")
    assert ratios["fe_fall_5y"][0] == ("fe_failed_returns_avoided_5y",
                                       "fe_reference_failed_returns_5y")


@pytest.mark.parametrize("spend, savings, avoided, expected", [
    (100.0, 50.0, 10.0, 20.0),          # 50 saved for 10 avoided: 5 each; 100 / 5 = 20
    (100.0, 50.0, 0.0, math.nan),       # avoids none: no break-even in failed returns
    (100.0, 50.0, -3.0, math.nan),      # adds failed returns
    (100.0, 0.0, 10.0, math.nan),       # saves nothing
    (100.0, -40.0, 10.0, math.nan),     # costs more elsewhere
    (0.0, 50.0, 10.0, 0.0),             # free: nothing to recover
    (100.0, 50.0, 0.5, 1.0),            # half a failed return avoided: 100 each; 100 / 100
    (100.0, 0.5, 10.0, 2000.0),         # 50p saved: 0.05 each; 100 / 0.05
])
def test_breakeven_is_defined_only_when_failed_returns_are_avoided_and_money_saved(
        spend: float, savings: float, avoided: float, expected: float) -> None:
    _, fn = economics.ratios()["fe_breakeven_failed_returns_5y"]
    got = fn(np.array([spend, savings, avoided]))
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)
    _, fall = economics.ratios()["fe_breakeven_fall_5y"]
    got = fall(np.array([spend, savings, avoided, 40.0]))
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected / 40)


# ---------------------------------------------------------------- the sensitivity arms

#: hand-chosen hazard ratios (inside their validation ranges)
_RR = {"maltreatment_rr_low": 0.9, "maltreatment_rr_medium": 0.8, "maltreatment_rr_high": 0.6,
       "resolution_rr_low": 1.25, "resolution_rr_medium": 1.5, "resolution_rr_high": 2.0}
#: hand-chosen package costs
_COSTS = {"support_low_per_month": 200.0, "support_medium_per_month": 600.0,
          "support_high_per_month": 1600.0, "holmes_low_package": 1800.0,
          "holmes_medium_package": 7000.0, "holmes_high_package": 12000.0}


def _base(support: dict[str, object] | None = None) -> ModelConfig:
    return ModelConfig.from_dict({"params": {"support": dict(_RR), "costs": dict(_COSTS)},
                                  "policy": {"support": support or {"kind": "entitlement"}}})


def test_support_cost_multiplies_every_package_level_and_the_assessment() -> None:
    half = sensitivity.apply(_base({"kind": "entitlement", "assessment_cost": 900.0}),
                             {"support_cost": 0.5})
    c = half.params.costs
    # by hand: each level halved
    assert (c.support_low_per_month, c.support_medium_per_month, c.support_high_per_month) \
        == (100.0, 300.0, 800.0)
    assert (c.holmes_low_package, c.holmes_medium_package, c.holmes_high_package) \
        == (900.0, 3500.0, 6000.0)
    # the user's own assessment cost, halved (not the policy's default)
    assert half.policy["support"]["assessment_cost"] == 450.0
    # the effects are untouched, every other cost too
    assert {k: getattr(half.params.support, k) for k in _RR} == _RR
    base = _base()
    untouched = [f for f in type(c).__dataclass_fields__ if f not in _COSTS]
    assert untouched and all(getattr(c, f) == getattr(base.params.costs, f) for f in untouched)
    double = sensitivity.apply(_base({"kind": "entitlement", "assessment_cost": 900.0}),
                               {"support_cost": 2.0})
    assert double.params.costs.holmes_low_package == 3600.0
    assert double.policy["support"]["assessment_cost"] == 1800.0


def test_support_cost_without_a_support_policy_leaves_the_policy_alone() -> None:
    cfg = ModelConfig.from_dict({"params": {"costs": dict(_COSTS)}})
    half = sensitivity.apply(cfg, {"support_cost": 0.5})
    assert half.params.costs.support_medium_per_month == 300.0
    assert "assessment_cost" not in (half.policy.get("support") or {})


def test_support_effect_moves_every_level_from_no_effect() -> None:
    double = sensitivity.apply(_base(), {"support_effect": 2.0}).params.support
    # by hand: maltreatment 1 - 2 (1 - rr): 0.9 -> 0.8, 0.8 -> 0.6, 0.6 -> 0.2;
    # resolution 1 + 2 (rr - 1): 1.25 -> 1.5, 1.5 -> 2.0, 2.0 -> 3.0
    assert double.maltreatment_rr_low == pytest.approx(0.8)
    assert double.maltreatment_rr_medium == pytest.approx(0.6)
    assert double.maltreatment_rr_high == pytest.approx(0.2)
    assert double.resolution_rr_low == pytest.approx(1.5)
    assert double.resolution_rr_medium == pytest.approx(2.0)
    assert double.resolution_rr_high == pytest.approx(3.0)
    half = sensitivity.apply(_base(), {"support_effect": 0.5}).params.support
    # 0.9 -> 0.95, 0.8 -> 0.9, 0.6 -> 0.8; 1.25 -> 1.125, 1.5 -> 1.25, 2.0 -> 1.5
    assert [half.maltreatment_rr_low, half.maltreatment_rr_medium,
            half.maltreatment_rr_high] == pytest.approx([0.95, 0.9, 0.8])
    assert [half.resolution_rr_low, half.resolution_rr_medium,
            half.resolution_rr_high] == pytest.approx([1.125, 1.25, 1.5])
    # the costs untouched
    assert sensitivity.apply(_base(), {"support_effect": 2.0}).params.costs == \
        _base().params.costs
    # both at once: each applies to its own parameters
    both = sensitivity.apply(_base(), {"support_cost": 2.0, "support_effect": 0.5})
    assert both.params.costs.support_low_per_month == 400.0
    assert both.params.support.maltreatment_rr_high == pytest.approx(0.8)
    # one multiplier at 1 and the other moved is not "nothing to do"
    only_effect = sensitivity.apply(_base(), {"support_cost": 1.0, "support_effect": 2.0})
    assert only_effect.params.support.resolution_rr_high == pytest.approx(3.0)
    only_cost = sensitivity.apply(_base(), {"support_cost": 2.0, "support_effect": 1.0})
    assert only_cost.params.costs.support_high_per_month == 3200.0


def test_a_sensitivity_setting_outside_a_range_names_itself() -> None:
    with pytest.raises(ConfigError, match=r"^sensitivity Sensitivity\(support_cost=1\.0, "
                                          r"support_effect=3\.0\): "):
        sensitivity.apply(_base(), {"support_effect": 3.0})  # 0.6 -> -0.2


# ------------------------------------------------------------------------------ pairing

def _sensitivity_sweep() -> pd.DataFrame:
    """Support (the reference key) crossed with a sensitivity setting that is not a
    reference key, on 2 seeds. Every metric is a seed's level plus 10 per setting, plus 1
    for entitlement: each arm's effect is exactly 1 when paired within its own setting."""
    setting = {"half": 0.0, "base": 10.0, "double": 20.0}
    rows = []
    for sup in ("status_quo", "entitlement"):
        for sens in ("half", "base", "double"):
            for seed in (1, 2):
                x = 100.0 * seed + setting[sens] + (1.0 if sup == "entitlement" else 0.0)
                row = {"job": len(rows), "status": "complete", "seed": seed,
                       "policy/support": sup, "sensitivity": sens, "x": x}
                for h in (5, 10):  # the columns the accounts read
                    row.update({f"cost_{c}_{h}y_gbp": x for c in COMPONENTS})
                    row[f"cost_total_{h}y_gbp"] = x * len(COMPONENTS)
                    for name in ("reentries", "harm_months", "maltreatment_starts"):
                        row[f"{name}_{h}y"] = x
                rows.append(row)
    return pd.DataFrame(rows)


def test_arms_are_paired_within_their_own_setting_of_every_other_swept_key() -> None:
    sweep = _sensitivity_sweep()
    exp = aggregate.Experiment(reference={"policy/support": "status_quo"})
    cols = ["policy/support", "sensitivity", "seed"]
    pairs = aggregate.pair_runs(sweep, exp, cols)
    assert [p.key for p in pairs] == [("entitlement", "half"), ("entitlement", "base"),
                                      ("entitlement", "double")]
    for p in pairs:
        # jobs by hand: status quo 0-5 (half 0, 1; base 2, 3; double 4, 5), entitlement 6-11
        assert list(p.ref["sensitivity"]) == [p.key[1]] * 2
        assert list(p.ref["seed"]) == list(p.arm["seed"]) == [1, 2]
        assert list(p.ref["policy/support"]) == ["status_quo"] * 2
        assert list(p.arm["job"] - p.ref["job"]) == [6, 6]
        assert p.unpaired == []
    eff = aggregate.effects_table(pairs, ["x"], ["policy/support", "sensitivity"])
    x = eff[eff["metric"] == "x"].set_index("sensitivity")
    assert x["effect_mean"].to_dict() == pytest.approx({"half": 1.0, "base": 1.0,
                                                        "double": 1.0})
    assert x["reference_mean"].to_dict() == pytest.approx({"half": 150.0, "base": 160.0,
                                                           "double": 170.0})
    # and the accounts: entitlement spends 1 more on each component, 1 more failed return
    net = eff[eff["metric"] == "fe_net_cost_10y_gbp"].set_index("sensitivity")
    assert net["effect_mean"].to_dict() == pytest.approx(
        {"half": len(COMPONENTS), "base": len(COMPONENTS), "double": len(COMPONENTS)})
    fall = eff[eff["metric"] == "fe_fall_10y"].set_index("sensitivity")
    # by hand: -1 avoided of the status quo's 150, 160, 170 (means over seeds 1 and 2)
    assert fall["effect_mean"].to_dict() == pytest.approx(
        {"half": -1 / 150, "base": -1 / 160, "double": -1 / 170})
    # the status quo of one setting missing: that setting's arm is unpaired, no other
    # setting's status quo stands in for it
    gap = sweep.copy()
    gap.loc[gap["job"] == 3, "status"] = "failed"  # status quo, base, seed 2
    pairs = {p.key[1]: p for p in aggregate.pair_runs(gap, exp, cols)}
    assert pairs["base"].unpaired == [9] and list(pairs["base"].arm["job"]) == [8]
    assert pairs["half"].unpaired == [] and pairs["double"].unpaired == []
