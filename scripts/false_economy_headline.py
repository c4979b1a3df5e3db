"""Remake README's probability paragraph and that of experiments/false_economy.md from the
committed tables of the false-economy Monte Carlo, without running it again.

    python scripts/false_economy_headline.py

``python scripts/false_economy_uncertainty.py`` writes both after each run; this remakes
them from ``experiments/results/false_economy_uncertainty/`` (its summary, variance shares
and break-even tables) with the same function, for a change in the paragraph's wording.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from sim.sweep.uncertainty_page import (FALSE_ECONOMY_PAGE, MAIN, RESULTS, page_headline,
                                        readme_text, replace_block)

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    res = ROOT / RESULTS
    s = pd.read_csv(res / "mc_summary.csv")
    shares = pd.read_csv(res / "mc_variance_shares.csv")
    be = pd.read_csv(res / "mc_breakeven.csv")
    exp = yaml.safe_load((ROOT / "configs" / "experiment" /
                          "false_economy_uncertainty.yaml").read_text(encoding="utf-8"))
    labels = exp["experiment"]["labels"]
    text = readme_text(s, {"replicates": int(s["n"].max())}, labels, MAIN, shares, be)
    for path, block in ((ROOT / "README.md", text),
                        (ROOT / FALSE_ECONOMY_PAGE, page_headline(text))):
        replace_block(path, block)
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
