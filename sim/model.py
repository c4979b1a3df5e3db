"""The Revolving Door model: children going into care, home, and back, in ~150 councils."""

from __future__ import annotations

import contextlib
import gc
import logging
from typing import Any, Callable, Iterable, Iterator

import mesa
import numpy as np

from sim.agents.child import Child
from sim.agents.council import LocalAuthority
from sim.agents.family import Family, Location
from sim.calendar import Calendar
from sim.config import ConfigError, CouncilPractice, ModelConfig, practice_of
from sim.hazards import Hazards
from sim.ledger import Ledger, UnitCosts
from sim.policies import Policy, build_policies
from sim.records import Records, TimeSeries
from sim.rng import Streams
from sim.transitions import Transitions

logging.getLogger("MESA").setLevel(logging.WARNING)


class RevolvingDoorModel(mesa.Model):
    """An agent-based model of children returning home from care in England.

    Build it from a :class:`~sim.config.ModelConfig` or a plain dict (validated before any
    work), run it with :meth:`run` (or :meth:`step` month by month), and read the outputs
    with :func:`sim.results.collect`. One step is one month.
    """

    def __init__(self, config: ModelConfig | dict[str, Any] | None = None, *,
                 policies: Iterable[Policy] = (),
                 councils_simulated: Iterable[int] | None = None) -> None:
        """``councils_simulated``: indices of the councils whose children this model
        simulates (default all). A run split between processes (:mod:`sim.shards`) gives
        each process some of the councils; every model still draws every council's practice
        and every entry, so a council's children get the same random numbers in any split.
        """
        cfg = config if isinstance(config, ModelConfig) else ModelConfig.from_dict(config)
        super().__init__(seed=cfg.seed)
        self.config = cfg
        self.streams = Streams(cfg.seed)
        self.clock_stream = self.streams.keyed("clock")
        self.entry_rng = self.streams.generator("entries")
        self.hazards = Hazards(cfg.params)
        self.k = self.hazards
        self.unit_costs = UnitCosts.from_params(cfg.params.costs, cfg.price_year)
        self.calendar = Calendar()
        self.records = Records()
        self.month = 0
        self.now = 0.0
        self.councils: list[LocalAuthority] = self._build_councils()
        n = len(self.councils)
        if councils_simulated is not None:
            chosen = set(councils_simulated)
            bad = sorted(i for i in chosen if not (isinstance(i, int) and 0 <= i < n))
            if bad:
                raise ConfigError(f"councils_simulated: unknown council indices {bad}; "
                                  f"allowed: 0 to {n - 1}")
            for c in self.councils:
                c.simulated = c.index in chosen
        #: the councils simulated here (all, unless this model is one shard of a run)
        self.simulated_councils = [c for c in self.councils if c.simulated]
        self.ledger = Ledger(cfg.total_months, n, cfg.price_year)
        self.timeseries = TimeSeries(cfg.total_months, n)
        self.transitions = Transitions(self)
        self.policies: list[Policy] = build_policies(cfg.policy) + list(policies)
        levers = [p.lever for p in self.policies]
        if len(set(levers)) != len(levers):
            raise ConfigError(f"policy: at most one policy a lever, got {levers}")
        for pol in self.policies:
            pol.bind(self)

    # ------------------------------------------------------------------ set-up
    def _build_councils(self) -> list[LocalAuthority]:
        cc = self.config.councils
        if cc.mode == "listed":
            shares = np.array([lc.size_share for lc in cc.listed], dtype=float)
            if shares.sum() <= 0:
                raise ConfigError("councils.listed: size_share values must not all be zero")
            shares /= shares.sum()
            return [LocalAuthority(self, i, lc.name, float(shares[i]),
                                   practice_of(lc, f"councils.listed[{i}]"))
                    for i, lc in enumerate(cc.listed)]
        gen = self.streams.generator("councils")
        s = cc.spread
        n = cc.n
        sizes = gen.lognormal(0.0, s.size_sigma, n) if s.size_sigma > 0 else np.ones(n)
        sizes /= sizes.sum()
        prop = gen.lognormal(0.0, s.return_propensity_sigma, n)
        prop /= np.exp(s.return_propensity_sigma**2 / 2)  # mean multiplier 1
        thor = _beta(gen, s.thoroughness_mean, s.thoroughness_concentration, n)
        mon = np.clip(np.round(gen.lognormal(np.log(max(s.monitoring_months_median, 1e-9)),
                                             s.monitoring_months_sigma, n)),
                      0, s.monitoring_months_max)
        sup = _beta(gen, s.support_share_mean, s.support_share_concentration, n)
        trt = _beta(gen, s.treatment_share_mean, s.treatment_share_concentration, n)
        cost = gen.lognormal(0.0, s.cost_multiplier_sigma, n)
        councils = []
        for i in range(n):
            practice = CouncilPractice(
                return_propensity=float(prop[i]), thoroughness=float(thor[i]),
                monitoring_months=int(mon[i]), support_share=float(sup[i]),
                treatment_share=float(trt[i]), cost_multiplier=float(cost[i]))
            councils.append(LocalAuthority(self, i, f"C{i + 1:03d}", float(sizes[i]), practice))
        return councils

    # ------------------------------------------------------------------ running
    def step(self) -> None:
        """Advance one month. What happens in a month, in this order:

        1. **New entries.** Each council's new families enter care at times within the
           month (numbers Poisson, attributes drawn from the ``entries`` stream); each
           child gets a placement, and entry and legal costs are booked.
        2. **Due events, in time order.** Every family and child whose next event falls in
           the month is activated, earliest first (``sim.calendar``). For families in
           care: going home (after which the council's after-return practice and the
           policies apply: case opened, support, treatment), other exits (adoption,
           guardianship, other), parents' problems resolving or relapsing. For families
           at home after a return: problems resolving or relapsing; maltreatment starting
           (what happens to the child); detection (what the council sees, far likelier
           while the case is open), then re-entry or a reopened case; breakdowns for
           other reasons (re-entry); checkpoints: the case closing, support ending,
           treatment starting. Children turning 18 leave care or stop being followed.
           Nothing is done for agents with nothing due.
        3. **Costs.** Each council books the month's recurring costs from its counts:
           placements by type, care planning, open cases (monitoring), support by level.
        4. **Data collection.** Month-end stocks per council (``timeseries.csv``).
        """
        m = self.month
        self.transitions.entries(m)
        self.calendar.run_until(m + 1.0, self)
        self.now = m + 1.0
        for council in self.simulated_councils:
            council.step()
        self.month += 1
        if self.month >= self.config.total_months:
            self.running = False

    def run(self, progress: Callable[[int, int], None] | None = None) -> "RevolvingDoorModel":
        """Run the warm-up and the measured years. ``progress(month, total)`` is called
        once a simulated year."""
        total = self.config.total_months
        with fewer_gc_collections():
            while self.month < total:
                self.step()
                if progress is not None and (self.month % 12 == 0 or self.month == total):
                    progress(self.month, total)
        self.finish()
        return self

    def finish(self) -> None:
        """Close the books at the end of the run: harm still going on counts up to now."""
        t = float(self.month)
        for fam in list(self.agents_by_type.get(Family, [])):
            if fam.location == Location.AT_HOME and fam.in_harm:
                for child in fam.children:
                    child.return_record.harm_months += t - fam.harm_start  # type: ignore
                self.timeseries.add_harm(fam.council.index, fam.harm_start, t,
                                         len(fam.children))
                fam.harm_start = t

    def release(self) -> None:
        """Drop Mesa 3.3.1's class-level reference to this model (Mesa issue 3179), so a
        finished model can be garbage-collected in a loop of many runs."""
        mesa.Agent._ids.pop(self, None)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ counts
    def children_in_care(self) -> int:
        return sum(c.children_in_care for c in self.councils)

    def children_home_after_return(self) -> int:
        return sum(c.home_after_return for c in self.councils)

    def children(self) -> list[Child]:
        return list(self.agents_by_type.get(Child, []))


@contextlib.contextmanager
def fewer_gc_collections() -> Iterator[None]:
    """Make Python's cyclic garbage collections rare while a model runs.

    The collector would traverse every live agent and record at each full collection; a
    national run holds about a million, so with the default thresholds collections cost a
    third of the run and grow faster than the run (measured: scale 0.4, 51 s CPU with the
    default thresholds, 35 s with these; scale 1.0, 123 s against 77 s, back to back).
    Agents leave no cyclic garbage behind (they are freed by reference counting), so this
    loses no memory. The thresholds are restored afterwards. :meth:`RevolvingDoorModel.run` uses
    it; so should anything that steps a big model month by month.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _beta(gen: np.random.Generator, mean: float, conc: float, n: int) -> np.ndarray:
    if mean <= 0.0:
        return np.zeros(n)
    if mean >= 1.0:
        return np.ones(n)
    return gen.beta(mean * conc, (1.0 - mean) * conc, n)
