"""How long a council started empty takes for its stock in care to settle: the children
in care at each year end, the mean over seeds, for the typical, quick-return and
supportive practice at the size of the backtests' Typical council (scale 0.012).

    python scripts/stock_settling.py [--seeds 6] [--years 26]

The forecast fit of ``revolving-door-data backtest`` measures each simulated council's
stock after its warm-up (``Settings.fit_warmup_years``) plus the fit's years; if the stock
is still rising there, the fit takes a practice whose settled stock is higher than the
council's, and the forecasts drift upward (docs/ssda903.md, "The 36-month test").
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.model import RevolvingDoorModel

PROFILES = ("typical", "quick_return", "supportive")


def year_ends(profile: str, seed: int, years: int, scale: float = 0.012) -> np.ndarray:
    """Children in care at the end of each year 1..``years`` of one council."""
    model = RevolvingDoorModel({"seed": seed, "scale": scale, "years": years,
                                "warmup_years": 0, "start_year": 2000,
                                "councils": {"mode": "listed", "listed": [
                                    {"name": "c", "profile": profile}]}})
    try:
        model.run()
        stock = model.timeseries.stocks[:, 0, 0].astype(float)
    finally:
        model.release()
    return stock[11::12][:years]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=6)
    ap.add_argument("--years", type=int, default=26)
    a = ap.parse_args()
    if a.seeds < 1 or a.years < 2:
        ap.error("--seeds: at least 1; --years: at least 2")
    print(f"children in care at the end of each year, mean of {a.seeds} seeds:")
    for p in PROFILES:
        m = np.mean([year_ends(p, s, a.years) for s in range(1, a.seeds + 1)], axis=0)
        print(f"{p:>13}: " + " ".join(f"y{y}:{v:.0f}" for y, v in enumerate(m, start=1)
                                      if y >= 8))


if __name__ == "__main__":
    main()
