"""A run works many months at once (``RevolvingDoorModel.run``: the whole run, or a year at
a time when progress is reported), with the results of stepping month by month (``step``,
as the browser page and a notebook do): issue 15.

Working several months at once is only a way of ordering the same work: entries drawn
month by month in order, each family's events in time order, the councils' counts at each
month end rebuilt from changes booked to their months. The expectation is the month-by-month
run itself, so every output file must be byte-identical, with every lever on and with the
children's episodes written as SSDA903."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model import RevolvingDoorModel
from sim.results import collect

from conftest import policy_option, tiny

FILES = ("metrics.json", "reentry_curve.csv", "timeseries.csv", "councils.csv",
         "failed_return_costs.csv", "regional_episodes.csv", "C001/episodes.csv")


def _levers() -> dict:
    return {"support": {**policy_option("support", "entitlement"), "cap_months": 24},
            "monitoring": policy_option("monitoring", "m6"),
            "treatment": policy_option("treatment", "universal")}


def _write(model: RevolvingDoorModel, folder: Path) -> None:
    collect(model, ssda903=True).write(folder)


@pytest.mark.parametrize("months_at_once", [None, 12, 5])  # None: the whole run
def test_months_at_once_give_the_month_by_month_outputs(tmp_path: Path,
                                                         months_at_once: int) -> None:
    cfg = tiny(seed=17, policy=_levers())
    stepped = RevolvingDoorModel(cfg)
    while stepped.running:
        stepped.step()
    stepped.finish()
    _write(stepped, tmp_path / "stepped")

    at_once = RevolvingDoorModel(cfg).run(months_at_once=months_at_once)
    _write(at_once, tmp_path / "at_once")

    assert at_once.steps == stepped.steps == cfg_months(cfg)
    assert np.array_equal(at_once.caseloads, stepped.caseloads)
    # a run of several councils writes its SSDA903 a council a folder, and a regional file
    written = sorted(p.relative_to(tmp_path / "stepped").as_posix()
                     for p in (tmp_path / "stepped").rglob("*") if p.is_file())
    for name in FILES:
        assert name in written, name
    for name in written:
        if name == "run.json":
            continue
        a = (tmp_path / "stepped" / name).read_bytes()
        b = (tmp_path / "at_once" / name).read_bytes()
        assert a == b, name


def test_progress_is_reported_a_year_at_a_time_with_the_same_results() -> None:
    cfg = tiny(seed=5, warmup_years=1, years=2)
    seen: list[tuple[int, int]] = []
    watched = RevolvingDoorModel(cfg).run(progress=lambda m, t: seen.append((m, t)))
    assert seen == [(12, 36), (24, 36), (36, 36)]
    quiet = RevolvingDoorModel(cfg).run()
    assert np.array_equal(watched.timeseries.stocks, quiet.timeseries.stocks)
    assert np.array_equal(watched.ledger.amounts, quiet.ledger.amounts)


def cfg_months(cfg: dict) -> int:
    return 12 * (cfg["warmup_years"] + cfg["years"])


def test_months_at_once_must_be_positive() -> None:
    with pytest.raises(ValueError, match="months_at_once"):
        RevolvingDoorModel(tiny()).run(months_at_once=0)
