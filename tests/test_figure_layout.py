"""Every figure of the project is readable (issue 25): no legend covers an axes' data area
(the axes' own rectangle), its tick labels or its axis labels, and nothing is cut at the
figure's border. Checked with matplotlib's own bounding boxes, on the figure as it is
saved: every ``savefig`` call is intercepted, the figure drawn, and its boxes compared.

The figures: a run's ``report.png`` (:mod:`sim.run_report`), ``revolving-door-data
describe``'s ``comparison.png`` (:mod:`sim.ssda903.figure`), and every experiment's figure
and the frontier (:mod:`sim.sweep.figures`, :mod:`sim.sweep.frontier`), drawn from the
tables the experiment pages quote (``experiments/results/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.figure  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.transforms import Bbox  # noqa: E402

from conftest import ROOT  # noqa: E402

RESULTS = ROOT / "experiments" / "results"
META = {"model": "test", "experiment": "x", "runs": 10, "scale_text": "scale 0.1 of England",
        "price_year": 2024}


def _overlap(a: Bbox, b: Bbox, slack: float = 1.0) -> bool:
    """Do two boxes share more than a sliver (``slack`` pixels each way)?"""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > slack
            and min(a.y1, b.y1) - max(a.y0, b.y0) > slack)


def layout_problems(fig: matplotlib.figure.Figure, tight: bool) -> list[str]:
    """What is wrong with ``fig``'s layout: a legend over an axes, its tick labels or axis
    labels; with ``tight`` false (saved without ``bbox_inches="tight"``), anything
    reaching past the border."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    problems = []
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    legends += list(fig.legends)
    for k, leg in enumerate(legends):
        lb = leg.get_window_extent(r)
        for i, ax in enumerate(fig.axes):
            if not ax.get_visible():
                continue
            if _overlap(lb, ax.get_window_extent(r)):
                problems.append(f"legend {k} covers the data area of axes {i} "
                                f"({ax.get_title() or ax.get_title(loc='left')!r})")
            texts = [*ax.get_xticklabels(), *ax.get_yticklabels(), ax.xaxis.label,
                     ax.yaxis.label]
            for t in texts:
                if t.get_visible() and t.get_text() and _overlap(lb, t.get_window_extent(r)):
                    problems.append(f"legend {k} covers {t.get_text()!r} of axes {i}")
                    break
    if not tight:
        page = fig.bbox
        artists = [*legends, *fig.texts]
        for ax in fig.axes:
            artists += [ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label,  # noqa: SLF001
                        *ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts]
        for a in artists:
            if not a.get_visible() or (hasattr(a, "get_text") and not a.get_text()):
                continue
            b = a.get_window_extent(r)
            if b.x0 < page.x0 - 1 or b.y0 < page.y0 - 1 or b.x1 > page.x1 + 1 or \
                    b.y1 > page.y1 + 1:
                problems.append(f"{type(a).__name__} "
                                f"{getattr(a, 'get_text', lambda: '')()!r} cut at the border")
    return problems


@pytest.fixture
def saved(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Every figure saved while the test runs, by file name, with its layout problems."""
    found: dict[str, list[str]] = {}
    original: Callable[..., Any] = matplotlib.figure.Figure.savefig

    def savefig(self: matplotlib.figure.Figure, fname: Any, *args: Any, **kwargs: Any) -> Any:
        name = Path(str(fname)).name
        name = f"{name} ({sum(k.startswith(name) for k in found) + 1})"  # drawn again
        tight = kwargs.get("bbox_inches") == "tight"
        found[name] = layout_problems(self, tight)
        return original(self, fname, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    return found


def _check(saved: dict[str, list[str]], expected: int) -> None:
    assert len(saved) >= expected, sorted(saved)
    bad = {name: p for name, p in saved.items() if p and ".svg" not in name}
    assert not bad, "\n".join(f"{n}: {p}" for n, p in bad.items())


def _curve() -> pd.DataFrame:
    months = np.arange(1, 73)
    return pd.concat([pd.DataFrame({"group": g, "month": months,
                                    "share_reentered": top * (1 - np.exp(-months / 18))})
                      for g, top in (("all", 0.38), ("abuse_neglect", 0.55),
                                     ("neglect", 0.6), ("other", 0.25))])


def test_describes_comparison_figure(saved: dict[str, list[str]], tmp_path: Path) -> None:
    from sim.ssda903.figure import comparison_figure

    comparison_figure(_curve(), tmp_path / "comparison.png", _curve().assign(
        share_reentered=lambda d: d["share_reentered"] * 0.9))
    _check(saved, 1)


@pytest.mark.slow
def test_a_runs_report_figure(saved: dict[str, list[str]], tmp_path: Path) -> None:
    from sim import run_report
    from sim.results import run

    results = run({"scale": 0.02, "years": 3, "warmup_years": 2})
    run_report.figure(results, tmp_path / "report.png")
    _check(saved, 1)


def _read(experiment: str, name: str) -> pd.DataFrame:
    return pd.read_csv(RESULTS / experiment / name)


def test_the_experiments_figures_and_the_frontier(saved: dict[str, list[str]],
                                                  tmp_path: Path) -> None:
    from sim.sweep import figures as fig
    from sim.sweep import frontier

    fe = _read("false_economy", "effects.csv")
    main = next(a for a in fe["arm"].unique() if "Holmes" in a)
    fig.false_economy_figure(fe, main, META, tmp_path)
    fig.arms_figure(fe, META, tmp_path, name="false_economy_arms")
    fig.arms_figure(_read("false_economy_sensitivity", "effects.csv"), META, tmp_path,
                    name="sensitivity", title="How the net cost moves")
    for exp in ("false_economy", "false_economy_dynamics"):
        rng = _read(exp, "headline_range.csv")
        rng[["support", "variant"]] = rng[["support", "variant"]].fillna("")  # as written
        frontier.frontier_figure(rng, META, tmp_path,
                                 name=f"{exp}_frontier")
    for exp, dose in (("treatment_access", "treatment_share"),
                      ("monitoring_duration", "monitoring_min_months")):
        eff, sweep = _read(exp, "effects.csv"), _read(exp, "sweep.csv")
        option_col = next(c for c in eff.columns if c.startswith("policy/"))
        doses = {}
        for arm, option in eff[["arm", option_col]].drop_duplicates().itertuples(index=False):
            doses[arm] = float(sweep.loc[sweep[option_col] == option, dose].fillna(0).iloc[0])
        fig.dose_figure(eff, doses, dose, META, tmp_path, exp)
    fig.grid_figure(_read("policy_grid", "effects.csv"), _read("policy_grid",
                                                               "interactions.csv"),
                    META, tmp_path)
    dec = _read("council_variation", "decomposition.csv")
    fig.councils_figure(_read("council_variation", "councils_all.csv"),
                        dec[dec["part"] != "both (full model)"], META, tmp_path)
    fig.calibration_figure(_read("baseline", "calibration.csv"), META, tmp_path)
    _check(saved, 10 * 2)  # PNG and SVG each


def test_the_check_sees_a_legend_over_the_data(tmp_path: Path) -> None:
    """The check itself: a legend in the plot, and a label past the border, are found."""
    import matplotlib.pyplot as plt

    f, ax = plt.subplots(figsize=(4, 3))
    ax.plot(range(10), label="a line with a long label " * 2)
    ax.legend(loc="center")
    f.text(-0.1, 0.5, "cut off")
    problems = layout_problems(f, tight=False)
    plt.close(f)
    assert any("covers the data area" in p for p in problems)
    assert any("'cut off' cut at the border" in p for p in problems)
