"""SSDA903 (the DfE's children-looked-after return): read a council's extract, check it,
measure it by the model's definitions, and write a run's children in the same format.

One concept a module: :mod:`~sim.ssda903.codes` (code lists and mappings),
:mod:`~sim.ssda903.read`, :mod:`~sim.ssda903.quality`, :mod:`~sim.ssda903.measure`,
:mod:`~sim.ssda903.write`, :mod:`~sim.ssda903.figure`, :mod:`~sim.ssda903.cli`.
See docs/ssda903.md.
"""
