"""scripts/compare_results.py on tiny hand-made report folders: a row inside the old
interval, one outside, one missing from the new run (reported, not dropped), one only in
the new run, a zero effect in every seed, a row without an interval, and the exit status
(0, a report) with the count of rows outside."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "compare_results.py"
spec = importlib.util.spec_from_file_location("compare_results", SCRIPT)
assert spec is not None and spec.loader is not None
cr = importlib.util.module_from_spec(spec)
sys.modules["compare_results"] = cr  # dataclasses look their module up by name
spec.loader.exec_module(cr)

CAL_HEAD = "metric,n,mean,low,high,target\n"
EFF_HEAD = ("arm,policy/support,metric,kind,interval,n_pairs,reference_mean,arm_mean,"
            "effect_mean,effect_low,effect_high\n")


def _folders(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "calibration.csv").write_text(
        CAL_HEAD
        + "inside_m,10,0.50,0.40,0.60,0.5\n"
        + "outside_m,10,1.00,0.90,1.10,1\n"
        + "gone_m,10,2.00,1.80,2.20,2\n")
    (new / "calibration.csv").write_text(
        CAL_HEAD
        + "inside_m,10,0.59,0.55,0.63,0.5\n"   # inside [0.4, 0.6]; intervals overlap
        + "outside_m,10,1.30,1.20,1.40,1\n"    # outside [0.9, 1.1]; no overlap
        + "added_m,10,3.00,2.90,3.10,3\n")     # not in the old run
    (old / "effects.csv").write_text(
        EFF_HEAD
        + "Arm A,a,zero_effect,difference,t,6,1,1,0,0,0\n"
        + "Arm A,a,no_interval,difference,t,6,1,1,5,,\n")
    (new / "effects.csv").write_text(
        EFF_HEAD
        + "Arm A,a,zero_effect,difference,t,6,1,1,0,0,0\n"
        + "Arm A,a,no_interval,difference,t,6,1,1,7,,\n")
    return old, new


def test_each_row_gets_the_status_worked_out_by_hand(tmp_path: Path) -> None:
    old, new = _folders(tmp_path)
    status = {(r.file, r.key): r.status for r in cr.compare(old, new)}
    assert status == {
        ("calibration.csv", "inside_m"): "yes",
        ("calibration.csv", "outside_m"): "**NO**",
        ("calibration.csv", "gone_m"): "missing in new",
        ("calibration.csv", "added_m"): "missing in old",
        ("effects.csv", "Arm A / a / zero_effect"): "yes",
        ("effects.csv", "Arm A / a / no_interval"): "n/a",
    }
    overlap = {r.key: r.overlap for r in cr.compare(old, new)}
    assert overlap["inside_m"] == "yes" and overlap["outside_m"] == "**NO**"
    diff = {r.key: r.difference for r in cr.compare(old, new)}
    assert abs(diff["outside_m"] - 0.30) < 1e-12


def test_script_reports_missing_rows_counts_outside_and_exits_0(tmp_path: Path) -> None:
    old, new = _folders(tmp_path)
    out = tmp_path / "cmp.md"
    run = subprocess.run([sys.executable, str(SCRIPT), str(old), str(new), "--out", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("1 of 6 rows: new mean outside the old 95% interval")
    md = out.read_text()
    gone = [line for line in md.splitlines() if "| gone_m |" in line]
    assert len(gone) == 1 and "2 (1.8 to 2.2) | (missing) |" in gone[0]
    assert "missing in new" in gone[0]
    assert "| outside_m | 1 (0.9 to 1.1) | 1.3 (1.2 to 1.4) | 0.3 | +30.00% | **NO** | **NO** |" \
        in md
    # an effect's key stays in one cell: 8 cells a row, as the header has
    zero = [line for line in md.splitlines() if "zero_effect" in line]
    assert zero == ["| effects.csv | Arm A / a / zero_effect | 0 (0 to 0) | 0 (0 to 0) | 0 |  "
                    "| yes | yes |"]
