"""The Revolving Door model: children going into care, home, and back, in ~150 councils."""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterable

import numpy as np

from sim.mesa_import import mesa
from sim.agents.child import Child, ChildState
from sim.agents.council import (COUNT_FIELDS, MORE_IN_CARE, LocalAuthority,
                                book_recurring_costs)
from sim.agents.family import Family, Location
from sim.config import (ConfigError, CouncilPractice, ModelConfig, council_data,
                        data_practice, practice_of)
from sim.engine import Engine
from sim.hazards import Hazards
from sim.initial_stock import check as check_initial_stock
from sim.ledger import MOVES_COMPONENTS, Ledger, UnitCosts
from sim.placements import Placements
from sim.policies import Policy, build_policies
from sim.pressure import Pressure, wanted
from sim.records import Records, TimeSeries
from sim.rng import Streams
from sim.state import CHILD_COLUMNS, FAMILY_COLUMNS, Table
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
        self.entry_rng = self.streams.generator("entries")
        self.hazards = Hazards(cfg.params)
        self.unit_costs = UnitCosts.from_params(cfg.params.costs, cfg.price_year)
        self.records = Records()
        self.month = 0
        self.now = 0.0
        n = cfg.councils.count
        #: councils' practice, one element a council (the LocalAuthority agents read and
        #: write their own element), for the month's work
        self.council_propensity = np.zeros(n)
        self.council_thoroughness = np.zeros(n)
        self.council_monitoring_months = np.zeros(n)
        self.council_support_share = np.zeros(n)
        self.council_treatment_share = np.zeros(n)
        self.council_cost_multiplier = np.zeros(n)
        self.councils: list[LocalAuthority] = self._build_councils()
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
        #: the agents' state: one row a family, one a child (sim.state), sized for the
        #: children expected to enter over the run (growing costs a copy of every column)
        share = (1.0 if councils_simulated is None else
                 sum(c.size_share for c in self.councils if c.simulated))
        expected = (cfg.params.entry.children_per_year * cfg.scale * cfg.total_months / 12.0
                    * share)
        self.children_table = Table(CHILD_COLUMNS, capacity=int(1.05 * expected) + 1024)
        self.families = Table(FAMILY_COLUMNS, capacity=int(0.8 * expected) + 1024)
        #: every council's counts (columns COUNT_FIELDS), kept by the transitions
        self.caseloads = np.zeros((n, len(COUNT_FIELDS)), dtype=np.int64)
        #: while months are being worked: the counts' changes in each of them (month from
        #: ``window_start``, council, field), summed into month-end counts when they close
        self.count_changes: np.ndarray | None = None
        self.window_start = 0
        self._family_views: dict[int, Family] = {}
        self._child_views: dict[int, Child] = {}
        moves = bool(cfg.params.placement.moves)
        self.ledger = Ledger(cfg.total_months, n, cfg.price_year,
                             extra=MOVES_COMPONENTS if moves else ())
        self.timeseries = TimeSeries(cfg.total_months, n)
        self.transitions = Transitions(self)
        self.engine = Engine(self)
        self.policies: list[Policy] = build_policies(cfg.policy) + list(policies)
        levers = [p.lever for p in self.policies]
        if len(set(levers)) != len(levers):
            raise ConfigError(f"policy: at most one policy a lever, got {levers}")
        for pol in self.policies:
            pol.bind(self)
        #: placements over a period of care (sim.placements), None when off
        self.placements = Placements(self) if moves else None
        #: councils under pressure (sim.pressure), None when off and nothing is cut
        self.pressure = Pressure(self) if wanted(cfg.params.pressure) else None
        if cfg.councils.mode == "from_data":  # start from the council's children (no warm-up)
            from sim.ssda903.seed import initial_table  # SSDA903 only for such a run

            self.seed_population(initial_table(
                council_data(cfg.councils), cfg.params, cfg.seed,
                thoroughness=self.councils[0].thoroughness))

    # ------------------------------------------------------------------ set-up
    def _build_councils(self) -> list[LocalAuthority]:
        cc = self.config.councils
        if cc.mode == "from_data":
            return [LocalAuthority(self, 0, council_data(cc).name, 1.0, data_practice(cc))]
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

    def seed_population(self, table: Any) -> None:
        """Start from an initial stock instead of an empty system: the families of
        ``table`` (one row a child, columns in :mod:`sim.initial_stock`) are placed in care
        or at home after a return as they are at month 0, with their history, and their
        event clocks start. Nothing is counted as a flow or a cost: it happened before the
        run. Called once, before the first step."""
        check_initial_stock(table, placement_types=5 if self.placements is not None else 3)
        if self.month != 0:
            raise RuntimeError("seed_population: only before the first step")
        # one family's rows as lists (what DataFrame.groupby(...).to_dict("list") gives, in
        # the same order), sliced from columns sorted once: a to_dict a family cost ~3 ms
        order = np.argsort(table["family"].to_numpy(), kind="stable")
        cols = {c: table[c].to_numpy()[order] for c in table.columns}
        fam = cols["family"]
        cuts = np.flatnonzero(fam[1:] != fam[:-1]) + 1 if len(fam) else np.array([], int)
        bounds = zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(fam)].tolist()) if len(fam) \
            else iter(())
        rows = [self.transitions.seed_family(int(cols["council"][a]),
                                             {c: v[a:b].tolist() for c, v in cols.items()})
                for a, b in bounds]
        f = np.array([r for r in rows if r is not None], dtype=np.int64)
        self.engine.reschedule(f, np.zeros(len(f)))

    # ------------------------------------------------------------------ running
    def step(self) -> None:
        """Advance one month. What happens in a month, in this order:

        1. **New entries.** Each council's new families enter care at times within the
           month (numbers Poisson, attributes drawn from the ``entries`` stream); each
           child gets a placement, and entry and legal costs are booked.
        2. **Due events.** Every family whose next event or checkpoint falls in the month
           takes it, at its own time, all such families at once, in rounds until none is
           due before the month's end (``sim.engine``). For families in
           care: going home (after which the council's after-return practice and the
           policies apply: case opened, support, treatment), other exits (adoption,
           guardianship, other), parents' problems resolving or relapsing. For families
           at home after a return: problems resolving or relapsing; maltreatment starting
           (what happens to the child); detection (what the council sees, far likelier
           while the case is open), then re-entry or a reopened case; breakdowns for
           other reasons (re-entry); checkpoints: the case closing, support ending,
           treatment starting. Children turning 18 leave care or stop being followed.
           Nothing is done for families with nothing due.
           With placements over a period of care on (``params.placement.moves``,
           :mod:`sim.placements`), every child in care at the month's end may then have
           moved placement within the month (counts by placement follow).
        3. **Costs.** Councils' counts are kept by the transitions; each council books the
           month's recurring costs from them: placements by type, care planning, open
           cases (monitoring), support by level.
        4. **Data collection.** Month-end stocks per council (``timeseries.csv``).

        :meth:`run` does the same for the whole run at once, or a year at a time when
        progress is reported (:meth:`_work_months`), with the same results.
        """
        self._work_months(1)

    def _work_months(self, k: int) -> None:
        """Work the next ``k`` months at once, with the same results as ``k`` steps.

        Families are independent of one another between month ends (nothing a family does
        depends on another family, or on a count), so every family can take all its events
        of the ``k`` months in the engine's rounds, after every entry of the ``k`` months
        (drawn month by month, in order, from the ``entries`` stream). What is read at a
        month end (the councils' counts, for the recurring costs and the month-end stocks)
        is rebuilt from the counts' changes booked to their months. Fewer, fuller rounds:
        a run's 264 months at once take 43 to 84 rounds, a year at a time 149
        to 267, month by month 534 to 974 (scales 0.01 to 1.0, seed 1)."""
        first = self.month
        k = min(k, self.config.total_months - first)
        if self.placements is not None:  # moves are worked at each month end
            k = min(k, 1)
        self.window_start = first
        self.count_changes = np.zeros((k, *self.caseloads.shape), dtype=np.int64)
        self.transitions.entries(range(first, first + k))
        self.engine.run_until(float(first + k))
        if self.placements is not None:  # k is 1 (run): moves of the month's end
            self.placements.month_end(first)
        counts = self.caseloads + np.cumsum(self.count_changes, axis=0)
        self.count_changes = None
        book_recurring_costs(self, first, counts)
        self.timeseries.record_stocks_all(first, counts)
        if self.pressure is not None:  # month ends read: pressures, practice at a review
            self.pressure.close_months(first, counts)
        self.caseloads = counts[-1].copy()
        self.now = float(first + k)
        self.month = first + k
        if self.month >= self.config.total_months:
            self.running = False

    def run(self, progress: Callable[[int, int], None] | None = None, *,
            months_at_once: int | None = None, until: int | None = None
            ) -> "RevolvingDoorModel":
        """Run the warm-up and the measured years. ``progress(month, total)`` is called
        once a simulated year.

        ``until``: stop at the start of that month instead of the end of the run (the books
        are closed only at the end); a later :meth:`run` goes on from there, with the
        results of one run (:mod:`sim.branch` runs several policies on from one warm-up).

        The months are worked ``months_at_once`` at a time (:meth:`_work_months`), with
        the results of stepping month by month whatever the number. By default the whole
        run is worked at once (the fewest rounds of the engine), or a year at a time when
        ``progress`` is given, so that each year can be reported. With councils under
        pressure (:mod:`sim.pressure`) a window never crosses a month end where practice may
        change (a review or a cut), so the results are still those of stepping."""
        total = self.config.total_months
        stop = total if until is None else until
        if not self.month <= stop <= total:
            raise ValueError(f"until: a month from {self.month} (now) to {total} (the end), "
                             f"got {until}")
        if months_at_once is None:
            months_at_once = 12 if progress is not None else max(total, 1)
        if months_at_once < 1:
            raise ValueError(f"months_at_once: at least 1, got {months_at_once}")
        while self.month < stop:
            before = self.month
            k = min(months_at_once, stop - self.month)
            if progress is not None:  # stop at each year's end, to report it
                k = min(k, 12 - self.month % 12)
            if self.pressure is not None:  # practice may change only between windows
                k = self.pressure.window(self.month, k)
            if self.placements is not None:  # placement moves at each month end
                k = 1
            self._work_months(k)
            self.steps += self.month - before  # Mesa's count of steps: months
            if progress is not None and (self.month % 12 == 0 or self.month == total):
                progress(self.month, total)
        if self.month >= total:
            self.finish()
        return self

    def finish(self) -> None:
        """Close the books at the end of the run: harm still going on counts up to now."""
        t = float(self.month)
        F, n = self.families, self.families.n
        f = np.nonzero((F.location[:n] == int(Location.AT_HOME)) & F.in_harm[:n])[0]
        if len(f):
            kids = F.kids[f]
            have = kids >= 0
            rec = self.children_table.record[kids[have]]
            dt = t - F.harm_start[f]
            self.records.returns.table.harm_months[rec] += np.repeat(dt, have.sum(axis=1))
            self.timeseries.add_harm_many(F.council[f], F.harm_start[f], np.full(len(f), t),
                                          have.sum(axis=1))
            F.harm_start[f] = t

    def release(self) -> None:
        """Drop Mesa 3.3.1's class-level reference to this model (Mesa issue 3179), so a
        finished model can be garbage-collected in a loop of many runs."""
        mesa.Agent._ids.pop(self, None)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ counts
    def children_in_care(self) -> int:
        return int(self.caseloads[:, 0:3].sum() + self.caseloads[:, MORE_IN_CARE].sum())

    def children_home_after_return(self) -> int:
        return int(self.caseloads[:, 3].sum())

    def children(self) -> list[Child]:
        return list(self.agents_by_type.get(Child, []))

    # ------------------------------------------------------------------ agents as views
    @property
    def agents(self) -> mesa.agent.AgentSet:  # type: ignore[override]
        """Every agent: councils, and a :class:`Family` and :class:`Child` view for each
        family and child in the system now (made when asked for, :meth:`sync_agents`)."""
        self.sync_agents()
        return super().agents

    @agents.setter
    def agents(self, agents: Any) -> None:  # Mesa's own setter refuses; keep its message
        mesa.Model.agents.fset(self, agents)  # type: ignore[attr-defined]

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], mesa.agent.AgentSet]:
        self.sync_agents()
        return super().agents_by_type

    def sync_agents(self) -> None:
        """Make the Mesa agents match the rows: a view for each family still in the system
        and each child in care or at home after a return; views of those who left are
        removed (Mesa's ``deregister_agent`` is called for each)."""
        if not hasattr(self, "_family_views"):
            return  # Mesa's own set-up, before this model's
        F, n = self.families, self.families.n
        live_f = set(np.nonzero(F.location[:n] != int(Location.GONE))[0].tolist())
        ch, k = self.children_table, self.children_table.n
        st = ch.state[:k]
        live_c = set(np.nonzero((st == int(ChildState.IN_CARE))
                                | (st == int(ChildState.HOME_AFTER_RETURN)))[0].tolist())
        for views, live in ((self._child_views, live_c), (self._family_views, live_f)):
            for row in [r for r in views if r not in live]:
                views.pop(row).remove()
        for row in sorted(live_f - self._family_views.keys()):
            self._family_views[row] = Family(self, row)
        for row in sorted(live_c - self._child_views.keys()):
            self._child_views[row] = Child(self, row)

    def family_view(self, row: int) -> Family:
        """The :class:`Family` agent of family table row ``row``."""
        view = self._family_views.get(row)
        if view is None:
            view = self._family_views[row] = Family(self, row)
        return view

    def child_views(self, rows: Iterable[int]) -> list[Child]:
        """The :class:`Child` agents of child table rows ``rows`` (negative rows skipped)."""
        out = []
        for row in rows:
            row = int(row)
            if row < 0:
                continue
            view = self._child_views.get(row)
            if view is None:
                view = self._child_views[row] = Child(self, row)
            out.append(view)
        return out

    # ------------------------------------------------------------------ work counters
    @property
    def activations(self) -> int:
        """Family activations so far (events and checkpoints)."""
        return self.engine.activations

    @property
    def events(self) -> int:
        """Random family events fired so far."""
        return self.engine.events


def _beta(gen: np.random.Generator, mean: float, conc: float, n: int) -> np.ndarray:
    if mean <= 0.0:
        return np.zeros(n)
    if mean >= 1.0:
        return np.ones(n)
    return gen.beta(mean * conc, (1.0 - mean) * conc, n)
