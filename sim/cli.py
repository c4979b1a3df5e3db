"""The ``revolving-door`` command: a Hydra app around :func:`sim.run`.

This module and the sweep machinery (:mod:`sim.sweep`) are the only ones that import
Hydra; the model itself never does. Configs live in ``configs/``
at the top of the repository, installed as the package ``sim.configs`` (found through
:mod:`sim.config_files`, so the command works from a wheel too); the parameter schema (``params``) and the councils' spread
(``councils/spread``) are registered here from the dataclasses in :mod:`sim.parameters`
and :mod:`sim.config`, so their defaults, units and sources have one home.

:func:`command` is the entry point: it answers ``--help`` (:mod:`sim.cli_help`) and checks
the overrides and, for a single run, the whole configuration before Hydra starts
(:mod:`sim.cli_overrides`), then hands over to :func:`main`, the Hydra app.

In a sweep (``-m``) a job that fails writes ``error.txt`` in its folder instead of
stopping the sweep; the sweep report lists it. With ``run.resume=true`` a job whose folder
already holds a complete run of the same configuration is skipped.
"""

from __future__ import annotations

import copy
import logging
import sys
import time
import traceback
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Iterator

import hydra
from hydra.core.config_store import ConfigStore
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra._internal.hydra import Hydra
from hydra._internal.utils import (detect_calling_file_or_module_from_task_function,
                                   detect_task_name)
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict

from sim.config import ConfigError, ModelConfig, PracticeSpread, check_ssda903_output
from sim.calibration.ensemble import apply_overrides, load_ensemble, member_overrides
from sim.cli_help import early_answer
from sim.cli_overrides import check_modes, compose_checked, parse_command_line
from sim.config_files import CONFIG_NAME, HYDRA_CONFIG_PATH
from sim.memory import check_memory
from sim.parameters import Parameters
from sim.report_figure import FigureWorker, take_early
from sim.results import FolderInUse, folder_lock, remove_stale_temporaries, run
from sim.shards import resolve_workers
from sim import run_report, support_multipliers
from sim.sweep import folders, jobs, montecarlo

#: Keys of the Hydra config that steer the command, not the model.
CLI_KEYS = ("run", "experiment", "sweep_info", "sensitivity", "ensemble", "mc")

_cs = ConfigStore.instance()
_cs.store(group="params", name="default", node=Parameters)
_cs.store(group="councils/spread", name="default", node=PracticeSpread)
_cs.store(group="sensitivity", name="base", node=support_multipliers.Sensitivity)

log = logging.getLogger("revolving_door")


def model_config(cfg: DictConfig | dict[str, Any]) -> tuple[ModelConfig, dict[str, Any]]:
    """Split a composed Hydra config into the validated model config and the CLI options."""
    container = (OmegaConf.to_container(cfg, resolve=True) if isinstance(cfg, DictConfig)
                 else dict(cfg))
    assert isinstance(container, dict)
    opts = {k: container.pop(k) for k in CLI_KEYS if k in container}
    ens = opts.get("ensemble") or {}
    if ens.get("file"):
        # parameter uncertainty: each run takes one accepted parameter set of the ensemble
        # (issue 6); by default member = seed mod ensemble size, one set per replicate
        member = ens.get("member")
        if member is None:
            member = int(container.get("seed", 1)) % load_ensemble(ens["file"]).size
        container = apply_overrides(container, member_overrides(ens["file"], int(member)))
    model_cfg = ModelConfig.from_dict(container)  # type: ignore[arg-type]
    return support_multipliers.apply(model_cfg, opts.get("sensitivity")), opts


def checked(cfg: DictConfig, in_sweep: bool) -> tuple[ModelConfig, dict[str, Any], int]:
    """The validated model config, the CLI options and the processes the run takes
    (:class:`ConfigError`, ``ValueError`` or ``FileNotFoundError`` if the input is bad)."""
    model_cfg, opts = model_config(cfg)
    check_ssda903_output(model_cfg, bool((opts.get("run") or {}).get("ssda903", False)))
    check_memory(model_cfg)  # before Hydra makes a folder, or a job a model
    workers = resolve_workers((opts.get("run") or {}).get("workers", "auto"), model_cfg.scale,
                              model_cfg.councils.count, in_sweep=in_sweep)
    return model_cfg, opts, workers


@hydra.main(version_base="1.3", config_path=HYDRA_CONFIG_PATH, config_name=CONFIG_NAME)
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    in_sweep = hc.mode == RunMode.MULTIRUN
    if cfg.get("mc") is not None:  # a job of the false-economy Monte Carlo (issue 22)
        _run_mc(cfg, out, in_sweep, hc.job.num if in_sweep else None)
        return
    try:  # a single run was checked by command() before Hydra made its folder
        model_cfg, opts, workers = checked(cfg, in_sweep)
    except (ConfigError, ValueError, FileNotFoundError) as err:
        print(f"revolving-door: configuration error: {err}", file=sys.stderr)
        if in_sweep:  # record it and let the other jobs run; the sweep report lists it
            jobs.mark_failed(out, f"configuration error: {err}\n")
            return
        sys.exit(2)
    run_opts = opts.get("run") or {}
    with ExitStack() as held:
        try:
            if not folders.holds(out):  # a single run's: taken before Hydra wrote there
                held.enter_context(folder_lock(out))
        except (FolderInUse, OSError) as err:
            why = err if isinstance(err, FolderInUse) else \
                f"cannot write to output folder {out}: {err}"
            print(f"revolving-door: {why}", file=sys.stderr)
            if not in_sweep:
                sys.exit(2)
            if not isinstance(err, FolderInUse):  # never write into another run's folder
                jobs.mark_failed(out, f"{why}\n")
            return
        _run_in(out, model_cfg, run_opts, workers, in_sweep,
                hc.job.num if in_sweep else None)


def _run_mc(cfg: DictConfig, out: Path, in_sweep: bool, job_num: Any) -> None:
    """A Monte Carlo job (:mod:`sim.sweep.montecarlo`): its arm, its chunk of replicates."""
    container = OmegaConf.to_container(cfg, resolve=True)
    assert isinstance(container, dict)
    opts = {k: container.pop(k) for k in CLI_KEYS if k in container}
    start = time.perf_counter()
    with ExitStack() as held:
        try:
            held.enter_context(folder_lock(out))
            remove_stale_temporaries(out)
            mc = dict(opts["mc"])
            members = ([dict(m["overrides"]) for m in load_ensemble(mc["ensemble"]).members]
                       if mc.get("ensemble") else None)
            n = montecarlo.run_chunk(container, mc, out, members)
        except (ConfigError, ValueError, FileNotFoundError) as err:  # EnsembleError too
            print(f"revolving-door: configuration error: {err}", file=sys.stderr)
            if not in_sweep:
                sys.exit(2)
            jobs.mark_failed(out, f"configuration error: {err}\n")
            return
        except Exception:
            if not in_sweep:
                raise
            where = jobs.mark_failed(out, traceback.format_exc())
            print(f"revolving-door: job {job_num} failed; error in {where}", file=sys.stderr)
            return
    jobs.clear_failure(out)
    print(f"revolving-door: job {job_num} done, {n} runs in "
          f"{time.perf_counter() - start:.0f} s: {out}")


def _run_in(out: Path, model_cfg: ModelConfig, run_opts: dict[str, Any], workers: int,
            in_sweep: bool, job_num: Any) -> None:
    """Run and write into ``out`` (whose lock the caller holds)."""
    remove_stale_temporaries(out)  # a killed run's; nothing else writes here now
    if run_opts.get("resume") and jobs.is_complete(out, model_cfg.to_dict()):
        print(f"revolving-door: {out} already complete, skipped (run.resume=true)")
        return
    # one run: a progress line a simulated year; in a sweep the sweep counts jobs instead
    progress = bool(run_opts.get("progress", True)) and not in_sweep
    # a single run's figure is drawn by a process that imports matplotlib before the model
    # runs, forked by the entry point (sim.cli_start) or here (sim.report_figure); a
    # sweep's jobs write no report
    early = take_early()
    if in_sweep and early is not None:
        early.close()
    figure_worker = None if in_sweep else (early or FigureWorker().start())
    start = time.perf_counter()
    writing = False
    try:
        results = run(model_cfg, progress=progress, workers=workers,
                      ssda903=bool(run_opts.get("ssda903", False)),
                      on_model=None if figure_worker is None else lambda model:
                      figure_worker.draw(run_report.figure_data_from_model(model),
                                         out / "report.png"))
        writing = True
        results.write(out)
    except Exception as err:
        if not in_sweep:
            if writing and isinstance(err, OSError):
                print(f"revolving-door: cannot write the outputs in {out}: {err}",
                      file=sys.stderr)
                sys.exit(2)
            raise
        where = jobs.mark_failed(out, traceback.format_exc())
        print(f"revolving-door: job {job_num} failed; error in {where}", file=sys.stderr)
        return
    jobs.clear_failure(out)
    seconds = time.perf_counter() - start
    if in_sweep:
        print(f"revolving-door: job {job_num} done in {seconds:.0f} s: {out}")
        return
    print(run_report.finish(out, results, seconds, workers=workers,
                            compare=bool(run_opts.get("compare", True)),
                            figure_worker=figure_worker))


#: Hydra's own flags that change what is composed or printed: left to Hydra unchecked
_HYDRA_ONLY = ("hydra_help", "info", "shell_completion", "config_path", "config_name",
               "config_dir", "experimental_rerun")


def command() -> None:
    """The ``revolving-door`` command. ``--help`` is the project's own; the overrides are
    composed and, for a single run, validated before Hydra starts, so a slip or a bad value
    gets one line and exit status 2, and no output folder is made for a run refused."""
    answered = early_answer(sys.argv[1:])  # --help, --version, --scale 0.1
    if answered is not None:
        sys.exit(answered)
    args = parse_command_line(sys.argv[1:])  # a refused flag: one line, exit 2
    mode: RunMode | None | bool = False  # False: not read (Hydra reads it itself)
    composed: DictConfig | None = None  # a single run's whole config, as Hydra composes it
    # a single run that leaves hydra.mode unset: Hydra composes it with hydra.mode=RUN
    # added to the overrides (hydra-core 1.3.8, _run_app), so the command composes the
    # same, once for both (_composition_known)
    as_hydra_runs = [*args.overrides, "hydra.mode=RUN"]
    try:
        check_modes(args)  # two of -m, --cfg, --info, --run: Hydra's would be a traceback
        if not any(getattr(args, flag) for flag in _HYDRA_ONLY):
            single = not args.multirun and args.cfg is None and not _sets_mode(args.overrides)
            overrides = as_hydra_runs if single else args.overrides
            cfg = compose_checked(overrides, multirun=args.multirun, with_hydra=True,
                                  job_name=JOB_NAME)
            mode = None if single else cfg.hydra.mode  # what Hydra's get_mode would read
            if single:
                composed = copy.deepcopy(cfg)
            with open_dict(cfg):
                del cfg["hydra"]
            if not args.multirun and args.cfg is None:  # a sweep records its jobs' errors
                checked(cfg, in_sweep=False)
    except (ConfigError, ValueError, FileNotFoundError) as err:  # OverrideError too
        print(f"revolving-door: configuration error: {err}", file=sys.stderr)
        sys.exit(2)
    with _mode_known(mode if args.cfg is None else False), \
            _composition_known(composed, as_hydra_runs):
        main()


def _sets_mode(overrides: list[str]) -> bool:
    """Whether the overrides set ``hydra.mode`` (``hydra.mode=...``, ``+``/``++``/``~``)."""
    return any(o.split("=", 1)[0].lstrip("+~").strip() == "hydra.mode" for o in overrides)


#: ``hydra.job.name`` of the command's runs: Hydra's app names a job after the module of
#: its task function (:func:`main`), as Hydra itself finds it.
JOB_NAME = detect_task_name(*detect_calling_file_or_module_from_task_function(
    main.__wrapped__))  # type: ignore[attr-defined]


@contextmanager
def _composition_known(composed: DictConfig | None, overrides: list[str]) -> Iterator[None]:
    """A single run's config is composed twice: by the command, to check it before Hydra
    makes the run's folder, then by Hydra to run it. The two are the same composition
    (same config, overrides and job name), so while Hydra runs, its first composition of
    these overrides for a run is answered with the command's, once (about 0.1 s of every
    run's start: issue 25); any other (a sweep's, a second call) is Hydra's own, and
    Hydra's loader is put back after. ``None``: Hydra composes as usual.
    ``tests/test_cli_mode.py`` checks that a run's ``.hydra`` files are byte for byte the
    ones Hydra's own composition writes."""
    original = ConfigLoaderImpl.load_configuration
    given = list(overrides)
    left = [composed]

    def load_configuration(self: ConfigLoaderImpl, config_name: str | None,
                           overrides: list[str], run_mode: RunMode, from_shell: bool = True,
                           validate_sweep_overrides: bool = True) -> DictConfig:
        cfg = left[0]
        if cfg is not None and run_mode == RunMode.RUN and config_name == CONFIG_NAME \
                and list(overrides) == given:
            left[0] = None
            return cfg
        return original(self, config_name, overrides, run_mode, from_shell,
                        validate_sweep_overrides)

    if composed is not None:
        ConfigLoaderImpl.load_configuration = load_configuration  # type: ignore[method-assign]
    try:
        yield
    finally:
        ConfigLoaderImpl.load_configuration = original  # type: ignore[method-assign]


@contextmanager
def _mode_known(mode: RunMode | None | bool) -> Iterator[None]:
    """Hydra composes the whole config once only to read ``hydra.mode`` (``Hydra.get_mode``,
    hydra-core 1.3.8, which pyproject.toml pins), before it composes it again to run; the
    command has just composed the same overrides, so while Hydra runs it answers with the
    mode it read (about 0.1 s of every run's start: issue 25), and Hydra's own answer is put
    back after (``False``: the mode was not read; Hydra's own answer throughout).
    ``tests/test_cli_mode.py`` checks that ``hydra.mode=MULTIRUN`` without ``-m`` still
    makes a sweep."""
    original = Hydra.get_mode
    if mode is not False:
        Hydra.get_mode = lambda self, config_name, overrides: mode  # type: ignore[method-assign]
    try:
        yield
    finally:
        Hydra.get_mode = original  # type: ignore[method-assign]


if __name__ == "__main__":
    command()
