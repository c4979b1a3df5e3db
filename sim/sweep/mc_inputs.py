"""The uncertain inputs of the false-economy Monte Carlo, and one replicate's draw of them.

Experiment ``false_economy_uncertainty`` (page ``experiments/false_economy_uncertainty.md``)
draws, for each replicate ``r``, every input the answer is uncertain about, and runs every
arm of the replicate (current practice and each support design) with the same draw and the
same model seed (common random numbers). A draw is a pure function of ``mc.seed`` and ``r``
(the ``uncertainty`` stream of :mod:`sim.rng`, keyed by replicate and input), so adding
replicates never changes the earlier ones, and a replicate gets the same numbers whichever
job runs it (its arms, ``mc.arms``, run in one job, :mod:`sim.sweep.montecarlo`).

The inputs (:data:`INPUTS`, with the plain labels the figures use):

``u_maltreatment``, ``u_resolution``
    how well support works: one standard normal number each, mapped through the
    ``distribution`` of every level's parameter in ``sim/params/support.yaml``
    (``maltreatment_rr_*``; ``resolution_rr_*``): the levels move together.
``disengaged_effect_share``
    the share of support's effect a disengaged family keeps (its own distribution).
``support_cost``
    a multiplier on every support cost (as :mod:`sim.support_multipliers` applies it).
``care_cost``
    a multiplier on the placement costs (foster, residential, kinship).
``reentry_dynamics``
    what follows a failed return: an index into ``mc.reentry.values`` (``null`` = the
    calibrated value of ``params.care.reentry_return_multiplier``).
``member``
    the calibrated parameter set: an index into the ensemble ``mc.ensemble``.
``seed``
    the model's seed (chance).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field, fields
from statistics import NormalDist
from typing import Any

from sim.config import ModelConfig
from sim.parameters import SupportParams
from sim.policy_names import option_mapping
from sim.rng import Streams
from sim.schema import ConfigError
from sim import support_multipliers

#: input name -> plain label (figures, tables, the page)
INPUTS: dict[str, str] = {
    "u_maltreatment": "How much support prevents maltreatment",
    "u_resolution": "How much support speeds parents' problems resolving",
    "disengaged_effect_share": "Effect kept by families who disengage",
    "support_cost": "Cost of support",
    "care_cost": "Cost of care placements",
    "reentry_dynamics": "What follows a failed return",
    "member": "Calibrated parameters (the ensemble)",
    "seed": "Chance (the model's random draws)",
}
#: inputs that take a few values (variance shares by category, not by bins)
CATEGORICAL = ("reentry_dynamics", "member", "seed")
_KEYS = {name: i for i, name in enumerate(INPUTS)}
_NORMAL = NormalDist()
PLACEMENT_COSTS = ("foster_per_year", "residential_per_year", "kinship_per_year")
#: the arm every design is paired with (``policy/support`` option)
REFERENCE_ARM = "status_quo"


@dataclass
class Multiplier:
    """A multiplier's distribution: ``lognormal`` (median 1, ``sd_log``) or ``uniform``
    (``low`` to ``high``), with its ``source``."""

    shape: str
    source: str
    sd_log: float = 0.0
    low: float = 1.0
    high: float = 1.0

    def at(self, u: float) -> float:
        if self.shape == "lognormal":
            return math.exp(self.sd_log * _NORMAL.inv_cdf(u))
        return self.low + u * (self.high - self.low)


@dataclass
class Spec:
    """The ``mc`` node of the experiment config, checked."""

    replicates: int
    chunks: int
    chunk: int
    seed: int
    support_cost: Multiplier
    care_cost: Multiplier
    reentry_values: list[float | None]
    reentry_weights: list[float]
    reentry_source: str
    ensemble: str | None = None
    ensemble_size: int = 1
    members: list[dict[str, Any]] = field(default_factory=list)
    #: the arms every job runs (options of ``policy/support``), current practice first
    arms: list[str] = field(default_factory=lambda: [REFERENCE_ARM])

    @classmethod
    def from_config(cls, node: dict[str, Any], members: list[dict[str, Any]] | None = None
                    ) -> "Spec":
        """The checked ``mc`` node; ``members``: the overrides of each member of the
        ensemble ``mc.ensemble`` (read and checked by the command, which may read
        :mod:`sim.calibration`; this layer may not)."""
        def whole(key: str, low: int) -> int:
            v = node.get(key)
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise ConfigError(f"mc.{key}: expected a whole number >= {low}, got {v!r}")
            return v

        replicates, chunks = whole("replicates", 1), whole("chunks", 1)
        chunk, seed = whole("chunk", 0), whole("seed", 0)
        if chunk >= chunks:
            raise ConfigError(f"mc.chunk: {chunk} is not below mc.chunks ({chunks}); allowed "
                              f"0 to {chunks - 1}")
        mult = {}
        for key in ("support_cost", "care_cost"):
            m = dict(node.get(key) or {})
            if m.get("shape") not in ("lognormal", "uniform") or not str(m.get("source", "")):
                raise ConfigError(f"mc.{key}: expected shape lognormal or uniform and a "
                                  f"source, got {m!r}")
            mult[key] = Multiplier(shape=m["shape"], source=str(m["source"]),
                                   sd_log=float(m.get("sd_log", 0.0)),
                                   low=float(m.get("low", 1.0)), high=float(m.get("high", 1.0)))
        re = dict(node.get("reentry") or {})
        values, weights = list(re.get("values") or [None]), list(re.get("weights") or [1.0])
        if len(values) != len(weights) or any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ConfigError("mc.reentry: values and weights must have the same length, "
                              f"weights >= 0 and not all 0; got {values!r}, {weights!r}")
        spec = cls(replicates, chunks, chunk, seed, mult["support_cost"], mult["care_cost"],
                   values, [w / sum(weights) for w in weights], str(re.get("source", "")),
                   node.get("ensemble") or None)
        spec.arms = _arms(node.get("arms"))
        if spec.ensemble and not members:
            raise ConfigError(f"mc.ensemble: {spec.ensemble!r} gave no members")
        spec.members = [dict(m) for m in (members or [])]
        spec.ensemble_size = max(1, len(spec.members))
        return spec

    def replicates_of_chunk(self) -> list[int]:
        return [r for r in range(self.replicates) if r % self.chunks == self.chunk]


def _arms(value: Any) -> list[str]:
    """``mc.arms`` checked: option names of ``policy/support``, each once, with current
    practice (the reference every arm is paired with); current practice first."""
    if (not isinstance(value, (list, tuple)) or not value
            or not all(isinstance(a, str) for a in value) or len(set(value)) != len(value)):
        raise ConfigError(f"mc.arms: expected a list of policy/support options, each once, "
                          f"got {value!r}")
    for arm in value:
        try:
            option_mapping("support", arm)
        except ValueError as err:
            raise ConfigError(f"mc.arms: {err}") from None
    if REFERENCE_ARM not in value:
        raise ConfigError(f"mc.arms: must include {REFERENCE_ARM} (every design is paired "
                          f"with current practice), got {list(value)!r}")
    return [REFERENCE_ARM, *(a for a in value if a != REFERENCE_ARM)]


def _u(streams: Streams, replicate: int, name: str) -> float:
    # a uniform in (0, 1), never exactly 0 (inv_cdf needs the open interval)
    return max(streams.keyed("uncertainty").uniform(replicate, _KEYS[name]), 1e-12)


def draw(spec: Spec, replicate: int) -> dict[str, float]:
    """Replicate ``replicate``'s values of every input (:data:`INPUTS`)."""
    s = Streams(spec.seed)
    u = {name: _u(s, replicate, name) for name in INPUTS}
    cum, idx = 0.0, len(spec.reentry_weights) - 1
    for i, w in enumerate(spec.reentry_weights):
        cum += w
        if u["reentry_dynamics"] < cum:
            idx = i
            break
    disengaged = _support_value("disengaged_effect_share", u["disengaged_effect_share"])
    return {"u_maltreatment": _NORMAL.inv_cdf(u["u_maltreatment"]),
            "u_resolution": _NORMAL.inv_cdf(u["u_resolution"]),
            "disengaged_effect_share": disengaged,
            "support_cost": spec.support_cost.at(u["support_cost"]),
            "care_cost": spec.care_cost.at(u["care_cost"]),
            "reentry_dynamics": float(idx),
            "member": float(min(int(u["member"] * spec.ensemble_size), spec.ensemble_size - 1)),
            "seed": float(spec.seed * 1_000_000 + replicate + 1)}


def _support_field(name: str) -> Any:
    f = {x.name: x for x in fields(SupportParams)}[name]
    return f


def _support_value(name: str, u: float, z: float | None = None) -> float:
    """The value of support parameter ``name`` at uniform ``u`` (or standard normal ``z``)
    of its ``distribution``; its point value when it has none."""
    f = _support_field(name)
    dist = f.metadata.get("distribution")
    if not dist:
        return float(f.default)
    low, high = f.metadata["range"]
    if dist["shape"] == "uniform":
        p_low, p_high = f.metadata["plausible"]
        return float(p_low + u * (p_high - p_low))
    z = _NORMAL.inv_cdf(u) if z is None else z
    return float(min(max(f.default * math.exp(dist["sd_log"] * z), low), high))


def support_effects(values: dict[str, float]) -> dict[str, float]:
    """The support parameters (``params.support.*`` paths) of a draw."""
    out = {}
    for f in fields(SupportParams):
        dist = f.metadata.get("distribution")
        if not dist or dist["shape"] != "lognormal":
            continue
        z = values["u_" + dist["group"]]
        out[f"params.support.{f.name}"] = _support_value(f.name, 0.5, z)
    out["params.support.disengaged_effect_share"] = values["disengaged_effect_share"]
    return out


def _set(cfg: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in a nested config dict (the model config checks every name)."""
    node = cfg
    parts = path.split(".")
    for key in parts[:-1]:
        node = node.setdefault(key, {})
    node[parts[-1]] = value


def model_config(base: dict[str, Any], spec: Spec, values: dict[str, float]) -> ModelConfig:
    """The model config of one arm of a replicate: ``base`` (the arm's composed config, the
    command's own keys removed) with the draw's parameter set, support effects, costs and
    re-entry dynamics, and the model seed."""
    cfg = copy.deepcopy(base)
    overrides: dict[str, Any] = {}
    if spec.members:
        overrides.update(spec.members[int(values["member"])])
    overrides.update(support_effects(values))
    costs = cfg.get("params", {}).get("costs", {})
    defaults = ModelConfig().to_dict()["params"]["costs"]
    for name in PLACEMENT_COSTS:
        overrides[f"params.costs.{name}"] = costs.get(name, defaults[name]) * values["care_cost"]
    reentry = spec.reentry_values[int(values["reentry_dynamics"])]
    if reentry is not None:
        overrides["params.care.reentry_return_multiplier"] = float(reentry)
    for path, value in overrides.items():
        _set(cfg, path, value)
    cfg["seed"] = int(values["seed"])
    return support_multipliers.apply(ModelConfig.from_dict(cfg),
                                     {"support_cost": values["support_cost"],
                                      "support_effect": 1.0})


__all__ = ["CATEGORICAL", "INPUTS", "Multiplier", "Spec", "draw", "model_config",
           "support_effects"]
