"""The false-economy Monte Carlo (issue 22): known answers from hand-made draws.

The runs below are made by hand so that the answer is known without the code's formulas:
101 replicates whose design saves m = (r + 1) / 50 pounds per pound spent, so exactly the
51 replicates with m > 1 pay for itself, the median of the return per pound is the 51st
value (1.02) and the 10% and 90% points the 11th and 91st (0.22, 1.82). Current practice's
runs differ replicate by replicate and come in another order, so pairing by position
instead of by replicate gives other numbers. Each test names the bug it was seen to catch
(docs/testing.md, "The false-economy Monte Carlo").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.metrics import HORIZONS_YEARS
from sim.sweep import mc_inputs
from sim.sweep import uncertainty as unc
from sim.sweep.economics import SAVINGS, SPEND
from sim.sweep.uncertainty_page import README_END, README_START, replace_block

N = 101
SPEND_GBP = 100.0     # the design's extra support, every replicate
STATUS_QUO_SUPPORT = 10.0
AVOIDED = 10.0        # failed returns avoided, every replicate
FAILED = 100.0        # current practice's failed returns
HOLMES_COST = 2.0     # a failed return counted Holmes' way


def _run(arm: str, r: int, support: float, placements: float, reentries: float) -> dict:
    row = {"arm": arm, "replicate": r, "u_maltreatment": 0.01 * r, "u_resolution": 0.0,
           "disengaged_effect_share": 0.3, "support_cost": 1.0, "care_cost": 1.0,
           "reentry_dynamics": 0.0, "member": 0.0, "seed": float(r + 1),
           "failed_return_cost_holmes_gbp": HOLMES_COST}
    comps = [*SPEND, *(c for g in SAVINGS.values() for c in g)]
    for h in HORIZONS_YEARS:
        for c in comps:
            row[f"cost_{c}_{h}y_gbp"] = 0.0
        row[f"cost_support_{h}y_gbp"] = support
        row[f"cost_placement_foster_{h}y_gbp"] = placements
        row[f"cost_total_{h}y_gbp"] = support + placements
        row[f"reentries_{h}y"] = reentries
        row[f"harm_months_{h}y"] = 0.0
        row[f"maltreatment_starts_{h}y"] = 50.0
    return row


def hand_made_runs() -> pd.DataFrame:
    rows = []
    for r in range(N):
        m = (r + 1) / 50  # savings per pound spent
        ref_placements = 1000.0 + 10.0 * r  # differs by replicate: pairing matters
        rows.append(_run("entitlement_holmes", r, STATUS_QUO_SUPPORT + SPEND_GBP,
                         ref_placements - SPEND_GBP * m, FAILED - AVOIDED))
    for r in reversed(range(N)):  # current practice in another order
        rows.append(_run("status_quo", r, STATUS_QUO_SUPPORT, 1000.0 + 10.0 * r, FAILED))
    return pd.DataFrame(rows)


def _summary_row(s: pd.DataFrame, q: str, h: int = 10) -> pd.Series:
    return s[(s["quantity"] == q) & (s["horizon_years"] == h)].iloc[0]


def test_probability_and_intervals_are_the_known_ones():
    # bug seen caught: pairing by position (ref.iloc[:n] for ref.loc[common]): P 0.0
    # bug seen caught: a saving counted arm minus current practice: P 0.0, median -1.02
    s = unc.summary(unc.paired(hand_made_runs()))
    assert _summary_row(s, "probability_pays")["mean"] == pytest.approx(51 / 101)
    rpp = _summary_row(s, "return_per_pound")
    assert rpp["median"] == pytest.approx(1.02)
    assert rpp["p10"] == pytest.approx(0.22)
    assert rpp["p90"] == pytest.approx(1.82)
    assert rpp["n"] == N
    net = _summary_row(s, "net_cost_per_year")  # (100 - 100 m) / 10 years
    assert net["median"] == pytest.approx((SPEND_GBP - SPEND_GBP * 1.02) / 10)


def test_the_two_break_even_bases_are_the_known_ones():
    # bug seen caught: Holmes' basis on the net spend (fe_spend) instead of the gross
    # support cost: 0.5 instead of 0.55
    d = unc.paired(hand_made_runs())["entitlement_holmes"]
    # Holmes' basis: all support (110) against all failed returns at Holmes' cost (100 x 2)
    assert d["breakeven_fall_holmes_10y"].to_numpy() == pytest.approx(
        np.full(N, (STATUS_QUO_SUPPORT + SPEND_GBP) / (FAILED * HOLMES_COST)))
    # the model's basis: spend / (savings per failed return avoided) / failed returns
    # = 100 / (100 m / 10) / 100 = 0.1 / m, median at m = 51/50
    s = unc.summary({"x": d})
    assert _summary_row(s, "breakeven_fall_model")["median"] == pytest.approx(0.1 / 1.02)
    assert d["fall_10y"].to_numpy() == pytest.approx(np.full(N, AVOIDED / FAILED))
    pooled = unc.pooled_breakeven(d)
    assert pooled["holmes"] == pytest.approx(0.55)
    # from the means: 100 x 10 / (mean savings 100 x 1.02) / 100
    assert pooled["model"] == pytest.approx(SPEND_GBP * AVOIDED / (SPEND_GBP * 1.02) / FAILED)


def test_pairing_is_by_replicate_and_refuses_duplicates():
    runs = hand_made_runs()
    shuffled = runs.sample(frac=1.0, random_state=3)
    a = unc.paired(runs)["entitlement_holmes"].set_index("replicate")
    b = unc.paired(shuffled)["entitlement_holmes"].set_index("replicate")
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index())
    # a replicate without its current-practice run is left out, not paired with another
    partial = runs.drop(runs[(runs["arm"] == "status_quo") & (runs["replicate"] == 7)].index)
    d = unc.paired(partial)["entitlement_holmes"]
    assert len(d) == N - 1 and 7 not in set(d["replicate"])
    with pytest.raises(unc.PairingError, match="twice"):
        unc.paired(pd.concat([runs, runs.iloc[:1]]))


def test_valued_probability_counts_the_harm_avoided():
    runs = hand_made_runs()
    runs.loc[runs["arm"] == "entitlement_holmes", "maltreatment_starts_10y"] = 49.0
    # one maltreatment avoided is worth far more than any net cost here: all pay
    d = unc.paired(runs)["entitlement_holmes"]
    assert d["pays_valued_10y"].mean() == 1.0
    assert d["pays_10y"].mean() == pytest.approx(51 / 101)


def test_variance_shares_are_the_known_ones():
    # y = 3 x1 + x2 + (member in {2, 3}): shares 0.75, 1/12, 0.25 of 13/12 (x uniform)
    rng = np.random.default_rng(5)
    n = 6000
    x1, x2 = rng.random(n), rng.random(n)
    member = rng.integers(0, 4, n).astype(float)
    y = 3 * x1 + x2 + (member >= 2)
    d = pd.DataFrame({"u_maltreatment": x1, "support_cost": x2, "member": member,
                      "care_cost": rng.random(n), "y": y})
    shares = unc.variance_shares(d, "y", ["u_maltreatment", "support_cost", "member",
                                          "care_cost"]).set_index("input")["share"]
    total = 0.75 + 1 / 12 + 0.25
    assert shares["u_maltreatment"] == pytest.approx(0.75 / total, abs=0.02)
    assert shares["support_cost"] == pytest.approx((1 / 12) / total, abs=0.02)
    assert shares["member"] == pytest.approx(0.25 / total, abs=0.02)
    assert shares["care_cost"] == pytest.approx(0.0, abs=0.01)  # does nothing
    assert shares["remainder"] == pytest.approx(0.0, abs=0.03)
    assert list(shares.index[:3]) == ["u_maltreatment", "member", "support_cost"]


def test_variance_share_standard_errors_match_the_spread_over_fresh_samples():
    """A second way of counting: the standard deviation of the share over 60 independent
    samples of 600 draws (y = 3 x1 + x2 + noise) is the share's sampling error; the
    bootstrap's from one sample must be within 35% of it. Seen to fail with the bootstrap
    resampling without replacement (every resample the sample itself: 0)."""
    rng = np.random.default_rng(9)

    def sample() -> pd.DataFrame:
        x1, x2 = rng.random(600), rng.random(600)
        return pd.DataFrame({"u_maltreatment": x1, "support_cost": x2,
                             "y": 3 * x1 + x2 + rng.normal(0, 0.6, 600)})

    spread = np.std([unc.variance_shares(sample(), "y", ["u_maltreatment"])
                     .set_index("input").loc["u_maltreatment", "share"] for _ in range(60)],
                    ddof=1)
    got = unc.variance_shares(sample(), "y", ["u_maltreatment", "support_cost"], boot=200)
    se = got.set_index("input").loc["u_maltreatment", "se"]
    assert se == pytest.approx(spread, rel=0.35)
    assert np.isnan(unc.variance_shares(sample(), "y", ["u_maltreatment"])["se"]).all()


def test_convergence_ends_at_the_whole_answer():
    d = unc.paired(hand_made_runs())["entitlement_holmes"]
    conv = unc.convergence(d, steps=4)
    assert list(conv["replicates"]) == [25, 50, 76, 101]
    # replicates in order: the first 50 have m <= 1 (none pays)
    assert conv["probability"].iloc[1] == 0.0
    assert conv["probability"].iloc[-1] == pytest.approx(51 / 101)
    assert conv["median_return_per_pound"].iloc[-1] == pytest.approx(1.02)


def test_binomial_interval_brackets_and_shrinks():
    lo, hi = unc.binomial_interval(50, 100)
    assert lo < 0.5 < hi and hi - lo == pytest.approx(0.19, abs=0.01)
    lo2, hi2 = unc.binomial_interval(500, 1000)
    assert hi2 - lo2 < hi - lo


# ---------------------------------------------------------------- the draws

def _spec(**over) -> mc_inputs.Spec:
    node = {"replicates": 10, "chunks": 3, "chunk": 1, "seed": 22, "arms": ["status_quo"],
            "support_cost": {"shape": "lognormal", "sd_log": 0.15, "source": "x"},
            "care_cost": {"shape": "uniform", "low": 0.9, "high": 1.3, "source": "x"},
            "reentry": {"values": [None, 0.5, 3.0], "weights": [2, 1, 1]}, **over}
    return mc_inputs.Spec.from_config(node, [{}, {}])


def test_draws_are_a_function_of_seed_and_replicate():
    a, b = _spec(), _spec(chunk=2)
    assert mc_inputs.draw(a, 4) == mc_inputs.draw(b, 4)  # any job gets the same draw
    assert mc_inputs.draw(a, 4) != mc_inputs.draw(a, 5)
    assert mc_inputs.draw(a, 4) != mc_inputs.draw(_spec(seed=23), 4)
    chunks = [_spec(chunk=c).replicates_of_chunk() for c in range(3)]
    assert sorted(sum(chunks, [])) == list(range(10))


def test_support_effects_centre_on_the_point_values_and_move_together():
    mid = mc_inputs.support_effects({"u_maltreatment": 0.0, "u_resolution": 0.0,
                                     "disengaged_effect_share": 0.3})
    assert mid["params.support.maltreatment_rr_high"] == pytest.approx(0.6)
    assert mid["params.support.maltreatment_rr_medium"] == pytest.approx(0.75)
    assert mid["params.support.resolution_rr_high"] == pytest.approx(2.0)
    strong = mc_inputs.support_effects({"u_maltreatment": -1.0, "u_resolution": 1.0,
                                        "disengaged_effect_share": 0.3})
    assert strong["params.support.maltreatment_rr_high"] == pytest.approx(0.6 * np.exp(-0.3))
    assert strong["params.support.maltreatment_rr_low"] < 0.9
    assert strong["params.support.resolution_rr_medium"] > 1.6
    weak = mc_inputs.support_effects({"u_maltreatment": 5.0, "u_resolution": -5.0,
                                      "disengaged_effect_share": 0.3})
    assert weak["params.support.maltreatment_rr_high"] == 1.0  # cut at no effect
    assert weak["params.support.resolution_rr_high"] == 1.0


@pytest.mark.parametrize("over, field", [({"chunk": 3}, "mc.chunk"),
                                         ({"replicates": 0}, "mc.replicates"),
                                         ({"care_cost": {"shape": "beta"}}, "mc.care_cost")])
def test_bad_mc_settings_name_the_field(over, field):
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        _spec(**over)


def test_readme_block_is_replaced_and_nothing_else(tmp_path: Path):
    p = tmp_path / "README.md"
    p.write_text(f"a\n<!-- headline:start -->\nkeep\n{README_START}\nold\n{README_END}\n"
                 "keep too\n<!-- headline:end -->\n")
    replace_block(p, "new line")
    assert p.read_text() == (f"a\n<!-- headline:start -->\nkeep\n{README_START}\nnew line\n"
                             f"{README_END}\nkeep too\n<!-- headline:end -->\n")


@pytest.mark.slow
def test_a_tiny_monte_carlo_pairs_arms_on_the_same_draws(tmp_path: Path):
    """The sweep through Hydra's joblib launcher: both arms of a replicate (run in one job,
    on from one warm-up) share its draw and seed, and the report writes the page and
    README's paragraph."""
    out = tmp_path / "mc"
    cmd = [sys.executable, "-m", "sim.cli", "-m", "experiment=false_economy_uncertainty",
           "mc.replicates=2", "mc.chunks=1", "mc.chunk=0", "mc.ensemble=null", "scale=0.01",
           "warmup_years=6", "years=10", "mc.arms=[status_quo,entitlement_holmes]",
           f"hydra.sweep.dir={out}"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    runs = pd.read_csv(out / "mc_runs.csv")
    inputs = list(mc_inputs.INPUTS)
    by_arm = {a: g.set_index("replicate")[inputs].sort_index() for a, g in runs.groupby("arm")}
    pd.testing.assert_frame_equal(by_arm["status_quo"], by_arm["entitlement_holmes"])
    assert (out / "page.md").read_text().startswith("# The false economy as a probability")
    assert "pays for itself in cash with probability" in (out / "readme_headline.md").read_text()


def test_a_bad_distribution_in_a_parameter_file_names_the_field():
    from sim.param_files import ParamFileError, parse_entry

    entry = {"value": 0.6, "label": "x", "unit": "u", "source": "s", "valid": [0.1, 1.0],
             "plausible": [0.4, 0.85], "reason": "r", "kind": "uncertain",
             "distribution": {"shape": "beta"}}
    with pytest.raises(ParamFileError, match=r"x: y\.distribution\.shape: 'beta'; allowed: "
                                             "lognormal, uniform"):
        parse_entry(entry, float, "x: y")
    entry["distribution"] = {"shape": "lognormal"}
    with pytest.raises(ParamFileError, match=r"distribution\.sd_log: expected a number above 0"):
        parse_entry(entry, float, "x: y")
    entry["distribution"] = {"shape": "lognormal", "sd_log": 0.3, "group": "maltreatment"}
    made = parse_entry(entry, float, "x: y")
    assert made.metadata["distribution"] == {"shape": "lognormal", "sd_log": 0.3,
                                             "group": "maltreatment"}


def test_readme_probability_paragraph_is_remade_from_the_committed_tables():
    """README's paragraph is the report's, from experiments/results/false_economy_uncertainty
    (numbers typed by hand, or tables out of step with README, fail)."""
    import yaml

    from conftest import CONFIGS, ROOT
    from sim.sweep.uncertainty_page import MAIN, RESULTS, page_headline, readme_text

    s = pd.read_csv(ROOT / RESULTS / "mc_summary.csv")
    labels = yaml.safe_load((CONFIGS / "experiment" / "false_economy_uncertainty.yaml")
                            .read_text())["experiment"]["labels"]
    shares = pd.read_csv(ROOT / RESULTS / "mc_variance_shares.csv")
    be = pd.read_csv(ROOT / RESULTS / "mc_breakeven.csv")
    made = readme_text(s, {"replicates": int(s["n"].max())}, labels, MAIN, shares, be)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(README_START)[1].split(README_END)[0].strip()
    assert block == made
    # the false-economy experiment's page carries the same paragraph, links made relative
    fe = (ROOT / "experiments" / "false_economy.md").read_text(encoding="utf-8")
    assert fe.split(README_START)[1].split(README_END)[0].strip() == page_headline(made)
    page = (ROOT / "experiments" / "false_economy_uncertainty.md").read_text(encoding="utf-8")
    p10 = s[(s["arm"] == MAIN) & (s["horizon_years"] == 10)
            & (s["quantity"] == "probability_pays")]["mean"].iloc[0]
    assert f"| Holmes' package | **{p10 * 100:.0f}%**" in page


def test_convergence_rule_errors_are_the_known_ones():
    """Hand-computed: 51 of 101 replicates pay; Wilson's 95% interval is 0.409065 to
    0.600473 (centre (p + z^2/2n) / (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2) /
    (1 + z^2/n), z = 1.959964), so the standard error is 0.191408 / 3.919928 = 0.048830
    (sqrt(p(1-p)/n) would be 0.049749). The median's 95% order statistics are the 40th and
    61st of 101 (50.5 -+ 1.96 x sqrt(101) / 2 = 40.65, 60.35, rounded outwards), the
    returns 0.80 and 1.22, so its standard error is 0.42 / 3.92 = 0.1071. Both are above
    the limits (2 points, 5p): not converged. 25 copies: within both. None of 4 paying: not
    converged (a standard error of 0 would pass it). Seen to fail with the median's ranks
    taken inwards, and with sqrt(p(1-p)/n) for the probability's error."""
    d = unc.paired(hand_made_runs())["entitlement_holmes"]
    e = unc.monte_carlo_errors(d)
    assert e["n"] == 101 and e["probability"] == pytest.approx(51 / 101)
    assert e["se_probability"] == pytest.approx(0.048830, abs=1e-6)
    assert e["median_return_per_pound"] == pytest.approx(1.02)
    assert e["se_median_return_per_pound"] == pytest.approx(0.42 / (2 * 1.959964), rel=1e-6)
    assert e["converged"] is False
    big = pd.concat([d] * 25, ignore_index=True)
    e = unc.monte_carlo_errors(big)
    assert e["se_probability"] == pytest.approx(0.0099423, abs=1e-6)
    assert e["se_median_return_per_pound"] <= 0.05 and e["converged"] is True
    none = d.iloc[:4].assign(pays_10y=0.0)
    e = unc.monte_carlo_errors(none)
    assert e["probability"] == 0 and e["se_probability"] == pytest.approx(0.124974, abs=1e-6)
    assert e["converged"] is False


def test_the_headline_names_what_matters_most_and_both_break_even_bases():
    """README's paragraph with hand-made tables: the two largest variance shares of the main
    design's 10-year return per £1, largest first, and its 10-year break-even on both bases
    (not another design's, not 5 years')."""
    from sim.sweep.uncertainty_page import MAIN, readme_text

    rows = []
    for arm, p in ((MAIN, 0.30), ("entitlement", 0.0)):
        for h in (5, 10):
            rows += [{"arm": arm, "horizon_years": h, "quantity": "probability_pays",
                      "mean": p},
                     {"arm": arm, "horizon_years": h, "quantity": "return_per_pound",
                      "mean": 0.6, "median": 0.6, "p10": 0.3, "p90": 1.1}]
    s = pd.DataFrame(rows)
    shares = pd.DataFrame([
        {"output": "return_per_pound_10y", "label": "Cost of support", "share": 0.10, "arm": MAIN},
        {"output": "return_per_pound_10y", "label": "How much support prevents", "share": 0.50,
         "arm": MAIN},
        {"output": "return_per_pound_10y", "label": "Cost of care", "share": 0.25, "arm": MAIN},
        {"output": "net_cost_per_year_10y_gbp", "label": "Cost of care", "share": 0.90,
         "arm": MAIN},
        {"output": "return_per_pound_10y", "label": "Cost of care", "share": 0.95,
         "arm": "entitlement"}])
    be = pd.DataFrame([{"arm": MAIN, "horizon_years": 5, "model": 0.07, "holmes": 0.15,
                        "holmes_published": 0.21},
                       {"arm": MAIN, "horizon_years": 10, "model": 0.05, "holmes": 0.14,
                        "holmes_published": 0.21},
                       {"arm": "entitlement", "horizon_years": 10, "model": 0.3,
                        "holmes": 0.6, "holmes_published": 0.21}])
    text = readme_text(s, {"replicates": 40}, {MAIN: "Holmes' package"}, MAIN, shares, be)
    assert ("What decides it most: how much support prevents (50% of the variance), then "
            "cost of care (25% of the variance).") in text
    assert "fell by 14% counted Holmes' way (her own figures: 21%), or by 5% on the model's" in text
    plain = readme_text(s, {"replicates": 40}, {MAIN: "Holmes' package"}, MAIN)
    assert "What decides" not in plain and "30%" in plain
