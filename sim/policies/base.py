"""The policy interface: who is eligible, what they get, and where and when it applies.

A policy is a plain dataclass (so it can be saved, swept and printed) registered under a
*lever* name (``support``, ``monitoring``, ``treatment``, or a new one) and a *kind*
(the option). A run has at most one policy per lever. The model calls the hooks at
fixed moments; the default hooks do nothing, so a policy implements only what it changes:

* :meth:`Policy.eligible` - who is eligible (a predicate over families at that moment);
* :meth:`Policy.on_return` - what eligible families get when their children go home;
* :meth:`Policy.on_entry` - what happens when eligible families' children enter care.

Hooks work on many families at once: ``f`` is an array of rows of the model's family table
(``model.families``, columns in :data:`sim.state.FAMILY_COLUMNS`) and ``t`` the array of
their times; ``eligible`` returns a boolean array, the other hooks write the rows.

Costs are not computed by policies directly: what a policy gives (support levels, months
a case stays open, treatment episodes) is costed by the councils' monthly accounting and
the transitions, through the one ledger, in the run's price year.

A policy applies to every council (``councils: null``) or to a list of council names or
indices, from ``start_month`` (months after the end of the warm-up) on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sim.param_files import from_file
from sim.schema import ConfigError

if TYPE_CHECKING:
    from sim.model import RevolvingDoorModel

#: lever name -> kind -> policy class. Filled by :func:`register`.
REGISTRY: dict[str, dict[str, type["Policy"]]] = {}


def register(lever: str, kind: str):  # type: ignore[no-untyped-def]
    """Class decorator: make a policy class available as ``policy.<lever>.kind=<kind>``."""

    def wrap(cls: type["Policy"]) -> type["Policy"]:
        REGISTRY.setdefault(lever, {})[kind] = cls
        cls.lever = lever
        cls.kind = kind
        return cls

    return wrap


@dataclass
@from_file("policy")
class Policy:
    """Base class of every policy. Subclasses declare their own tunable fields by name and
    type; their values and provenance are in ``sim/params/policy_<name>.yaml`` (read by
    :func:`sim.param_files.from_file`)."""

    lever: ClassVar[str] = ""
    kind: ClassVar[str] = ""

    councils: list[Any] | None = None
    start_month: int
    _council_ids: frozenset[int] | None = field(default=None, init=False, repr=False)
    _start: float = field(default=0.0, init=False, repr=False)
    #: which councils the policy covers, by council index (set by :meth:`bind`)
    _covered: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def bind(self, model: "RevolvingDoorModel") -> None:
        """Resolve council names and the start month against a model (before it runs)."""
        self._start = model.config.measure_start + self.start_month
        if self.councils is None:
            self._council_ids = None
            return
        by_name = {c.name: c.index for c in model.councils}
        ids = set()
        for c in self.councils:
            if isinstance(c, int) and 0 <= c < len(model.councils):
                ids.add(c)
            elif isinstance(c, str) and c in by_name:
                ids.add(by_name[c])
            else:
                names = ", ".join(list(by_name)[:5]) + (", ..." if len(by_name) > 5 else "")
                raise ConfigError(
                    f"policy.{self.lever}.councils: unknown council {c!r}; allowed: council "
                    f"names ({names}) or indices 0 to {len(model.councils) - 1}")
        self._council_ids = frozenset(ids)
        self._covered = np.zeros(len(model.councils), dtype=bool)
        self._covered[list(ids)] = True

    def applies(self, model: "RevolvingDoorModel", f: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Does the policy cover families ``f``'s councils at times ``t``? (boolean array)"""
        ok = t >= self._start
        if self._council_ids is not None:
            ok &= self._covered[model.families.council[f]]
        return ok

    # ---- hooks: override what the policy changes
    def eligible(self, model: "RevolvingDoorModel", f: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.ones(len(f), dtype=bool)

    def on_return(self, model: "RevolvingDoorModel", f: np.ndarray, t: np.ndarray) -> None:
        """What eligible families get when their children go home."""

    def on_entry(self, model: "RevolvingDoorModel", f: np.ndarray, t: np.ndarray) -> None:
        """What happens when eligible families' children (re-)enter care."""


@register("support", "status_quo")
@dataclass
class StatusQuo(Policy):
    """Each council's own practice: the policy changes nothing."""
