"""Several policies run on from one warm-up: the years before a policy starts simulated once.

Runs that differ only in their policies (``policy``) are the same run until the first of
their policies starts: a policy acts only from its ``start_month`` after the warm-up
(:meth:`sim.policies.base.Policy.applies`), and every random number is keyed by family and
decision (:mod:`sim.rng`), never by the policy. So the trunk, a run with no policy,
worked up to that month (:func:`trunk`), can be copied and each copy run on under one of
the policies (:func:`branch`), with the results of running that policy from the start:
the same records, counts and books, and so the same metrics
(``tests/test_branch.py`` checks every output file and the whole ledger bit for bit, with
each support design and with every lever on). A policy's set-up when it is bound
(Holmes' package costs reprice support: its low level costs what current practice's
support costs under both price lists) is done again on the copy.

The false-economy Monte Carlo (:mod:`sim.sweep.montecarlo`) uses it: each replicate's
warm-up is simulated once for its five arms instead of five times.
"""

from __future__ import annotations

import copy
import dataclasses

from sim.config import ConfigError, ModelConfig
from sim.ledger import UnitCosts
from sim.model import RevolvingDoorModel
from sim.policies import build_policies


def _without_policy(cfg: ModelConfig) -> dict:
    data = cfg.to_dict()
    data.pop("policy")
    return data


def branch_month(configs: list[ModelConfig]) -> int:
    """The first month any of ``configs``' policies acts (their runs agree before it)."""
    starts = [cfg.measure_start + int(p.start_month)
              for cfg in configs for p in build_policies(cfg.policy)]
    return min(starts, default=configs[0].total_months)


def trunk(config: ModelConfig, month: int) -> RevolvingDoorModel:
    """``config`` without its policies, run up to the start of ``month``."""
    if config.councils.mode == "from_data":
        raise ConfigError("councils.mode: a run from a council's data starts with its "
                          "children, not a warm-up; allowed for branching: national, listed")
    model = RevolvingDoorModel(dataclasses.replace(config, policy={}))
    return model.run(until=month)


def branch(base: RevolvingDoorModel, config: ModelConfig) -> RevolvingDoorModel:
    """A copy of the trunk ``base`` that runs on under ``config``'s policies (run it with
    :meth:`~sim.model.RevolvingDoorModel.run`; ``base`` is left as it was). ``config``
    must be ``base``'s config but for ``policy``, and its policies must not act before
    ``base``'s month."""
    if _without_policy(config) != _without_policy(base.config) or base.config.policy:
        raise ConfigError("branch: the runs must differ only in policy, from a trunk with "
                          "no policy; allowed: the trunk's config with another policy")
    model = copy.deepcopy(base)
    model.config = config
    model.unit_costs = UnitCosts.from_params(config.params.costs, config.price_year)
    model.policies = build_policies(config.policy)
    for pol in model.policies:
        pol.bind(model)
        if config.measure_start + int(pol.start_month) < model.month:
            model.release()
            raise ConfigError(f"policy.{pol.lever}.start_month: {pol.start_month} starts "
                              f"before the branch (month {model.month} of the run); allowed: "
                              f"{model.month - config.measure_start} or later")
    return model


__all__ = ["branch", "branch_month", "trunk"]
