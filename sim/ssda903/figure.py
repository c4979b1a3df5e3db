"""The comparison figure: a council's observed re-entry curve beside a simulated one and
beside England's published figure (the calibration target of :data:`sim.metrics.TARGETS`:
re-entry within 12 months of all returns). Issue 21 retired the abuse-or-neglect breakdown
target (Farmer et al. 2011's level on a selected sample), so that panel has no England
point."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from sim.labels import TARGET_SOURCE_LABELS  # noqa: E402
from sim.metrics import TARGETS  # noqa: E402

#: England points drawn: curve group -> (month, target metric)
ENGLAND_POINTS = {"all": (12, "reentry_12m")}
GROUP_LABEL = {"all": "all returns", "abuse_neglect": "abuse or neglect (N1)",
               "other": "other needs (N2-N8)"}


def comparison_figure(observed: pd.DataFrame, out: Path, simulated: pd.DataFrame | None = None,
                      label: str = "observed (SSDA903)") -> Path:
    """Draw ``reentry_curve.csv`` tables (``group, month, share_reentered``) side by side,
    one panel a group, and save a PNG."""
    groups = list(GROUP_LABEL)
    fig, axes = plt.subplots(1, len(groups), figsize=(12, 3.8), sharey=True)
    for ax, g in zip(axes, groups):
        o = observed[observed["group"] == g]
        ax.plot(o["month"], o["share_reentered"], color="black", lw=2, label=label)
        if simulated is not None:
            s = simulated[simulated["group"] == g]
            ax.plot(s["month"], s["share_reentered"], color="tab:blue", lw=1.5, ls="--",
                    label="simulated run")
        if g in ENGLAND_POINTS:
            month, metric = ENGLAND_POINTS[g]
            target, tol, _ = TARGETS[metric]
            ax.errorbar([month], [target], yerr=[tol], fmt="o", color="tab:red", capsize=4,
                        label=f"England, published ({TARGET_SOURCE_LABELS[metric]}), "
                              "± tolerance")
        ax.set_title(GROUP_LABEL[g])
        ax.set_xlabel("months since return home")
        ax.set_xlim(0, 72)
        ax.grid(alpha=0.3)
        # below its panel, clear of the curves and the axis labels
        # (tests/test_figure_layout.py); the full source of each England figure is in
        # docs/evidence.md
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0.0, -0.3), frameon=False)
    axes[0].set_ylabel("share re-entered care\n(Kaplan-Meier)")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110, bbox_inches="tight")  # nothing cut at the border
    plt.close(fig)
    return out
