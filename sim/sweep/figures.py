"""The experiments' figures, drawn with seaborn from the tables of :mod:`sim.sweep.aggregate`.

Every number printed on a figure is read from ``effects.csv`` (or ``calibration.csv``)
and carries an SVG id ``value-<metric>`` (``value-<metric>-<arm index>`` where a figure
shows several arms), so a test can check the figure against the table. Figures are
saved as PNG and SVG (text kept as text) into ``figures/``; each has a source line naming
the model version and the evidence its numbers rest on.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.formats import count, finite, gbp_m, pence, share, with_interval  # noqa: E402

EVIDENCE = ("Evidence: placement costs NAO 2014; failed-return, support and assessment costs "
            "Holmes 2014 and 2024 (NSPCC); process costs Ward, Holmes & Soper 2008; returns "
            "and re-entries DfE, Goldacre et al. 2022, Farmer et al. 2011 (docs/evidence.md).")
RC = {"svg.fonttype": "none", "svg.hashsalt": "revolving-door", "font.size": 10,
      "axes.titlesize": 11, "figure.dpi": 100}
RED, GREEN, GREY, BLUE = "#b2182b", "#1b7837", "#4d4d4d", "#2166ac"


def row_with_interval(r: pd.Series, fmt: Any) -> str:
    """:func:`with_interval` of a row of ``effects.csv``."""
    return with_interval(fmt, float(r["effect_mean"]), float(r["effect_low"]),
                         float(r["effect_high"]))


def breakeven_clause(be: pd.Series, fall: pd.Series, subject: str = "it") -> str:
    """What the policy must do to failed returns to pay for itself, against what it does.
    A break-even above 100% means that even avoiding every failed return would not be
    enough, and is said so."""
    achieved = f"it cuts them by {row_with_interval(fall, share)}"
    m = float(be["effect_mean"])
    if not finite(m):
        return (f"no fall in failed returns pays for {subject}: {subject} avoids none, or "
                f"saves nothing by them ({achieved})")
    if m > 1:
        return (f"no fall in failed returns would be enough for {subject} to pay for itself "
                f"(it would take {share(m)} of them; {achieved})")
    return (f"to pay for itself {subject} must cut failed returns by "
            f"{row_with_interval(be, share)} ({achieved})")


def save(fig: plt.Figure, folder: Path, name: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for ext in ("png", "svg"):
        path = folder / f"{name}.{ext}"
        meta = {"Date": None} if ext == "svg" else {}
        fig.savefig(path, dpi=150 if ext == "png" else None, bbox_inches="tight",
                    metadata=meta)
        out.append(path)
    plt.close(fig)
    return out


def _source(fig: plt.Figure, meta: dict[str, Any], extra: str = "") -> None:
    line = (f"Source: Revolving Door model {meta.get('model', '')}, experiment "
            f"'{meta.get('experiment', '')}', {meta.get('runs', '?')} runs at "
            f"{meta.get('scale_text', '')}. {extra}")
    # below the lowest axes' tick labels and axis label, whatever the figure's height
    y = min(ax.get_position().y0 for ax in fig.axes) - 0.62 / fig.get_figheight()
    fig.text(0.01, y, line.strip() + "\n" + EVIDENCE, ha="left", va="top", fontsize=7.5,
             color=GREY, wrap=True, linespacing=1.5)


def effect_row(effects: pd.DataFrame, arm: str, metric: str) -> pd.Series:
    """The row of ``effects.csv`` for one arm and metric (NaN effect, no pairs, if missing)."""
    sel = effects[(effects["arm"] == arm) & (effects["metric"] == metric)]
    if sel.empty:
        return pd.Series({"effect_mean": math.nan, "effect_low": math.nan,
                          "effect_high": math.nan, "n_pairs": 0})
    return sel.iloc[0]


def _err(r: pd.Series, scale: float = 1.0) -> tuple[float, list[list[float]]]:
    m, lo, hi = (float(r["effect_mean"]) / scale, float(r["effect_low"]) / scale,
                 float(r["effect_high"]) / scale)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return m, [[0.0], [0.0]]
    return m, [[max(0.0, m - lo)], [max(0.0, hi - m)]]


# ---------------------------------------------------------------- false economy
def false_economy_headline(effects: pd.DataFrame, arm: str, h: int = 10) -> str:
    """The finding, in one sentence, for the figure's title and the report: the arm named,
    and every number with its 95% interval (or said to have none)."""
    net = effect_row(effects, arm, f"fe_net_cost_{h}y_gbp")
    rpp = effect_row(effects, arm, f"fe_return_per_pound_{h}y")
    m, lo, hi = (float(net["effect_mean"]), float(net["effect_low"]),
                 float(net["effect_high"]))
    known = math.isfinite(lo) and math.isfinite(hi)
    caveat = "" if known else f" (from {int(net['n_pairs'])} paired run(s): no interval)"
    per_pound = row_with_interval(rpp, pence)
    if (lo > 0 if known else m > 0):
        verdict = (f"costs councils {with_interval(gbp_m, m, lo, hi)} more than it saves "
                   f"over {h} years: each £1 spent saves {per_pound}{caveat}")
    elif (hi < 0 if known else m < 0):
        verdict = (f"saves councils {with_interval(gbp_m, -m, -hi, -lo)} more than it costs "
                   f"over {h} years: each £1 spent saves {per_pound}{caveat}")
    else:
        verdict = (f"roughly pays for itself over {h} years (net cost {gbp_m(m)}, interval "
                   f"{gbp_m(lo)} to {gbp_m(hi)}): each £1 spent saves {per_pound}")
    return f"{arm}, against current practice, {verdict}"


def _waterfall(effects: pd.DataFrame, arm: str, h: int) -> pd.DataFrame:
    """The waterfall's bars, spend first, then each saving, then the net cost: label, start
    and width (£ million), colour, the metric and its value as printed ("n/a" where the
    sweep has no value, e.g. too few years, drawn as an empty bar)."""
    steps = [("Spent on support, monitoring\nand treatment", f"fe_spend_{h}y_gbp", +1),
             ("Saved on placements", f"fe_saving_placements_{h}y_gbp", -1),
             ("Saved on re-entries: decisions,\nsocial work, court proceedings",
              f"fe_saving_reentries_{h}y_gbp", -1),
             ("Saved on other social work\n(care planning, reviews, returns)",
              f"fe_saving_other_work_{h}y_gbp", -1)]
    rows = []
    running = 0.0
    for label, metric, sign in steps:
        v = float(effect_row(effects, arm, metric)["effect_mean"]) / 1e6
        shown = gbp_m(v * 1e6)
        v = v if math.isfinite(v) else 0.0
        delta = sign * v
        rows.append({"label": label, "start": running if delta >= 0 else running + delta,
                     "width": abs(delta),
                     "color": GREY if delta == 0 else RED if delta > 0 else GREEN,
                     "metric": metric, "shown": shown})
        running += delta
    metric = f"fe_net_cost_{h}y_gbp"
    nm = float(effect_row(effects, arm, metric)["effect_mean"]) / 1e6
    shown = gbp_m(nm * 1e6)
    nm = nm if math.isfinite(nm) else 0.0
    rows.append({"label": "Net cost to councils", "start": min(0.0, nm), "width": abs(nm),
                 "color": GREY, "metric": metric, "shown": shown})
    return pd.DataFrame(rows)


def _draw_waterfall(ax: plt.Axes, bars: pd.DataFrame, spend: pd.Series, net: pd.Series,
                    meta: dict[str, Any], h: int) -> None:
    """The money panel: the bars, the intervals of spend and net cost, the values."""
    labels, starts, widths = list(bars["label"]), list(bars["start"]), list(bars["width"])
    last = len(labels) - 1
    frame = pd.DataFrame({"item": labels, "start": starts, "width": widths})
    sns.barplot(data=frame, y="item", x="width", orient="h", ax=ax, color=GREY,
                errorbar=None)
    for bar, left, col in zip(ax.patches, starts, bars["color"]):
        bar.set_x(left)
        bar.set_color(col)
    for yi, r in ((0, spend), (last, net)):
        m, e = _err(r, 1e6)
        ax.errorbar([m], [yi], xerr=e, fmt="none", ecolor="black", capsize=4, lw=1)
    ends = [s + w for s, w in zip(starts, widths)]
    for yi, r in ((0, spend), (last, net)):  # labels go beyond the interval
        hi = float(r["effect_high"]) / 1e6
        if math.isfinite(hi):
            ends[yi] = max(ends[yi], hi)
    span = max(1e-9, max(abs(s) for s in starts + ends))
    for yi, (end, metric, text) in enumerate(zip(ends, bars["metric"], bars["shown"])):
        t = ax.text(end + 0.015 * span, yi, text, va="center", ha="left",
                    fontsize=9.5, fontweight="bold" if yi in (0, last) else None)
        t.set_gid(f"value-{metric}")
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(min(0.0, min(starts)) - 0.05 * span, max(ends) + 0.2 * span)
    ax.set_ylabel("")
    ax.set_xlabel(f"£ million over {h} years, councils in England ({meta.get('price_year')} "
                  "prices)")
    ax.set_yticks(np.arange(len(labels)), labels)
    ax.set_title("Money: what support costs, and what it saves", loc="left")


def _draw_outcome(axc: plt.Axes, r: pd.Series, metric: str, title: str, unit: str,
                  h: int) -> None:
    """One children's-outcome panel: the effect as a bar with its interval and value."""
    m, e = _err(r)
    m = m if math.isfinite(m) else 0.0
    sns.barplot(x=[m], y=[""], orient="h", ax=axc, color=BLUE, errorbar=None)
    axc.errorbar([m], [0], xerr=e, fmt="none", ecolor="black", capsize=4, lw=1)
    t = axc.text(0.5, -0.47, row_with_interval(r, count), va="bottom",
                 ha="center", fontsize=9.5, fontweight="bold",
                 transform=matplotlib.transforms.blended_transform_factory(
                     axc.transAxes, axc.transData))
    t.set_gid(f"value-{metric}")
    axc.set_title(title, loc="left")
    axc.set_xlabel(f"{unit} over {h} years, England")
    axc.axvline(0, color="black", lw=0.8)
    axc.set_ylim(0.5, -0.75)
    hi = float(r["effect_high"]) if math.isfinite(float(r["effect_high"])) else m
    axc.set_xlim(min(0.0, float(r["effect_low"]) if math.isfinite(
        float(r["effect_low"])) else m) * 1.15, max(hi, 1e-9) * 1.15)


def _false_economy_subtitle(effects: pd.DataFrame, arm: str, h: int) -> str:
    net = effect_row(effects, arm, f"fe_net_cost_{h}y_gbp")
    rpp = effect_row(effects, arm, f"fe_return_per_pound_{h}y")
    be = effect_row(effects, arm, f"fe_breakeven_fall_{h}y")
    fall = effect_row(effects, arm, f"fe_fall_{h}y")
    return (f"'{arm}' against current practice. Bars: averages over "
            f"{int(net['n_pairs'])} paired runs; black lines: 95% intervals. Each £1 spent "
            f"saves {pence(float(rpp['effect_mean']))}; "
            f"{breakeven_clause(be, fall, 'support')}.")


#: The children's-outcome panels of the false-economy figure: title, metric stem, unit.
OUTCOME_PANELS = (("Failed returns avoided", "fe_failed_returns_avoided", "children"),
                  ("Months children spend in harm avoided", "fe_harm_months_avoided",
                   "child-months"))


def false_economy_figure(effects: pd.DataFrame, arm: str, meta: dict[str, Any],
                         folder: Path, h: int = 10) -> list[Path]:
    """The cost waterfall (spend, then each saving, then the net cost) and the children's
    outcomes, for one arm against the status quo over ``h`` years."""
    with plt.rc_context(RC), sns.axes_style("whitegrid"):
        fig = plt.figure(figsize=(12, 5.6))
        grid = fig.add_gridspec(2, 2, width_ratios=[2.2, 1], hspace=0.55, wspace=0.35)
        _draw_waterfall(fig.add_subplot(grid[:, 0]), _waterfall(effects, arm, h),
                        effect_row(effects, arm, f"fe_spend_{h}y_gbp"),
                        effect_row(effects, arm, f"fe_net_cost_{h}y_gbp"), meta, h)
        for gi, (title, stem, unit) in enumerate(OUTCOME_PANELS):
            metric = f"{stem}_{h}y"
            _draw_outcome(fig.add_subplot(grid[gi, 1]), effect_row(effects, arm, metric),
                          metric, title, unit, h)
        fig.suptitle(textwrap.fill(false_economy_headline(effects, arm, h), 110), x=0.01,
                     ha="left", fontsize=12, fontweight="bold")
        fig.text(0.01, 0.875, _false_economy_subtitle(effects, arm, h), ha="left", va="top",
                 fontsize=9.5, wrap=True)  # below the two-line headline
        fig.subplots_adjust(top=0.75)
        _source(fig, meta)
        return save(fig, folder, "false_economy")


#: Width of a figure meant to be pasted into a document at page width (inches: an A4 page's
#: text width, 16 cm)
PAGE_WIDTH = 6.3


def arms_figure(effects: pd.DataFrame, meta: dict[str, Any], folder: Path,
                name: str = "false_economy_arms", title: str = "") -> list[Path]:
    """Net cost over 5 and 10 years (£ million) and the saving for each £1 spent (pence),
    every arm, with intervals: two panels one above the other, at page width."""
    rows = []
    arms = list(dict.fromkeys(effects["arm"]))
    for i, arm in enumerate(arms):
        for h in (5, 10):
            net = effect_row(effects, arm, f"fe_net_cost_{h}y_gbp")
            rpp = effect_row(effects, arm, f"fe_return_per_pound_{h}y")
            rows.append({"arm": "\n".join(textwrap.wrap(arm, 22)), "i": i,
                         "horizon": f"{h} years",
                         "net": float(net["effect_mean"]) / 1e6,
                         "net_lo": float(net["effect_low"]) / 1e6,
                         "net_hi": float(net["effect_high"]) / 1e6,
                         "rpp": float(rpp["effect_mean"]) * 100,
                         "rpp_lo": float(rpp["effect_low"]) * 100,
                         "rpp_hi": float(rpp["effect_high"]) * 100})
    df = pd.DataFrame(rows)
    panel = 0.8 + 0.5 * len(arms)
    with plt.rc_context({**RC, "font.size": 9}), sns.axes_style("whitegrid"):
        fig, axes = plt.subplots(2, 1, figsize=(PAGE_WIDTH, 1.6 + 2 * panel), sharey=True,
                                 gridspec_kw={"hspace": 0.55})
        for ax, col, xlabel, ref, unit in (
                (axes[0], "net", "Net cost to councils, £ million (England)", 0.0, "£{:,.0f}m"),
                (axes[1], "rpp", "Saved for each £1 spent, pence", 100.0, "{:,.0f}p")):
            sns.pointplot(data=df, x=col, y="arm", hue="horizon", orient="h", ax=ax,
                          linestyle="none", dodge=0.4, errorbar=None,
                          palette=[BLUE, RED], markers=["o", "s"])
            for j, (hz, off) in enumerate((("5 years", -0.2), ("10 years", 0.2))):
                sub = df[df["horizon"] == hz]
                ax.errorbar(sub[col], sub["i"] + off,
                            xerr=[np.maximum(0, sub[col] - sub[f"{col}_lo"]).fillna(0),
                                  np.maximum(0, sub[f"{col}_hi"] - sub[col]).fillna(0)],
                            fmt="none", ecolor=[BLUE, RED][j], capsize=3, lw=1)
                if col == "net":
                    for _, r in sub.iterrows():
                        t = ax.text(r["net"], r["i"] + off - 0.12, gbp_m(r["net"] * 1e6),
                                    fontsize=7.5, ha="center", va="bottom")
                        t.set_gid(f"value-fe_net_cost_{hz.split()[0]}y_gbp-{int(r['i'])}")
            ax.axvline(ref, color="black", lw=0.8, ls="--")
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(6))
            ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(
                lambda v, _pos, u=unit: u.format(v).replace("£-", "-£")))
            ax.set_xlabel(xlabel)
            ax.set_ylabel("")
        if axes[1].get_legend() is not None:
            axes[1].get_legend().remove()
        # above the top panel, clear of the points (tests/test_figure_layout.py)
        axes[0].legend(title="over", loc="lower right", bbox_to_anchor=(1.0, 1.01), ncol=2,
                       fontsize=7.5, title_fontsize=7.5, frameon=False)
        fig.subplots_adjust(left=0.3, right=0.97)  # arm names inside the page width
        fig.suptitle(textwrap.fill(title or "Net cost and return per pound of each option, "
                                   "against current practice", 60),
                     x=0.01, ha="left", fontsize=11, fontweight="bold")
        _source(fig, meta, "Points: averages over paired runs; lines: 95% intervals. The "
                "dashed line at 100p: support that pays for itself.")
        return save(fig, folder, name)


# ---------------------------------------------------------------- dose-response
DOSE_PANELS = (("fe_failed_returns_avoided_10y", "Failed returns avoided\n(children, 10 years)",
                1.0),
               ("fe_harm_months_avoided_10y", "Months in harm avoided\n(child-months, 10 years)",
                1.0),
               ("fe_net_cost_10y_gbp", "Net cost to councils\n(£ million, 10 years)", 1e6))


def dose_figure(effects: pd.DataFrame, doses: dict[str, float], dose_label: str,
                meta: dict[str, Any], folder: Path, title: str) -> list[Path]:
    """Lines with 95% bands: each outcome against the dose (``doses``: arm -> dose), with
    current practice at zero effect."""
    rows = []
    for arm in dict.fromkeys(effects["arm"]):
        sel = effects[effects["arm"] == arm]
        x = float(doses.get(arm, math.nan))
        for metric, label, scale in DOSE_PANELS:
            r = effect_row(sel, arm, metric)
            rows.append({"arm": arm, "dose": x, "panel": label,
                         "mean": float(r["effect_mean"]) / scale,
                         "low": float(r["effect_low"]) / scale,
                         "high": float(r["effect_high"]) / scale})
    df = pd.DataFrame(rows).sort_values("dose")
    with plt.rc_context(RC), sns.axes_style("whitegrid"):
        fig, axes = plt.subplots(1, len(DOSE_PANELS), figsize=(13, 4.2))
        for k, (ax, (metric, label, scale)) in enumerate(zip(axes, DOSE_PANELS)):
            sub = df[df["panel"] == label]
            sns.lineplot(data=sub, x="dose", y="mean", marker="o", ax=ax, color=BLUE,
                         errorbar=None)
            ax.fill_between(sub["dose"], sub["low"], sub["high"], color=BLUE, alpha=0.2,
                            lw=0)
            for i, (_, r) in enumerate(sub.iterrows()):
                text = gbp_m(r["mean"] * scale) if scale != 1.0 else count(r["mean"])
                t = ax.annotate(text, (r["dose"], r["mean"]), textcoords="offset points",
                                xytext=(0, 7), ha="center", fontsize=8)
                t.set_gid(f"value-{metric}-{i}")
            ax.axhline(0, color="black", lw=0.8, ls="--")
            ax.set_title(label, loc="left")
            ax.set_xlabel(textwrap.fill(dose_label, 38))
            ax.set_ylabel("")
        fig.suptitle(title, x=0.01, ha="left", fontsize=12, fontweight="bold")
        fig.text(0.01, 0.9, "Effects against current practice (dashed line); shaded: 95% "
                 "intervals over paired runs.", fontsize=9)
        fig.subplots_adjust(top=0.78, wspace=0.3)
        _source(fig, meta)
        return save(fig, folder, "dose_response")


# ---------------------------------------------------------------- policy grid
def grid_figure(effects: pd.DataFrame, interactions: pd.DataFrame, meta: dict[str, Any],
                folder: Path) -> list[Path]:
    panels = (("fe_net_cost_10y_gbp", "Net cost to councils, £ million, 10 years", 1e6),
              ("fe_failed_returns_avoided_10y", "Failed returns avoided, children, 10 years",
               1.0))
    arms = list(dict.fromkeys(effects["arm"]))
    with plt.rc_context(RC), sns.axes_style("whitegrid"):
        fig, axes = plt.subplots(1, 2, figsize=(13, 1.5 + 0.5 * len(arms)), sharey=True)
        for ax, (metric, label, scale) in zip(axes, panels):
            df = pd.DataFrame([{"arm": a, "i": i,
                                "mean": float(effect_row(effects, a, metric)["effect_mean"]) / scale,
                                "low": float(effect_row(effects, a, metric)["effect_low"]) / scale,
                                "high": float(effect_row(effects, a, metric)["effect_high"]) / scale}
                               for i, a in enumerate(arms)])
            sns.scatterplot(data=df, x="mean", y="arm", ax=ax, color=BLUE, s=50, zorder=3,
                            label="simulated")
            ax.errorbar(df["mean"], df["i"], xerr=[np.maximum(0, df["mean"] - df["low"]).fillna(0),
                                                   np.maximum(0, df["high"] - df["mean"]).fillna(0)],
                        fmt="none", ecolor=BLUE, capsize=3, lw=1)
            for _, r in df.iterrows():
                text = gbp_m(r["mean"] * scale) if scale != 1.0 else count(r["mean"])
                t = ax.text(r["mean"], r["i"] - 0.18, text, ha="center", fontsize=8)
                t.set_gid(f"value-{metric}-{int(r['i'])}")
            if not interactions.empty:
                sub = interactions[interactions["metric"] == metric]
                pos = {a: i for i, a in enumerate(arms)}
                ax.scatter(sub["sum_of_single_effects"] / scale, [pos[a] for a in sub["arm"]],
                           marker="D", facecolors="none", edgecolors=RED, s=45, zorder=4,
                           label="sum of the single levers")
            ax.axvline(0, color="black", lw=0.8, ls="--")
            ax.set_xlabel(label)
            ax.set_ylabel("")
            if ax is axes[0]:  # one legend, above the panels, clear of the points
                ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=2,
                          frameon=False)
            elif ax.get_legend() is not None:
                ax.get_legend().remove()
        fig.suptitle("The three levers alone and together, against current practice",
                     x=0.01, ha="left", fontsize=12, fontweight="bold")
        _source(fig, meta, "Dots: averages over paired runs; lines: 95% intervals. Diamonds: "
                "what adding up the single levers would predict; the gap is the interaction.")
        return save(fig, folder, "policy_grid")


# ---------------------------------------------------------------- councils
def _wilson(p: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = 1.959964
    n = np.maximum(n, 1)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def councils_figure(councils: pd.DataFrame, decomposition: pd.DataFrame,
                    meta: dict[str, Any], folder: Path) -> list[Path]:
    """Council dot plots (one replicate) and the variance decomposition (all replicates)."""
    first = councils[councils["job"] == councils["job"].min()].copy()
    norm = matplotlib.colors.LogNorm(0.25, 4.0)
    with plt.rc_context(RC), sns.axes_style("whitegrid"):
        fig = plt.figure(figsize=(17, 5))
        outer = fig.add_gridspec(1, 2, width_ratios=[2.7, 1.0], wspace=0.42)
        left = outer[0].subgridspec(1, 3, width_ratios=[1, 1, 0.04], wspace=0.22)
        axes = [fig.add_subplot(left[0]), fig.add_subplot(left[1]), fig.add_subplot(outer[1])]
        cax = fig.add_subplot(left[2])
        for ax, col, n_col, title in (
                (axes[0], "return_home_share", "episodes_ended",
                 "Who goes home: share of care episodes\nending in a return home, by council"),
                (axes[1], "breakdown_24m", "children_returned",
                 "Failed returns: share of returns home\nbreaking down within 2 years")):
            df = first.dropna(subset=[col]).sort_values(col).reset_index(drop=True)
            df["rank"] = np.arange(1, len(df) + 1)
            sns.scatterplot(data=df, x="rank", y=col, hue="return_propensity", ax=ax, s=18,
                            palette="viridis", edgecolor="none", zorder=3, hue_norm=norm,
                            legend=False)
            if col == "return_home_share":
                lo, hi = _wilson(df[col].to_numpy(), df[n_col].to_numpy())
                ax.vlines(df["rank"], lo, hi, color="#999999", lw=0.6, zorder=2)
            ax.set_title(title, loc="left")
            ax.set_xlabel("councils, ranked")
            ax.set_ylabel("share")
            ax.set_ylim(0, 1)
        bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap="viridis"), cax=cax)
        bar.ax.minorticks_off()
        bar.set_ticks([0.25, 0.5, 1, 2, 4], labels=["0.25", "0.5", "1", "2", "4"])
        bar.set_label("council's readiness to return children home (1 = average)")
        ax = axes[2]
        outcomes = list(dict.fromkeys(decomposition["outcome"]))
        parts = list(dict.fromkeys(decomposition["part"]))
        colors = [RED, BLUE, GREY]
        step = 0.76 / len(parts)  # the bars of one outcome share 0.76 of a row
        for k, part in enumerate(parts):
            sub = decomposition[decomposition["part"] == part]
            ys = [outcomes.index(o) + (k - (len(parts) - 1) / 2) * step for o in sub["outcome"]]
            ax.barh(ys, sub["mean"], height=step * 0.95, color=colors[k % len(colors)],
                    label=part)
            for y, (_, r) in zip(ys, sub.iterrows()):
                if math.isfinite(r["low"]):
                    ax.errorbar([r["mean"]], [y], xerr=[[max(0, r["mean"] - r["low"])],
                                                        [max(0, r["high"] - r["mean"])]],
                                fmt="none", ecolor="black", capsize=3, lw=1)
                hi = r["high"] if math.isfinite(r["high"]) else r["mean"]
                t = ax.text(max(hi, r["mean"], 0.0), y, f"  {r['mean'] * 100:.1f}%",
                            va="center", fontsize=8.5)
                t.set_gid(f"value-{r['metric']}")
        ax.set_yticks(range(len(outcomes)),
                      [(o[0].upper() + o[1:]).replace(" (", "\n(") for o in outcomes])
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.legend(fontsize=8, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=1,
                  frameon=False)
        ax.set_title("Variance explained: council practice,\nchild and family need"
                     + (", care history" if len(parts) > 2 else ""),
                     loc="left", pad=14 + 12 * len(parts))
        ax.set_xlabel("share of variance explained (adjusted R², Shapley parts)")
        ax.set_ylabel("")
        fig.suptitle("Council practice and who goes home", x=0.01, ha="left", fontsize=12,
                     fontweight="bold")
        fig.subplots_adjust(top=0.8)
        _source(fig, meta, "Left and middle: one replicate's councils (grey lines: 95% "
                "intervals). Right: averages over replicates with 95% intervals.")
        return save(fig, folder, "councils")


# ---------------------------------------------------------------- calibration
def _calibration_rows(ax: plt.Axes, df: pd.DataFrame, fmt: Any) -> None:
    """One row a target: tolerance shaded, target in red, the replicates' spread in grey,
    the mean with its 95% interval in blue and its value printed (``value-<metric>``)."""
    for i, r in df.iterrows():
        ax.add_patch(plt.Rectangle((r["target"] - r["tolerance"], i - 0.3),
                                   2 * r["tolerance"], 0.6, color="#fdd49e", zorder=1))
        ax.plot([r["target"]] * 2, [i - 0.3, i + 0.3], color="#d7301f", lw=1.5, zorder=2)
        ax.plot([r["replicates_p2.5"], r["replicates_p97.5"]], [i, i], color="#999999",
                lw=1, zorder=2)
    sns.scatterplot(data=df, x="mean", y="metric", ax=ax, color=BLUE, s=40, zorder=3)
    ax.errorbar(df["mean"], df.index, xerr=[np.maximum(0, df["mean"] - df["low"]).fillna(0),
                                            np.maximum(0, df["high"] - df["mean"]).fillna(0)],
                fmt="none", ecolor=BLUE, capsize=3, lw=1.2, zorder=3)
    for i, r in df.iterrows():
        t = ax.text(r["mean"], i - 0.32, fmt(r["mean"]), ha="center", fontsize=8)
        t.set_gid(f"value-{r['metric']}")
    ax.set_ylabel("")


def calibration_figure(calib: pd.DataFrame, meta: dict[str, Any], folder: Path) -> list[Path]:
    """Shares on a 0-1 axis; targets that are counts (children in care, starts a year) on a
    panel of their own below, in thousands of children."""
    all_rows = calib.reset_index(drop=True)
    df = all_rows[all_rows["target"] <= 1.0].reset_index(drop=True)
    counts = all_rows[all_rows["target"] > 1.0].reset_index(drop=True)
    with plt.rc_context(RC), sns.axes_style("whitegrid"):
        heights = [max(len(df), 1)] + ([len(counts)] if len(counts) else [])
        fig, axes = plt.subplots(len(heights), 1, figsize=(10, 1.6 + 0.5 * sum(heights)),
                                 gridspec_kw={"height_ratios": heights}, squeeze=False)
        ax = axes[0][0]
        _calibration_rows(ax, df, lambda v: f"{v:.3f}")
        ax.set_xlim(0, 1)
        ax.set_xlabel("share (simulated: dot, 95% interval of the mean in blue, replicates in "
                      "grey; published: red line, tolerance shaded)")
        ax.set_title("Calibration: the baseline against published figures for England",
                     loc="left", fontsize=12, fontweight="bold")
        if len(counts):
            cax = axes[1][0]
            scaled = counts.copy()
            for c in ("mean", "low", "high", "target", "tolerance", "replicates_p2.5",
                      "replicates_p97.5"):
                scaled[c] = scaled[c] / 1000.0
            _calibration_rows(cax, scaled, lambda v: f"{v:,.1f}")
            cax.set_xlim(0, 1.5 * float(scaled["target"].max()))
            cax.set_xlabel("thousands of children (England)")
        fig.tight_layout()
        _source(fig, meta)
        return save(fig, folder, "calibration")
