"""Every experiment headline names its arm and gives its interval, and a quick look says
it is one and how it differs from the published run (issue 25: the quick experiment
printed "each £1 spent saves 63p" with no arm and no interval, where README says 50p (45p
to 54p) for Holmes' package)."""

from __future__ import annotations

import pandas as pd
from omegaconf import OmegaConf

from sim.sweep import aggregate as agg
from sim.sweep import figures as fig
from sim.sweep.report import quick_look_note

ARM = "Support entitlement, Holmes' package"


def _effects(net: tuple[float, float, float], rpp: tuple[float, float, float],
             n_pairs: int = 10) -> pd.DataFrame:
    return pd.DataFrame([{"arm": ARM, "metric": metric, "effect_mean": m, "effect_low": lo,
                          "effect_high": hi, "n_pairs": n_pairs}
                         for metric, (m, lo, hi) in (("fe_net_cost_10y_gbp", net),
                                                     ("fe_return_per_pound_10y", rpp))])


def test_the_headline_names_the_arm_and_gives_every_interval() -> None:
    text = fig.false_economy_headline(_effects((185e6, 170e6, 200e6), (0.50, 0.45, 0.54)), ARM)
    assert text.startswith(ARM + ", against current practice, ")
    assert "£185m (£170m to £200m) more than it saves" in text
    assert "each £1 spent saves 50p (45p to 54p)" in text
    saves = fig.false_economy_headline(_effects((-20e6, -30e6, -10e6), (1.2, 1.1, 1.3)), ARM)
    assert "saves councils £20m (£10m to £30m) more than it costs" in saves
    assert "£1.20 (£1.10 to £1.30)" in saves
    one = fig.false_economy_headline(_effects((185e6, float("nan"), float("nan")),
                                              (0.5, float("nan"), float("nan")), 1), ARM)
    assert "(from 1 paired run(s): no interval)" in one


def _sweep_cfg(size: str, scale: float, seeds: str, ensemble: str | None = None) -> object:
    return OmegaConf.create({"scale": scale, "ensemble": {"file": ensemble},
                             "hydra": {"runtime": {"choices": {"size": size}},
                                       "sweeper": {"params": {"seed": seeds}}}})


def test_a_quick_look_says_so_and_how_it_differs_from_the_published_run() -> None:
    exp = agg.Experiment(name="false_economy", page="experiments/false_economy.md")
    note = quick_look_note(_sweep_cfg("quick", 0.05, "1,2,3"), exp, {})
    assert note.startswith("A quick look (size=quick: 5% of England, 3 seeds, the default "
                           "parameters), not the published run")
    # configs/experiment/false_economy.yaml, read by eye: scale 0.1, seeds range(1,11)
    assert "(10% of England, 10 seeds, the command on its page: " \
           "experiments/false_economy.md)" in note
    assert "not the ones to quote" in note
    assert quick_look_note(_sweep_cfg("full", 0.1, "range(1,11)"), exp, {}) == ""
