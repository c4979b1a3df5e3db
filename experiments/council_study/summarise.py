"""Tables of the council study's runs (results/*.jsonl, written by diag.py via batch.sh)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from sim.calibration.targets import TARGETS

SHORT = {"returned_home_share": "home", "reentry_12m": "re12", "breakdown_24m_abuse_neglect": "brk24",
         "maltreated_24m_abuse_neglect": "malt24", "failed_return_any_60m_neglect": "f1+",
         "failed_return_2plus_60m_neglect": "f2+", "substance_misuse_at_return_share": "subst",
         "treatment_share_substance_misuse": "treat", "reentry_12m_to_60m_ratio": "12/60"}


def rows(path: Path):
    for line in path.read_text().splitlines():
        d = json.loads(line)
        rh, an = d["returned_home"], d["returned_home_abuse_neglect"]
        settings = " ".join(c.split("=")[0].split(".")[-1] + "=" + c.split("=")[1] for c in d["cfg"][2:]) or "defaults"
        cells = [path.stem, d["cfg"][0], d["cfg"][1], settings,
                 f"{rh['part_council']:.3f}", f"{rh['part_need']:.3f}",
                 f"{rh['part_council'] - rh['part_need']:+.3f}",
                 f"{an['part_council']:.3f}", f"{an['part_need']:.3f}"]
        for k in SHORT:
            v, ok = d[k]
            cells.append(f"{v:.3f}" + ("" if ok == "ok" else " MISS"))
        yield cells


def main(argv):
    files = [Path(a) for a in argv] or sorted(Path(__file__).parent.glob("results/b*.jsonl"))
    head = ["batch", "scale", "seed", "settings", "council", "need", "council-need",
            "AN council", "AN need"] + list(SHORT.values())
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for f in files:
        for r in rows(f):
            print("| " + " | ".join(r) + " |")
    print()
    print("Tolerances: " + "; ".join(f"{SHORT[k]} {t:.2f} ± {tol:.2f}" for k, (t, tol, _) in
                                    TARGETS.items() if k in SHORT))


if __name__ == "__main__":
    main(sys.argv[1:])
