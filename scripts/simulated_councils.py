"""Five simulated councils of different practice and size, 2013-2023, written as SSDA903
annual files (one folder a council, and ``regional_*.csv`` with an ``LA`` column): the
extract the backtest of docs/ssda903.md is made on, whose truth is known.

    python scripts/simulated_councils.py OUT_DIR [SEED]

``SEED`` (default 11) makes another five councils of the same practice and size: a second
set of cases, for a backtest whose choices were made before it was looked at.

Councils (``size_share`` of scale 0.04, about 960 children entering care a year in all):
Typical (typical profile, 0.30), Quick (quick_return, 0.25), Cautious (cautious, 0.20),
Supportive (supportive, 0.15), Small (return propensity 1.6, thoroughness 0.3, 0.10).
Seed 11, 12 warm-up years, measured 1 April 2013 to 1 April 2023.
"""

from __future__ import annotations

import sys

from sim.model import RevolvingDoorModel
from sim.ssda903.write import write_model

CONFIG = {"seed": 11, "scale": 0.04, "years": 10, "warmup_years": 12, "start_year": 2013,
          "councils": {"mode": "listed", "listed": [
              {"name": "Typical", "profile": "typical", "size_share": 0.3},
              {"name": "Quick", "profile": "quick_return", "size_share": 0.25},
              {"name": "Cautious", "profile": "cautious", "size_share": 0.2},
              {"name": "Supportive", "profile": "supportive", "size_share": 0.15},
              {"name": "Small", "practice": {"return_propensity": 1.6, "thoroughness": 0.3},
               "size_share": 0.1}]}}


def main(out: str, seed: int = 11) -> None:
    model = RevolvingDoorModel({**CONFIG, "seed": seed})
    try:
        model.run()
        write_model(model, out, years=10)
    finally:
        model.release()
    print(f"five councils written to {out} (regional_*.csv and one folder a council)")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python scripts/simulated_councils.py OUT_DIR [SEED]")
    main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
