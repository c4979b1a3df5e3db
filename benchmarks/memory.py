"""Peak memory of runs of several sizes, for the estimate a run makes before it is built
(:mod:`sim.memory`, docs/performance.md "Memory").

Each run is made in a fresh process that has already imported the package (``sim.run``,
one process, seed 1, the default parameters); its peak resident set size above the
process's size before the run (``ru_maxrss``, less the resident size after the imports)
is set against the children expected to enter care over the run (what the model sizes its
tables by: ``params.entry.children_per_year`` x scale x simulated years). Writes
``benchmarks/memory.json`` and prints the bytes a child of each run, and their largest,
which ``sim/memory.py`` takes as ``BYTES_PER_CHILD``::

    nice -n 10 python benchmarks/memory.py            # about 2 minutes on 2 cores
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

#: (scale, warm-up years, measured years): small to national, short to long
SIZES = ((0.1, 12, 10), (0.25, 12, 10), (0.5, 12, 10), (1.0, 12, 10), (0.25, 30, 30),
         (0.5, 20, 40), (1.0, 30, 20))

CHILD = """\
import json, resource, sys
import sim
from sim.config import ModelConfig
from sim.memory import expected_children
scale, warmup, years = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
page = __import__("os").sysconf("SC_PAGE_SIZE")
start = int(open("/proc/self/statm").read().split()[1]) * page
cfg = ModelConfig.from_dict({"scale": scale, "warmup_years": warmup, "years": years})
sim.run(cfg, workers=1)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"scale": scale, "warmup_years": warmup, "years": years,
                  "start_rss_mb": start / 2**20, "peak_rss_mb": peak / 2**20,
                  "peak_above_start_mb": (peak - start) / 2**20,
                  "expected_children": expected_children(cfg),
                  "bytes_per_child": (peak - start) / expected_children(cfg)}))
"""


def main() -> int:
    rows = []
    for scale, warmup, years in SIZES:
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-c", CHILD, str(scale), str(warmup), str(years)],
                             capture_output=True, text=True, check=True)
        row = json.loads(res.stdout.strip().splitlines()[-1])
        row["wall_s"] = time.perf_counter() - t
        rows.append(row)
        print(f"scale {scale:5.2f}, {warmup + years:3d} years: peak {row['peak_rss_mb']:7.1f} MB "
              f"({row['peak_above_start_mb']:7.1f} above start), "
              f"{row['expected_children']:10,.0f} children expected, "
              f"{row['bytes_per_child']:6.0f} bytes a child ({row['wall_s']:.1f} s)", flush=True)
    top = max(r["bytes_per_child"] for r in rows)
    print(f"largest: {top:.0f} bytes a child expected")
    out = Path(__file__).with_name("memory.json")
    out.write_text(json.dumps({"runs": rows, "largest_bytes_per_child": top,
                               "date": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
