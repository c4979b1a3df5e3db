"""Every parameter carries a label, a unit, a source and a range (issue 2)."""

from __future__ import annotations

import dataclasses

from sim.config import CouncilPractice, ModelConfig, PracticeSpread
from sim.parameters import Parameters, iter_parameters
from sim.policies import REGISTRY


def _leaves() -> list[tuple[str, object, dict]]:
    out = iter_parameters(Parameters(), "params.")
    out += iter_parameters(PracticeSpread(), "councils.spread.")
    out += iter_parameters(CouncilPractice(), "practice.")
    top = [f for f in dataclasses.fields(ModelConfig) if f.name in
           ("seed", "scale", "years", "warmup_years", "price_year", "start_year")]
    out += [(f.name, None, dict(f.metadata)) for f in top]
    for lever, kinds in REGISTRY.items():
        for kind, cls in kinds.items():
            for f in dataclasses.fields(cls):
                if f.init and f.name != "councils":
                    out.append((f"policy.{lever}.{kind}.{f.name}", None, dict(f.metadata)))
    return out


def test_every_parameter_has_label_unit_source_and_range() -> None:
    leaves = _leaves()
    assert len(leaves) > 100
    missing = [path for path, _, meta in leaves
               if not (meta.get("label") and meta.get("unit") and meta.get("source")
                       and meta.get("range"))]
    assert not missing, f"parameters without label/unit/source/range: {missing}"


def test_cost_parameters_say_their_price_year() -> None:
    for path, _, meta in iter_parameters(Parameters().costs, "costs."):
        if meta["unit"].startswith("GBP"):
            assert "prices" in meta["unit"], path
