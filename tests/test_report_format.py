"""How the sweep report and its figures state numbers (issue 16): intervals that keep
their ends apart, a break-even beyond 100% said in words, a figure that fits a page."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import matplotlib.image
import pandas as pd

from sim import formats
from sim.sweep import figures as fig
from sim.sweep.report import _false_economy_lines

ARMS = ("Support entitlement", "Entitlement capped at 12 months",
        "Entitlement capped at 24 months")


def effects(rows: dict[str, tuple[float, float, float]], arms: tuple[str, ...] = ARMS[:1],
            n_pairs: int = 10) -> pd.DataFrame:
    """An effects.csv with the given metrics (mean, low, high), the same for every arm."""
    return pd.DataFrame([{"arm": arm, "metric": metric, "effect_mean": m, "effect_low": lo,
                          "effect_high": hi, "n_pairs": n_pairs}
                         for arm in arms for metric, (m, lo, hi) in rows.items()])


def test_an_interval_is_shown_with_enough_digits_to_keep_its_ends_apart() -> None:
    assert formats.with_interval(formats.pence, 0.132, 0.129, 0.135) == "13.2p (12.9p to 13.5p)"
    assert formats.with_interval(formats.share, 0.1204, 0.1201, 0.1207) == "12.04% (12.01% to 12.07%)"
    # no extra digits when the usual ones already differ, or the interval has no width
    assert formats.with_interval(formats.gbp_m, 1.105e9, 0.9e9, 1.3e9) == "£1,105m (£900m to £1,300m)"
    assert formats.with_interval(formats.count, 5.0, 5.0, 5.0) == "5 (5 to 5)"
    assert formats.with_interval(formats.count, 5.0, math.nan, math.nan) == "5"  # no interval


def _line(rows: dict[str, tuple[float, float, float]]) -> str:
    pairs = [SimpleNamespace(label=ARMS[0], arm=[0] * 10, unpaired=[])]
    return "\n".join(_false_economy_lines(effects(rows), pairs))  # type: ignore[arg-type]


def test_the_report_line_shows_a_narrow_return_per_pound_interval() -> None:
    line = _line({"fe_return_per_pound_10y": (0.132, 0.129, 0.135)})
    assert "each £1 saves 13.2p (12.9p to 13.5p)" in line
    assert "13p (13p to 13p)" not in line


def test_a_breakeven_fall_above_100_percent_is_said_in_words() -> None:
    line = _line({"fe_breakeven_fall_10y": (1.4, 1.1, 1.9), "fe_fall_10y": (0.2, 0.1, 0.3)})
    assert "no fall in failed returns would be enough for it to pay for itself" in line
    assert "it cuts them by 20% (10% to 30%)" in line
    below = _line({"fe_breakeven_fall_10y": (0.4, 0.3, 0.5), "fe_fall_10y": (0.2, 0.1, 0.3)})
    assert "to pay for itself it must cut failed returns by 40% (30% to 50%)" in below
    assert "would be enough" not in below


def test_the_figure_subtitle_says_it_too(tmp_path: Path) -> None:
    eff = effects({"fe_breakeven_fall_10y": (1.4, 1.1, 1.9), "fe_fall_10y": (0.2, 0.1, 0.3),
                   "fe_net_cost_10y_gbp": (9e8, 8e8, 1e9), "fe_spend_10y_gbp": (1e9, 9e8, 1.1e9),
                   "fe_return_per_pound_10y": (0.1, 0.08, 0.12)})
    fig.false_economy_figure(eff, ARMS[0], {"model": "v0"}, tmp_path)
    words = " ".join("".join(ET.parse(tmp_path / "false_economy.svg").getroot().itertext())
                     .split())  # the subtitle is wrapped over lines
    assert "no fall in failed returns would be enough for support to pay for itself" in words


def test_the_false_economy_figure_draws_with_missing_horizons(tmp_path: Path) -> None:
    """A sweep of fewer than 10 measured years has no 10-year figures: the figure says
    n/a instead of failing on a NaN axis limit (and with it the whole report)."""
    eff = effects({"fe_net_cost_5y_gbp": (1e8, 5e7, 1.5e8)})
    files = fig.false_economy_figure(eff, ARMS[0], {"model": "v0"}, tmp_path)
    assert [p.name for p in files] == ["false_economy.png", "false_economy.svg"]
    assert "n/a" in (tmp_path / "false_economy.svg").read_text()


def _texts(svg: Path, prefix: str) -> list[str]:
    out = []
    for g in ET.parse(svg).getroot().iter("{http://www.w3.org/2000/svg}g"):
        if g.get("id", "").startswith(prefix):
            out.append("".join(g.itertext()).strip())
    return out


def test_the_arms_figure_fits_a_page_and_states_the_return_in_pence(tmp_path: Path) -> None:
    rows = {}
    for h in (5, 10):
        rows[f"fe_net_cost_{h}y_gbp"] = (1.2e9, 1.0e9, 1.4e9)
        rows[f"fe_return_per_pound_{h}y"] = (0.2, 0.15, 0.25)
    fig.arms_figure(effects(rows, ARMS), {"model": "v0", "experiment": "false_economy",
                                         "runs": 60, "scale_text": "scale 0.1"}, tmp_path)
    height, width = matplotlib.image.imread(tmp_path / "false_economy_arms.png").shape[:2]
    assert width / 150 <= 6.5, f"{width / 150:.1f} inches wide"  # 150 dpi; A4 text: 6.3 in
    svg = tmp_path / "false_economy_arms.svg"
    text = svg.read_text()
    assert "Saved for each £1 spent, pence" in text
    ticks = [t for t in _texts(svg, "xtick") if t]
    assert ticks and not [t for t in ticks if re.fullmatch(r"-?\d*\.\d+", t)], ticks
    assert any(t.endswith("p") for t in ticks) and any(t.endswith("m") for t in ticks), ticks


def test_calibration_figure_puts_count_targets_on_their_own_axis(tmp_path: Path) -> None:
    """Counts (children in care, starts a year) on the shares' 0-1 axis made the figure
    74 million pixels wide and the report fail (issue 12's new targets)."""
    from PIL import Image

    from sim.sweep import figures as fig

    rows = [{"metric": "reentry_12m", "mean": 0.22, "low": 0.21, "high": 0.23, "target": 0.2,
             "tolerance": 0.03, "replicates_p2.5": 0.2, "replicates_p97.5": 0.24,
             "within": True},
            {"metric": "children_in_care_end", "mean": 64_300.0, "low": 63_200.0,
             "high": 65_400.0, "target": 65_500.0, "tolerance": 5_000.0,
             "replicates_p2.5": 62_000.0, "replicates_p97.5": 66_000.0, "within": True}]
    files = fig.calibration_figure(pd.DataFrame(rows), {"model": "t", "experiment": "x",
                                                        "runs": 2, "scale_text": "1%"},
                                   tmp_path)
    width, height = Image.open(next(p for p in files if p.suffix == ".png")).size
    assert width < 3000 and height < 3000, (width, height)
    svg = next(p for p in files if p.suffix == ".svg").read_text()
    assert "value-children_in_care_end" in svg and ">64.3<" in svg.replace(" ", "")
