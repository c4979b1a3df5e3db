"""Why 2+ failed returns (neglect, 60 months) move with the council spread: the chain
first return -> fails -> goes home again -> fails again, by council return propensity."""
from __future__ import annotations

import json
import sys

import numpy as np

from sim.agents.child import EntryReason
from sim.model import RevolvingDoorModel
from sim.records import END_REENTERED

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from diag import set_path  # noqa: E402


def main(argv):
    cfg = {"scale": float(argv[0]), "seed": int(argv[1])}
    for kv in argv[2:]:
        k, v = kv.split("=")
        set_path(cfg, k, float(v))
    m = RevolvingDoorModel(cfg)
    m.run()
    start, t_end, h = m.config.measure_start, m.config.total_months, 60.0
    df = m.records.returns_frame()
    df = df[df["reason"] == int(EntryReason.NEGLECT)]
    first = df[(df["nth"] == 1) & (df["time"] >= start) & (df["time"] <= t_end - h)]
    sub = df[df["child"].isin(first["child"])].sort_values(["child", "nth"])
    prop = np.array([c.return_propensity for c in m.councils])
    rows = []
    for child, g in sub.groupby("child"):
        t0 = g["time"].iloc[0]
        win = g[g["time"] <= t0 + h]
        f1 = (win["end_kind"].iloc[0] == END_REENTERED) and win["end_time"].iloc[0] <= t0 + h
        r2 = len(win) >= 2
        f2 = r2 and (win["end_kind"].iloc[1] == END_REENTERED) and win["end_time"].iloc[1] <= t0 + h
        rows.append((prop[g["council"].iloc[0]], f1, r2, f2))
    a = np.array(rows, dtype=float)
    q = np.quantile(prop, [1 / 3, 2 / 3])
    out = {"cfg": argv[2:], "median_prop": round(float(np.median(prop)), 3)}
    for name, mask in (("all", np.ones(len(a), bool)), ("low", a[:, 0] < q[0]),
                       ("mid", (a[:, 0] >= q[0]) & (a[:, 0] < q[1])), ("high", a[:, 0] >= q[1])):
        s = a[mask]
        f1 = s[:, 1] == 1
        out[name] = {"n_first": int(len(s)), "p_fail1": round(float(f1.mean()), 3),
                     "p_home_again|fail1": round(float(s[f1, 2].mean()), 3),
                     "p_fail2|home_again": round(float(s[s[:, 2] == 1, 3].mean()), 3),
                     "p_2plus": round(float(s[:, 3].mean()), 3)}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
