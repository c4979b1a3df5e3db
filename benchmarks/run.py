"""Performance benchmark of the Revolving Door model (issues 5 and 15).

Run from the repository root, on a quiet machine (nothing else using the cores)::

    python benchmarks/run.py                 # every figure, about 5 minutes on 2 cores
    python benchmarks/run.py --quick         # small sizes, a smoke test of the script

It prints, for the baseline configuration (``sim.ModelConfig()`` defaults, 12 warm-up
years plus 10 measured years):

* a run at scale 1.0 (England), 0.1 and 0.01, each in a fresh process, 3 times
  (``--repeats``; the fastest time in the model is kept, and every try printed: this
  virtual machine's speed varies from one process to the next by up to half at small
  scales): start-up (building the model), time in the model (``model.run()``), collecting
  the results, and peak memory; children and child-months simulated, family activations,
  events and the engine's rounds;
* the run at scale 1.0 split between 2 processes by council (``sim.run(workers=2)``; the
  results are the same), 3 times, the fastest against the single run's fastest: what the
  split buys now that a run is array work;
* the yardstick, timed in the same run (3 times, the fastest kept): a minimal naive Mesa
  model stepping 100,000 agents for 120 months with a trivial step, and the national run's
  time in the model against it;
* the national run with councils under pressure (issue 26) on and off, each in a fresh
  process, alternating, 3 times (the fastest kept): on over off, target at most 3x
  (``--feedback-only``: this section alone);
* a 100-run sweep at scale 0.05 (seeds 1..100) on 2 worker processes, with each worker's
  resident memory after its first and last run (memory must stay flat over a sweep);
* the default calibration budget (``revolving-door-calibrate --budget default --jobs 2``)
  timed in full, into a temporary folder;
* the command as a user starts it (issue 25): ``revolving-door --help``, and a national
  run (``run.workers=1``) against the time in the model of the same run, 3 times
  interleaved (``--only-command`` for this part alone); targets: --help within 2 s, the
  command within 1.5 times the model;
* the false-economy Monte Carlo (``experiment=false_economy_uncertainty``, issue 22) at its
  default size (500 paired replicates at 10% of England), timed in full with its report,
  against its target of 10 minutes (``--mc-replicates`` for another size,
  ``--skip-monte-carlo`` to leave it out; ``--only-monte-carlo`` for this part alone, with
  the load average sampled while it ran; ``--mc-recorded`` prints instead the time the one
  command ``python scripts/false_economy_uncertainty.py`` recorded for the published run,
  ``experiments/results/false_economy_uncertainty/mc_timing.json``);
* a council analyst's SSDA903 commands (issue 24): ``describe``, ``fit`` and ``backtest``
  (one extract date, horizons 12 and 24 months) of one council's five years of annual
  files, each in a fresh process, against its target of 2 minutes in all
  (``--council-only`` for this part alone, ``--skip-council`` to leave it out);

and writes the figures to ``benchmarks/results.json`` (``--out``) so that they can be
compared between commits. Targets (issue 15) are checked and printed as met or missed; the
script never fails because of a missed target. Beside linearity it prints the cost a
million child-months between the two smaller scales and between the two larger, and the
fixed part of a run they imply. No profiler is needed.

Definitions:

* *start-up*: building the model (councils, tables); *time in the model*: ``model.run()``,
  the whole run's months at once; *wall time*: start-up, model and collecting the results (``sim.run``), in a
  process that has already imported the package;
* *peak memory*: the process's peak resident set size (``ru_maxrss``), interpreter and
  imports included; the figure "above start" subtracts the peak before the run;
* *children simulated*: children who entered care during the run (first entries);
* *child-months*: children in care or at home after a return at each month end, summed
  over months: what a model that steps every child every month would do;
* *family activations*: family rows the engine worked on (an event or a checkpoint due);
* *engine rounds*: passes of the engine, each over every family with an event or
  checkpoint due (``model.run()`` works the whole run at once: a round is each family's
  next event or checkpoint, so a run takes as many rounds as its busiest family has events
  and checkpoints);
* *events*: random family events fired (returns, exits, problems changing, maltreatment,
  detection, breakdowns).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import gc
import json
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: Targets from issue 15, on the 2-core development machine.
TARGET_NATIONAL_S = 10.0  # time in the model, one process
AIM_NATIONAL_S = 5.0
TARGET_NATIONAL_PEAK_MB = 1024.0
TARGET_YARDSTICK_RATIO = 3.0  # national time in the model / the yardstick's time
YARDSTICK_AGENTS, YARDSTICK_MONTHS = 100_000, 120
TARGET_SWEEP_S = 60.0
TARGET_CALIBRATION_S = 300.0
LINEAR_TOLERANCE = 0.25  # scale 0.1 costs a tenth of scale 1.0 in the model, +-25%


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _rss_mb() -> float:
    """Current resident set size of this process, in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def baseline_config(scale: float, seed: int = 1) -> dict[str, Any]:
    import sim

    cfg = sim.ModelConfig().to_dict()
    cfg["scale"] = scale
    cfg["seed"] = seed
    return cfg


# --------------------------------------------------------------------------- one run
def measure_run(scale: float, seed: int = 1) -> dict[str, Any]:
    """One run, measured (meant to be called in a fresh process: peak memory is the
    process's). Does what ``sim.run`` does (``model.run()``: the whole run's months at once)."""
    import sim
    from sim.model import RevolvingDoorModel
    from sim.records import FLOW_FIELDS

    cfg = baseline_config(scale, seed)
    gc.collect()
    peak_before = _peak_rss_mb()
    c0 = time.process_time()
    t0 = time.perf_counter()
    model = RevolvingDoorModel(cfg)
    total = model.config.total_months
    t1 = time.perf_counter()
    model.run()
    t2 = time.perf_counter()
    # children in care or at home after a return at each month end, summed over months
    child_months = int(model.timeseries.stocks[:, :, 0:2].sum())
    results = sim.collect(model)
    t3 = time.perf_counter()
    cpu = time.process_time() - c0
    out = {
        "scale": scale, "seed": seed, "months": total,
        "wall_s": t3 - t0, "cpu_s": cpu, "build_s": t1 - t0, "run_s": t2 - t1, "collect_s": t3 - t2,
        "peak_rss_mb": _peak_rss_mb(), "peak_rss_above_start_mb": _peak_rss_mb() - peak_before,
        "families": model.records.families,
        "children": int(model.timeseries.flows[:, :, FLOW_FIELDS.index("entries")].sum()),
        "child_months": child_months,
        "activations": model.activations, "events": model.events,
        "rounds": model.engine.rounds,
        "returns": len(model.records.returns),
        "reentry_12m": results.metrics["reentry_12m"],
        "metric_keys": len(results.metrics),
    }
    out["child_months_per_model_s"] = child_months / out["run_s"]
    model.release()
    return out


def run_in_fresh_process(scale: float, seed: int = 1) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as ex:
        return ex.submit(measure_run, scale, seed).result()


def measure_split_run(scale: float, workers: int, seed: int = 1) -> dict[str, Any]:
    """One run split between ``workers`` processes by council (``sim.run(workers=...)``,
    what the ``revolving-door`` command does by default on 2 cores); meant for a fresh
    process. Peak memory is this process's and the largest worker's."""
    import sim

    cfg = baseline_config(scale, seed)
    c0 = time.process_time()
    t0 = time.perf_counter()
    results = sim.run(cfg, workers=workers)
    wall = time.perf_counter() - t0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"scale": scale, "seed": seed, "workers": results.run_info["workers"],
            "wall_s": wall, "cpu_s_main": time.process_time() - c0,
            "cpu_s_workers": children.ru_utime + children.ru_stime,
            "peak_rss_mb_main": _peak_rss_mb(), "peak_rss_mb_worker": children.ru_maxrss / 1024.0,
            "reentry_12m": results.metrics["reentry_12m"]}


def split_run_in_fresh_process(scale: float, workers: int, seed: int = 1) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as ex:
        return ex.submit(measure_split_run, scale, workers, seed).result()


# --------------------------------------------------------------------------- sweep
def sweep_task(scale: float, seed: int) -> dict[str, Any]:
    """One run of a sweep, as an analyst's sweep does it: ``sim.run``, keep the metrics."""
    import sim

    c0 = time.process_time()
    t0 = time.perf_counter()
    results = sim.run(baseline_config(scale, seed))
    gc.collect()
    return {"seed": seed, "pid": os.getpid(), "wall_s": time.perf_counter() - t0,
            "cpu_s": time.process_time() - c0,
            "rss_mb": _rss_mb(), "n_metrics": len(results.metrics)}


def run_sweep(scale: float, seeds: list[int], workers: int) -> dict[str, Any]:
    """Time a sweep, worker start-up included."""
    ctx = mp.get_context("spawn")
    t0 = time.perf_counter()
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as ex:
        rows = list(ex.map(sweep_task, [scale] * len(seeds), seeds, chunksize=1))
    wall = time.perf_counter() - t0
    by_pid: dict[int, list[float]] = {}
    for r in rows:
        by_pid.setdefault(r["pid"], []).append(r["rss_mb"])
    workers_rss = [{"runs": len(v), "rss_after_first_mb": v[0], "rss_after_last_mb": v[-1],
                    "rss_max_mb": max(v)} for v in by_pid.values()]
    return {"scale": scale, "runs": len(seeds), "workers": workers, "wall_s": wall,
            "mean_run_s": sum(r["wall_s"] for r in rows) / len(rows),
            "mean_run_cpu_s": sum(r["cpu_s"] for r in rows) / len(rows),
            "worker_rss": workers_rss}


# --------------------------------------------------------------------------- naive yardstick
def mesa_yardstick(agents: int = YARDSTICK_AGENTS, months: int = YARDSTICK_MONTHS,
                   seed: int = 1) -> dict[str, Any]:
    """The yardstick of issue 15: a minimal naive Mesa model of ``agents`` agents, each
    stepped every month for ``months`` months with a trivial step (age a month), in the
    order they were made (``AgentSet.do``: cheaper than the random order of Mesa's
    examples, ``shuffle_do``, so the stricter yardstick)."""
    import mesa

    class Agent(mesa.Agent):
        def __init__(self, model: mesa.Model) -> None:
            super().__init__(model)
            self.age = 0

        def step(self) -> None:
            self.age += 1

    model = mesa.Model(seed=seed)
    c0 = time.process_time()
    t0 = time.perf_counter()
    for _ in range(agents):
        Agent(model)
    for _ in range(months):
        model.agents.do("step")
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    mesa.Agent._ids.pop(model, None)  # type: ignore[attr-defined]  # Mesa 3.3.1, issue 3179
    return {"agents": agents, "months": months, "agent_steps": agents * months,
            "wall_s": wall, "cpu_s": cpu}


# --------------------------------------------------------------------------- calibration
def time_calibration(budget: str = "default", jobs: int = 2) -> dict[str, Any]:
    """The calibration budget, timed in full (into a temporary folder, thrown away)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "sim.calibration.calibrate", "--budget",
                               budget, "--jobs", str(jobs), "--out", tmp],
                              cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    return {"budget": budget, "jobs": jobs, "wall_s": wall, "ok": proc.returncode == 0,
            "stderr_tail": proc.stderr[-500:] if proc.returncode else ""}


# --------------------------------------------------------------------------- report
def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gb = float("nan")
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "sim"], cwd=ROOT,
                                    capture_output=True, text=True).stdout.strip())
    except OSError:
        commit, dirty = "", False
    import mesa

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_gb, 1),
            "python": platform.python_version(), "mesa": mesa.__version__,
            "platform": platform.platform(), "load_average_at_start": os.getloadavg(),
            "commit": commit, "sim_dirty": dirty,
            "date": time.strftime("%Y-%m-%d %H:%M:%S")}


def _line(name: str, value: str, verdict: str = "") -> None:
    print(f"  {name:<46} {value:>22}  {verdict}")


def _fastest(tries: list[dict[str, Any]], key: str, *also: str) -> dict[str, Any]:
    """The try with the smallest ``key``, with every try's ``key`` (and ``also``) beside it
    as ``<name>_tries``: this virtual machine's speed varies from one process to the next."""
    best = min(tries, key=lambda x: x[key])
    for name in (key, *also):
        best[f"{name}_tries"] = [x[name] for x in tries]
    return best


def _verdict(ok: bool, detail: str) -> str:
    return ("MET " if ok else "MISSED ") + detail


def section_runs(scales: list[float], out: dict[str, Any], repeats: int) -> None:
    print("\nSingle runs (baseline configuration, seed 1, each in a fresh process, "
          f"{repeats} times; the fastest time in the model is kept):")
    for scale in scales:
        r = _fastest([run_in_fresh_process(scale) for _ in range(repeats)], "run_s", "wall_s")
        out["runs"][str(scale)] = r
        print(f" scale {scale}:")
        _line("time in the model (model.run(), every month)", f"{r['run_s']:.2f} s",
              f"(start-up {r['build_s']:.2f} s, collect {r['collect_s']:.2f} s)")
        _line("time in the model, every try", ", ".join(f"{x:.2f}" for x in r["run_s_tries"]))
        _line("wall time (start-up + model + collect)", f"{r['wall_s']:.2f} s",
              f"(CPU {r['cpu_s']:.2f} s)")
        _line("peak memory (process)", f"{r['peak_rss_mb']:.0f} MB",
              f"({r['peak_rss_above_start_mb']:.0f} MB above start)")
        _line("children simulated", f"{r['children']:,}")
        _line("child-months simulated", f"{r['child_months']:,}",
              f"({r['child_months_per_model_s']:,.0f} a second in the model)")
        _line("family activations; events", f"{r['activations']:,}; {r['events']:,}")
        _line("engine rounds (each over every family due)", f"{r['rounds']:,}")


def section_split(scale: float, big: dict[str, Any], out: dict[str, Any],
                  repeats: int) -> None:
    print(f"\nThe run at scale {scale} split between 2 processes by council (sim.run("
          f"workers=2); same results; {repeats} times, the fastest kept):")
    split = _fastest([split_run_in_fresh_process(scale, 2) for _ in range(repeats)], "wall_s")
    out["split_run"] = split
    if split["reentry_12m"] != big.get("reentry_12m", split["reentry_12m"]):
        print("  WARNING: the split run's results differ from the single process's")
    single = min(big.get("wall_s_tries", [big["wall_s"]]))
    split["speed_up"] = single / split["wall_s"]
    _line("wall time (start-up + model + collect)", f"{split['wall_s']:.2f} s",
          f"({split['speed_up']:.2f}x the single process's fastest, {single:.2f} s)")
    _line("wall time, every try", ", ".join(f"{x:.2f}" for x in split["wall_s_tries"]))
    _line("CPU time (main + workers)", f"{split['cpu_s_main'] + split['cpu_s_workers']:.2f} s")
    _line("peak memory (main; largest worker)",
          f"{split['peak_rss_mb_main']:.0f} MB; {split['peak_rss_mb_worker']:.0f} MB")


def section_yardstick(out: dict[str, Any], repeats: int) -> dict[str, Any]:
    print(f"\nYardstick: minimal naive Mesa model, {YARDSTICK_AGENTS:,} agents x "
          f"{YARDSTICK_MONTHS} months, trivial step (this process, {repeats} times; the "
          "fastest is kept, as for the model):")
    y = _fastest([mesa_yardstick() for _ in range(repeats)], "wall_s")
    out["yardstick"] = y
    _line("wall time", f"{y['wall_s']:.2f} s", f"(CPU {y['cpu_s']:.2f} s, "
          f"{y['agent_steps'] / y['wall_s']:,.0f} agent-steps a second)")
    return y


def section_sweep(scale: float, runs: int, serial_runs: int, out: dict[str, Any]) -> None:
    print(f"\nSweep: {runs} runs at scale {scale}, seeds 1..{runs}:")
    seeds = list(range(1, runs + 1))
    par = run_sweep(scale, seeds, 2)
    ser = run_sweep(scale, seeds[:serial_runs], 1)
    ser_full = ser["wall_s"] * runs / serial_runs
    growth = max(w["rss_after_last_mb"] - w["rss_after_first_mb"] for w in par["worker_rss"])
    out["sweep"] = {"workers_2": par, "workers_1": ser, "workers_1_extrapolated_s": ser_full,
                    "worker_rss_growth_mb": growth}
    _line("2 workers: wall time", f"{par['wall_s']:.1f} s",
          f"(mean {par['mean_run_s']:.2f} s a run, {par['mean_run_cpu_s']:.2f} s CPU)")
    _line(f"1 worker: wall time ({serial_runs} runs)", f"{ser['wall_s']:.1f} s",
          f"-> {ser_full:.1f} s for {runs}" + (" (extrapolated)" if serial_runs != runs else ""))
    for i, w in enumerate(par["worker_rss"]):
        _line(f"worker {i + 1}: RSS after run 1 -> run {w['runs']}",
              f"{w['rss_after_first_mb']:.0f} -> {w['rss_after_last_mb']:.0f} MB")


# --------------------------------------------------------------------------- feedback
def measure_feedback_run(scale: float, enabled: bool, seed: int = 1) -> dict[str, Any]:
    """One run with councils under pressure on or off (issue 26), measured as
    :func:`measure_run` measures time in the model (meant for a fresh process)."""
    from sim.model import RevolvingDoorModel

    cfg = baseline_config(scale, seed)
    cfg["params"]["pressure"]["enabled"] = enabled
    model = RevolvingDoorModel(cfg)
    t0 = time.perf_counter()
    model.run()
    run_s = time.perf_counter() - t0
    out = {"scale": scale, "seed": seed, "feedback": enabled, "run_s": run_s,
           "rounds": model.engine.rounds, "activations": model.activations}
    model.release()
    return out


def feedback_run_in_fresh_process(scale: float, enabled: bool) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx) as ex:
        return ex.submit(measure_feedback_run, scale, enabled).result()


def section_feedback(scale: float, out: dict[str, Any], repeats: int) -> None:
    """Issue 26: a national run with councils under pressure takes at most 3 times as
    long as without (months worked between the councils' quarterly reviews, not at once)."""
    print(f"\nFeedback (councils under pressure, issue 26), scale {scale}, each in a fresh "
          f"process, {repeats} times, alternating; the fastest kept:")
    tries: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for _ in range(repeats):
        for enabled in (False, True):
            tries[enabled].append(feedback_run_in_fresh_process(scale, enabled))
    off = _fastest(tries[False], "run_s")
    on = _fastest(tries[True], "run_s")
    ratio = on["run_s"] / off["run_s"]
    out["feedback"] = {"scale": scale, "off": off, "on": on, "ratio": ratio}
    for name, r in (("off", off), ("on", on)):
        _line(f"time in the model, feedback {name}", f"{r['run_s']:.2f} s",
              f"(tries {', '.join(f'{x:.2f}' for x in r['run_s_tries'])}; "
              f"{r['rounds']:,} rounds)")
    _line("feedback on / off", f"{ratio:.2f}x",
          _verdict(ratio <= 3.0, "(target: at most 3x)") if scale == 1.0 else "")


def section_calibration(budget: str, out: dict[str, Any]) -> None:
    print(f"\nCalibration: budget {budget!r}, 2 jobs, in full:")
    c = time_calibration(budget, 2)
    out["calibration"] = c
    _line("wall time", f"{c['wall_s']:.0f} s", "" if c["ok"] else "FAILED: " + c["stderr_tail"])


# --------------------------------------------------------------------------- the command
#: Issue 25: the command's own time over the model's on a national run, and --help's time.
TARGET_COMMAND_RATIO = 1.5
TARGET_HELP_S = 2.0


def _command_wall(args: list[str], cwd: Path) -> float:
    """Wall time of the installed ``revolving-door`` command in a fresh process."""
    exe = Path(sys.executable).with_name("revolving-door")
    t0 = time.perf_counter()
    res = subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, "HYDRA_FULL_ERROR": "0"}, timeout=900)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise RuntimeError(f"revolving-door {' '.join(args)} failed:\n{res.stderr[-2000:]}")
    return wall


def measure_command(scale: float, repeats: int) -> dict[str, Any]:
    """``revolving-door --help`` and a baseline run at ``scale`` (``run.workers=1``, so the
    model's time compares like with like), each as a user starts it, against the time in
    the model of the same run in a fresh process: tries interleaved, so both meet the same
    load; the fastest of each kept, every try listed."""
    import tempfile

    helps, commands, models = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(repeats):
            helps.append(_command_wall(["--help"], Path(tmp)))
            commands.append(_command_wall([f"scale={scale}", "run.progress=false",
                                           "run.workers=1", f"hydra.run.dir={tmp}/run{k}"],
                                          Path(tmp)))
            models.append(run_in_fresh_process(scale)["run_s"])
    return {"scale": scale, "help_s": min(helps), "help_s_tries": helps,
            "command_s": min(commands), "command_s_tries": commands,
            "model_s": min(models), "model_s_tries": models,
            "ratio": min(commands) / min(models)}


def section_command(scale: float, out: dict[str, Any], repeats: int) -> None:
    """The whole command against the model (issue 25): start-up, Hydra, outputs and the
    run's report, over the time in the model."""
    print(f"\nThe command (revolving-door, a fresh process as a user starts it), {repeats} "
          "times interleaved with the model alone; the fastest of each kept:")
    r = measure_command(scale, repeats)
    out["command"] = r
    _line(f"revolving-door --help", f"{r['help_s']:.2f} s",
          _verdict(r["help_s"] <= TARGET_HELP_S, f"(<= {TARGET_HELP_S:.0f} s; tries "
                   + ", ".join(f"{x:.2f}" for x in r["help_s_tries"]) + ")"))
    _line(f"revolving-door scale={scale} (whole command)", f"{r['command_s']:.2f} s",
          "(tries " + ", ".join(f"{x:.2f}" for x in r["command_s_tries"]) + ")")
    _line("time in the model, same run", f"{r['model_s']:.2f} s",
          "(tries " + ", ".join(f"{x:.2f}" for x in r["model_s_tries"]) + ")")
    _line("command / model", f"{r['ratio']:.2f}",
          _verdict(r["ratio"] <= TARGET_COMMAND_RATIO, f"(<= {TARGET_COMMAND_RATIO})"))
# ---------------------------------------------------------------- the false-economy Monte Carlo

TARGET_MONTE_CARLO_S = 600.0  # issue 22: the default size in at most 10 minutes on 2 cores


def time_monte_carlo(replicates: int | None, scale: float | None) -> dict[str, Any]:
    """``revolving-door -m experiment=false_economy_uncertainty`` timed in full (its report
    included) into a temporary folder, with the committed accepted ensemble; ``None``: the
    experiment's default size."""
    import tempfile

    over = [f"mc.replicates={replicates}"] if replicates else []
    over += [f"scale={scale}"] if scale else []
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim.cli", "-m", "experiment=false_economy_uncertainty",
               "mc.ensemble=calibration/history_matching/ensemble.yaml", *over,
               f"hydra.sweep.dir={tmp}/mc"]
        t0 = time.perf_counter()
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        summary = Path(tmp) / "mc" / "mc_summary.csv"
        n = 0
        if summary.is_file():
            import pandas as pd

            n = int(pd.read_csv(summary)["n"].max())
    return {"wall_s": wall, "ok": res.returncode == 0, "replicates": n,
            "command": " ".join(cmd[2:-1]), "stderr_tail": res.stderr[-500:]}


def section_monte_carlo(replicates: int | None, scale: float | None, out: dict[str, Any]
                        ) -> None:
    size = f"{replicates} replicates" if replicates else "its default size"
    print(f"\nFalse-economy Monte Carlo (issue 22), {size}, 2 joblib workers, in full:")
    m = time_monte_carlo(replicates, scale)
    out["monte_carlo"] = m
    ok = m["ok"] and m["wall_s"] <= TARGET_MONTE_CARLO_S
    _line("wall time", f"{m['wall_s']:.0f} s",
          (f"{m['replicates']} paired replicates; " if m["ok"] else "FAILED: "
           + m["stderr_tail"]) + _verdict(ok, f"target {TARGET_MONTE_CARLO_S:.0f} s"))


MC_TIMING = ROOT / "experiments" / "results" / "false_economy_uncertainty" / "mc_timing.json"


def _sampling_load() -> tuple[list[float], Any]:
    """The 1-minute load average now and every 10 s until the returned ``stop()``."""
    import threading

    loads = [os.getloadavg()[0]]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(10.0):
            loads.append(os.getloadavg()[0])

    threading.Thread(target=sample, daemon=True).start()

    def stop() -> None:
        done.set()
        loads.append(os.getloadavg()[0])
    return loads, stop


def section_monte_carlo_only(replicates: int | None, out: dict[str, Any]) -> None:
    """The Monte Carlo alone (``--only-monte-carlo``), with the load average while it ran."""
    loads, stop = _sampling_load()
    section_monte_carlo(replicates, None, out)
    stop()
    out["monte_carlo"].update({"load_average_mean": sum(loads) / len(loads),
                               "load_average_max": max(loads), "cores": os.cpu_count()})
    _line("load average while it ran", f"{sum(loads) / len(loads):.2f} mean, "
          f"{max(loads):.2f} max", f"({os.cpu_count()} cores; target is for a quiet machine)")


def section_monte_carlo_recorded(out: dict[str, Any], path: Path = MC_TIMING) -> None:
    """The wall time the one command recorded for the published run (``--mc-recorded``)."""
    print("\nFalse-economy Monte Carlo (issue 22), as recorded by "
          "scripts/false_economy_uncertainty.py for the published run:")
    if not path.is_file():
        print(f"  no {path.relative_to(ROOT)}: run the command first")
        return
    t = json.loads(path.read_text())
    out["monte_carlo_recorded"] = t
    _line("wall time", f"{t['wall_s']:.0f} s",
          f"{t.get('replicates', '?')} paired replicates; "
          + _verdict(t["wall_s"] <= TARGET_MONTE_CARLO_S,
                     f"target {TARGET_MONTE_CARLO_S:.0f} s"))
    _line("load average while it ran", f"{t['load_average_mean']:.2f} mean, "
          f"{t['load_average_max']:.2f} max",
          f"({t.get('cores')} cores, nice {t.get('nice')}, {t.get('date')})")
    _line("command", t["command"])


def check_targets(out: dict[str, Any], scales: list[float]) -> dict[str, Any]:
    """Every target of issue 15 with its value and whether it is met; printed."""
    big, small = out["runs"][str(scales[0])], out["runs"][str(scales[1])]
    y = out["yardstick"]
    ratio = small["run_s"] / big["run_s"]
    expected = small["child_months"] / big["child_months"]
    t: dict[str, Any] = {
        "national_model_s": {"value": big["run_s"], "target": TARGET_NATIONAL_S,
                             "aim": AIM_NATIONAL_S, "met": big["run_s"] <= TARGET_NATIONAL_S},
        "national_peak_mb": {"value": big["peak_rss_mb"], "target": TARGET_NATIONAL_PEAK_MB,
                             "met": big["peak_rss_mb"] <= TARGET_NATIONAL_PEAK_MB},
        "yardstick_ratio": {"value": big["run_s"] / y["wall_s"],
                            "target": TARGET_YARDSTICK_RATIO,
                            "met": big["run_s"] <= TARGET_YARDSTICK_RATIO * y["wall_s"]},
        "linear_in_scale": {"time_ratio": ratio, "child_month_ratio": expected,
                            "tolerance": LINEAR_TOLERANCE,
                            "met": abs(ratio / expected - 1.0) <= LINEAR_TOLERANCE},
    }
    # the cost as a fixed part plus a part proportional to the work (information): the
    # cost a million child-months between the two smaller scales and between the two
    # larger, and the fixed part the larger pair implies
    tiny = out["runs"][str(scales[2])]
    per_small = ((small["run_s"] - tiny["run_s"])
                 / (small["child_months"] - tiny["child_months"]) * 1e6)
    per_big = (big["run_s"] - small["run_s"]) / (big["child_months"] - small["child_months"]) * 1e6
    fixed = small["run_s"] - per_big * small["child_months"] / 1e6
    t["cost_parts"] = {"s_per_million_child_months_small": per_small,
                       "s_per_million_child_months_big": per_big, "fixed_s": fixed}
    if "sweep" in out:
        w = out["sweep"]["workers_2"]["wall_s"]
        t["sweep_wall_s"] = {"value": w, "target": TARGET_SWEEP_S, "met": w <= TARGET_SWEEP_S}
        t["sweep_worker_rss_growth_mb"] = {"value": out["sweep"]["worker_rss_growth_mb"]}
    if "calibration" in out:
        c = out["calibration"]
        t["calibration_s"] = {"value": c["wall_s"], "target": TARGET_CALIBRATION_S,
                              "met": c["ok"] and c["wall_s"] <= TARGET_CALIBRATION_S}
    print("\nTargets (issue 15; timings are only meaningful on a quiet machine):")
    _line(f"time in the model at scale {scales[0]} <= {TARGET_NATIONAL_S:.0f} s "
          f"(aim {AIM_NATIONAL_S:.0f})", f"{big['run_s']:.2f} s",
          _verdict(t["national_model_s"]["met"], f"(start-up {big['build_s']:.2f} s apart)"))
    _line(f"peak memory <= {TARGET_NATIONAL_PEAK_MB:.0f} MB", f"{big['peak_rss_mb']:.0f} MB",
          _verdict(t["national_peak_mb"]["met"], ""))
    _line(f"<= {TARGET_YARDSTICK_RATIO:.0f}x the yardstick's time",
          f"{t['yardstick_ratio']['value']:.2f}x", _verdict(t["yardstick_ratio"]["met"],
                                                        f"(yardstick {y['wall_s']:.2f} s)"))
    _line(f"linear: t({scales[1]})/t({scales[0]}) vs child-months ratio",
          f"{ratio:.3f} vs {expected:.3f}",
          _verdict(t["linear_in_scale"]["met"], f"(+-{LINEAR_TOLERANCE:.0%})"))
    _line(f"  cost a million child-months, {scales[2]}-{scales[1]}; {scales[1]}-{scales[0]}",
          f"{per_small:.3f} s; {per_big:.3f} s", f"(fixed part about {fixed:.2f} s a run)")
    if "sweep_wall_s" in t:
        _line(f"sweep <= {TARGET_SWEEP_S:.0f} s on 2 workers",
              f"{t['sweep_wall_s']['value']:.1f} s", _verdict(t["sweep_wall_s"]["met"], ""))
        _line("worker memory growth over the sweep",
              f"{t['sweep_worker_rss_growth_mb']['value']:+.0f} MB")
    if "calibration_s" in t:
        _line(f"default calibration <= {TARGET_CALIBRATION_S:.0f} s",
              f"{t['calibration_s']['value']:.0f} s", _verdict(t["calibration_s"]["met"], ""))
    return t


def section_council(out: dict[str, Any]) -> None:
    """Issue 24: ``describe``, ``fit`` and ``backtest`` of one council's five years of
    annual files, each in a fresh process (``benchmarks/ssda903.py --council``, whose
    function this calls); target under 2 minutes in all."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from ssda903 import council_benchmark  # benchmarks/ssda903.py

    print("\nSSDA903 council (issue 24): describe, fit, backtest of one council's five "
          "years")
    t = council_benchmark()
    for k in ("describe", "fit", "backtest"):
        _line(f"  {k}", f"{t[k]:.1f} s")
    _line("  total", f"{t['total']:.1f} s", _verdict(t["total"] < 120, "target < 120 s"))
    out["ssda903_council"] = {**t, "target_s": 120, "met": t["total"] < 120,
                              "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    ap.add_argument("--repeats", type=int, default=3,
                    help="fresh processes a scale; the fastest time in the model is kept "
                         "(a virtual machine's speed varies from one process to the next)")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes (scales 0.1/0.01/0.001, 6-run sweep, tiny calibration): "
                    "checks the script")
    ap.add_argument("--sweep-runs", type=int, default=100)
    ap.add_argument("--serial-runs", type=int, default=20,
                    help="runs timed on 1 worker; the 1-worker sweep time is extrapolated "
                    "to --sweep-runs (use --serial-runs 100 to time it in full)")
    ap.add_argument("--skip-sweep", action="store_true")
    ap.add_argument("--skip-calibration", action="store_true")
    ap.add_argument("--feedback-only", action="store_true",
                    help="only the feedback section (issue 26), national scale (0.1 with "
                         "--quick), written to --out")
    ap.add_argument("--only-command", action="store_true",
                    help="only the command's time against the model's, and --help's")
    ap.add_argument("--skip-monte-carlo", action="store_true")
    ap.add_argument("--council-only", action="store_true",
                    help="only the SSDA903 council section (issue 24: describe, fit and "
                         "backtest of one council's five years), written to "
                         "benchmarks/council.json (or --out)")
    ap.add_argument("--skip-council", action="store_true")
    ap.add_argument("--mc-replicates", type=int, default=None,
                    help="replicates of the false-economy Monte Carlo (default: its own)")
    ap.add_argument("--only-monte-carlo", action="store_true",
                    help="only the false-economy Monte Carlo, timed in full, with the load "
                         "average while it ran")
    ap.add_argument("--mc-recorded", action="store_true",
                    help="only print the Monte Carlo time the one command recorded for the "
                         "published run (mc_timing.json)")
    args = ap.parse_args(argv)
    if args.mc_recorded or args.only_monte_carlo:  # issue 22's section alone, not written
        mc: dict[str, Any] = {"machine": machine()}
        if args.mc_recorded:
            section_monte_carlo_recorded(mc)
        else:
            section_monte_carlo_only(args.mc_replicates, mc)
        return mc

    scales = [0.1, 0.01, 0.001] if args.quick else [1.0, 0.1, 0.01]
    if args.feedback_only:  # issue 26's section alone
        fb: dict[str, Any] = {"machine": machine()}
        section_feedback(scales[0], fb, args.repeats)
        Path(args.out).write_text(json.dumps(fb, indent=2, sort_keys=True) + "\n")
        return fb
    if args.council_only:  # issue 24's section alone, to council.json unless --out says
        co: dict[str, Any] = {"machine": machine()}
        section_council(co)
        to = Path(args.out) if "--out" in (argv if argv is not None else sys.argv) else \
            ROOT / "benchmarks" / "council.json"
        to.write_text(json.dumps(co, indent=2, sort_keys=True) + "\n")
        print(f"\nwrote {to}")
        return co
    info = machine()
    print(f"Revolving Door benchmark  {info['date']}  commit {info['commit']}"
          f"{' (sim/ modified)' if info['sim_dirty'] else ''}")
    print(f"  machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB; "
          f"Python {info['python']}, Mesa {info['mesa']}; load average at start "
          f"{info['load_average_at_start'][0]:.2f}")
    out: dict[str, Any] = {"machine": info, "quick": args.quick, "runs": {}}
    if args.only_command:
        section_command(scales[0], out, args.repeats)
        print(json.dumps(out["command"], indent=2))
        return out
    section_runs(scales, out, args.repeats)
    section_split(scales[0], out["runs"][str(scales[0])], out, args.repeats)
    section_yardstick(out, args.repeats)
    section_feedback(scales[0], out, args.repeats)
    if not args.skip_sweep:
        section_sweep(0.005 if args.quick else 0.05, 6 if args.quick else args.sweep_runs,
                      min(2 if args.quick else args.serial_runs,
                          6 if args.quick else args.sweep_runs), out)
    if not args.skip_calibration:
        section_calibration("tiny" if args.quick else "default", out)
    section_command(scales[0], out, args.repeats)
    if not args.skip_monte_carlo:
        section_monte_carlo(10 if args.quick else args.mc_replicates,
                            0.01 if args.quick else None, out)
    if not args.skip_council:
        section_council(out)
    out["targets"] = check_targets(out, scales)
    if args.quick:
        print("  (--quick: sizes are not the issue's; targets do not apply)")
    out["machine"]["load_average_at_end"] = os.getloadavg()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    print(f"\nwrote {args.out}")
    return out


if __name__ == "__main__":  # `import mesa` makes multiprocessing spawn: keep this guard
    sys.path.insert(0, str(ROOT))
    main()
