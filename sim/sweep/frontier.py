"""The false-economy answer as a range, and the figure campaigners need (issue 12).

One number ("each £1 of support saves 15p") hides the choices behind it. This module
reads a false-economy sweep's ``effects.csv`` rows, one arm per support design and, where
the sweep varies them, per re-entry dynamics variant (each arm paired seed by seed with
the status quo of the same variant, over the calibrated parameter ensemble), and gives:

``headline_range.csv``
    one row an arm: ``arm``, ``support`` (the support option), ``variant`` (the other swept
    settings, e.g. the re-entry dynamics), and for the 10-year horizon the return per pound
    (``return_per_pound``, ``_low``, ``_high``), the net cost to councils a year
    (``net_cost_per_year_gbp``, ``_low``, ``_high``), the fall in failed returns the arm
    achieves (``fall``, ``_low``, ``_high``) and the fall it would need to break even
    (``breakeven_fall``), all England-equivalent, in the run's price year.
``false_economy_frontier.png`` / ``.svg``
    net cost to councils a year against the fall in failed returns: each arm's estimate
    with its 95% intervals; its break-even line (net cost as the fall varies, at the arm's
    own spend and saving per failed return avoided); zero net cost; and the fall that
    Holmes' national figures need (:data:`HOLMES_BREAKEVEN_FALL`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.formats import gbp_m, share  # noqa: E402
from sim.labels import arm_label, variant_label  # noqa: E402
from sim.sweep.figures import save  # noqa: E402

#: Holmes 2024 (docs/evidence.md#holmes-national-totals): supporting every returning
#: family costs about £67m a year against £316m a year of failed returns, so support pays
#: for itself if it cuts failed returns by 67/316, about a fifth.
HOLMES_SUPPORT_GBP, HOLMES_FAILED_GBP = 67e6, 316e6
HOLMES_BREAKEVEN_FALL = HOLMES_SUPPORT_GBP / HOLMES_FAILED_GBP

_COLOURS = ("#2166ac", "#b2182b", "#1b7837", "#762a83", "#e08214", "#4d4d4d")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def _get(effects: pd.DataFrame, arm: str, metric: str) -> tuple[float, float, float]:
    sel = effects[(effects["arm"] == arm) & (effects["metric"] == metric)]
    if sel.empty:
        return math.nan, math.nan, math.nan
    r = sel.iloc[0]
    return float(r["effect_mean"]), float(r["effect_low"]), float(r["effect_high"])


def headline_range(effects: pd.DataFrame, support_col: str = "policy/support",
                   h: int = 10) -> pd.DataFrame:
    """One row an arm: return per pound, net cost a year, fall and break-even fall."""
    rows = []
    other_cols = [c for c in effects.columns
                  if c not in ("arm", "metric", "kind", "interval", "n_pairs",
                               "reference_mean", "arm_mean", "effect_mean", "effect_low",
                               "effect_high", support_col)]
    for arm, g in effects.groupby("arm", sort=False):
        first = g.iloc[0]
        variant = ", ".join(f"{c}={first[c]}" for c in other_cols
                            if c in g and pd.notna(first[c]))
        rpp = _get(effects, arm, f"fe_return_per_pound_{h}y")
        net = _get(effects, arm, f"fe_net_cost_{h}y_gbp")
        fall = _get(effects, arm, f"fe_fall_{h}y")
        be = _get(effects, arm, f"fe_breakeven_fall_{h}y")
        spend = _get(effects, arm, f"fe_spend_{h}y_gbp")
        sav = _get(effects, arm, f"fe_savings_{h}y_gbp")
        rows.append({
            "arm": arm, "support": first.get(support_col, ""), "variant": variant,
            "n_pairs": int(g["n_pairs"].max()),
            "return_per_pound": rpp[0], "return_per_pound_low": rpp[1],
            "return_per_pound_high": rpp[2],
            "net_cost_per_year_gbp": net[0] / h, "net_cost_per_year_gbp_low": net[1] / h,
            "net_cost_per_year_gbp_high": net[2] / h,
            "spend_per_year_gbp": spend[0] / h, "savings_per_year_gbp": sav[0] / h,
            "fall": fall[0], "fall_low": fall[1], "fall_high": fall[2],
            "breakeven_fall": be[0],
        })
    return pd.DataFrame(rows)


def range_text(table: pd.DataFrame) -> str:
    """The headline as a range: the lowest and highest arm estimates, and the widest
    interval, of the return per pound."""
    if table.empty:
        return "no arms"
    lo_row = table.loc[table["return_per_pound"].idxmin()]
    hi_row = table.loc[table["return_per_pound"].idxmax()]
    return (f"each £1 of support saves councils between {lo_row['return_per_pound'] * 100:.0f}p "
            f"({lo_row['arm']}) and {hi_row['return_per_pound'] * 100:.0f}p "
            f"({hi_row['arm']}) over 10 years; with the 95% intervals of every arm, "
            f"{table['return_per_pound_low'].min() * 100:.0f}p to "
            f"{table['return_per_pound_high'].max() * 100:.0f}p")


def frontier_figure(table: pd.DataFrame, meta: dict[str, Any], folder: Path,
                    name: str = "false_economy_frontier") -> list[Path]:
    """Net cost a year against the fall in failed returns, with break-even lines."""
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "revolving-door",
                         "font.size": 9}):
        fig, ax = plt.subplots(figsize=(6.3, 4.4))
        supports = list(dict.fromkeys(table["support"]))
        variants = list(dict.fromkeys(table["variant"]))
        xmax = 0.3
        for i, r in table.iterrows():
            c = _COLOURS[supports.index(r["support"]) % len(_COLOURS)]
            mk = _MARKERS[variants.index(r["variant"]) % len(_MARKERS)]
            x, y = r["fall"] * 100, r["net_cost_per_year_gbp"] / 1e6
            xerr = [[max(0.0, x - r["fall_low"] * 100)], [max(0.0, r["fall_high"] * 100 - x)]]
            yerr = [[max(0.0, y - r["net_cost_per_year_gbp_low"] / 1e6)],
                    [max(0.0, r["net_cost_per_year_gbp_high"] / 1e6 - y)]]
            ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt=mk, color=c, ms=5, capsize=2,
                        lw=0.8, gid=f"value-arm-{i}")
            # the arm's break-even line: net cost if the fall were f (spend fixed, savings
            # in proportion to the fall)
            if r["fall"] > 0 and math.isfinite(r["savings_per_year_gbp"]):
                be = r["breakeven_fall"] if math.isfinite(r["breakeven_fall"]) else 1.0
                f = np.linspace(0.0, min(1.0, max(be, r["fall"]) * 1.1), 50)
                net = (r["spend_per_year_gbp"]
                       - f * r["savings_per_year_gbp"] / r["fall"]) / 1e6
                ax.plot(f * 100, net, ls="--", lw=0.7, color=c, alpha=0.6)
                xmax = max(xmax, min(1.0, be * 1.1))
        ax.axhline(0.0, color="black", lw=0.8)
        ax.axvline(HOLMES_BREAKEVEN_FALL * 100, color="#4d4d4d", ls=":", lw=1.0)
        ax.text(HOLMES_BREAKEVEN_FALL * 100, 0.97, "  fall Holmes' figures need "
                f"({HOLMES_BREAKEVEN_FALL * 100:.0f}%)", va="top", ha="left", fontsize=7.5,
                color="#4d4d4d", transform=ax.get_xaxis_transform())  # clear of the border
        ax.set_xlim(0, xmax * 100)
        ax.set_xlabel("Fall in failed returns over 10 years (% of current practice's)")
        ax.set_ylabel("Net cost to councils (£m a year)")
        ax.set_title("Does support pay for itself? Below zero it does.", fontsize=10)
        handles = [plt.Line2D([], [], color=_COLOURS[i % len(_COLOURS)], marker="o", ls="",
                              label=arm_label(s)) for i, s in enumerate(supports)]
        handles += [plt.Line2D([], [], color="black", marker=_MARKERS[i % len(_MARKERS)],
                               ls="", label=variant_label(v) if v else "fitted model") for i, v in
                    enumerate(variants)] if len(variants) > 1 else []
        handles.append(plt.Line2D([], [], color="black", ls="--", lw=0.7,
                                  label="break-even line of each arm"))
        ax.legend(handles=handles, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  frameon=False)  # beside the plot, clear of the points
        src = (f"Source: Revolving Door model {meta.get('model', '')}, experiment "
               f"'{meta.get('experiment', '')}', {meta.get('runs', '?')} runs at "
               f"{meta.get('scale_text', '')}; points: mean over paired seeds with 95% "
               "intervals; Holmes 2024 via docs/evidence.md#holmes-national-totals.")
        fig.text(0.01, -0.02, src, fontsize=6.5, color="#4d4d4d", ha="left", va="top",
                 wrap=True)
        return save(fig, folder, name)


def range_table_md(table: pd.DataFrame) -> str:
    """``headline_range.csv`` as a Markdown table for the experiment page (one row an arm)."""
    def pct(x: float) -> str:
        return share(x, 1)

    def p(x: float) -> str:
        return "n/a" if not math.isfinite(x) else f"{x * 100:.1f}p"

    lines = ["| arm | each £1 spent saves (95% interval) | net cost a year | fall in failed "
             "returns achieved | fall needed to break even |", "|---|---|---|---|---|"]
    for _, r in table.iterrows():
        be = r["breakeven_fall"]
        be_text = ("no fall would be enough" if math.isfinite(be) and be > 1.0 else pct(be))
        lines.append(
            f"| {r['arm']} | {p(r['return_per_pound'])} ({p(r['return_per_pound_low'])} to "
            f"{p(r['return_per_pound_high'])}) | {gbp_m(r['net_cost_per_year_gbp'])} "
            f"({gbp_m(r['net_cost_per_year_gbp_low'])} to "
            f"{gbp_m(r['net_cost_per_year_gbp_high'])}) | {pct(r['fall'])} ({pct(r['fall_low'])}"
            f" to {pct(r['fall_high'])}) | {be_text} |")
    return "\n".join(lines)
