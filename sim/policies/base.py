"""The policy interface: who is eligible, what they get, and where and when it applies.

A policy is a plain dataclass (so it can be saved, swept and printed) registered under a
*lever* name (``support``, ``monitoring``, ``treatment``, or a new one) and a *kind*
(the option). A run has at most one policy per lever. The model calls the hooks at
fixed moments; the default hooks do nothing, so a policy implements only what it changes:

* :meth:`Policy.eligible` - who is eligible (a predicate over the family at that moment);
* :meth:`Policy.on_return` - what an eligible family gets when its children go home;
* :meth:`Policy.on_entry` - what happens when an eligible family's children enter care.

Costs are not computed by policies directly: what a policy gives (support levels, months
a case stays open, treatment episodes) is costed by the councils' monthly accounting and
the transitions, through the one ledger, in the run's price year.

A policy applies to every council (``councils: null``) or to a list of council names or
indices, from ``start_month`` (months after the end of the warm-up) on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sim.param_files import from_file
from sim.schema import ConfigError

if TYPE_CHECKING:
    from sim.agents.family import Family
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

    def applies(self, family: "Family", t: float) -> bool:
        """Does the policy cover this family's council at time ``t``?"""
        if t < self._start:
            return False
        return self._council_ids is None or family.council.index in self._council_ids

    # ---- hooks: override what the policy changes
    def eligible(self, family: "Family", t: float) -> bool:
        return True

    def on_return(self, family: "Family", t: float) -> None:
        """What an eligible family gets when its children go home."""

    def on_entry(self, family: "Family", t: float) -> None:
        """What happens when an eligible family's children (re-)enter care."""


@register("support", "status_quo")
@dataclass
class StatusQuo(Policy):
    """Each council's own practice: the policy changes nothing."""
