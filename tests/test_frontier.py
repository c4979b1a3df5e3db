"""The false-economy range and its figure (issue 12), on a hand-made effects table."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.sweep import frontier


#: metric -> (mean, low, high) for each hand-made arm. Arm A spends 100m and saves 40m over
#: 10 years, cutting failed returns by 10%; arm B spends 500m and saves 75m.
_METRICS = ("fe_return_per_pound_10y", "fe_net_cost_10y_gbp", "fe_fall_10y",
            "fe_breakeven_fall_10y", "fe_spend_10y_gbp", "fe_savings_10y_gbp")
_ARMS = {
    ("A", "entitlement_holmes"): ((0.40, 0.35, 0.45), (60e6, 50e6, 70e6), (0.10, 0.08, 0.12),
                                  (0.25, 0.2, 0.3), (100e6, 90e6, 110e6), (40e6, 35e6, 45e6)),
    ("B", "entitlement"): ((0.15, 0.12, 0.18), (425e6, 400e6, 450e6), (0.12, 0.10, 0.14),
                           (0.8, 0.7, 0.9), (500e6, 480e6, 520e6), (75e6, 70e6, 80e6)),
}


def _effects() -> pd.DataFrame:
    return pd.DataFrame([
        {"arm": arm, "policy/support": support, "metric": metric, "kind": "x", "interval": "t",
         "n_pairs": 10, "reference_mean": math.nan, "arm_mean": math.nan, "effect_mean": m,
         "effect_low": lo, "effect_high": hi}
        for (arm, support), values in _ARMS.items()
        for metric, (m, lo, hi) in zip(_METRICS, values)])


def test_range_table_per_year_and_extremes() -> None:
    t = frontier.headline_range(_effects())
    assert list(t["arm"]) == ["A", "B"]
    a = t.set_index("arm").loc["A"]
    assert a["net_cost_per_year_gbp"] == 6e6  # 60m over 10 years
    assert a["spend_per_year_gbp"] == 10e6 and a["savings_per_year_gbp"] == 4e6
    assert a["support"] == "entitlement_holmes"
    text = frontier.range_text(t)
    assert "between 15p (B) and 40p (A)" in text, text
    assert "12p to 45p" in text, text


def test_holmes_breakeven_fall_is_a_fifth() -> None:
    # Holmes 2024: £67m a year of support against £316m a year of failed returns
    assert abs(frontier.HOLMES_BREAKEVEN_FALL - 0.212) < 0.001


def test_markdown_table_and_figure(tmp_path: Path) -> None:
    t = frontier.headline_range(_effects())
    md = frontier.range_table_md(t)
    assert "| A | 40.0p (35.0p to 45.0p) | £6m (£5m to £7m) | 10.0% (8.0% to 12.0%) | 25.0% |" in md
    t.loc[1, "breakeven_fall"] = 1.3
    assert "no fall would be enough" in frontier.range_table_md(t)
    files = frontier.frontier_figure(t, {"model": "test", "experiment": "x", "runs": 4,
                                         "scale_text": "10%"}, tmp_path)
    svg = next(p for p in files if p.suffix == ".svg").read_text()
    assert "fall Holmes' figures need (21%)" in svg
    assert "value-arm-0" in svg and "value-arm-1" in svg


def test_the_legend_names_swept_settings_in_words(tmp_path: Path) -> None:
    # issue 25: a sweep's other settings (the re-entry variants) are named in plain words
    # in the legend, never by their config key
    t = frontier.headline_range(_effects())
    t["variant"] = ["params.care.reentry_return_multiplier=0.5",
                    "params.care.reentry_return_multiplier=3.0"]
    files = frontier.frontier_figure(t, {"model": "test", "experiment": "x", "runs": 4,
                                         "scale_text": "10%"}, tmp_path)
    svg = next(p for p in files if p.suffix == ".svg").read_text()
    assert "params.care" not in svg
    assert "After a re-entry, going home again half as likely" in svg
    assert "After a re-entry, going home again three times as likely" in svg
