import sys, json
import numpy as np, pandas as pd
from sim.model import RevolvingDoorModel
cfg = {"scale": 0.01, "seed": 11, "warmup_years": 4, "years": 4,
       "policy": {"support": {"kind": "entitlement", "cap_months": 24, "councils": list(range(0, 150, 2))},
                  "monitoring": {"kind": "minimum_months", "min_months": 12, "close_with_concerns": False},
                  "treatment": {"kind": "access", "share": 0.5, "waiting_months": 2}}}
m = RevolvingDoorModel(cfg); m.run()
out = sys.argv[1]
r = m.records.returns_frame().copy()
r.to_csv(out + "/returns.csv.gz", index=False, float_format="%.17g")
m.records.exits_frame().to_csv(out + "/exits.csv.gz", index=False, float_format="%.17g")
m.records.episodes_frame().to_csv(out + "/episodes.csv.gz", index=False, float_format="%.17g")
np.savez_compressed(out + "/books.npz", ledger=m.ledger.amounts.sum(axis=1), stocks=m.timeseries.stocks.sum(axis=1), flows=m.timeseries.flows.sum(axis=1), harm=m.timeseries.harm.sum(axis=1))
json.dump(cfg, open(out + "/config.json", "w"), indent=1)
print(len(r))
