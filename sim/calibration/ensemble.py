"""Parameter sets as dotted-path overrides, and ensembles of them.

An *override* is ``{"params.after_return.detect_open": 0.35, ...}``: a dotted path of
:class:`sim.config.ModelConfig` and a value. :func:`apply_overrides` puts overrides into a
nested config dict; :func:`member_overrides` reads one member of an ensemble file written by
``revolving-door-calibrate`` (``ensemble.yaml``), so that an experiment can draw a
parameter set per replicate::

    from sim.calibration.ensemble import load_ensemble, member_overrides, apply_overrides
    ens = load_ensemble("calibration/small/ensemble.yaml")
    for rep in range(n):
        cfg = apply_overrides(base_config, member_overrides(path, rep % ens.size))
        cfg["seed"] = rep
        ...

The ensemble file holds ``status`` (``accepted``: every member reproduces every target
within tolerance; ``history_matched``: every member reproduces every target within tolerance
but at most the number the file's ``history_matching.allow_misses`` names
(:mod:`sim.calibration.history_matching`); ``best_n_not_accepted``: no parameter set passed, so the members are the
best by fit and are *not* an accepted posterior sample), the targets, and ``members``: a
list of ``{overrides: {...}, loss, all_within, ...}``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.calibration.provenance import RangeError, parameters_by_path


class EnsembleError(ValueError):
    """An ensemble file or an index into it is wrong."""


def check_override_path(path: str, known: dict[str, Any] | None = None) -> None:
    """Raise :class:`RangeError` unless ``path`` is a ModelConfig parameter path (``known``:
    :func:`parameters_by_path`, when the caller checks many paths: reading every parameter
    file again for each took 12 s for an ensemble of 38 members on a loaded machine)."""
    known = parameters_by_path() if known is None else known
    info = known.get(path)
    if info is None or not info.overridable:
        leaf = path.rsplit(".", 1)[-1]
        close = [k for k, v in known.items() if v.overridable and k.endswith("." + leaf)]
        hint = f"; did you mean {', '.join(close)}?" if close else \
            "; allowed: the params.* and councils.spread.* paths printed by revolving-door-params"
        raise RangeError(f"unknown parameter path {path!r}{hint}")


def apply_overrides(config: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``config`` with each dotted-path override set (paths are checked)."""
    out = copy.deepcopy(config)
    for path, value in overrides.items():
        check_override_path(path)
        node = out
        parts = path.split(".")
        for key in parts[:-1]:
            nxt = node.get(key)
            if nxt is None:
                nxt = node[key] = {}
            elif not isinstance(nxt, dict):
                raise RangeError(f"override {path!r}: {key!r} in the config is not a mapping")
            node = nxt
        node[parts[-1]] = value
    return out


@dataclass
class Ensemble:
    path: Path
    status: str
    members: list[dict[str, Any]]
    meta: dict[str, Any]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"


STATUSES = ("accepted", "history_matched", "best_n_not_accepted")


def load_ensemble(path: str | Path) -> Ensemble:
    """Read and check an ``ensemble.yaml``."""
    path = Path(path)
    if not path.is_file():
        shipped = (" the calibrated ensemble, calibration/default/ensemble.yaml, comes with "
                   "the project's repository, not the installed package: run from a clone of "
                   "the repository (or give the full path to its copy), or make one with "
                   "revolving-door-calibrate" if path.as_posix().endswith(
                       "calibration/default/ensemble.yaml")
                   else " make one with revolving-door-calibrate")
        raise EnsembleError(f"ensemble.file: {str(path)!r} does not exist here;{shipped}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("members"), list):
        raise EnsembleError(f"{path}: expected a mapping with a 'members' list")
    status = data.get("status")
    if status not in STATUSES:
        raise EnsembleError(f"{path}: status {status!r}; allowed: {', '.join(STATUSES)}")
    if not data["members"]:
        raise EnsembleError(f"{path}: the ensemble has no members")
    known = parameters_by_path()
    for i, m in enumerate(data["members"]):
        if not isinstance(m, dict) or not isinstance(m.get("overrides"), dict):
            raise EnsembleError(f"{path}: members[{i}] has no 'overrides' mapping")
        for p in m["overrides"]:
            check_override_path(p, known)
    meta = {k: v for k, v in data.items() if k != "members"}
    return Ensemble(path=path, status=status, members=data["members"], meta=meta)


def member_overrides(path: str | Path, index: int) -> dict[str, Any]:
    """The dotted-path overrides of member ``index`` of the ensemble at ``path``."""
    ens = load_ensemble(path)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < ens.size:
        raise EnsembleError(f"ensemble index {index!r} out of range; allowed 0 to "
                            f"{ens.size - 1} ({path})")
    return dict(ens.members[index]["overrides"])


def config_for_replicate(config: dict[str, Any], path: str | Path, replicate: int
                         ) -> dict[str, Any]:
    """``config`` with the parameter set of ensemble member ``replicate % size`` applied.

    Replicate ``r`` of an experiment gets member ``r mod size``, so with at least as many
    replicates as members every member is used and the draw is reproducible.
    """
    if isinstance(replicate, bool) or not isinstance(replicate, int) or replicate < 0:
        raise EnsembleError(f"replicate: expected a whole number >= 0, got {replicate!r}")
    ens = load_ensemble(path)
    return apply_overrides(config, dict(ens.members[replicate % ens.size]["overrides"]))


def load_overrides(path: str | Path) -> dict[str, Any]:
    """The overrides of a fitted parameter file (``fitted_params.yaml``)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("overrides"), dict):
        raise EnsembleError(f"{path}: expected a mapping with an 'overrides' mapping")
    for p in data["overrides"]:
        check_override_path(p)
    return dict(data["overrides"])


__all__ = ["Ensemble", "EnsembleError", "STATUSES", "apply_overrides", "check_override_path",
           "config_for_replicate",
           "load_ensemble", "load_overrides", "member_overrides"]
